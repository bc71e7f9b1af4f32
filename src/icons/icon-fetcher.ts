import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ClientRequest, IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { getLogger } from '../common/logging/logger';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { isGlobalAddress } from './global-address';
import { BlockedHostError, nonGlobalRefusingLookup } from './guarded-lookup';
import { IconHost, parseIconHost } from './host-name';
import { IconCandidate, IconLinkCollector, FAVICON_PRIORITY, rankCandidates, TOUCH_ICON_PRIORITY } from './icon-links';
import { sniffImageType } from './image-type';

const log = getLogger('Icons');

/** An icon downloaded from a site: its bytes and the type its bytes show. */
export interface FetchedIcon {
  bytes: Buffer;
  contentType: string;
}

/** The site answered, but nothing it offered is an icon. */
export class NoIconError extends Error {}

/** At most this much of a page is read looking for its `<link>`s (its head is normally a few kB). */
export const MAX_PAGE_BYTES = 2 * 1024 * 1024;
/** At most this much of one icon: Vaultwarden's (and icons.bitwarden.net's) 5 MB. */
export const MAX_ICON_BYTES = 5 * 1024 * 1024;
/** Redirects followed per request, each hop checked against the block again. */
const MAX_REDIRECTS = 5;
/** Candidates tried per site (Vaultwarden's number), best first. */
const MAX_CANDIDATES = 5;
/** A data: icon smaller than this is taken for a placeholder (Vaultwarden's smallest useful PNG). */
const MIN_DATA_ICON_BYTES = 67;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** What a browser sends for a top-level page: some sites answer bots with nothing or an error. */
const HEADERS: Record<string, string> = {
  'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36',
  Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8',
  'Accept-Language': 'en-US,en;q=0.9',
  'Cache-Control': 'no-cache',
  Pragma: 'no-cache',
};

class TimeoutError extends Error {}

/** One request's time limit (ICON_DOWNLOAD_TIMEOUT), redirects and body included: on expiry every stream it holds is destroyed. */
class Deadline {
  private readonly streams = new Set<{ destroy(error?: Error): unknown }>();
  private readonly timer: NodeJS.Timeout;
  expired = false;

  constructor(ms: number, private readonly onEnd: (deadline: Deadline) => void) {
    this.timer = setTimeout(() => this.expire(), ms);
  }

  track(stream: { destroy(error?: Error): unknown }): void {
    if (this.expired) stream.destroy(new TimeoutError('timed out'));
    else this.streams.add(stream);
  }

  expire(): void {
    this.expired = true;
    for (const stream of this.streams) stream.destroy(new TimeoutError('timed out'));
    this.clear();
  }

  clear(): void {
    clearTimeout(this.timer);
    this.streams.clear();
    this.onEnd(this);
  }
}

/**
 * Downloads a site's icon the way Vaultwarden does (src/api/icons.rs): the page over https, then http (then, for
 * a name, the base domain or the www. name), its `<link rel=icon>`s ranked, at most five candidates tried in order
 * with `/favicon.ico` and `/apple-touch-icon.png` among them, the first whose bytes are an image wins. Every URL
 * (redirect hops and page-supplied links included) is checked against HTTP_REQUEST_BLOCK_REGEX and, for IP
 * literals, against the non-global block; names are checked on the addresses the socket actually connects to
 * (nonGlobalRefusingLookup). Pages and icons are read with byte limits and a time limit each, never whole.
 */
@Injectable()
export class IconFetcher implements OnApplicationShutdown {
  private readonly active = new Set<Deadline>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** The site's icon; BlockedHostError when the block refused a request, NoIconError (or a network error) otherwise. */
  async fetchIcon(host: IconHost): Promise<FetchedIcon> {
    const { candidates, referer } = await this.findCandidates(host);
    const tried = rankCandidates(candidates).slice(0, MAX_CANDIDATES);
    let lastError: unknown = new NoIconError('no candidate');
    for (const candidate of tried) {
      try {
        const icon = candidate.href.startsWith('data:') ? decodeDataIcon(candidate.href) : await this.download(candidate.href, referer);
        if (icon) return icon;
        log.debug({ host: host.name }, 'icons.candidate_not_an_image');
      } catch (error) {
        if (error instanceof BlockedHostError) throw error;
        lastError = error;
        log.debug({ host: host.name, err: describe(error) }, 'icons.candidate_failed');
      }
    }
    throw lastError instanceof Error ? lastError : new NoIconError('no icon');
  }

  onApplicationShutdown(): void {
    for (const deadline of [...this.active]) deadline.expire();
  }

  /** The page's ranked links (and where the page came from, for Referer), or the default locations when no page answered. */
  private async findCandidates(host: IconHost): Promise<{ candidates: IconCandidate[]; referer: string | undefined }> {
    const attempts = [`https://${host.name}/`, `http://${host.name}/`];
    const labels = host.name.split('.');
    if (!host.ip && labels.length > 2) {
      const base = parseIconHost(labels.slice(-2).join('.'));
      if (base) attempts.push(`https://${base.name}/`, `http://${base.name}/`);
    } else if (!host.ip && labels.length <= 2) {
      const www = parseIconHost(`www.${host.name}`);
      if (www) attempts.push(`https://${www.name}/`, `http://${www.name}/`);
    }
    for (const page of attempts) {
      try {
        const { url, collector } = await this.readPage(new URL(page));
        return { candidates: collector.candidates(), referer: url.href };
      } catch (error) {
        if (error instanceof BlockedHostError) throw error;
        log.debug({ url: page, err: describe(error) }, 'icons.page_failed');
      }
    }
    const defaults: IconCandidate[] = [];
    for (const origin of [`https://${host.name}`, `http://${host.name}`]) {
      defaults.push({ href: `${origin}/favicon.ico`, priority: FAVICON_PRIORITY }, { href: `${origin}/apple-touch-icon.png`, priority: TOUCH_ICON_PRIORITY });
    }
    return { candidates: defaults, referer: undefined };
  }

