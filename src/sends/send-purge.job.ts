import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { stat } from 'node:fs/promises';
import { nextCronRun } from '../auth-requests/cron-schedule';
import { AccountRevisionService } from '../accounts/account-revision.service';
import { CronTimer } from '../common/jobs/cron-timer';
import { SingleFlight } from '../common/jobs/single-flight';
import { getLogger } from '../common/logging/logger';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { SendEntity, SendType } from '../db/entities/send.entity';
import { UnitOfWork } from '../db/unit-of-work';
import { EventBus } from '../event-bus/event-bus.service';
import { SendFiles } from './send-files';
import { SendsRepository } from './sends.repository';

const log = getLogger('SendPurgeJob');
const HOUR_MS = 60 * 60 * 1000;
/** A file Send whose file has not arrived after this long is deleted. */
const PENDING_MS = 24 * HOUR_MS;
/** Files younger than this are left alone by the sweep: their transaction may still be committing. */
const SETTLE_MS = HOUR_MS;
const BATCH = 200;

export interface SendPurgeReport { deleted: number; pending: number; temporaries: number; orphans: number }

/**
 * On SEND_PURGE_SCHEDULE (Vaultwarden's variable and default, minute 5 of every hour; empty disables it): deletes
 * the Sends whose deletion date has come, and file Sends whose file never arrived within a day, each with its file,
 * its owner's revision date moved and 14 to the owner's devices (official; no ContextId). Then sweeps what a crash
 * may leave in SENDS_FOLDER: partial uploads and folders of Sends that are gone.
 */
@Injectable()
export class SendPurgeJob implements OnModuleInit, OnModuleDestroy {
  private readonly pass = new SingleFlight<SendPurgeReport>();
  private readonly timer: CronTimer;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly uow: UnitOfWork,
    private readonly repo: SendsRepository,
    private readonly files: SendFiles,
    private readonly accountRevision: AccountRevisionService,
    private readonly bus: EventBus,
    private readonly clock: Clock,
  ) {
    const nextRun = (now: Date): Date | null => {
      const schedule = this.config.sends.purgeSchedule;
      return schedule === null ? null : nextCronRun(schedule, now);
    };
    this.timer = new CronTimer(clock, nextRun, () => this.runOnce(),
      (error) => log.error({ err: error instanceof Error ? error.message : String(error) }, 'send_purge.failed'));
  }

  onModuleInit(): void {
    this.timer.start();
  }

  async onModuleDestroy(): Promise<void> {
    this.timer.stop();
    await this.pass.settled();
  }

  /** One pass (also used by tests); overlapping calls share the pass in progress. */
  runOnce(): Promise<SendPurgeReport> {
    return this.pass.run(async () => {
      const now = this.clock.now();
      const deleted = await this.deleteAll((db) => this.repo.dueForDeletion(db, now, BATCH));
      const pending = await this.deleteAll((db) => this.repo.pendingFilesBefore(db, new Date(now.getTime() - PENDING_MS), BATCH));
      const temporaries = await this.files.removeStaleTemporaries(new Date(now.getTime() - SETTLE_MS));
      const orphans = await this.removeOrphans(now.getTime() - SETTLE_MS);
      const report = { deleted, pending, temporaries, orphans };
      if (deleted + pending + temporaries + orphans > 0) log.info(report, 'send_purge.done');
      return report;
    });
  }

  private async deleteAll(find: (db: Parameters<Parameters<UnitOfWork['read']>[0]>[0]) => Promise<SendEntity[]>): Promise<number> {
    let total = 0;
    for (;;) {
      const removed = await this.uow.run(async (tx) => {
        const sends = await find(tx.manager);
        const now = this.clock.now();
        for (const send of sends) {
          await this.repo.delete(tx.manager, send.id);
          await this.accountRevision.bump(tx, [send.userId], now);
          await this.bus.emit(tx, 'SendDeleted', { sendId: send.id, userId: send.userId, revisionDate: now, actor: null });
        }
        const withFiles = sends.filter((s) => s.type === SendType.File).map((s) => s.id);
        if (withFiles.length > 0) tx.afterCommit(() => this.files.removeOwners(withFiles));
        return sends.length;
      });
      total += removed;
      if (removed < BATCH) return total;
    }
  }

  /** Folders of Sends that are gone, once nothing in them has changed for a while. */
  private async removeOrphans(settledBefore: number): Promise<number> {
    const folders = await this.files.ownerFolders();
    const existing = await this.uow.read((db) => this.repo.existing(db, folders));
    let removed = 0;
    for (const sendId of folders.filter((id) => !existing.has(id))) {
      const changed = await Promise.all((await this.files.filesOf(sendId)).map((f) => stat(this.files.pathOf(sendId, f)).then((s) => s.mtimeMs, () => 0)));
      if (changed.some((ms) => ms >= settledBefore)) continue;
      await this.files.removeOwners([sendId]);
      removed += 1;
    }
    return removed;
  }
}
