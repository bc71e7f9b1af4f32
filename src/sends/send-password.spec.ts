import { pbkdf2Sync } from 'node:crypto';
import { hashSendPassword, verifySendPassword } from './send-password';

describe('Send passwords (Vaultwarden scheme: PBKDF2-SHA256, 64-byte salt, 100,000 iterations)', () => {
  const clientHash = 'k0W8Y1qRkQk8hM2cA7v3yW7bq1Jt0nQ9Zc4iPq0u3xQ=';

  it('stores a salted hash that Vaultwarden would compute, never the client value', async () => {
    const stored = await hashSendPassword(clientHash);
    expect(stored.iterations).toBe(100_000);
    expect(Buffer.from(stored.salt, 'base64')).toHaveLength(64);
    const expected = pbkdf2Sync(Buffer.from(clientHash), Buffer.from(stored.salt, 'base64'), 100_000, 32, 'sha256').toString('base64');
    expect(stored.hash).toBe(expected);
    expect(stored.hash).not.toContain(clientHash);
    expect((await hashSendPassword(clientHash)).salt).not.toBe(stored.salt);
  });

  it('verifies the same client hash and nothing else; empty and oversized inputs never match', async () => {
    const stored = await hashSendPassword(clientHash);
    expect(await verifySendPassword(clientHash, stored)).toBe(true);
    expect(await verifySendPassword(`${clientHash.slice(0, -2)}A=`, stored)).toBe(false);
    expect(await verifySendPassword('', stored)).toBe(false);
    expect(await verifySendPassword('x'.repeat(1001), stored)).toBe(false);
  });

  it('verifies a row as Vaultwarden stores it (its own salt and iteration count)', async () => {
    const salt = Buffer.alloc(64, 7);
    const hash = pbkdf2Sync(Buffer.from(clientHash), salt, 5_000, 32, 'sha256');
    expect(await verifySendPassword(clientHash, { hash: hash.toString('base64'), salt: salt.toString('base64'), iterations: 5_000 })).toBe(true);
  });
});
