/**
 * Retry timing of relay calls (notifications.md §10.8, §10.10): exponential back-off with jitter, and the
 * `Retry-After` header of a 429.
 */

/** Delay before attempt `failures + 1`: base doubled per failure, capped at `maxMs`, with ±20 % jitter. */
export function backoffDelay(failures: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.min(failures - 1, 30));
  const plain = Math.min(baseMs * 2 ** exponent, maxMs);
  const jittered = plain * (0.8 + 0.4 * random());
  return Math.round(Math.min(jittered, maxMs));
}

/**
 * `Retry-After` in milliseconds: delay-seconds or an HTTP date (RFC 9110 §10.2.3). Null when absent or not
 * understood; never negative.
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}
