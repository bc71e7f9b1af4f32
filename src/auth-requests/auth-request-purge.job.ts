import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { CronTimer } from '../common/jobs/cron-timer';
import { getLogger } from '../common/logging/logger';
import { SingleFlight } from '../common/jobs/single-flight';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { AuthRequestsService } from './auth-requests.service';
import { nextCronRun } from './cron-schedule';

const log = getLogger('AuthRequestPurgeJob');

/**
 * On AUTH_REQUEST_PURGE_SCHEDULE (Vaultwarden's variable, default every minute at second 30; empty disables it):
 * deletes expired login-with-device requests and answered ones once the requesting device has had time to read
 * the answer (AuthRequestsService.purgeExpired).
 */
@Injectable()
export class AuthRequestPurgeJob implements OnModuleInit, OnModuleDestroy {
  private readonly pass = new SingleFlight<number>();
  private readonly timer: CronTimer;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig, private readonly requests: AuthRequestsService, clock: Clock) {
    const nextRun = (now: Date): Date | null => {
      const schedule = this.config.authRequestPurgeSchedule;
      return schedule === null ? null : nextCronRun(schedule, now);
    };
    this.timer = new CronTimer(clock, nextRun, () => this.runOnce(),
      (error) => log.error({ err: error instanceof Error ? error.message : String(error) }, 'auth_request_purge.failed'));
  }

  onModuleInit(): void {
    this.timer.start();
  }

  async onModuleDestroy(): Promise<void> {
    this.timer.stop();
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
}
