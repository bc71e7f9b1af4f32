import { UserEntity } from '../db/entities';
import { accountKeysResponse } from '../accounts/dto/account-response.mapper';

/** The full success body of /identity/connect/token (password and client_credentials grants). */
export function loginTokenResponse(user: UserEntity, accessToken: string, expiresIn: number, refreshToken: string | null, scope: string): Record<string, unknown> {
  const keys = accountKeysResponse(user);
  const body: Record<string, unknown> = {
    access_token: accessToken,
    expires_in: expiresIn,
    token_type: 'Bearer',
    ...(refreshToken ? { refresh_token: refreshToken } : {}),
    scope,
    Key: user.userKey,
    PrivateKey: user.privateKey,
    AccountKeys: keys
      ? { publicKeyEncryptionKeyPair: { wrappedPrivateKey: user.privateKey, publicKey: user.publicKey, Object: 'publicKeyEncryptionKeyPair' }, Object: 'privateKeys' }
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
  };
  return body;
}

/** Prelogin: the account's KDF settings, or the defaults for an unknown email. */
export function preloginResponse(user: Pick<UserEntity, 'kdfType' | 'kdfIterations' | 'kdfMemory' | 'kdfParallelism'> | null): Record<string, unknown> {
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
