import { Inject, Injectable, Optional } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { UnitOfWork } from '../db/unit-of-work';
import { OutboxRepository } from './outbox.repository';
import { OutboxWorker, RelayState } from './outbox.worker';

export interface PushDiagnostics extends RelayState {
  enabled: boolean;
  relayUri: string | null;
  /** Outbox rows waiting to be sent, and rows the relay refused for good (kept 24 h). */
  pending: number;
  failed: number;
  /** When the oldest waiting row was written. */
  oldestPendingAt: Date | null;
}

/** Push state for the admin diagnostics page: outbox counts and what the worker knows about the relay. */
@Injectable()
export class PushDiagnosticsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly uow: UnitOfWork,
    private readonly repo: OutboxRepository,
    @Optional() @Inject(OutboxWorker) private readonly worker?: OutboxWorker,
  ) {}

  async outboxCounts(): Promise<{ pending: number; failed: number }> {
    return this.uow.read((db) => this.repo.countByStatus(db));
  }

  async diagnostics(): Promise<PushDiagnostics> {
    const counts = await this.outboxCounts();
    const oldestPendingAt = await this.uow.read((db) => this.repo.oldestPendingAt(db));
    const relay: RelayState = this.worker?.relayState() ?? { pausedUntil: null, misconfigured: null, lastError: null, lastSuccessAt: null };
    return { enabled: this.config.push.enabled, relayUri: this.config.push.enabled ? this.config.push.relayUri : null, ...counts, oldestPendingAt, ...relay };
  }
}
