import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { stat } from 'node:fs/promises';
import { getLogger } from '../common/logging/logger';
import { SingleFlight } from '../common/jobs/single-flight';
import { Clock } from '../common/time/clock';
import { UnitOfWork } from '../db/unit-of-work';
import { AttachmentFiles } from './attachment-files';
import { AttachmentsRepository } from './attachments.repository';

const log = getLogger('AttachmentSweep');
const HOUR_MS = 60 * 60 * 1000;
/** A v2 attachment whose file has not arrived after this long is dropped. */
const PENDING_MS = 24 * HOUR_MS;
/** Files younger than this are left alone: their transaction may still be committing. */
const SETTLE_MS = HOUR_MS;
/** Pending rows handled per pass. */
const BATCH = 500;

export interface SweepReport { pending: number; temporaries: number; orphans: number }

/**
 * What a crash or a client that never finished can leave behind, removed hourly (and once soon after start):
 * announced attachments whose file never came (after a day), temporary files of cut-off uploads, and files or
 * cipher folders that no row knows (a removal after commit that did not happen). Several instances may sweep the
 * shared folder at once: every removal tolerates what another already removed.
 */
@Injectable()
export class AttachmentSweepJob implements OnModuleInit, OnModuleDestroy {
  private timers: NodeJS.Timeout[] = [];
  private readonly pass = new SingleFlight<SweepReport>();

  constructor(private readonly uow: UnitOfWork, private readonly repo: AttachmentsRepository, private readonly files: AttachmentFiles, private readonly clock: Clock) {}

  onModuleInit(): void {
    const run = (): void => {
      this.runOnce().catch((error: unknown) => log.error({ err: error instanceof Error ? error.message : String(error) }, 'attachment_sweep.failed'));
    };
    const first = setTimeout(run, 60_000);
    const hourly = setInterval(run, HOUR_MS);
    first.unref();
    hourly.unref();
    this.timers = [first, hourly];
  }

  async onModuleDestroy(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
    await this.pass.settled();
  }

  /** One pass (also used by tests); overlapping calls share the pass in progress. */
  runOnce(): Promise<SweepReport> {
    return this.pass.run(async () => {
      const now = this.clock.now().getTime();
      const report = { pending: await this.dropPending(new Date(now - PENDING_MS)), temporaries: await this.files.removeStaleTemporaries(new Date(now - SETTLE_MS)), orphans: await this.removeOrphans(now - SETTLE_MS) };
      if (report.pending + report.temporaries + report.orphans > 0) log.info(report, 'attachment_sweep.done');
      return report;
    });
  }

  private async dropPending(cutoff: Date): Promise<number> {
    const rows = await this.uow.read((db) => this.repo.pendingBefore(db, cutoff, BATCH));
    for (const row of rows) {
      await this.uow.run((tx) => this.repo.delete(tx.manager, row.cipherId, row.id));
      await this.files.remove(row.cipherId, row.id);
    }
    return rows.length;
  }

  /** Cipher folders of ciphers that are gone, and files no row names; only what has not changed for a while. */
  private async removeOrphans(settledBefore: number): Promise<number> {
    let removed = 0;
    const folders = await this.files.ownerFolders();
    for (let i = 0; i < folders.length; i += BATCH) {
      const part = folders.slice(i, i + BATCH);
      const [existing, rows] = await this.uow.read(async (db) => [await this.repo.existingCiphers(db, part), await this.repo.listForCiphers(db, part)] as const);
      const known = new Set(rows.map((row) => `${row.cipherId}/${row.id}`));
      for (const cipherId of part) {
        for (const attachmentId of await this.files.filesOf(cipherId)) {
          if (existing.has(cipherId) && known.has(`${cipherId}/${attachmentId}`)) continue;
          const changed = await stat(this.files.pathOf(cipherId, attachmentId)).then((s) => s.mtimeMs, () => null);
          if (changed === null || changed >= settledBefore) continue;
          await this.files.remove(cipherId, attachmentId);
          removed += 1;
        }
        if (!existing.has(cipherId) && (await this.files.filesOf(cipherId)).length === 0) await this.files.removeOwners([cipherId]);
      }
    }
    return removed;
  }
}
