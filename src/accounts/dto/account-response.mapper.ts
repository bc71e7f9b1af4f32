import { UserEntity } from '../../db/entities';
import { toApiDate } from '../../common/time/clock';

export interface KdfView { kdfType: number; iterations: number; memory: number | null; parallelism: number | null }

export function kdfOf(user: UserEntity): KdfView {
  return { kdfType: user.kdfType, iterations: user.kdfIterations, memory: user.kdfMemory, parallelism: user.kdfParallelism };
}

/** accountKeys (camelCase, exact nested names: clients read them exactly). */
export function accountKeysResponse(user: UserEntity): Record<string, unknown> | null {
  if (!user.privateKey || !user.publicKey) return null;
  return {
    publicKeyEncryptionKeyPair: { wrappedPrivateKey: user.privateKey, publicKey: user.publicKey, signedPublicKey: null, object: 'publicKeyEncryptionKeyPair' },
    securityState: null,
    signatureKeyPair: null,
    object: 'privateKeys',
  };
}

/** `profile` of GET /api/sync and GET /api/accounts/profile. */
export function toProfileResponse(user: UserEntity): Record<string, unknown> {
  return {
    object: 'profile',
    id: user.id,
    name: user.name,
    email: user.email,
    emailVerified: user.emailVerified,
    premium: true,
    premiumFromOrganization: false,
    culture: user.culture,
    twoFactorEnabled: false,
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
export function toUserDecryptionResponse(user: UserEntity): Record<string, unknown> {
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
