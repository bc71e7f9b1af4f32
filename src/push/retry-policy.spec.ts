import { backoffDelay, parseRetryAfter } from './retry-policy';

describe('backoffDelay', () => {
  it('starts at the base and doubles per failure, capped at the maximum (no jitter at random = 0.5)', () => {
    const mid = (): number => 0.5;
    expect([1, 2, 3, 4, 5, 6, 9, 10, 50].map((n) => backoffDelay(n, 1000, 300_000, mid))).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 256_000, 300_000, 300_000]);
  });

  it('jitter stays within ±20 % and never exceeds the maximum', () => {
    expect(backoffDelay(3, 1000, 300_000, () => 0)).toBe(3200);
    expect(backoffDelay(3, 1000, 300_000, () => 0.999999)).toBe(4800);
    expect(backoffDelay(20, 1000, 300_000, () => 0.999999)).toBe(300_000);
    for (let i = 0; i < 200; i += 1) {
      const d = backoffDelay(1 + (i % 12), 1000, 300_000);
      expect(d).toBeGreaterThanOrEqual(800);
      expect(d).toBeLessThanOrEqual(300_000);
    }
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-27T12:00:00Z');
  it('delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });
  it('HTTP date, relative to now, never negative', () => {
    expect(parseRetryAfter('Fri, 27 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Fri, 27 Nov 2026 11:00:00 GMT', now)).toBe(0);
  });
  it('absent or not understood → null', () => {
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('', now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
    expect(parseRetryAfter('1.5', now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });
});
