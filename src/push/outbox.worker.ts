import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { WakeLoop } from '../common/jobs/wake-loop';
import { getLogger } from '../common/logging/logger';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { PushOutboxEntity } from '../db/entities';
import { UnitOfWork } from '../db/unit-of-work';
import { PushRegistrationsRepository } from './push-registrations.repository';
import { OutboxRepository } from './outbox.repository';
import { OutboxSignal } from './outbox-signal';
import { OutboxWriter } from './outbox.writer';
import { TokenBucket } from './rate-limiter';
import { RelayClient, RelayOutcome } from './relay.client';
import { backoffDelay } from './retry-policy';

const log = getLogger('OutboxWorker');

/** Safety poll: rows written by another instance, or leases left by a crashed one, are picked up within this. */
const POLL_MS = 30_000;
/** A token rejected by the identity server is asked for again after 1 min, doubling up to 1 h (§10.2). */
const TOKEN_REJECTED_BASE_MS = 60_000;
const TOKEN_REJECTED_MAX_MS = 3600_000;
/** Done and failed rows stay visible to diagnostics this long. */
const KEEP_COMPLETED_MS = 24 * 3600_000;
const HOUSEKEEPING_MS = 60_000;

/** What the worker knows about the relay right now, for diagnostics. */
export interface RelayState {
  /** The whole outbox waits until then (429 Retry-After, rejected or unavailable relay token). */
  pausedUntil: Date | null;
  /** Set when the relay or its identity server says the configuration is wrong; cleared by a success. */
  misconfigured: string | null;
  lastError: string | null;
  lastSuccessAt: Date | null;
}

/**
 * Drains the push outbox (notifications.md §10.8, §10.10): after every commit that wrote rows, on a timer for
 * retries, and whenever a relay call ends. Rows are claimed one after the other, each with a lease (several
 * instances may share the table), in the order of delivery-policy.ts: order per user; across users LogOut
 * first, then round-robin (the user served longest ago), so one user's backlog never holds up the others.
 * Up to PUSH_RELAY_CONCURRENCY relay calls are in flight at once ("lanes"), so a slow relay answer holds up
 * one lane, not every user. Per user they still go one at a time: a row waits for every earlier pending row of
 * its user, leased (in flight) or not (`OutboxRepository.heads`; only a LogOut may pass the user's sends), and
 * the end of a call wakes the worker for the user's next row. Relay calls go through the token bucket, never inside a transaction, and never in a
 * request: the HTTP request that caused a row never waits for it. A pause (429, no relay token) stops the
 * claiming; calls already in flight finish.
 */
