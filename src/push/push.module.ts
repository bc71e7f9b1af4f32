import { DynamicModule, Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AppConfig } from '../config/app-config';
import { WireModule } from '../wire/wire.module';
import { OutboxRepository } from './outbox.repository';
import { OutboxSignal } from './outbox-signal';
import { OutboxWorker } from './outbox.worker';
import { OutboxWriter } from './outbox.writer';
import { PushDiagnosticsService } from './push-diagnostics.service';
import { PushListener } from './push.listener';
import { PushRegistrationsRepository } from './push-registrations.repository';
import { RelayClient } from './relay.client';

/**
 * Mobile push through Bitwarden's relay (notifications.md §10). With PUSH_ENABLED=false only the diagnostics
 * service exists: no listener (so no outbox rows), no worker, no timer, no relay client.
 */
@Module({})
export class PushModule {
  static forRoot(config: AppConfig): DynamicModule {
    const active = config.push.enabled ? [PushRegistrationsRepository, RelayClient, OutboxSignal, OutboxWorker, OutboxWriter, PushListener] : [];
    return {
      module: PushModule,
      imports: config.push.enabled ? [AccountsModule, WireModule] : [],
      providers: [OutboxRepository, PushDiagnosticsService, ...active],
      exports: [PushDiagnosticsService],
    };
  }
}
