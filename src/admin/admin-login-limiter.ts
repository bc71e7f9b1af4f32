import { Inject, Injectable } from '@nestjs/common';
import { BoundedWindows } from '../common/limits/bounded-windows';
import { ipGroup, limitKey } from '../common/limits/client-key';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';

/** ADMIN_RATELIMIT_MAX_BURST login attempts per ADMIN_RATELIMIT_SECONDS from one address (an IPv6 /64 counts as one). */
@Injectable()
export class AdminLoginLimiter {
  private readonly windows: BoundedWindows;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.windows = new BoundedWindows({ windowMs: config.admin.rateLimit.seconds * 1000, maxKeys: 10_000 });
  }

  /** Counts one attempt; 0 when allowed, else the seconds until the window ends. */
  hit(ip: string, now = Date.now()): number {
    this.windows.sweep(now);
    const window = this.windows.touch(limitKey('admin-login', ipGroup(ip)), now);
    if (window.count >= this.config.admin.rateLimit.maxBurst) return this.windows.secondsLeft(window, now);
    window.count += 1;
    return 0;
  }
}
