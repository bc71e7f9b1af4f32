import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { MailOutboxRepository } from './mail-outbox.repository';
import { MailSender } from './mail-sender';
import { MailWorker } from './mail-worker';
import { MailService } from './mail.service';

/**
 * Outgoing mail: `MailService` for features (global), the outbox, and, when mail is configured (SMTP_HOST and
 * SMTP_FROM, or USE_SENDMAIL), the transport and the worker that drains the outbox. Without mail there is no
 * worker, no timer and no transport.
 */
@Module({})
export class MailModule {
  static forRoot(config: AppConfig): DynamicModule {
    const active = config.mail.enabled ? [MailSender, MailWorker] : [];
    return {
      module: MailModule,
      global: true,
      providers: [MailOutboxRepository, MailService, ...active],
      exports: [MailService],
    };
  }
}
