/**
 * Success bodies of /identity/connect/token. The OAuth fields are snake_case; the Bitwarden fields that follow are
 * PascalCase, as bitwarden/server's identity server writes them (official clients read them as
 * IdentityTokenResponse). Built by token-response.ts, in this key order.
 */

/** The OAuth part: the whole answer to a refresh_token grant. */
export interface TokenResponseDto {
  access_token: string;
  expires_in: number;
  token_type: 'Bearer';
  /** Absent when the login asked for no `offline_access` (client_credentials). */
  refresh_token?: string;
  scope: string;
}

/** `AccountKeys` of a login (PascalCase `Object`, unlike the camelCase `accountKeys` of the profile). */
export interface TokenAccountKeysDto {
  publicKeyEncryptionKeyPair: { wrappedPrivateKey: string; publicKey: string; Object: 'publicKeyEncryptionKeyPair' };
  Object: 'privateKeys';
}

/** `UserDecryptionOptions` of a login (bitwarden/server UserDecryptionOptions). */
export interface UserDecryptionOptionsDto {
  HasMasterPassword: boolean;
  Object: 'userDecryptionOptions';
  MasterPasswordUnlock: {
    Kdf: { KdfType: number; Iterations: number; Memory: number | null; Parallelism: number | null };
    MasterKeyEncryptedUserKey: string;
    MasterKeyWrappedUserKey: string;
    Salt: string;
  };
}

/** The answer to a password or client_credentials grant: the tokens, then the account's keys and KDF. */
export interface LoginTokenResponseDto extends TokenResponseDto {
  Key: string;
  PrivateKey: string | null;
  AccountKeys: TokenAccountKeysDto | null;
  Kdf: number;
  KdfIterations: number;
  KdfMemory: number | null;
  KdfParallelism: number | null;
  ResetMasterPassword: boolean;
  ForcePasswordReset: boolean;
  MasterPasswordPolicy: MasterPasswordPolicyTokenDto;
  UserDecryptionOptions: UserDecryptionOptionsDto;
  /** "Remember this device" token of two-step login (twoFactorRemember=1): the client sends it back as provider 5. Secret. */
  TwoFactorToken?: string;
}

/**
 * The token response's MasterPasswordPolicy (bitwarden/server MasterPasswordPolicyResponseModel as the identity
 * server writes it: PascalCase, null fields left out): only `Object` when no policy applies.
 */
export interface MasterPasswordPolicyTokenDto {
  MinComplexity?: number;
  MinLength?: number;
  RequireLower?: boolean;
  RequireUpper?: boolean;
  RequireNumbers?: boolean;
  RequireSpecial?: boolean;
  EnforceOnLogin?: boolean;
  Object: 'masterPasswordPolicy';
}
