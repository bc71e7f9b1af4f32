import { UserEntity } from '../db/entities';
import { accountKeysResponse } from '../accounts/dto/account-response.mapper';
import { PreloginResponseDto } from './dto/prelogin-response.dto';
import { LoginTokenResponseDto, TokenResponseDto } from './dto/token-response.dto';

/**
 * The full success body of /identity/connect/token (password and client_credentials grants). `twoFactorToken`:
 * the "remember this device" token of a login that asked for one (TwoFactorToken, as bitwarden/server adds it).
 */
export function loginTokenResponse(
  user: UserEntity, accessToken: string, expiresIn: number, refreshToken: string | null, scope: string, twoFactorToken: string | null = null,
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
    MasterPasswordPolicy: { Object: 'masterPasswordPolicy' },
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
