import { Inject, Injectable, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { getLogger } from '../common/logging/logger';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { SERVER_NAME } from '../config/server-info';
import { Tx, UnitOfWork } from '../db/unit-of-work';
import { MailOutboxRepository } from './mail-outbox.repository';
import { MailWorker } from './mail-worker';
import { MailContext, MailTemplateName, MailTemplateParams, renderMail } from './templates';

const log = getLogger('MailService');

/** Mail nobody could deliver within this is given up (unless the caller says otherwise). */
const DEFAULT_LIFETIME_MS = 3 * 24 * 3600_000;

export interface MailRequest<N extends MailTemplateName> {
  to: string | string[];
  template: N;
  params: MailTemplateParams<N>;
  /** Give up on the mail if it is still unsent then (an invitation: when its token expires). Default 3 days. */
  expiresAt?: Date;
}

/**
 * What features call to send mail. `enqueue` renders the template and writes the mail into the outbox inside the
 * caller's transaction: the mail exists exactly when the change that caused it committed, survives an SMTP outage
 * and a restart, and the request never waits for the SMTP server. The worker takes it after the commit.
 */
@Injectable()
export class MailService {
  private readonly context: MailContext;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly uow: UnitOfWork,
    private readonly repo: MailOutboxRepository,
    private readonly clock: Clock,
    /** Absent when mail is disabled. */
    @Optional() private readonly worker?: MailWorker,
  ) {
    this.context = { publicUrl: config.publicUrl, productName: SERVER_NAME };
  }

  /** Whether mail can be sent (SMTP_HOST and SMTP_FROM, or USE_SENDMAIL): features choose their mail-less path otherwise. */
  get enabled(): boolean {
    return this.config.mail.enabled;
  }

  /** Queues a mail in `tx`. Without mail configured nothing is queued (callers check `enabled` first). */
  async enqueue<N extends MailTemplateName>(tx: Tx, request: MailRequest<N>): Promise<void> {
    const recipients = (Array.isArray(request.to) ? request.to : [request.to]).map((address) => address.trim()).filter(Boolean);
    if (!this.enabled) {
      log.debug({ template: request.template, recipients: recipients.length }, 'mail.disabled_not_queued');
      return;
    }
    if (recipients.length === 0) throw new Error(`mail ${request.template}: no recipient`);
    const rendered = renderMail(request.template, this.context, request.params);
    const now = this.clock.now();
    await this.repo.insert(tx.manager, {
      template: request.template,
      recipients,
      subject: rendered.subject,
      textBody: rendered.text,
      htmlBody: rendered.html,
      messageId: `<${randomUUID()}@${this.config.domain.hostname}>`,
      nextAttemptAt: now,
      expiresAt: request.expiresAt ?? new Date(now.getTime() + DEFAULT_LIFETIME_MS),
      createdAt: now,
    });
    log.debug({ template: request.template, recipients: recipients.length }, 'mail.queued');
    const worker = this.worker;
    if (worker) tx.afterCommit(() => worker.wake());
  }

  /** Outbox counts, for diagnostics and tests. */
  counts(): Promise<{ pending: number; sent: number; failed: number }> {
    return this.uow.read((db) => this.repo.countByStatus(db));
  }
}
