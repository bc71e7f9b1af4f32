import { createHash, timingSafeEqual } from 'node:crypto';

/** Constant-time comparison of two strings of any length. */
export function sameText(a: string, b: string): boolean {
  const left = createHash('sha256').update(a, 'utf8').digest();
  const right = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(left, right) && a.length === b.length;
}
