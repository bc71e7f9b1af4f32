/** KDF settings as a master password request states them (bitwarden/server KdfSettings). Memory in MiB. */
export interface KdfSettings {
  kdfType: number;
  iterations: number;
  memory: number | null;
  parallelism: number | null;
}

/** bitwarden/server KdfType. */
export const KdfType = { Pbkdf2Sha256: 0, Argon2id: 1 } as const;

/** The ranges of bitwarden/server AuthConstants (PBKDF2_ITERATIONS, ARGON2_ITERATIONS, ARGON2_MEMORY, ARGON2_PARALLELISM). */
export const KDF_BOUNDS = {
  pbkdf2Iterations: { min: 600_000, max: 2_000_000 },
  argon2Iterations: { min: 2, max: 10 },
  argon2Memory: { min: 15, max: 1024 },
  argon2Parallelism: { min: 1, max: 16 },
} as const;

const inside = (value: number | null, range: { min: number; max: number }): boolean => value !== null && Number.isInteger(value) && value >= range.min && value <= range.max;

/**
 * The first reason `kdf` may not protect an account, in the words of bitwarden/server KdfSettingsValidator; null
 * when it may. A new KDF is checked with this before anything is hashed or written.
 */
export function kdfProblem(kdf: KdfSettings): string | null {
  const b = KDF_BOUNDS;
  if (kdf.kdfType === KdfType.Pbkdf2Sha256) {
    return inside(kdf.iterations, b.pbkdf2Iterations) ? null : `KDF iterations must be between ${b.pbkdf2Iterations.min} and ${b.pbkdf2Iterations.max}.`;
  }
  if (kdf.kdfType === KdfType.Argon2id) {
    if (!inside(kdf.iterations, b.argon2Iterations)) return `Argon2 iterations must be between ${b.argon2Iterations.min} and ${b.argon2Iterations.max}.`;
    if (!inside(kdf.memory, b.argon2Memory)) return `Argon2 memory must be between ${b.argon2Memory.min}mb and ${b.argon2Memory.max}mb.`;
    if (!inside(kdf.parallelism, b.argon2Parallelism)) return `Argon2 parallelism must be between ${b.argon2Parallelism.min} and ${b.argon2Parallelism.max}.`;
    return null;
  }
  return 'Unknown KDF type.';
}

/** The settings as stored: PBKDF2 keeps no memory or parallelism. */
export function storedKdf(kdf: KdfSettings): KdfSettings {
  return kdf.kdfType === KdfType.Pbkdf2Sha256 ? { kdfType: kdf.kdfType, iterations: kdf.iterations, memory: null, parallelism: null } : { ...kdf };
}

/** Same settings (PBKDF2: memory and parallelism do not count). */
export function sameKdf(a: KdfSettings, b: KdfSettings): boolean {
  const x = storedKdf(a);
  const y = storedKdf(b);
  return x.kdfType === y.kdfType && x.iterations === y.iterations && (x.memory ?? null) === (y.memory ?? null) && (x.parallelism ?? null) === (y.parallelism ?? null);
}
