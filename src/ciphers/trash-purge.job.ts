import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { getLogger } from '../common/logging/logger';
import { SingleFlight } from '../common/jobs/single-flight';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { CiphersService } from './ciphers.service';

const log = getLogger('TrashPurgeJob');
const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/**
 * Hourly: hard-deletes ciphers that have been in the trash longer than TRASH_AUTO_DELETE_DAYS. As in Vaultwarden:
 * unset = never (the job does not run), 0 = everything in the trash at the next pass.
 */
@Injectable()
export class TrashPurgeJob implements OnModuleInit, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;
  private readonly pass = new SingleFlight<number>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig, private readonly ciphers: CiphersService, private readonly clock: Clock) {}

  onModuleInit(): void {
    if (this.config.trashAutoDeleteDays === null) return;
    this.timer = setInterval(() => {
      this.runOnce().catch((error: unknown) => log.error({ err: error instanceof Error ? error.message : String(error) }, 'trash_purge.failed'));
    }, HOUR_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.pass.settled();
  }

  /** One purge pass (also used by tests); overlapping calls share the pass in progress. */
  runOnce(): Promise<number> {
    const days = this.config.trashAutoDeleteDays;
    if (days === null) return Promise.resolve(0);
    return this.pass.run(async () => {
      const cutoff = new Date(this.clock.now().getTime() - days * DAY_MS);
      const count = await this.ciphers.purgeTrashedBefore(cutoff);
      if (count > 0) log.info({ count }, 'trash_purge.done');
      return count;
    });
  }
}
