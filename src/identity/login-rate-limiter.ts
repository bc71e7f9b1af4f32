import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { BoundedWindows, WindowState } from '../common/limits/bounded-windows';
import { ipGroup, limitKey } from '../common/limits/client-key';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';

/** Most keys each limiter map holds (about 100 bytes each). */
export const MAX_LIMITER_KEYS = 100_000;
/** An account's failure history is forgotten after this long without a failure. */
export const ACCOUNT_MEMORY_MS = 15 * 60 * 1000;
/** Longest wait between attempts on an account under attack (from devices it does not know). */
export const ACCOUNT_BACKOFF_MAX_MS = 5 * 60 * 1000;

/**
 * How an attempt ended: `failure` counts everywhere; `busy` (turned away by the hashing gate) counts against the
 * address and the (account, address) pair, so a flood spends its budget even when it is not heard, but not
 * against the account; `success` and `untried` only free the reservation.
 */
export type LoginOutcome = 'success' | 'failure' | 'busy' | 'untried';

interface AccountState { failures: number; inFlight: number; lastFailureAt: number; nextAttemptAt: number }

const tooMany = (seconds: number): VaultError =>
  new VaultError(ErrorCode.TooManyRequests, 'Too many login attempts. Try again later.', { headers: { 'Retry-After': String(seconds) } });

/** One login attempt holding its reservations until it is settled (exactly once; later calls do nothing). */
export class LoginAttempt {
  private settled = false;
  private account: { state: AccountState } | null = null;

  constructor(private readonly limiter: LoginRateLimiter, private readonly windows: WindowState[]) {}

  /**
   * Takes the account-wide slot, synchronously: once the account has LOGIN_RATELIMIT_MAX_BURST failures (and
   * attempts in flight) from every address, devices it does not know may try only one at a time, each further
   * attempt after a wait that doubles up to ACCOUNT_BACKOFF_MAX_MS. Its known devices are never slowed here.
   */
  claimAccount(subject: string, knownDevice: boolean, now = Date.now()): void {
    const state = this.limiter.accountState(subject, now);
    if (!knownDevice && state.failures + state.inFlight >= this.limiter.maxBurst) {
      if (now < state.nextAttemptAt) {
        this.settle('untried');
        throw tooMany(Math.max(1, Math.ceil((state.nextAttemptAt - now) / 1000)));
      }
      const over = Math.max(0, state.failures + state.inFlight - this.limiter.maxBurst);
      state.nextAttemptAt = now + Math.min(ACCOUNT_BACKOFF_MAX_MS, 1000 * 2 ** Math.min(over, 20));
    }
    state.inFlight += 1;
    this.account = { state };
  }

  /** Releases the reservations; a failure stays counted in every window it took part in. */
  settle(outcome: LoginOutcome, now = Date.now()): void {
    if (this.settled) return;
    this.settled = true;
    for (const window of this.windows) {
      window.inFlight = Math.max(0, window.inFlight - 1);
      if (outcome === 'failure' || outcome === 'busy') {
        this.limiter.roll(window, now);
        window.count += 1;
      }
    }
    if (this.account) {
      const { state } = this.account;
      state.inFlight = Math.max(0, state.inFlight - 1);
      if (outcome === 'failure') {
        state.failures += 1;
        state.lastFailureAt = now;
      }
    }
  }
}

/**
 * Login limits, decided synchronously before any await so concurrent guesses cannot all pass the check:
 * failures plus attempts in flight per (account, client address) up to LOGIN_RATELIMIT_MAX_BURST per window,
 * per client address up to twice that, and an account-wide progressive back-off that strangers cannot use to
 * lock the owner out (see LoginAttempt.claimAccount). Keys are fixed-size hashes, IPv6 counts by /64, every
 * map is capped and swept on a timer. Instance-local.
 */
@Injectable()
export class LoginRateLimiter implements OnModuleDestroy {
  private readonly clients: BoundedWindows;
  private readonly accounts = new Map<string, AccountState>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.clients = new BoundedWindows({ windowMs: config.loginRateLimit.seconds * 1000, maxKeys: MAX_LIMITER_KEYS });
    this.sweeper = setInterval(() => this.sweep(Date.now()), Math.min(60_000, config.loginRateLimit.seconds * 1000));
    this.sweeper.unref();
  }

  get maxBurst(): number {
    return this.config.loginRateLimit.maxBurst;
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  /**
   * Reserves an attempt by `ip` on `subject` (an email or a client_id), or throws 429 with Retry-After.
   * The caller settles it once the outcome is known, whatever happens (try/finally).
   */
  begin(ip: string, subject: string, now = Date.now()): LoginAttempt {
    const group = ipGroup(ip);
    // The address first: once it is exhausted, its further guesses create no state at all.
    const address = this.clients.touch(limitKey('ip', group), now);
    if (address.count + address.inFlight >= 2 * this.maxBurst) throw tooMany(this.clients.secondsLeft(address, now));
    const pair = this.clients.touch(limitKey('pair', `${subject}\n${group}`), now);
    if (pair.count + pair.inFlight >= this.maxBurst) throw tooMany(this.clients.secondsLeft(pair, now));
    pair.inFlight += 1;
    address.inFlight += 1;
    return new LoginAttempt(this, [pair, address]);
  }

  /** @internal The account-wide state of `subject` (LRU-capped; forgotten after ACCOUNT_MEMORY_MS quiet). */
  accountState(subject: string, now: number): AccountState {
    const key = limitKey('account', subject);
    let state = this.accounts.get(key);
    if (state) this.accounts.delete(key);
    if (!state) state = { failures: 0, inFlight: 0, lastFailureAt: 0, nextAttemptAt: 0 };
    else if (state.failures > 0 && now - state.lastFailureAt > ACCOUNT_MEMORY_MS) state.failures = 0;
    this.accounts.set(key, state);
    while (this.accounts.size > MAX_LIMITER_KEYS) this.accounts.delete(this.accounts.keys().next().value as string);
    return state;
  }

  /** @internal */
  roll(window: WindowState, now: number): void {
    this.clients.roll(window, now);
  }

  /** Drops expired state with nothing in flight (also run on a timer). */
  sweep(now: number): void {
    this.clients.sweep(now);
    for (const [key, state] of this.accounts) {
      if (state.inFlight === 0 && now - state.lastFailureAt > ACCOUNT_MEMORY_MS && now >= state.nextAttemptAt) this.accounts.delete(key);
    }
  }

  /** Keys held (for the abuse tests: memory stays bounded). */
  get size(): number {
    return this.clients.size + this.accounts.size;
  }
}
