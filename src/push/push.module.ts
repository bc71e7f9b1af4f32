import { DynamicModule, Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AppConfig } from '../config/app-config';
import { OutboxDepth } from '../common/metrics/metrics';
import { PushState } from '../common/push-state';
import { WireModule } from '../wire/wire.module';
import { OutboxRepository } from './outbox.repository';
import { OutboxSignal } from './outbox-signal';
import { OutboxWorker } from './outbox.worker';
import { OutboxWriter } from './outbox.writer';
import { PushDiagnosticsService } from './push-diagnostics.service';
import { PushListener } from './push.listener';
import { PushRegistrationsRepository } from './push-registrations.repository';
import { RelayClient } from './relay.client';

/** The metrics' outbox gauge reads the diagnostics' count of pending rows. */
const outboxDepth = {
  provide: OutboxDepth,
  inject: [PushDiagnosticsService],
  useFactory: (diagnostics: PushDiagnosticsService): OutboxDepth => ({ pendingCount: async () => (await diagnostics.outboxCounts()).pending }),
};

/** The admin panel's view of the relay and the outbox. */
const pushState = {
  provide: PushState,
  inject: [PushDiagnosticsService],
  useFactory: (diagnostics: PushDiagnosticsService): PushState => ({
    describe: async () => {
      const state = await diagnostics.diagnostics();
      return {
        pushRelay: state.relayUri, pushOutboxPending: state.pending, pushOutboxFailed: state.failed, pushOutboxOldestPending: state.oldestPendingAt?.toISOString() ?? null,
        pushLastSuccess: state.lastSuccessAt?.toISOString() ?? null, pushLastError: state.lastError, pushMisconfigured: state.misconfigured,
        pushPausedUntil: state.pausedUntil?.toISOString() ?? null,
      };
    },
  }),
};

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
      // Global for the outbox-depth port of the metrics only.
      global: true,
      imports: config.push.enabled ? [AccountsModule, WireModule] : [],
      providers: [OutboxRepository, PushDiagnosticsService, ...active, outboxDepth, pushState],
      exports: [PushDiagnosticsService, OutboxDepth, PushState],
    };
  }
}
