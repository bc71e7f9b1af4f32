import { UserEntity } from '../../db/entities';
import { MasterPasswordPolicyOptions } from '../master-password-policy';
import { toApiDate } from '../../common/time/clock';
import {
  ApiKeyResponseDto, KdfView, KeysResponseDto, MasterPasswordPolicyResponseDto, PrivateKeysResponseDto, ProfileResponseDto,
  UserDecryptionResponseDto, UserKeyResponseDto,
} from './account-response.dto';

export function kdfOf(user: UserEntity): KdfView {
  return { kdfType: user.kdfType, iterations: user.kdfIterations, memory: user.kdfMemory, parallelism: user.kdfParallelism };
}

/** accountKeys (camelCase, exact nested names: clients read them exactly). */
export function accountKeysResponse(user: UserEntity): PrivateKeysResponseDto | null {
  if (!user.privateKey || !user.publicKey) return null;
  return {
    publicKeyEncryptionKeyPair: { wrappedPrivateKey: user.privateKey, publicKey: user.publicKey, signedPublicKey: null, object: 'publicKeyEncryptionKeyPair' },
    securityState: null,
    signatureKeyPair: null,
    object: 'privateKeys',
  };
}

/**
 * `profile` of GET /api/sync and GET /api/accounts/profile. `twoFactorEnabled`: from the TwoFactorStatus port.
 * `emailVerified`: the stored state; without mail nobody can verify, so it reads true then (Vaultwarden's rule).
 */
export function toProfileResponse(user: UserEntity, twoFactorEnabled = false, mailEnabled = true): ProfileResponseDto {
  return {
    object: 'profile',
    id: user.id,
    name: user.name,
    email: user.email,
    emailVerified: user.emailVerified || !mailEnabled,
    premium: true,
    premiumFromOrganization: false,
    culture: user.culture,
    twoFactorEnabled,
    key: user.userKey,
    privateKey: user.privateKey,
    accountKeys: accountKeysResponse(user),
    securityStamp: user.securityStamp,
    organizations: [],
    providers: [],
    providerOrganizations: [],
    forcePasswordReset: false,
    avatarColor: user.avatarColor,
    usesKeyConnector: false,
    creationDate: toApiDate(user.creationDate),
    _status: 0,
  };
}

/** `userDecryption` of GET /api/sync (camelCase). */
export function toUserDecryptionResponse(user: UserEntity): UserDecryptionResponseDto {
  const kdf = kdfOf(user);
  return {
    masterPasswordUnlock: {
      kdf: { kdfType: kdf.kdfType, iterations: kdf.iterations, memory: kdf.memory, parallelism: kdf.parallelism },
      masterKeyEncryptedUserKey: user.userKey,
      masterKeyWrappedUserKey: user.userKey,
      salt: user.email,
    },
    userKeyId: user.userKeyId,
  };
}

/** GET/POST /api/accounts/keys. */
export function toKeysResponse(user: UserEntity): KeysResponseDto {
  return { key: user.userKey, publicKey: user.publicKey, privateKey: user.privateKey, accountKeys: accountKeysResponse(user), object: 'keys' };
}

/** POST /api/accounts/api-key and rotate-api-key. */
export function toApiKeyResponse(user: UserEntity): ApiKeyResponseDto {
  return { apiKey: user.apiKey, revisionDate: toApiDate(user.updatedDate), object: 'apiKey' };
}

/** POST /api/accounts/verify-password: the account's combined master password policy (all null: none). */
export function toMasterPasswordPolicyResponse(options: MasterPasswordPolicyOptions | null = null): MasterPasswordPolicyResponseDto {
  return {
    minComplexity: options?.minComplexity ?? null,
    minLength: options?.minLength ?? null,
    requireLower: options?.requireLower ?? null,
    requireUpper: options?.requireUpper ?? null,
    requireNumbers: options?.requireNumbers ?? null,
    requireSpecial: options?.requireSpecial ?? null,
    enforceOnLogin: options?.enforceOnLogin ?? null,
    object: 'masterPasswordPolicy',
  };
}

/** GET /api/users/{id}/public-key, for an account that has a key pair. */
export function toUserKeyResponse(userId: string, publicKey: string): UserKeyResponseDto {
  return { userId, publicKey, object: 'userKey' };
}
