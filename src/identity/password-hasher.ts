import { pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { UserEntity } from '../db/entities';

const pbkdf2Async = promisify(pbkdf2);

/**
 * Server-side slow hash of the client's master password hash: PBKDF2-SHA256 with a per-user salt, on libuv's
 * thread pool (node's async crypto), so a login never stalls the event loop or open sockets.
 */
export async function hashMasterPasswordHash(clientHash: string, iterations: number): Promise<{ hash: string; salt: string; iterations: number }> {
  const salt = randomBytes(32);
  const derived = await pbkdf2Async(Buffer.from(clientHash, 'utf8'), salt, iterations, 32, 'sha256');
  return { hash: derived.toString('base64'), salt: salt.toString('base64'), iterations };
}

/** Constant-time check of a client master password hash against the stored slow hash. */
export async function verifyMasterPasswordHash(user: Pick<UserEntity, 'passwordHash' | 'passwordSalt' | 'passwordIterations'>, clientHash: string): Promise<boolean> {
  if (typeof clientHash !== 'string' || clientHash.length === 0 || clientHash.length > 1024) return false;
  const derived = await pbkdf2Async(Buffer.from(clientHash, 'utf8'), Buffer.from(user.passwordSalt, 'base64'), user.passwordIterations, 32, 'sha256');
  const stored = Buffer.from(user.passwordHash, 'base64');
  return stored.length === derived.length && timingSafeEqual(stored, derived);
}
