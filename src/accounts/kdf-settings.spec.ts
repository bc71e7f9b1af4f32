import { VaultError } from '../common/errors/vault-error';
import { ChangeKdfDto } from './dto/key-management-request.dto';
import { kdfProblem, KdfSettings, sameKdf } from './kdf-settings';
import { resolveKdfChange } from './kdf.service';

const pbkdf2 = (iterations: number): KdfSettings => ({ kdfType: 0, iterations, memory: null, parallelism: null });
const argon2 = (iterations: number, memory: number | null, parallelism: number | null): KdfSettings => ({ kdfType: 1, iterations, memory, parallelism });

describe('kdfProblem: the ranges and messages of bitwarden/server KdfSettingsValidator', () => {
  it.each([pbkdf2(600_000), pbkdf2(1_000_000), pbkdf2(2_000_000), argon2(2, 15, 1), argon2(5, 500, 8), argon2(10, 1024, 16)])('accepts %j', (kdf) => {
    expect(kdfProblem(kdf)).toBeNull();
  });

  it.each([
    [pbkdf2(599_999), 'KDF iterations must be between 600000 and 2000000.'],
    [pbkdf2(5_000), 'KDF iterations must be between 600000 and 2000000.'],
    [pbkdf2(2_000_001), 'KDF iterations must be between 600000 and 2000000.'],
    [argon2(1, 64, 4), 'Argon2 iterations must be between 2 and 10.'],
    [argon2(11, 64, 4), 'Argon2 iterations must be between 2 and 10.'],
    [argon2(3, 14, 4), 'Argon2 memory must be between 15mb and 1024mb.'],
    [argon2(3, 1025, 4), 'Argon2 memory must be between 15mb and 1024mb.'],
    [argon2(3, null, 4), 'Argon2 memory must be between 15mb and 1024mb.'],
    [argon2(3, 64, 0), 'Argon2 parallelism must be between 1 and 16.'],
    [argon2(3, 64, 17), 'Argon2 parallelism must be between 1 and 16.'],
    [argon2(3, 64, null), 'Argon2 parallelism must be between 1 and 16.'],
    [{ kdfType: 2, iterations: 3, memory: null, parallelism: null }, 'Unknown KDF type.'],
  ])('refuses %j', (kdf, message) => {
    expect(kdfProblem(kdf)).toBe(message);
  });

  it('sameKdf ignores memory and parallelism for PBKDF2 only', () => {
    expect(sameKdf(pbkdf2(600_000), { kdfType: 0, iterations: 600_000, memory: 64, parallelism: 4 })).toBe(true);
    expect(sameKdf(pbkdf2(600_000), pbkdf2(600_001))).toBe(false);
    expect(sameKdf(argon2(3, 64, 4), argon2(3, 64, 4))).toBe(true);
    expect(sameKdf(argon2(3, 64, 4), argon2(3, 32, 4))).toBe(false);
    expect(sameKdf(argon2(3, 64, 4), argon2(3, 64, 2))).toBe(false);
  });
});

describe('resolveKdfChange: both request shapes', () => {
  const email = 'owner@example.com';
  const key = '2.AAAA|BBBB|CCCC';
  const nested = (auth: Record<string, unknown>, unlock = auth, salts: [string, string] = [email, email]): ChangeKdfDto => ({
    masterPasswordHash: 'old',
    authenticationData: { salt: salts[0], kdf: auth as never, masterPasswordAuthenticationHash: 'new' },
    unlockData: { salt: salts[1], kdf: unlock as never, masterKeyWrappedUserKey: key },
  });
  const failure = (dto: ChangeKdfDto): { status: number; message: string; validation: unknown } => {
    try {
      resolveKdfChange(dto, email);
    } catch (error) {
      const e = error as VaultError;
      return { status: e.status, message: e.message, validation: e.details.validationErrors?.[''] };
    }
    throw new Error('accepted');
  };

  it('current shape: the unlock data KDF, the authentication hash and the wrapped key; PBKDF2 keeps no memory', () => {
    expect(resolveKdfChange(nested({ kdfType: 0, iterations: 700_000, memory: 64, parallelism: 4 }), email))
      .toEqual({ kdf: pbkdf2(700_000), masterPasswordHash: 'new', userKey: key });
    expect(resolveKdfChange(nested({ kdfType: 1, iterations: 3, memory: 64, parallelism: 4 }), email).kdf).toEqual(argon2(3, 64, 4));
  });

  it('older flat shape', () => {
    expect(resolveKdfChange({ masterPasswordHash: 'old', kdf: 1, kdfIterations: 3, kdfMemory: 64, kdfParallelism: 4, newMasterPasswordHash: 'new', key }, email))
      .toEqual({ kdf: argon2(3, 64, 4), masterPasswordHash: 'new', userKey: key });
  });

  it('refusals, with the official messages', () => {
    expect(failure(nested({ kdfType: 0, iterations: 100_000 }))).toEqual({ status: 400, message: 'The model state is invalid.', validation: ['KDF iterations must be between 600000 and 2000000.'] });
    expect(failure(nested({ kdfType: 0, iterations: 600_000 }, { kdfType: 0, iterations: 100_000 })).validation).toEqual(['KDF iterations must be between 600000 and 2000000.']);
    expect(failure(nested({ kdfType: 0, iterations: 600_000 }, { kdfType: 0, iterations: 700_000 })).message).toBe('KDF settings must be equal for authentication and unlock.');
    expect(failure(nested({ kdfType: 0, iterations: 600_000 }, undefined, [email, 'other@example.com'])).message).toBe('Invalid master password salt.');
    expect(failure(nested({ kdfType: 0, iterations: 600_000 }, undefined, ['Owner@example.com', email])).message).toBe('Invalid master password salt.');
    expect(failure({ masterPasswordHash: 'old', unlockData: nested({ kdfType: 0, iterations: 600_000 }).unlockData }).message).toBe('AuthenticationData and UnlockData must be provided.');
    expect(failure({ masterPasswordHash: 'old', kdf: 0, kdfIterations: 600_000, key }).validation).toEqual(['The NewMasterPasswordHash field is required.']);
    expect(failure({ masterPasswordHash: 'old', kdf: 1, kdfIterations: 3, kdfMemory: 64, newMasterPasswordHash: 'new', key }).validation).toEqual(['Argon2 parallelism must be between 1 and 16.']);
  });
});
