/**
 * Response shapes of /api/accounts, /api/users/{id}/public-key and the account parts of GET /api/sync, named after
 * bitwarden/server's response models. The mappers in account-response.mapper.ts build them; the key order of each
 * object is the order the mapper writes, which official clients see.
 */

/** A KDF configuration (camelCase): `kdfSettings` of prelogin, `kdf` of `masterPasswordUnlock`. */
export interface KdfView { kdfType: number; iterations: number; memory: number | null; parallelism: number | null }

/** bitwarden/server PublicKeyEncryptionKeyPairResponseModel. */
export interface PublicKeyEncryptionKeyPairResponseDto {
  wrappedPrivateKey: string;
  publicKey: string;
  signedPublicKey: null;
  object: 'publicKeyEncryptionKeyPair';
}

/** `accountKeys` of the profile and of GET /api/accounts/keys (bitwarden/server PrivateKeysResponseModel). */
export interface PrivateKeysResponseDto {
  publicKeyEncryptionKeyPair: PublicKeyEncryptionKeyPairResponseDto;
  securityState: null;
  signatureKeyPair: null;
  object: 'privateKeys';
}

/** GET/PUT /api/accounts/profile and `profile` of GET /api/sync (bitwarden/server ProfileResponseModel). */
export interface ProfileResponseDto {
  object: 'profile';
  id: string;
  name: string | null;
  email: string;
  emailVerified: boolean;
  premium: boolean;
  premiumFromOrganization: boolean;
  culture: string;
  twoFactorEnabled: boolean;
  key: string;
  privateKey: string | null;
  accountKeys: PrivateKeysResponseDto | null;
  securityStamp: string;
  organizations: unknown[];
  providers: unknown[];
  providerOrganizations: unknown[];
  forcePasswordReset: boolean;
  avatarColor: string | null;
  usesKeyConnector: boolean;
  creationDate: string;
  _status: number;
}

/** `masterPasswordUnlock` of `userDecryption` (bitwarden/server MasterPasswordUnlockResponseModel). */
export interface MasterPasswordUnlockResponseDto {
  kdf: KdfView;
  masterKeyEncryptedUserKey: string;
  masterKeyWrappedUserKey: string;
  salt: string;
}

/** `userDecryption` of GET /api/sync (bitwarden/server UserDecryptionResponseModel). */
export interface UserDecryptionResponseDto {
  masterPasswordUnlock: MasterPasswordUnlockResponseDto;
  userKeyId: string | null;
}

/** GET/POST /api/accounts/keys (bitwarden/server KeysResponseModel). */
export interface KeysResponseDto {
  key: string;
  publicKey: string | null;
  privateKey: string | null;
  accountKeys: PrivateKeysResponseDto | null;
  object: 'keys';
}

/** POST /api/accounts/api-key and rotate-api-key (bitwarden/server ApiKeyResponseModel). */
export interface ApiKeyResponseDto {
  apiKey: string;
  revisionDate: string;
  object: 'apiKey';
}

/**
 * POST /api/accounts/verify-password (bitwarden/server MasterPasswordPolicyResponseModel): the user's combined
 * master password policy; every field null when none applies.
 */
export interface MasterPasswordPolicyResponseDto {
  minComplexity: number | null;
  minLength: number | null;
  requireLower: boolean | null;
  requireUpper: boolean | null;
  requireNumbers: boolean | null;
  requireSpecial: boolean | null;
  enforceOnLogin: boolean | null;
  object: 'masterPasswordPolicy';
}

/** GET /api/users/{id}/public-key (bitwarden/server UserKeyResponseModel). */
export interface UserKeyResponseDto {
  userId: string;
  publicKey: string;
  object: 'userKey';
}
