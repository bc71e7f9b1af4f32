import { checkTotp, isTotpKey, newTotpKey, totpCode, totpStep } from './totp';

describe('TOTP checks (RFC 6238, SHA-1, 6 digits, 30 s)', () => {
  const key = newTotpKey();
  // The middle of a step, so that ±1 step is unambiguous.
  const now = (Math.floor(Date.now() / 30_000) * 30 + 15) * 1000;
  const step = totpStep(now);

  it('mints 20-byte base32 keys and matches the RFC 6238 test vector', () => {
    expect(isTotpKey(key)).toBe(true);
    expect(isTotpKey(key.toLowerCase())).toBe(true);
    expect(isTotpKey('ABC')).toBe(false);
    // RFC 6238 appendix B, SHA-1 seed "12345678901234567890" (base32 GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ), T = 59 s → 94287082 (8 digits; 6: 287082).
    expect(totpCode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 1)).toBe('287082');
  });

  it('accepts the current step and, with drift 1, the steps before and after; not two away', () => {
    expect(checkTotp(key, totpCode(key, step), now, 0, 1)).toEqual({ ok: true, step, drift: 0 });
    expect(checkTotp(key, totpCode(key, step - 1), now, 0, 1)).toEqual({ ok: true, step: step - 1, drift: -1 });
    expect(checkTotp(key, totpCode(key, step + 1), now, 0, 1)).toEqual({ ok: true, step: step + 1, drift: 1 });
    expect(checkTotp(key, totpCode(key, step + 2), now, 0, 1)).toEqual({ ok: false, reason: 'wrong' });
    expect(checkTotp(key, totpCode(key, step - 2), now, 0, 1)).toEqual({ ok: false, reason: 'wrong' });
  });

  it('without drift (AUTHENTICATOR_DISABLE_TIME_DRIFT) only the current step passes', () => {
    expect(checkTotp(key, totpCode(key, step), now, 0, 0)).toMatchObject({ ok: true, step });
    expect(checkTotp(key, totpCode(key, step + 1), now, 0, 0)).toEqual({ ok: false, reason: 'wrong' });
    expect(checkTotp(key, totpCode(key, step - 1), now, 0, 0)).toEqual({ ok: false, reason: 'wrong' });
  });

  it('refuses the last used step and older ones as replays', () => {
    expect(checkTotp(key, totpCode(key, step), now, step, 1)).toEqual({ ok: false, reason: 'replay' });
    expect(checkTotp(key, totpCode(key, step - 1), now, step, 1)).toEqual({ ok: false, reason: 'replay' });
    expect(checkTotp(key, totpCode(key, step + 1), now, step, 1)).toMatchObject({ ok: true, step: step + 1 });
  });

  it('refuses anything that is not six digits', () => {
    for (const code of ['', '12345', '1234567', 'abcdef', ' 123456', `${totpCode(key, step)}0`]) {
      expect(checkTotp(key, code, now, 0, 1)).toEqual({ ok: false, reason: 'wrong' });
    }
  });
});
