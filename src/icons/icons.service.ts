import { Inject, Injectable } from '@nestjs/common';
import { getLogger } from '../common/logging/logger';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { FALLBACK_ICON, FALLBACK_ICON_TYPE } from './fallback-icon';
import { isGlobalAddress } from './global-address';
import { BlockedHostError } from './guarded-lookup';
import { IconCache } from './icon-cache';
import { FetchedIcon, IconFetcher } from './icon-fetcher';
import { IconHost, parseIconHost } from './host-name';
import { sniffImageType } from './image-type';

const log = getLogger('Icons');

/** How long browsers may keep an icon when ICON_CACHE_TTL is 0 (kept forever here): a year. */
const FOREVER_SECONDS = 31_536_000;

/** What GET /icons/{host}/icon.png answers: image bytes, or a redirect to the configured icon service. */
export type IconAnswer =
  | { kind: 'image'; bytes: Buffer; contentType: string; maxAgeSeconds: number }
  | { kind: 'redirect'; location: string; status: number; maxAgeSeconds: number };

/**
 * Site icons for the clients' item lists (Vaultwarden's /icons/{host}/icon.png). A host that is not a valid
 * domain or IP literal, or that the block refuses, gets the fallback icon without any request going out. With
 * ICON_SERVICE set to an outside service the client is redirected there. Otherwise the cache answers while fresh, a
 * fresh "no icon" mark answers the fallback, and else the site is asked (once at a time per host in this process)
 * and the outcome cached. DISABLE_ICON_DOWNLOAD serves only what the cache holds.
 */
@Injectable()
export class IconsService {
  private readonly inFlight = new Map<string, Promise<FetchedIcon | null>>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig, private readonly cache: IconCache, private readonly fetcher: IconFetcher) {}

  async icon(requested: string): Promise<IconAnswer> {
    const host = parseIconHost(requested);
    if (!host) {
      log.debug({ length: requested.length }, 'icons.invalid_host');
      return this.fallback();
    }
    const blocked = this.blockReason(host);
    if (blocked) {
      log.warn({ host: host.name, reason: blocked }, 'icons.blocked');
      return this.fallback();
    }
    const { service } = this.config.icons;
    if (service !== 'internal') {
      return { kind: 'redirect', location: service.template.replace('{}', host.name), status: this.config.icons.redirectCode, maxAgeSeconds: this.iconMaxAge() };
    }
    const icon = await this.internalIcon(host);
    return icon ? { kind: 'image', bytes: icon.bytes, contentType: icon.contentType, maxAgeSeconds: this.iconMaxAge() } : this.fallback();
  }

  private async internalIcon(host: IconHost): Promise<FetchedIcon | null> {
    const cached = await this.cache.read(host);
    const cachedIcon = cached ? { bytes: cached.bytes, contentType: sniffImageType(cached.bytes) ?? 'image/x-icon' } : null;
    // Nothing is fetched: whatever the cache holds is served, however old (nothing would ever refresh it).
    if (this.config.icons.disableDownload) return cachedIcon;
    if (await this.cache.isMissing(host)) return null;
    if (cached?.fresh) return cachedIcon;
    let pending = this.inFlight.get(host.name);
    if (!pending) {
      pending = this.download(host).finally(() => this.inFlight.delete(host.name));
      this.inFlight.set(host.name, pending);
    }
    return pending;
  }

  /** Downloads and caches the icon, or marks the site as having none; never throws. */
  private async download(host: IconHost): Promise<FetchedIcon | null> {
    try {
      const icon = await this.fetcher.fetchIcon(host);
      await this.cache.save(host, icon.bytes);
      log.debug({ host: host.name, type: icon.contentType, bytes: icon.bytes.length }, 'icons.downloaded');
      return icon;
    } catch (error) {
      if (error instanceof BlockedHostError) {
        // Not marked: the mark would only tell another user that the name points inside (Vaultwarden does the same).
        log.warn({ host: host.name, reason: error.reason }, 'icons.blocked');
        return null;
      }
      log.debug({ host: host.name, err: error instanceof Error ? error.message.slice(0, 200) : 'unknown' }, 'icons.not_found');
      await this.cache.markMissing(host);
      return null;
    }
  }

  /** Why the block refuses this host before any request, or null: the regex on its name, or a non-global IP literal. */
  private blockReason(host: IconHost): string | null {
    const { blockRegex, blockNonGlobalIps } = this.config.icons;
    if (blockRegex?.test(host.ip ?? host.name)) return 'regex';
    if (host.ip && blockNonGlobalIps && !isGlobalAddress(host.ip)) return 'non_global_address';
    return null;
  }

  private fallback(): IconAnswer {
    return { kind: 'image', bytes: FALLBACK_ICON, contentType: FALLBACK_ICON_TYPE, maxAgeSeconds: this.config.icons.negativeTtlSeconds || FOREVER_SECONDS };
  }

  private iconMaxAge(): number {
    return this.config.icons.cacheTtlSeconds || FOREVER_SECONDS;
  }
}
