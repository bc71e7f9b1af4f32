import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { getLogger } from '../common/logging/logger';
import { SingleFlight } from '../common/jobs/single-flight';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { AuthRequestsService } from './auth-requests.service';
import { nextCronRun } from './cron-schedule';

const log = getLogger('AuthRequestPurgeJob');
/** Longest delay setTimeout accepts; a later run is reached in several hops. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * On AUTH_REQUEST_PURGE_SCHEDULE (Vaultwarden's variable, default every minute at second 30; empty disables it):
 * deletes expired login-with-device requests and answered ones once the requesting device has had time to read
 * the answer (AuthRequestsService.purgeExpired).
 */
@Injectable()
export class AuthRequestPurgeJob implements OnModuleInit, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;
  private readonly pass = new SingleFlight<number>();
  private stopped = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig, private readonly requests: AuthRequestsService, private readonly clock: Clock) {}

  onModuleInit(): void {
    this.scheduleNext();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.pass.settled();
  }

  /** One purge pass (also used by tests); overlapping calls share the pass in progress. */
  runOnce(): Promise<number> {
    return this.pass.run(async () => {
      const count = await this.requests.purgeExpired();
      if (count > 0) log.info({ count }, 'auth_request_purge.done');
      return count;
    });
  }

  private scheduleNext(): void {
    const schedule = this.config.authRequestPurgeSchedule;
    if (schedule === null || this.stopped) return;
    const at = nextCronRun(schedule, this.clock.now()).getTime();
    const arm = (): void => {
      const delay = at - this.clock.now().getTime();
      if (delay > 0) {
        this.timer = setTimeout(arm, Math.min(delay, MAX_TIMER_MS));
        this.timer.unref();
        return;
      }
      this.runOnce()
        .catch((error: unknown) => log.error({ err: error instanceof Error ? error.message : String(error) }, 'auth_request_purge.failed'))
        .finally(() => this.scheduleNext());
    };
    arm();
  }
}
