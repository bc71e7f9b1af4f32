import { Parser } from 'htmlparser2';

/** An icon URL to try and its rank: lower is better (the order Vaultwarden tries them in). */
export interface IconCandidate {
  href: string;
  priority: number;
}

/** Ranks of the two places browsers look when a page names no icon. */
export const FAVICON_PRIORITY = 35;
export const TOUCH_ICON_PRIORITY = 40;
/** A hostile page could name thousands of links: only the first ones are kept. */
const MAX_LINKS = 100;
const SIZES = /(\d+)\D*(\d+)/;
const BY_EXTENSION: Record<string, number> = { png: 10, svg: 15, jpg: 20, jpeg: 20 };

/**
 * The rank of one `<link rel=icon>` (Vaultwarden's scale, lower first): with square `sizes`, 32 px first, then 64,
 * then anything from 24 to 192, then 16, then other squares; non-square sizes last of all (200). Without sizes, by
 * file type: PNG, SVG, JPEG, then the rest (ICO and unknown) at 30, still before the bare /favicon.ico guess (35).
 */
export function iconPriority(href: string, sizes: string): number {
  const match = SIZES.exec(sizes.trim());
  const width = match ? Number(match[1]) : 0;
  const height = match ? Number(match[2]) : 0;
  if (width > 0 && height > 0 && width <= 0xffff && height <= 0xffff) {
    if (width !== height) return 200;
    if (width === 32) return 1;
    if (width === 64) return 2;
    if (width >= 24 && width <= 192) return 3;
    if (width === 16) return 4;
    return 5;
  }
  let path = href;
  try {
    path = new URL(href).pathname;
  } catch {
    // Relative or odd: judged as written.
  }
  const dot = path.lastIndexOf('.');
  const extension = dot >= 0 ? path.slice(dot + 1).toLowerCase() : '';
  return BY_EXTENSION[extension] ?? 30;
}

/**
 * Reads a page as it arrives and collects what says where its icon is: `<link rel="…icon…" href>` (icon, shortcut
 * icon, apple-touch-icon, fluid-icon…; not Safari's monochrome mask-icon) and the first `<base href>`, up to the end
 * of `<head>` (then `done` is true and further input is ignored). Parsing is htmlparser2's forgiving tokenizer:
 * broken markup never throws.
 */
export class IconLinkCollector {
  done = false;
  private base: string | null = null;
  private readonly links: Array<{ href: string; sizes: string }> = [];
  private readonly parser: Parser;

  constructor(private readonly pageUrl: URL) {
    this.parser = new Parser(
      {
        onopentag: (name, attributes) => this.open(name, attributes),
        onclosetag: (name) => {
          if (name === 'head') this.done = true;
        },
      },
      { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
    );
  }

  write(text: string): void {
    if (!this.done) this.parser.write(text);
  }

  end(): void {
    if (!this.done) this.parser.end();
    this.done = true;
  }

  /**
   * Every candidate, best first: the page's links resolved against `<base href>` (or the page's own URL), with
   * `/favicon.ico` and `/apple-touch-icon.png` of the page's origin as the last resorts.
   */
  candidates(): IconCandidate[] {
    let base = this.pageUrl;
    if (this.base !== null) {
      try {
        base = new URL(this.base, this.pageUrl);
      } catch {
        // An unusable base is ignored, as browsers do.
      }
    }
    const found: IconCandidate[] = [
      { href: new URL('/favicon.ico', this.pageUrl).href, priority: FAVICON_PRIORITY },
      { href: new URL('/apple-touch-icon.png', this.pageUrl).href, priority: TOUCH_ICON_PRIORITY },
    ];
    for (const link of this.links) {
      let href: string;
      try {
        href = new URL(link.href, base).href;
      } catch {
        continue;
      }
      found.push({ href, priority: iconPriority(href, link.sizes) });
    }
    return rankCandidates(found);
  }

  private open(name: string, attributes: Record<string, string>): void {
    if (this.done) return;
    if (name === 'body') {
      this.done = true;
      return;
    }
    if (name === 'base' && this.base === null && attributes.href) this.base = attributes.href.trim();
    if (name !== 'link' || this.links.length >= MAX_LINKS) return;
    const rel = (attributes.rel ?? '').toLowerCase();
    const href = (attributes.href ?? '').trim();
    if (!href || !rel.includes('icon') || rel.includes('mask-icon')) return;
    this.links.push({ href, sizes: attributes.sizes ?? '' });
  }
}

/** Best first; equal ranks keep their order (the stable sort of Array.prototype.sort). */
export function rankCandidates(candidates: IconCandidate[]): IconCandidate[] {
  return [...candidates].sort((a, b) => a.priority - b.priority);
}
