import { pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { GateFullError, GateOptions, WorkGate } from '../common/limits/work-gate';
import { UserEntity } from '../db/entities';

const pbkdf2Async = promisify(pbkdf2);

/** Until configured (createApp): one hash at a time, a short queue. */
let gate = new WorkGate(1, 8);

/** Sets the global gate on server-side hashing (PASSWORD_HASH_CONCURRENCY, PASSWORD_HASH_QUEUE). */
export function configurePasswordHashing(options: { concurrency: number; queue: number }): void {
  gate = new WorkGate(options.concurrency, options.queue);
}

/** Running and queued hashes (for the abuse tests and diagnostics). */
export function passwordHashingStats(): { running: number; queued: number } {
  return gate.stats;
}

/** Every server-side PBKDF2 goes through the gate; a full queue is a 503 with Retry-After, never a long wait. */
async function gated(clientHash: string, salt: Buffer, iterations: number, options: GateOptions): Promise<Buffer> {
  try {
    return await gate.run(() => pbkdf2Async(Buffer.from(clientHash, 'utf8'), salt, iterations, 32, 'sha256'), options);
  } catch (error) {
    if (!(error instanceof GateFullError)) throw error;
    const description = 'The server is busy checking passwords. Try again shortly.';
    throw new VaultError(ErrorCode.ServerBusy, description, {
      headers: { 'Retry-After': String(error.retryAfterSeconds) },
      oauth: { error: 'temporarily_unavailable', error_description: description },
    });
  }
}

/**
 * Server-side slow hash of the client's master password hash: PBKDF2-SHA256 with a per-user salt, on libuv's
 * thread pool (node's async crypto), so a login never stalls the event loop or open sockets.
 */
export async function hashMasterPasswordHash(clientHash: string, iterations: number, options: GateOptions = {}): Promise<{ hash: string; salt: string; iterations: number }> {
  const salt = randomBytes(32);
  const derived = await gated(clientHash, salt, iterations, options);
  return { hash: derived.toString('base64'), salt: salt.toString('base64'), iterations };
}

/**
 * Constant-time check of a client master password hash against the stored slow hash. `priority` for callers
 * the server already trusts: a signed-in user, or a login from a device the account knows.
 */
export async function verifyMasterPasswordHash(
  user: Pick<UserEntity, 'passwordHash' | 'passwordSalt' | 'passwordIterations'>, clientHash: string, options: GateOptions = {},
): Promise<boolean> {
  if (typeof clientHash !== 'string' || clientHash.length === 0 || clientHash.length > 1024) return false;
  const derived = await gated(clientHash, Buffer.from(user.passwordSalt, 'base64'), user.passwordIterations, options);
  const stored = Buffer.from(user.passwordHash, 'base64');
  return stored.length === derived.length && timingSafeEqual(stored, derived);
}

const DUMMY_SALT = randomBytes(32);

/**
 * The same work as a real check, for a login to an unknown account: the answer takes as long as a wrong
 * password, so response time does not tell which emails have accounts. Always false.
 */
export async function verifyAgainstNoAccount(clientHash: string, iterations: number): Promise<false> {
  if (typeof clientHash === 'string' && clientHash.length > 0 && clientHash.length <= 1024) await gated(clientHash, DUMMY_SALT, iterations, {});
  return false;
}
