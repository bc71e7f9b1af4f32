import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';

interface Window { start: number; count: number }

/**
 * Failed-login limiter, per client IP and per account: at most LOGIN_RATELIMIT_MAX_BURST failures per
 * LOGIN_RATELIMIT_SECONDS window for each key. Instance-local (a shared store comes with scale-out).
 */
@Injectable()
export class LoginRateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Seconds to wait when any of the keys is exhausted, else 0. */
  retryAfter(keys: string[], now = Date.now()): number {
    const { seconds, maxBurst } = this.config.loginRateLimit;
    let wait = 0;
    for (const key of keys) {
      const window = this.windows.get(key);
      if (!window || now - window.start >= seconds * 1000) continue;
      if (window.count >= maxBurst) wait = Math.max(wait, Math.ceil((window.start + seconds * 1000 - now) / 1000));
    }
    return wait;
  }

  recordFailure(keys: string[], now = Date.now()): void {
    const { seconds } = this.config.loginRateLimit;
    for (const key of keys) {
      const window = this.windows.get(key);
      if (!window || now - window.start >= seconds * 1000) this.windows.set(key, { start: now, count: 1 });
      else window.count += 1;
    }
    if (this.windows.size > 100_000) this.prune(now);
  }

  private prune(now: number): void {
    const limit = this.config.loginRateLimit.seconds * 1000;
    for (const [key, window] of this.windows) if (now - window.start >= limit) this.windows.delete(key);
  }
}
