import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { getLogger } from '../common/logging/logger';

const log = getLogger('UnitOfWork');

/** A running transaction: the entity manager to write with, and work to do once it has committed. */
export class Tx {
  private readonly commitHooks: Array<() => Promise<void> | void> = [];
  constructor(readonly manager: EntityManager) {}

  /** Runs `hook` after the transaction has committed; never if it rolls back. */
  afterCommit(hook: () => Promise<void> | void): void {
    this.commitHooks.push(hook);
  }

  /** @internal */
  takeCommitHooks(): Array<() => Promise<void> | void> {
    return this.commitHooks.splice(0);
  }
}

export const DATA_SOURCE = Symbol('DATA_SOURCE');

/** How often a unit of work the database aborted as a deadlock (or serialization failure) is run again. */
export const DEADLOCK_RETRIES = 3;

/**
 * Whether the database aborted the transaction to break a deadlock or a serialization conflict, so that running the
 * same unit of work again is the cure: MySQL/MariaDB ER_LOCK_DEADLOCK (1213), PostgreSQL deadlock_detected (40P01)
 * and serialization_failure (40001). SQLite runs one unit of work at a time and never deadlocks.
 */
export function isDeadlock(error: unknown): boolean {
  const driver = (error as { driverError?: { errno?: unknown; code?: unknown } } | null)?.driverError;
  if (!driver) return false;
  return driver.errno === 1213 || driver.code === 'ER_LOCK_DEADLOCK' || driver.code === '40P01' || driver.code === '40001';
}

/**
 * One unit of work per command. On SQLite every database access is serialised through one lock, because the
 * driver holds a single connection: without it, a read could see another request's uncommitted rows.
 * After-commit hooks run in emission order on one chain, outside the request: a failing or slow hook never
 * reaches the caller.
 */
@Injectable()
export class UnitOfWork {
  private lock: Promise<unknown> = Promise.resolve();
  private hookChain: Promise<void> = Promise.resolve();
  private pendingHooks = 0;
  private readonly serialize: boolean;

  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {
    this.serialize = dataSource.options.type === 'better-sqlite3';
  }

  /**
   * Runs `work` in a transaction; after commit, schedules the hooks it registered. A transaction the database
   * aborted to break a deadlock is rolled back whole, so `work` runs again from the start (a few times, after a
   * short random pause) instead of the request failing with a 500; hooks of an aborted attempt never run.
   */
  async run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.attempt(work);
      } catch (error) {
        if (!isDeadlock(error) || attempt > DEADLOCK_RETRIES) throw error;
        log.warn({ attempt }, 'unit_of_work.deadlock_retried');
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
      }
    }
  }

  private async attempt<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    let hooks: Array<() => Promise<void> | void> = [];
    const result = await this.exclusive(() =>
      this.dataSource.transaction(async (manager) => {
        const tx = new Tx(manager);
        const value = await work(tx);
        hooks = tx.takeCommitHooks();
        return value;
      }),
    );
    if (hooks.length > 0) this.schedule(hooks);
    return result;
  }

  /** Runs read-only `work` outside a transaction (serialised on SQLite). */
  read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.exclusive(() => work(this.dataSource.manager));
  }

  /** Resolves when every after-commit hook scheduled so far has run (shutdown, tests). */
  async drain(): Promise<void> {
    while (this.pendingHooks > 0) await this.hookChain;
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (!this.serialize) return work();
    const next = this.lock.then(work, work);
    this.lock = next.catch(() => undefined);
    return next;
  }

  private schedule(hooks: Array<() => Promise<void> | void>): void {
    this.pendingHooks += 1;
    this.hookChain = this.hookChain.then(async () => {
      // Let the request that committed answer first: hooks start on a later turn of the event loop.
      await new Promise<void>((resolve) => setImmediate(resolve));
      for (const hook of hooks) {
        try {
          await hook();
        } catch (error) {
          log.error({ err: error instanceof Error ? error.message : String(error) }, 'after_commit.hook_failed');
        }
      }
      this.pendingHooks -= 1;
    });
  }
}
