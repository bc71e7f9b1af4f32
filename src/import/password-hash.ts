/**
 * Vaultwarden keeps the server-side hash of a master password as raw bytes: password_hash = PBKDF2-SHA256(the
 * client's master password hash as UTF-8, salt, password_iterations), 32 bytes, and salt (64 random bytes), both
 * BLOBs. Vaultwave runs the same derivation (src/accounts/password-hasher.ts) and keeps both as base64 text: the
 * bytes are carried over unchanged, only their encoding changes, so the same master password logs in.
 */
export interface StoredPasswordHash { hash: string; salt: string; iterations: number }

export function convertPasswordHash(hash: Buffer, salt: Buffer, iterations: number): StoredPasswordHash {
  if (hash.length === 0) throw new Error('empty password hash');
  if (salt.length === 0) throw new Error('empty password salt');
  if (!Number.isInteger(iterations) || iterations <= 0) throw new Error('invalid password iterations');
  return { hash: hash.toString('base64'), salt: salt.toString('base64'), iterations };
}
