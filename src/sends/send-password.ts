import { pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);

/** Vaultwarden's scheme (docs/sends-plan.md §4.3), so imported Sends keep their passwords. */
const ITERATIONS = 100_000;
const SALT_BYTES = 64;
const HASH_BYTES = 32;

/** What is stored for a protected Send: base64 hash and salt, and the iteration count. */
export interface StoredSendPassword { hash: string; salt: string; iterations: number }

/**
 * The server-side hash of the password hash a client sends (`password`, `password_hash_b64`: itself a PBKDF2 of the
 * password the server never sees). Runs on the thread pool, not the event loop.
 */
export async function hashSendPassword(clientHash: string): Promise<StoredSendPassword> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await pbkdf2Async(Buffer.from(clientHash, 'utf8'), salt, ITERATIONS, HASH_BYTES, 'sha256');
  return { hash: hash.toString('base64'), salt: salt.toString('base64'), iterations: ITERATIONS };
}

/** Whether `clientHash` is the Send's password, compared in constant time; an empty value never matches. */
export async function verifySendPassword(clientHash: string, stored: StoredSendPassword): Promise<boolean> {
  if (clientHash.length === 0 || clientHash.length > 1000) return false;
  const expected = Buffer.from(stored.hash, 'base64');
  const actual = await pbkdf2Async(Buffer.from(clientHash, 'utf8'), Buffer.from(stored.salt, 'base64'), stored.iterations, expected.length || HASH_BYTES, 'sha256');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
