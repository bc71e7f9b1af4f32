import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { AccountsQueryService } from '../accounts/accounts-query.service';
import { nextCronRun } from '../auth-requests/cron-schedule';
import { CronTimer } from '../common/jobs/cron-timer';
import { SingleFlight } from '../common/jobs/single-flight';
import { getLogger } from '../common/logging/logger';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { UnitOfWork } from '../db/unit-of-work';
import { TwoFactorMail } from './two-factor-mail';
import { TwoFactorRepository } from './two-factor.repository';

const log = getLogger('IncompleteTwoFactorJob');
const BATCH = 100;

/**
 * On INCOMPLETE_2FA_SCHEDULE (Vaultwarden's variable, default every minute at second 30; empty disables it):
 * logins that passed the master password but not the second factor within INCOMPLETE_2FA_TIME_LIMIT minutes
 * are reported, with a warning in the log and, when mail is configured, a mail to the account owner (someone
 * knows the master password). Each is reported once, then forgotten.
 */
@Injectable()
export class IncompleteTwoFactorJob implements OnModuleInit, OnModuleDestroy {
  private readonly pass = new SingleFlight<number>();
  private readonly timer: CronTimer;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: TwoFactorRepository,
    private readonly accounts: AccountsQueryService,
    private readonly mail: TwoFactorMail,
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
  ) {
    const nextRun = (now: Date): Date | null => {
      const schedule = this.config.twoFactor.incompleteSchedule;
      return schedule === null ? null : nextCronRun(schedule, now);
    };
    this.timer = new CronTimer(clock, nextRun, () => this.runOnce(),
      (error) => log.error({ err: error instanceof Error ? error.message : String(error) }, 'two_factor_incomplete.failed'));
  }

  onModuleInit(): void {
    if (this.config.twoFactor.incompleteTimeLimitMinutes > 0) this.timer.start();
  }

  async onModuleDestroy(): Promise<void> {
    this.timer.stop();
    await this.pass.settled();
  }

  /** One pass (also used by tests): reports and forgets the logins incomplete for longer than the limit; returns how many. */
  runOnce(): Promise<number> {
    return this.pass.run(async () => {
      const limitMinutes = this.config.twoFactor.incompleteTimeLimitMinutes;
      if (limitMinutes <= 0) return 0;
      const before = new Date(this.clock.now().getTime() - limitMinutes * 60_000);
      let total = 0;
      for (;;) {
        const reported = await this.uow.run(async (tx) => {
          const logins = await this.repo.incompleteBefore(tx.manager, before, BATCH);
          for (const login of logins) {
            const user = await this.accounts.findById(tx.manager, login.userId);
            log.warn({ userId: login.userId, ip: login.ipAddress, deviceType: login.deviceType, loginTime: login.loginTime.toISOString() }, 'auth.two_factor_incomplete');
            if (user && this.mail.enabled) await this.mail.sendIncompleteLogin(tx, user.email, { ip: login.ipAddress, loginTime: login.loginTime, deviceName: login.deviceName, deviceType: login.deviceType });
            await this.repo.deleteIncomplete(tx.manager, login);
          }
          return logins.length;
        });
        total += reported;
        if (reported < BATCH) return total;
      }
    });
  }
}
