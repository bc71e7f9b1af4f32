import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getLogger } from '../common/logging/logger';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { IconHost } from './host-name';

const log = getLogger('Icons');

/** A cached icon and whether it is still within ICON_CACHE_TTL. */
export interface CachedIcon {
  bytes: Buffer;
  fresh: boolean;
}

/**
 * The icon cache folder (ICON_CACHE_FOLDER, shared by every instance): `<host>.png` holds a site's icon as
 * downloaded, `<host>.png.miss` (empty) says the site had none, Vaultwarden's layout. Ages are the files' modification
 * times against the Clock. Files are written to a temporary name in the same folder and renamed into place, so an
 * instance reading at the same time sees the old file or the whole new one. Host names come validated
 * (parseIconHost): no path separator can be in them.
 */
@Injectable()
export class IconCache {
  private readonly folder: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig, private readonly clock: Clock) {
    this.folder = config.icons.cacheFolder;
  }

  pathOf(host: IconHost): string {
    return join(this.folder, `${host.name}.png`);
  }

  /** The cached icon, or null when there is none (or it cannot be read). */
  async read(host: IconHost): Promise<CachedIcon | null> {
    const path = this.pathOf(host);
    try {
      const info = await stat(path);
      if (!info.isFile()) return null;
      const bytes = await readFile(path);
      return { bytes, fresh: this.isFresh(info.mtimeMs, this.config.icons.cacheTtlSeconds) };
    } catch {
      return null;
    }
  }

  /** Whether the site is marked as having no icon and the mark is younger than ICON_CACHE_NEGTTL; an old mark is removed. */
  async isMissing(host: IconHost): Promise<boolean> {
    const path = `${this.pathOf(host)}.miss`;
    let modified: number;
    try {
      modified = (await stat(path)).mtimeMs;
    } catch {
      return false;
    }
    if (this.isFresh(modified, this.config.icons.negativeTtlSeconds)) return true;
    await unlink(path).catch(() => undefined);
    return false;
  }

  async save(host: IconHost, bytes: Buffer): Promise<void> {
    await this.write(this.pathOf(host), bytes);
  }

  async markMissing(host: IconHost): Promise<void> {
    await this.write(`${this.pathOf(host)}.miss`, Buffer.alloc(0));
  }

  private isFresh(modifiedMs: number, ttlSeconds: number): boolean {
    return ttlSeconds === 0 || this.clock.now().getTime() - modifiedMs < ttlSeconds * 1000;
  }

  /** Best effort: a cache that cannot be written only means the site is asked again next time. */
  private async write(path: string, bytes: Buffer): Promise<void> {
    const temporary = join(this.folder, `.tmp-${randomBytes(12).toString('hex')}`);
    try {
      await mkdir(this.folder, { recursive: true, mode: 0o700 });
      await writeFile(temporary, bytes, { mode: 0o600, flag: 'wx' });
      await rename(temporary, path);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      log.warn({ err: (error as NodeJS.ErrnoException).code ?? String(error) }, 'icons.cache_write_failed');
    }
  }
}
