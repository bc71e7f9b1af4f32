import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.tokens';
import { BoundedWindows } from '../limits/bounded-windows';
import { ipGroup, limitKey } from '../limits/client-key';

/** Most client addresses remembered at once (least recently seen forgotten first). */
const MAX_KEYS = 100_000;

/**
 * Fixed-window limiter for unauthenticated endpoints, per client address (an IPv6 /64 counts as one): at most
 * UNAUTHENTICATED_RATELIMIT_MAX_BURST requests per UNAUTHENTICATED_RATELIMIT_SECONDS. Keys are hashed, the map
 * is capped and swept on a timer. Instance-local.
 */
@Injectable()
export class UnauthenticatedRateLimiter implements OnModuleDestroy {
  private readonly windows: BoundedWindows;
  private readonly sweeper: NodeJS.Timeout;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    const windowMs = config.unauthenticatedRateLimit.seconds * 1000;
    this.windows = new BoundedWindows({ windowMs, maxKeys: MAX_KEYS });
    this.sweeper = setInterval(() => this.windows.sweep(Date.now()), Math.min(60_000, windowMs));
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  /**
   * Counts one request from `ip` (an IPv6 address by its /64) in `scope` (each endpoint family has its own
   * budget); returns 0 when allowed, else the seconds until the window ends.
   */
  hit(ip: string, scope = 'any', now = Date.now()): number {
    return this.count(`${scope}\n${ipGroup(ip)}`, now);
  }

  /** The same for a key that is not an address (an email): counted under its hash. */
  hitKey(scope: string, value: string, now = Date.now()): number {
    return this.count(`${scope}\n${value}`, now);
  }

  private count(key: string, now: number): number {
    const window = this.windows.touch(limitKey('unauth', key), now);
    if (window.count >= this.config.unauthenticatedRateLimit.maxBurst) return this.windows.secondsLeft(window, now);
    window.count += 1;
    return 0;
  }
}
