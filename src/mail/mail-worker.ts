import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { WakeLoop } from '../common/jobs/wake-loop';
import { getLogger } from '../common/logging/logger';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { MailOutboxEntity } from '../db/entities';
import { UnitOfWork } from '../db/unit-of-work';
import { MailOutboxRepository } from './mail-outbox.repository';
import { failureHint, retryDelay } from './mail-retry';
import { MailSender } from './mail-sender';

const log = getLogger('MailWorker');

/** Safety poll: rows written by another instance, or leases left by a crashed one, are picked up within this. */
const POLL_MS = 30_000;
const HOUSEKEEPING_MS = 60_000;
/** Sent and failed rows stay visible to diagnostics this long. */
const KEEP_COMPLETED_MS = 7 * 24 * 3600_000;

/**
 * Drains the mail outbox: after every commit that queued a mail, on a timer for retries, and at start-up (what a
 * previous run left pending). One mail at a time per instance, never inside a transaction or a request. Each row is
 * claimed with a lease before it is sent, so instances sharing the database never send the same row at once; a
 * lease left by a crashed instance lapses and the row is taken again. A failed delivery is retried with back-off
 * (MAIL_RETRY_BASE_MS doubling up to MAIL_RETRY_MAX_SECONDS) until it succeeds or the mail expires; only a 5xx
 * refusal of the recipient or of the message itself ends it as failed.
 *
 * Logs: at info only the template name and how many recipients; errors with the SMTP code and reply. Never an
 * address at info, a body, a token or the SMTP password.
 */
@Injectable()
export class MailWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly loop: WakeLoop;
  private lastHousekeeping = 0;
  private readonly leaseMs: number;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly uow: UnitOfWork,
    private readonly repo: MailOutboxRepository,
    private readonly sender: MailSender,
    private readonly clock: Clock,
  ) {
    // Longer than any one attempt can take (connection, greeting and each reply are bounded by SMTP_TIMEOUT).
    this.leaseMs = 4 * (config.mail.smtp?.timeoutMs ?? 30_000) + 30_000;
    this.loop = new WakeLoop(() => this.drain(), (error) => {
      log.error({ err: error instanceof Error ? error.message : String(error) }, 'mail.worker_failed');
      this.loop.schedule(Date.now() + this.config.mail.retryBaseMs);
    }, POLL_MS);
  }

  onApplicationBootstrap(): void {
    const { mail } = this.config;
    const where = mail.smtp
      ? { transport: 'smtp', host: mail.smtp.host, port: mail.smtp.port, security: mail.smtp.security, authenticated: mail.smtp.username !== null }
      : { transport: 'sendmail', command: mail.sendmailCommand };
    log.info(where, 'mail.enabled');
    this.wake();
  }

  /** Stops taking rows and waits for the delivery in progress (bounded by SMTP_TIMEOUT) to settle. */
  beforeApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  /** Asks for a drain soon (after a commit, a timer, start-up). Never blocks and never throws. */
  wake(): void {
    this.loop.wake();
  }

  private async drain(): Promise<void> {
    await this.housekeeping();
    while (!this.loop.stopped) {
      const row = await this.claimNext();
      if (!row) break;
      await this.deliver(row);
    }
    if (this.loop.stopped) return;
    const next = await this.uow.read((db) => this.repo.nextDueAt(db, this.clock.now()));
    this.loop.schedule(next ? Date.now() + Math.max(0, next.getTime() - this.clock.now().getTime()) : Date.now() + POLL_MS);
  }

  /** Every minute: pending mail past its expiry ends as failed; old sent and failed rows are removed. */
  private async housekeeping(): Promise<void> {
    const now = this.clock.now();
    if (now.getTime() - this.lastHousekeeping < HOUSEKEEPING_MS) return;
    this.lastHousekeeping = now.getTime();
    await this.uow.run((tx) => this.repo.deleteCompletedBefore(tx.manager, new Date(now.getTime() - KEEP_COMPLETED_MS)));
  }

  /** Claims the next due row; a row found past its expiry ends as failed instead of being sent late. */
  private claimNext(): Promise<MailOutboxEntity | null> {
    const now = this.clock.now();
    const lease = new Date(now.getTime() + this.leaseMs);
    return this.uow.run(async (tx) => {
      for (let tries = 0; tries < 20; tries += 1) {
        const row = await this.repo.findNextDue(tx.manager, now);
        if (!row) return null;
        if (row.expiresAt.getTime() < now.getTime()) {
          await this.repo.markFailed(tx.manager, row.id, row.attempts, `expired before it could be sent${row.lastError ? ` (last error: ${row.lastError})` : ''}`, now);
          log.warn({ outboxId: row.id, template: row.template, attempts: row.attempts, lastError: row.lastError }, 'mail.expired');
          continue;
        }
        if (await this.repo.claim(tx.manager, row.id, now, lease)) return row;
      }
      return null;
    });
  }

  private async deliver(row: MailOutboxEntity): Promise<void> {
    const to = JSON.parse(row.recipients) as string[];
    const outcome = await this.sender.send({ to, subject: row.subject, text: row.textBody, html: row.htmlBody, messageId: row.messageId });
    const now = this.clock.now();
    const attempts = row.attempts + 1;
    const where = { outboxId: row.id, template: row.template, recipients: to.length, attempts };
    if (outcome.kind === 'sent') {
      await this.uow.run((tx) => this.repo.markSent(tx.manager, row.id, attempts, now));
      log.info(where, 'mail.sent');
      if (outcome.rejected > 0) log.warn({ ...where, rejected: outcome.rejected }, 'mail.recipients_rejected');
      return;
    }
    const { failure } = outcome;
    const error = [failure.code, failure.command, failure.message].filter(Boolean).join(': ');
    const details = { ...where, code: failure.code, responseCode: failure.responseCode, command: failure.command, error: failure.message, hint: failureHint(failure) };
    if (failure.kind === 'permanent') {
      await this.uow.run((tx) => this.repo.markFailed(tx.manager, row.id, attempts, error, now));
      log.error(details, 'mail.failed');
      return;
    }
    const delay = retryDelay(attempts, this.config.mail.retryBaseMs, this.config.mail.retryMaxMs);
    await this.uow.run((tx) => this.repo.reschedule(tx.manager, row.id, new Date(now.getTime() + delay), attempts, error));
    log.warn({ ...details, retryInMs: delay }, 'mail.retrying');
  }
}
