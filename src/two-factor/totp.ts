import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

/** RFC 6238 as authenticator apps use it: SHA-1, 6 digits, 30-second steps. */
export const TOTP_PERIOD_SECONDS = 30;
const DIGITS = 6;

/** A new authenticator key: 20 random bytes in base32 (32 characters), as bitwarden/server and Vaultwarden mint it. */
export function newTotpKey(): string {
  // A copy: the bytes on an ArrayBuffer of their own (a Buffer may sit in a larger shared pool).
  return new Secret({ buffer: new Uint8Array(randomBytes(20)).buffer }).base32;
}

/** Whether `key` is a key this server could have minted: base32 of exactly 20 bytes. */
export function isTotpKey(key: string): boolean {
  return /^[A-Z2-7]{32}$/i.test(key);
}

/** The TOTP time step of `nowMs`. */
export function totpStep(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code of `step` for `key` (tests, and the check below). */
export function totpCode(key: string, step: number): string {
  return new TOTP({ secret: Secret.fromBase32(key.toUpperCase()), digits: DIGITS, period: TOTP_PERIOD_SECONDS, algorithm: 'SHA1' })
    .generate({ timestamp: step * TOTP_PERIOD_SECONDS * 1000 });
}

export type TotpCheck = { ok: true; step: number; drift: number } | { ok: false; reason: 'wrong' | 'replay' };

/**
 * Checks `code` against the steps around `nowMs` (±`driftSteps`), as Vaultwarden does: a code of a step after
 * `lastUsedStep` passes and that step becomes the last used; the code of the last used step, or of an older
 * one, is a replay and refused. Comparisons take constant time.
 */
export function checkTotp(key: string, code: string, nowMs: number, lastUsedStep: number, driftSteps: number): TotpCheck {
  if (!/^\d{6}$/.test(code)) return { ok: false, reason: 'wrong' };
  const given = Buffer.from(code, 'utf8');
  const current = totpStep(nowMs);
  for (let drift = -driftSteps; drift <= driftSteps; drift++) {
    const step = current + drift;
    if (!timingSafeEqual(Buffer.from(totpCode(key, step), 'utf8'), given)) continue;
    return step > lastUsedStep ? { ok: true, step, drift } : { ok: false, reason: 'replay' };
  }
  return { ok: false, reason: 'wrong' };
}
