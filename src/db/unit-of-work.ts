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

  /** Runs `work` in a transaction; after commit, schedules the hooks it registered. */
  async run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
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
