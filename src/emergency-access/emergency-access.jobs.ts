import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { AccountRevisionService } from '../accounts/account-revision.service';
import { AccountsQueryService } from '../accounts/accounts-query.service';
import { nextCronRun } from '../auth-requests/cron-schedule';
import { CronTimer } from '../common/jobs/cron-timer';
import { SingleFlight } from '../common/jobs/single-flight';
import { getLogger } from '../common/logging/logger';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { EmergencyAccessEntity } from '../db/entities/emergency-access.entity';
import { UnitOfWork } from '../db/unit-of-work';
import { MailService } from '../mail/mail.service';
import { EmergencyAccessRepository } from './emergency-access.repository';
import { displayName, kindOf } from './emergency-access.service';

const log = getLogger('EmergencyAccessJobs');
const DAY_MS = 24 * 3600_000;
/** Requests read per pass (a pass goes on until fewer come back). */
const BATCH = 500;

/**
 * Vaultwarden's two emergency access jobs, on their schedules (EMERGENCY_REQUEST_TIMEOUT_SCHEDULE and
 * EMERGENCY_NOTIFICATION_REMINDER_SCHEDULE; empty disables one), time from the Clock:
 * - timeout: a request (RecoveryInitiated) whose wait time has passed is approved; the grantor is told it timed
 *   out, the grantee that it was approved;
 * - reminder: from the day before access is granted, the grantor is reminded, at most once a day per request.
 * Both change a row with a conditional UPDATE (still RecoveryInitiated; not reminded within the day), so with
 * several instances exactly one acts on each row and sends its mails.
 */
@Injectable()
export class EmergencyAccessJobs implements OnModuleInit, OnModuleDestroy {
  private readonly timeoutPass = new SingleFlight<number>();
  private readonly reminderPass = new SingleFlight<number>();
  private readonly timers: CronTimer[];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly uow: UnitOfWork,
    private readonly repo: EmergencyAccessRepository,
    private readonly users: AccountsQueryService,
    private readonly accountRevision: AccountRevisionService,
    private readonly mail: MailService,
    private readonly clock: Clock,
  ) {
    const timer = (schedule: string | null, run: () => Promise<number>, name: string): CronTimer => new CronTimer(clock,
      (now) => (schedule === null ? null : nextCronRun(schedule, now)), run,
      (error) => log.error({ err: error instanceof Error ? error.message : String(error) }, `${name}.failed`));
    this.timers = [
      timer(config.emergencyAccess.timeoutSchedule, () => this.approveTimedOut(), 'emergency_access.timeout_job'),
      timer(config.emergencyAccess.reminderSchedule, () => this.sendReminders(), 'emergency_access.reminder_job'),
    ];
  }

  onModuleInit(): void {
    if (!this.config.emergencyAccess.allowed) return;
    for (const timer of this.timers) timer.start();
  }

  async onModuleDestroy(): Promise<void> {
    for (const timer of this.timers) timer.stop();
    await this.timeoutPass.settled();
    await this.reminderPass.settled();
  }

  /** One timeout pass (also used by tests): how many requests it approved. */
  approveTimedOut(): Promise<number> {
    return this.timeoutPass.run(async () => {
      if (!this.config.emergencyAccess.allowed) return 0;
      let approved = 0;
      await this.eachPending(async (row) => {
        const now = this.clock.now();
        if (!row.recoveryInitiatedAt || row.recoveryInitiatedAt.getTime() + row.waitTimeDays * DAY_MS > now.getTime()) return;
        const done = await this.uow.run(async (tx) => {
          if (!(await this.repo.approveIfInitiated(tx.manager, row.id, now))) return false;
          await this.accountRevision.bump(tx, row.granteeId ? [row.grantorId, row.granteeId] : [row.grantorId], now);
          const grantor = await this.users.findById(tx.manager, row.grantorId);
          const grantee = row.granteeId ? await this.users.findById(tx.manager, row.granteeId) : null;
          if (this.mail.enabled && grantor && grantee) {
            await this.mail.enqueue(tx, { to: grantor.email, template: 'emergency-access-recovery-timed-out', params: { granteeName: displayName(grantee), kind: kindOf(row.type) } });
            await this.mail.enqueue(tx, { to: grantee.email, template: 'emergency-access-recovery-approved', params: { grantorName: displayName(grantor) } });
          }
          return true;
        });
        if (done) {
          approved += 1;
          log.info({ emergencyAccessId: row.id, grantorId: row.grantorId, granteeId: row.granteeId }, 'emergency_access.recovery_timed_out');
        }
      });
      return approved;
    });
  }

  /** One reminder pass (also used by tests): how many reminders it sent. */
  sendReminders(): Promise<number> {
    return this.reminderPass.run(async () => {
      if (!this.config.emergencyAccess.allowed) return 0;
      let sent = 0;
      await this.eachPending(async (row) => {
        const now = this.clock.now();
        // From the day before access is granted (Vaultwarden: recovery_initiated_at + wait_time_days - 1).
        if (!row.recoveryInitiatedAt || row.recoveryInitiatedAt.getTime() + (row.waitTimeDays - 1) * DAY_MS > now.getTime()) return;
        const claimed = await this.uow.run(async (tx) => {
          if (!(await this.repo.claimReminder(tx.manager, row.id, now, new Date(now.getTime() - DAY_MS)))) return false;
          const grantor = await this.users.findById(tx.manager, row.grantorId);
          const grantee = row.granteeId ? await this.users.findById(tx.manager, row.granteeId) : null;
          if (this.mail.enabled && grantor && grantee) {
            // The notification is only due from one day before access is granted (Vaultwarden sends "1").
            await this.mail.enqueue(tx, { to: grantor.email, template: 'emergency-access-recovery-reminder', params: { granteeName: displayName(grantee), kind: kindOf(row.type), waitTimeDays: 1 } });
          }
          return true;
        });
        if (claimed) sent += 1;
      });
      return sent;
    });
  }

  /** Every request in RecoveryInitiated, in batches. */
  private async eachPending(work: (row: EmergencyAccessEntity) => Promise<void>): Promise<void> {
    const seen = new Set<string>();
    for (;;) {
      const rows = (await this.uow.read((db) => this.repo.recoveriesInitiated(db, BATCH + seen.size))).filter((row) => !seen.has(row.id));
      for (const row of rows) {
        seen.add(row.id);
        await work(row);
      }
      if (rows.length < BATCH) return;
    }
  }
}
