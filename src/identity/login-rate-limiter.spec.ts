import { VaultError } from '../common/errors/vault-error';
import { AppConfig } from '../config/app-config';
import { ACCOUNT_BACKOFF_MAX_MS, LoginAttempt, LoginRateLimiter } from './login-rate-limiter';

const limiterWith = (maxBurst: number, seconds = 60): LoginRateLimiter =>
  new LoginRateLimiter({ loginRateLimit: { maxBurst, seconds } } as AppConfig);

const refused = (run: () => unknown): VaultError => {
  try {
    run();
  } catch (error) {
    if (error instanceof VaultError) return error;
    throw error;
  }
  throw new Error('expected a 429');
};

describe('LoginRateLimiter', () => {
  let limiter: LoginRateLimiter;
  afterEach(() => limiter.onModuleDestroy());

  it('reserves synchronously: attempts in flight count, so a parallel burst cannot pass the limit', () => {
    limiter = limiterWith(3);
    const attempts = [0, 1, 2].map(() => limiter.begin('198.51.100.1', 'victim@example.com', 1_000));
    const error = refused(() => limiter.begin('198.51.100.1', 'victim@example.com', 1_000));
    expect(error.status).toBe(429);
    expect(error.details.headers?.['Retry-After']).toBe('60');
    // A success frees its place; failures keep theirs until the window ends.
    attempts[0]!.settle('success', 1_001);
    attempts[1]!.settle('failure', 1_001);
    attempts[2]!.settle('failure', 1_001);
    limiter.begin('198.51.100.1', 'victim@example.com', 1_002).settle('failure', 1_002);
    expect(refused(() => limiter.begin('198.51.100.1', 'victim@example.com', 1_003)).status).toBe(429);
    expect(() => limiter.begin('198.51.100.1', 'victim@example.com', 61_002).settle('success', 61_002)).not.toThrow();
  });

  it('one address gets twice the burst over all accounts; other addresses are not affected', () => {
    limiter = limiterWith(2);
    for (let i = 0; i < 4; i += 1) limiter.begin('198.51.100.1', `user${i}@example.com`, 0).settle('failure', 0);
    expect(refused(() => limiter.begin('198.51.100.1', 'fresh@example.com', 0)).status).toBe(429);
    expect(() => limiter.begin('198.51.100.2', 'fresh@example.com', 0)).not.toThrow();
  });

  it('IPv6 addresses of one /64 share their limits', () => {
    limiter = limiterWith(1);
    limiter.begin('2001:db8:1:2::1', 'a@example.com', 0).settle('failure', 0);
    expect(refused(() => limiter.begin('2001:db8:1:2::ffff', 'a@example.com', 0)).status).toBe(429);
    expect(() => limiter.begin('2001:db8:1:3::1', 'a@example.com', 0)).not.toThrow();
  });

  it('failures from many addresses slow unknown devices progressively, never the account\'s known devices', () => {
    limiter = limiterWith(3);
    const attempt = (ip: string, known: boolean, now: number): LoginAttempt => {
      const a = limiter.begin(ip, 'owner@example.com', now);
      a.claimAccount('owner@example.com', known, now);
      return a;
    };
    for (let i = 0; i < 3; i += 1) attempt(`203.0.113.${i}`, false, 0).settle('failure', 0);
    // Now one attempt at a time from unknown devices, with a growing wait between them.
    const first = attempt('203.0.113.50', false, 0);
    expect(refused(() => attempt('203.0.113.51', false, 0)).details.headers?.['Retry-After']).toBe('1');
    first.settle('failure', 0);
    expect(refused(() => attempt('203.0.113.52', false, 500)).status).toBe(429);
    attempt('203.0.113.53', false, 1_000).settle('failure', 1_000);
    expect(refused(() => attempt('203.0.113.54', false, 1_500)).details.headers?.['Retry-After']).toBe('2');
    // The owner's known device is let through at once, from a fresh address, during all this.
    expect(() => attempt('198.51.100.9', true, 2_500).settle('success', 2_500)).not.toThrow();
    // The wait never grows past the cap.
    let now = 10_000;
    for (let i = 0; i < 30; i += 1) {
      now += ACCOUNT_BACKOFF_MAX_MS;
      attempt(`192.0.2.${i}`, false, now).settle('failure', now);
    }
    expect(Number(refused(() => attempt('192.0.2.200', false, now)).details.headers?.['Retry-After'])).toBe(ACCOUNT_BACKOFF_MAX_MS / 1000);
  });

  it('keys are fixed-size and the state is swept: 10,000 bogus usernames leave nothing once their windows end', () => {
    limiter = limiterWith(10, 1);
    for (let i = 0; i < 10_000; i += 1) {
      const a = limiter.begin(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, `${'x'.repeat(200)}${i}@example.com`, 0);
      a.claimAccount(`${'x'.repeat(200)}${i}@example.com`, false, 0);
      a.settle('failure', 0);
    }
    expect(limiter.size).toBe(30_000);
    limiter.sweep(16 * 60 * 1000);
    expect(limiter.size).toBe(0);
  });

  it('settling twice counts once', () => {
    limiter = limiterWith(2);
    const a = limiter.begin('198.51.100.1', 'x@example.com', 0);
    a.settle('failure', 0);
    a.settle('failure', 0);
    expect(() => limiter.begin('198.51.100.1', 'x@example.com', 0)).not.toThrow();
  });
});

describe('LoginRateLimiter: attempts turned away by the hashing gate', () => {
  it('spend the address budget but not the account\'s', () => {
    const limiter = limiterWith(2);
    try {
      for (let i = 0; i < 4; i += 1) {
        const a = limiter.begin('198.51.100.1', `user${i}@example.com`, 0);
        a.claimAccount('owner@example.com', false, 0);
        a.settle('busy', 0);
      }
      expect(refused(() => limiter.begin('198.51.100.1', 'other@example.com', 0)).status).toBe(429);
      // The account saw no failure: an unknown device elsewhere is not slowed.
      const elsewhere = limiter.begin('198.51.100.2', 'owner@example.com', 0);
      expect(() => elsewhere.claimAccount('owner@example.com', false, 0)).not.toThrow();
    } finally {
      limiter.onModuleDestroy();
    }
  });
});
