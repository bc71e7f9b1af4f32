import { UserEntity } from '../db/entities';
import { accountKeysResponse } from '../accounts/dto/account-response.mapper';
import { PreloginResponseDto } from './dto/prelogin-response.dto';
import { MasterPasswordPolicyOptions } from '../accounts/master-password-policy';
import { LoginTokenResponseDto, MasterPasswordPolicyTokenDto, TokenResponseDto } from './dto/token-response.dto';

/** The user's master password policy as the token response (and the two-step login challenge) carry it. */
export function masterPasswordPolicyToken(options: MasterPasswordPolicyOptions | null): MasterPasswordPolicyTokenDto {
  if (!options) return { Object: 'masterPasswordPolicy' };
  const body: MasterPasswordPolicyTokenDto = { Object: 'masterPasswordPolicy' };
  if (options.minComplexity !== undefined) body.MinComplexity = options.minComplexity;
  if (options.minLength !== undefined) body.MinLength = options.minLength;
  if (options.requireLower !== undefined) body.RequireLower = options.requireLower;
  if (options.requireUpper !== undefined) body.RequireUpper = options.requireUpper;
  if (options.requireNumbers !== undefined) body.RequireNumbers = options.requireNumbers;
  if (options.requireSpecial !== undefined) body.RequireSpecial = options.requireSpecial;
  if (options.enforceOnLogin !== undefined) body.EnforceOnLogin = options.enforceOnLogin;
  return body;
}

/**
 * The full success body of /identity/connect/token (password and client_credentials grants). `twoFactorToken`:
 * the "remember this device" token of a login that asked for one (TwoFactorToken, as bitwarden/server adds it).
 * `masterPasswordPolicy`: the user's combined master password policy (clients force a password update on it).
 */
export function loginTokenResponse(
  user: UserEntity, accessToken: string, expiresIn: number, refreshToken: string | null, scope: string, twoFactorToken: string | null = null,
  masterPasswordPolicy: MasterPasswordPolicyOptions | null = null,
): LoginTokenResponseDto {
  const keys = accountKeysResponse(user);
  const body: LoginTokenResponseDto = {
    access_token: accessToken,
    expires_in: expiresIn,
    token_type: 'Bearer',
    ...(refreshToken ? { refresh_token: refreshToken } : {}),
    scope,
    Key: user.userKey,
    PrivateKey: user.privateKey,
    AccountKeys: keys
      ? { publicKeyEncryptionKeyPair: { wrappedPrivateKey: keys.publicKeyEncryptionKeyPair.wrappedPrivateKey, publicKey: keys.publicKeyEncryptionKeyPair.publicKey, Object: 'publicKeyEncryptionKeyPair' }, Object: 'privateKeys' }
      : null,
    Kdf: user.kdfType,
    KdfIterations: user.kdfIterations,
    KdfMemory: user.kdfMemory,
    KdfParallelism: user.kdfParallelism,
    ResetMasterPassword: false,
    ForcePasswordReset: false,
    MasterPasswordPolicy: masterPasswordPolicyToken(masterPasswordPolicy),
    UserDecryptionOptions: {
      HasMasterPassword: true,
      Object: 'userDecryptionOptions',
      MasterPasswordUnlock: {
        Kdf: { KdfType: user.kdfType, Iterations: user.kdfIterations, Memory: user.kdfMemory, Parallelism: user.kdfParallelism },
        MasterKeyEncryptedUserKey: user.userKey,
        MasterKeyWrappedUserKey: user.userKey,
        Salt: user.email,
      },
    },
    ...(twoFactorToken ? { TwoFactorToken: twoFactorToken } : {}),
  };
  return body;
}

/** The answer to a refresh_token grant: a new access token; the refresh token is reused until the session ends. */
export function refreshTokenResponse(accessToken: string, expiresIn: number, refreshToken: string): TokenResponseDto {
  return { access_token: accessToken, expires_in: expiresIn, token_type: 'Bearer', refresh_token: refreshToken, scope: 'api offline_access' };
}

/** Prelogin: the account's KDF settings, or the defaults for an unknown email. */
export function preloginResponse(user: Pick<UserEntity, 'kdfType' | 'kdfIterations' | 'kdfMemory' | 'kdfParallelism'> | null): PreloginResponseDto {
  const kdf = user ?? { kdfType: 0, kdfIterations: 600_000, kdfMemory: null, kdfParallelism: null };
  return {
    kdf: kdf.kdfType,
    kdfIterations: kdf.kdfIterations,
    kdfMemory: kdf.kdfMemory,
    kdfParallelism: kdf.kdfParallelism,
    kdfSettings: { kdfType: kdf.kdfType, iterations: kdf.kdfIterations, memory: kdf.kdfMemory, parallelism: kdf.kdfParallelism },
    salt: null,
  };
}