@Injectable()
export class OutboxWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly bucket: TokenBucket;
  private readonly loop: WakeLoop;
  /** Relay calls in flight (each one resolves, never rejects, once its row is settled). */
  private readonly inFlight = new Set<Promise<void>>();
  private pausedUntil = 0;
  /** End of the pause the latest counted token failure / 429 set: failures of calls in flight meanwhile count once. */
  private tokenPauseUntil = 0;
  private ratePauseUntil = 0;
  private tokenRejections = 0;
  private tokenFailures = 0;
  private rateLimits = 0;
  private lastHousekeeping = 0;
  private readonly state: RelayState = { pausedUntil: null, misconfigured: null, lastError: null, lastSuccessAt: null };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly uow: UnitOfWork,
    private readonly repo: OutboxRepository,
    private readonly relay: RelayClient,
    private readonly registrations: PushRegistrationsRepository,
    private readonly clock: Clock,
    private readonly writer: OutboxWriter,
    signal: OutboxSignal,
  ) {
    this.bucket = new TokenBucket(config.push.rateBurst, config.push.ratePerSecond);
    this.loop = new WakeLoop(() => this.drain(), (error) => {
      log.error({ err: error instanceof Error ? error.message : String(error) }, 'push.outbox_worker_failed');
      this.loop.schedule(Date.now() + this.config.push.retryBaseMs);
    }, POLL_MS);
    signal.listen(() => this.wake());
  }

  /** Start-up: check the relay credentials once (never blocking the start), then deliver what is pending. */
  onApplicationBootstrap(): void {
    log.info({ relayUri: this.config.push.relayUri, identityUri: this.config.push.identityUri }, 'push.enabled');
    void this.relay.checkToken().then((outcome) => {
      if (outcome.kind === 'token') this.onTokenFailure(outcome);
      this.wake();
    });
  }

  /** Stops claiming, abandons the relay calls in flight, and waits until the drain and every call have settled. */
  async beforeApplicationShutdown(): Promise<void> {
    const stopped = this.loop.stop();
    this.relay.abort();
    await stopped;
    // Once the drain has ended no call starts (wake() is a no-op now); those in flight release their rows.
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  /** Relay state for diagnostics. */
  relayState(): RelayState {
    return { ...this.state, pausedUntil: this.pausedUntil > Date.now() ? new Date(this.pausedUntil) : null };
  }

  /** Asks for a drain soon (after a commit, a timer, start-up). Never blocks and never throws. */
  wake(): void {
    this.loop.wake();
  }

  private async drain(): Promise<void> {
    await this.housekeeping();
    while (!this.loop.stopped) {
      if (Date.now() < this.pausedUntil) {
        this.loop.schedule(this.pausedUntil);
        return;
      }
      if (this.inFlight.size >= this.config.push.relayConcurrency) {
        // Every lane is busy: wait for one call to end, then look at the pause and the bucket again.
        await Promise.race(this.inFlight);
        continue;
      }
      try {
        await this.bucket.ready(this.loop.signal);
      } catch {
        return;
      }
      const row = await this.claimNext();
      if (!row) break;
      if (row.kind !== 'fanout') this.bucket.tryTake();
      this.start(row);
    }
    if (this.loop.stopped) return;
    const next = await this.uow.read((db) => this.repo.nextDueAt(db, this.clock.now()));
    this.loop.schedule(next ? next.getTime() : Date.now() + POLL_MS);
  }

  /**
   * Sends `row` in a lane of its own. When the call has settled the worker is woken: the user's next row is now
   * at the head of its queue, and a lane is free.
   */
  private start(row: PushOutboxEntity): void {
    const call: Promise<void> = this.deliver(row)
      .catch((error: unknown) => {
        // The row keeps its lease until it lapses, then is taken again.
        log.error({ outboxId: row.id, err: error instanceof Error ? error.message : String(error) }, 'push.outbox_worker_failed');
        this.loop.schedule(Date.now() + this.config.push.retryBaseMs);
      })
      .finally(() => {
        this.inFlight.delete(call);
        this.wake();
      });
    this.inFlight.add(call);
  }

  /** Every minute: drops rows past their lifetime (send: 1 h; LogOut, register, delete: 24 h), prunes old completed rows. */
  private async housekeeping(): Promise<void> {
    const now = this.clock.now();
    if (now.getTime() - this.lastHousekeeping < HOUSEKEEPING_MS) return;
    this.lastHousekeeping = now.getTime();
    const dropped = await this.uow.run(async (tx) => {
      const count = await this.repo.deleteExpired(tx.manager, now);
      await this.repo.deleteCompletedBefore(tx.manager, new Date(now.getTime() - KEEP_COMPLETED_MS));
      return count;
    });
    if (dropped > 0) log.warn({ dropped }, 'push.outbox_expired');
  }

  /** Claims the next due row; a row found past its lifetime is dropped instead of being sent late. */
  private async claimNext(): Promise<PushOutboxEntity | null> {
    const now = this.clock.now();
    const lease = new Date(now.getTime() + 2 * this.config.push.timeoutMs + 30_000);
    return this.uow.run(async (tx) => {
      for (let tries = 0; tries < 20; tries += 1) {
        const row = await this.repo.findNextDue(tx.manager, now);
        if (!row) return null;
        if (row.expiresAt.getTime() < now.getTime()) {
          await this.repo.deleteById(tx.manager, row.id);
          log.warn({ outboxId: row.id, kind: row.kind, type: row.pushType, userId: row.userId, attempts: row.attempts, lastError: row.lastError }, 'push.outbox_expired');
          continue;
        }
        if (await this.repo.claim(tx.manager, row.id, now, lease)) return row;
      }
      return null;
    });
  }

  private async deliver(row: PushOutboxEntity): Promise<void> {
    if (row.kind === 'fanout') {
      const queued = await this.uow.run((tx) => this.writer.expandFanout(tx, row));
      log.debug({ outboxId: row.id, queued }, 'push.outbox_fanout_expanded');
      return;
    }
    const outcome = await this.relay.call(row.kind, row.body);
    const now = this.clock.now();
    const attempts = row.attempts + 1;
    const where = { outboxId: row.id, kind: row.kind, type: row.pushType, userId: row.userId, deviceId: row.deviceId };
    switch (outcome.kind) {
      case 'ok':
        this.tokenRejections = 0;
        this.tokenFailures = 0;
        this.rateLimits = 0;
        this.state.misconfigured = null;
        this.state.lastSuccessAt = now;
        await this.uow.run(async (tx) => {
          await this.repo.markDone(tx.manager, row.id, attempts, now);
          if (row.kind === 'register' && row.deviceId) await this.registrations.recordRegistered(tx.manager, row.deviceId, now);
          if (row.kind === 'delete' && row.deviceId) await this.registrations.recordUnregistered(tx.manager, row.deviceId, now);
        });
        log.debug({ ...where, attempts }, 'push.relay_sent');
        return;
      case 'transient': {
        const delay = backoffDelay(attempts, this.config.push.retryBaseMs, this.config.push.retryMaxMs);
        const error = `${outcome.status ?? 'network'}: ${outcome.message}`;
        this.state.lastError = error;
        await this.uow.run((tx) => this.repo.reschedule(tx.manager, row.id, new Date(now.getTime() + delay), attempts, error));
        log.warn({ ...where, status: outcome.status, message: outcome.message, attempts, retryInMs: delay }, 'push.relay_retrying');
        return;
      }
      case 'rate-limited': {
        // Calls that were in flight when the first 429 came back are part of the same limit: counted once.
        if (now.getTime() >= this.ratePauseUntil) this.rateLimits += 1;
        const wait = outcome.retryAfterMs ?? backoffDelay(this.rateLimits, this.config.push.retryBaseMs, this.config.push.retryMaxMs);
        this.pause(now.getTime() + wait);
        this.ratePauseUntil = Math.max(this.ratePauseUntil, now.getTime() + wait);
        this.state.lastError = `429: rate limited for ${wait} ms`;
        await this.uow.run((tx) => this.repo.reschedule(tx.manager, row.id, new Date(now.getTime() + wait), row.attempts, this.state.lastError));
        log.warn({ ...where, status: 429, retryAfterMs: outcome.retryAfterMs, pauseMs: wait }, 'push.relay_rate_limited');
        return;
      }
      case 'permanent': {
        const error = `${outcome.status}: ${outcome.message}`;
        this.state.lastError = error;
        if (outcome.hint) this.state.misconfigured = `${error} (${outcome.hint})`;
        await this.uow.run(async (tx) => {
          await this.repo.markFailed(tx.manager, row.id, attempts, error, now);
          if (row.kind === 'register' && row.deviceId) await this.registrations.recordFailed(tx.manager, row.deviceId, error);
        });
        log.error({ ...where, status: outcome.status, message: outcome.message, hint: outcome.hint }, 'push.relay_failed');
        return;
      }
      case 'token':
        this.onTokenFailure(outcome);
        await this.uow.run((tx) => this.repo.release(tx.manager, row.id));
        return;
      case 'aborted':
        await this.uow.run((tx) => this.repo.release(tx.manager, row.id));
        return;
    }
  }

  /**
   * No relay token: the whole outbox waits. A rejection (wrong id/key/region) waits 1 min doubling to 1 h.
   * Calls in flight share one token refresh, so they fail together: a failure reported while the pause of an
   * earlier one still runs is the same failure, and neither counted nor logged again.
   */
  private onTokenFailure(outcome: Extract<RelayOutcome, { kind: 'token' }>): void {
    this.state.lastError = `relay token: ${outcome.message}`;
    if (outcome.rejected) this.state.misconfigured = `relay token refused (${outcome.status ?? 'no status'}): ${outcome.message}`;
    if (Date.now() < this.tokenPauseUntil) return;
    let wait: number;
    if (outcome.rejected) {
      this.tokenRejections += 1;
      wait = Math.min(TOKEN_REJECTED_BASE_MS * 2 ** Math.min(this.tokenRejections - 1, 20), TOKEN_REJECTED_MAX_MS);
      log.error({ status: outcome.status, message: outcome.message, retryInMs: wait, identityUri: this.config.push.identityUri }, 'push.relay_token_rejected');
    } else {
      this.tokenFailures += 1;
      wait = outcome.retryAfterMs ?? backoffDelay(this.tokenFailures, this.config.push.retryBaseMs, this.config.push.retryMaxMs);
      log.warn({ status: outcome.status, message: outcome.message, retryInMs: wait }, 'push.relay_token_unavailable');
    }
    this.pause(Date.now() + wait);
    this.tokenPauseUntil = Date.now() + wait;
  }

  private pause(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }
}