  /** Streams the page into the link collector until its head ends, MAX_PAGE_BYTES, the end, or a cut (what came is used). */
  private readPage(start: URL): Promise<{ url: URL; collector: IconLinkCollector }> {
    return this.get(start, undefined, async (response, url) => {
      const collector = new IconLinkCollector(url);
      const decoder = new TextDecoder('utf-8');
      let bytes = 0;
      try {
        for await (const chunk of response as AsyncIterable<Buffer>) {
          const part = chunk.subarray(0, Math.max(0, MAX_PAGE_BYTES - bytes));
          bytes += part.length;
          collector.write(decoder.decode(part, { stream: true }));
          if (collector.done || bytes >= MAX_PAGE_BYTES) break;
        }
      } catch (error) {
        // A page cut short (reset, time limit) still gave whatever links came before the cut.
        log.debug({ url: url.href, err: describe(error) }, 'icons.page_cut');
      }
      collector.end();
      return { url, collector };
    });
  }

  /** The icon at `href` if its bytes are an image of at most MAX_ICON_BYTES; null when they are not an image. */
  private download(href: string, referer: string | undefined): Promise<FetchedIcon | null> {
    return this.get(new URL(href), referer, async (response) => {
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > MAX_ICON_BYTES) throw new Error(`icon larger than ${MAX_ICON_BYTES} bytes`);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_ICON_BYTES) throw new Error(`icon larger than ${MAX_ICON_BYTES} bytes`);
        chunks.push(chunk);
      }
      const bytes = Buffer.concat(chunks);
      const contentType = sniffImageType(bytes);
      return contentType ? { bytes, contentType } : null;
    });
  }

  /**
   * GET with redirects followed by hand (each hop checked like the first), a 2xx required at the end, and the
   * answer handed to `consume` within the same time limit.
   */
  private async get<T>(start: URL, referer: string | undefined, consume: (response: IncomingMessage, url: URL) => Promise<T>): Promise<T> {
    const deadline = new Deadline(this.config.icons.downloadTimeoutMs, (ended) => this.active.delete(ended));
    this.active.add(deadline);
    try {
      let url = start;
      for (let hop = 0; ; hop++) {
        this.check(url);
        const response = await this.send(url, referer, deadline);
        const status = response.statusCode ?? 0;
        const location = response.headers.location;
        if (REDIRECTS.has(status) && location) {
          response.destroy();
          if (hop >= MAX_REDIRECTS) throw new Error('too many redirects');
          url = new URL(location, url);
          continue;
        }
        if (status < 200 || status > 299) {
          response.destroy();
          throw new Error(`HTTP ${status}`);
        }
        try {
          return await consume(response, url);
        } finally {
          response.destroy();
        }
      }
    } finally {
      deadline.clear();
    }
  }

  /** http(s) only; the host must pass the regex and, if it is an IP literal, the non-global block. */
  private check(url: URL): void {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`unsupported scheme ${url.protocol}`);
    const bare = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (this.config.icons.blockRegex?.test(bare)) throw new BlockedHostError(bare, 'regex');
    if (this.config.icons.blockNonGlobalIps && isIP(bare) !== 0 && !isGlobalAddress(bare)) throw new BlockedHostError(bare, 'non_global_address');
  }

  private send(url: URL, referer: string | undefined, deadline: Deadline): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const headers = referer ? { ...HEADERS, Referer: referer } : HEADERS;
      const options = {
        method: 'GET',
        headers,
        agent: false as const,
        ...(this.config.icons.blockNonGlobalIps ? { lookup: nonGlobalRefusingLookup } : {}),
      };
      let req: ClientRequest;
      try {
        req = url.protocol === 'https:' ? httpsRequest(url, options) : httpRequest(url, options);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      req.on('error', reject);
      req.once('response', (response) => {
        // From here on a reset or the time limit surfaces in the reader; never as an unhandled 'error' event.
        response.on('error', () => undefined);
        deadline.track(response);
        resolve(response);
      });
      deadline.track(req);
      req.end();
    });
  }
}

/** A `data:image/…;base64,` icon embedded in the page. */
function decodeDataIcon(href: string): FetchedIcon | null {
  const match = /^data:image\/[a-z0-9.+-]+;base64,([a-z0-9+/=\s]+)$/i.exec(href);
  if (!match?.[1]) return null;
  const bytes = Buffer.from(match[1], 'base64');
  if (bytes.length < MIN_DATA_ICON_BYTES || bytes.length > MAX_ICON_BYTES) return null;
  const contentType = sniffImageType(bytes);
  return contentType ? { bytes, contentType } : null;
}

/** An error for the log: its kind and message, never a URL's query (which could carry a token a site put there). */
function describe(error: unknown): string {
  if (error instanceof TimeoutError) return 'timed out';
  const text = error instanceof Error ? `${(error as NodeJS.ErrnoException).code ?? error.name}: ${error.message}` : String(error);
  return text.replace(/\?[^\s]*/g, '?…').slice(0, 300);
}
