import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.tokens';

interface Window { start: number; count: number }

/**
 * Fixed-window limiter for unauthenticated endpoints, per key (usually the client IP): at most
 * UNAUTHENTICATED_RATELIMIT_MAX_BURST requests per UNAUTHENTICATED_RATELIMIT_SECONDS. Instance-local.
 */
@Injectable()
export class UnauthenticatedRateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Counts one request for `key`; returns 0 when allowed, else the seconds until the window ends. */
  hit(key: string, now = Date.now()): number {
    const { seconds, maxBurst } = this.config.unauthenticatedRateLimit;
    const length = seconds * 1000;
    const window = this.windows.get(key);
    if (!window || now - window.start >= length) {
      this.windows.set(key, { start: now, count: 1 });
      if (this.windows.size > 100_000) this.prune(now, length);
      return 0;
    }
    if (window.count >= maxBurst) return Math.max(1, Math.ceil((window.start + length - now) / 1000));
    window.count += 1;
    return 0;
  }

  private prune(now: number, length: number): void {
    for (const [key, window] of this.windows) if (now - window.start >= length) this.windows.delete(key);
  }
}
