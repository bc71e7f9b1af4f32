import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { verifyMasterPasswordHash } from '../accounts/password-hasher';
import { convertPasswordHash } from './password-hash';

/** What Vaultwarden stores: PBKDF2-SHA256(client hash as UTF-8, 64-byte salt, iterations), raw bytes. */
function vaultwardenStored(clientHash: string, iterations: number): { hash: Buffer; salt: Buffer } {
  const salt = randomBytes(64);
  return { hash: pbkdf2Sync(Buffer.from(clientHash, 'utf8'), salt, iterations, 32, 'sha256'), salt };
}

describe('convertPasswordHash', () => {
  const clientHash = 'hV0cT8Qw2bq7cH3mQ2gQ6wq8Vt8q1b3yZJ0dG4v1Yx4=';

  it('keeps the bytes and changes only the encoding: the same client hash verifies', async () => {
    const vw = vaultwardenStored(clientHash, 600_000);
    const stored = convertPasswordHash(vw.hash, vw.salt, 600_000);
    expect(Buffer.from(stored.hash, 'base64').equals(vw.hash)).toBe(true);
    expect(Buffer.from(stored.salt, 'base64').equals(vw.salt)).toBe(true);
    await expect(verifyMasterPasswordHash({ passwordHash: stored.hash, passwordSalt: stored.salt, passwordIterations: stored.iterations }, clientHash)).resolves.toBe(true);
    await expect(verifyMasterPasswordHash({ passwordHash: stored.hash, passwordSalt: stored.salt, passwordIterations: stored.iterations }, `${clientHash}x`)).resolves.toBe(false);
  });

  it('refuses an empty hash or salt and invalid iterations', () => {
    expect(() => convertPasswordHash(Buffer.alloc(0), randomBytes(64), 1)).toThrow('empty password hash');
    expect(() => convertPasswordHash(randomBytes(32), Buffer.alloc(0), 1)).toThrow('empty password salt');
    expect(() => convertPasswordHash(randomBytes(32), randomBytes(64), 0)).toThrow('invalid password iterations');
  });
});
