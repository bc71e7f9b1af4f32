// Site icons, GET /icons/{host}/icon.png, against real sites on loopback addresses (port 80, tests run as root):
// the best candidate, the cache on disk, the negative cache, time limits, hostile answers, the block (IP literals,
// resolved names, redirects, the regex), the redirect to an outside icon service, and the cache-only mode.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Clock } from '../../src/common/time/clock';
import { FALLBACK_ICON } from '../../src/icons/fallback-icon';
import { capturedLogs, createTestApp, TestApp } from '../support/app';
import { icoNamed, IconSite, pngNamed, startIconSite } from '../support/icon-site';

const page = (head: string): string => `<!doctype html><html><head><title>site</title>${head}</head><body><p>hello</p></body></html>`;

async function getIcon(t: TestApp, host: string): Promise<{ status: number; type: string | null; cache: string | null; bytes: Buffer; location: string | null }> {
  const res = await fetch(`${t.baseUrl}/icons/${host}/icon.png`, { redirect: 'manual' });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    cache: res.headers.get('cache-control'),
    bytes: Buffer.from(await res.arrayBuffer()),
    location: res.headers.get('location'),
  };
}

describe('site icons', () => {
  const sites: IconSite[] = [];
  const site = async (address: string, routes: Parameters<typeof startIconSite>[1]): Promise<IconSite> => {
    const started = await startIconSite(address, routes);
    sites.push(started);
    return started;
  };
  let best: IconSite;
  let plain: IconSite;
  let none: IconSite;
  let junk: IconSite;
  let loop: IconSite;
  let endless: IconSite;
  let endlessClosed: Promise<void>;

  beforeAll(async () => {
    best = await site('127.77.0.2', {
      // A little slow, so that concurrent requests overlap while the page is fetched.
      '/': (_req, res) => {
        setTimeout(() => res.writeHead(200, { 'Content-Type': 'text/html' }).end(page(`
          <link rel="shortcut icon" href="/favicon.ico">
          <link rel="icon" href="/icon-16.png" sizes="16x16">
          <link rel="apple-touch-icon" href="/touch.png" sizes="180x180">
          <link rel="icon" href="/static/icon-32.png" sizes="32x32">
          <link rel="mask-icon" href="/mask.svg">
          <link rel="icon" type="image/svg+xml" href="/icon.svg">`)), 200);
      },
      '/favicon.ico': { type: 'image/x-icon', body: icoNamed('best favicon') },
      '/icon-16.png': { type: 'image/png', body: pngNamed('icon-16') },
      '/touch.png': { type: 'image/png', body: pngNamed('touch-180') },
      '/static/icon-32.png': { type: 'image/png', body: pngNamed('icon-32') },
      '/icon.svg': { type: 'image/svg+xml', body: '<svg xmlns="http://www.w3.org/2000/svg"/>' },
    });
    plain = await site('127.77.0.3', {
      '/': { body: page('') },
      '/favicon.ico': { type: 'image/vnd.microsoft.icon', body: icoNamed('plain favicon') },
    });
    none = await site('127.77.0.4', { '/': { body: page('<link rel="stylesheet" href="/style.css">') } });
    junk = await site('127.77.0.6', {
      '/': { body: page('<link rel="icon" href="/icon.png" sizes="32x32">') },
      // An HTML error page with a 200, garbage, and an empty body: none is an image.
      '/icon.png': { type: 'image/png', body: '<!doctype html><html><body>Oops</body></html>' },
      '/favicon.ico': { type: 'image/x-icon', body: Buffer.from('\u00de\u00ad\u00be\u00ef garbage garbage', 'latin1') },
      '/apple-touch-icon.png': { type: 'image/png', body: Buffer.alloc(0) },
    });
    loop = await site('127.77.0.7', {
      '/': { status: 302, headers: { Location: '/again' }, body: '' },
      '/again': { status: 302, headers: { Location: '/' }, body: '' },
      '/favicon.ico': { status: 301, headers: { Location: '/favicon.ico' }, body: '' },
      '/apple-touch-icon.png': { status: 307, headers: { Location: 'http://127.77.0.7/apple-touch-icon.png' }, body: '' },
    });
    let markClosed: () => void = () => undefined;
    endlessClosed = new Promise((resolve) => {
      markClosed = resolve;
    });
    endless = await site('127.77.0.8', {
      // A page that never ends (and never closes its head): only a bounded part of it may be read.
      '/': (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.write('<html><head><link rel="icon" href="/first.png">');
        const filler = Buffer.from(`<meta name="x" content="${'x'.repeat(64 * 1024)}">`);
        const pump = (): void => {
          while (!res.destroyed && res.write(filler)) { /* until the socket pushes back */ }
        };
        res.on('drain', pump);
        res.on('close', () => markClosed());
        pump();
      },
      '/first.png': { type: 'image/png', body: pngNamed('endless first') },
    });
  }, 30_000);

  afterAll(async () => {
    for (const started of sites) await started.close();
  });

  describe('fetched from the site (internal service)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ HTTP_REQUEST_BLOCK_NON_GLOBAL_IPS: 'false', ICON_DOWNLOAD_TIMEOUT: '5', ICON_CACHE_TTL: '3600', ICON_CACHE_NEGTTL: '600' });
    }, 60_000);
    afterAll(async () => {
      await t?.close();
    });

    it('picks the best candidate (32x32 PNG over 16, 180, SVG and ICO), fetching the page once for concurrent requests', async () => {
      const answers = await Promise.all(Array.from({ length: 5 }, () => getIcon(t, '127.77.0.2')));
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        expect(answer.type).toBe('image/png');
        expect(answer.cache).toBe('public, max-age=3600');
        expect(answer.bytes.equals(pngNamed('icon-32'))).toBe(true);
      }
      expect(best.requests).toEqual(['GET /', 'GET /static/icon-32.png']);
    });

    it('answers the second request from the cache file under DATA_FOLDER/icon_cache, without asking the site', async () => {
      const file = join(t.dataFolder, 'icon_cache', '127.77.0.2.png');
      expect(existsSync(file)).toBe(true);
      expect(statSync(file).size).toBe(pngNamed('icon-32').length);
      const before = best.requests.length;
      const again = await getIcon(t, '127.77.0.2');
      expect(again.bytes.equals(pngNamed('icon-32'))).toBe(true);
      expect(again.type).toBe('image/png');
      expect(best.requests.length).toBe(before);
    });

    it('fetches again once the cached icon is older than ICON_CACHE_TTL (by the Clock)', async () => {
      const clock = t.app.get(Clock);
      const now = clock.now.bind(clock);
      clock.now = () => new Date(now().getTime() + 3_601_000);
      try {
        const before = best.requests.length;
        const refreshed = await getIcon(t, '127.77.0.2');
        expect(refreshed.bytes.equals(pngNamed('icon-32'))).toBe(true);
        expect(best.requests.slice(before)).toEqual(['GET /', 'GET /static/icon-32.png']);
      } finally {
        clock.now = now;
      }
    });

    it('a page without icon links: /favicon.ico, with the type its bytes show', async () => {
      const answer = await getIcon(t, '127.77.0.3');
      expect(answer.status).toBe(200);
      expect(answer.type).toBe('image/x-icon');
      expect(answer.bytes.equals(icoNamed('plain favicon'))).toBe(true);
      expect(plain.requests).toEqual(['GET /', 'GET /favicon.ico']);
    });

    it('a site with no icon: the fallback icon with the negative TTL, and no second fetch while the mark is fresh', async () => {
      const first = await getIcon(t, '127.77.0.4');
      expect(first.status).toBe(200);
      expect(first.type).toBe('image/png');
      expect(first.cache).toBe('public, max-age=600');
      expect(first.bytes.equals(FALLBACK_ICON)).toBe(true);
      expect(none.requests).toEqual(['GET /', 'GET /favicon.ico', 'GET /apple-touch-icon.png']);
      expect(existsSync(join(t.dataFolder, 'icon_cache', '127.77.0.4.png.miss'))).toBe(true);
      expect(existsSync(join(t.dataFolder, 'icon_cache', '127.77.0.4.png'))).toBe(false);
      const second = await getIcon(t, '127.77.0.4');
      expect(second.bytes.equals(FALLBACK_ICON)).toBe(true);
      expect(none.requests).toHaveLength(3);
    });

    it('refuses what is not an image: an HTML page, garbage, an empty body', async () => {
      const answer = await getIcon(t, '127.77.0.6');
      expect(answer.bytes.equals(FALLBACK_ICON)).toBe(true);
      expect(answer.type).toBe('image/png');
      expect(junk.requests).toEqual(['GET /', 'GET /icon.png', 'GET /favicon.ico', 'GET /apple-touch-icon.png']);
      expect(existsSync(join(t.dataFolder, 'icon_cache', '127.77.0.6.png'))).toBe(false);
    });

    it('survives redirect loops: a few hops each, then the fallback', async () => {
      const answer = await getIcon(t, '127.77.0.7');
      expect(answer.bytes.equals(FALLBACK_ICON)).toBe(true);
      // Every chain stops after the first request and five redirects (the page, favicon, touch icon, each over http).
      expect(loop.requests.length).toBeGreaterThan(0);
      expect(loop.requests.length).toBeLessThanOrEqual(4 * 6);
      expect((await fetch(`${t.baseUrl}/alive`)).status).toBe(200);
    });

    it('reads only a bounded part of a page that never ends, then uses the links it saw', async () => {
      const answer = await getIcon(t, '127.77.0.8');
      expect(answer.status).toBe(200);
      expect(answer.bytes.equals(pngNamed('endless first'))).toBe(true);
      await endlessClosed;
      expect(endless.requests).toEqual(['GET /', 'GET /first.png']);
    });

    it('invalid hosts get the fallback without any request going out', async () => {
      const before = sites.map((s) => s.requests.length);
      for (const host of ['127.77.0.2%3A80', '127.77.0.2%2Ficon.png', 'a..b', '-bad-.example', 'user%40127.77.0.3', 'x'.repeat(5000), '%5B127.77.0.2%5D', 'exa_mple.com']) {
        const answer = await getIcon(t, host);
        expect(answer.status).toBe(200);
        expect(answer.bytes.equals(FALLBACK_ICON)).toBe(true);
        expect(answer.cache).toBe('public, max-age=600');
      }
      expect(sites.map((s) => s.requests.length)).toEqual(before);
    });

    it('host names are lower-cased before use (one cache entry per site)', async () => {
      // Nothing serves localhost:80 in this app's tests: the site is marked as having no icon, under its lower-case name.
      const answer = await getIcon(t, 'LocalHost');
      expect(answer.status).toBe(200);
      const names = readdirSync(join(t.dataFolder, 'icon_cache'));
      expect(names.filter((name) => name.toLowerCase().startsWith('localhost.png'))).toEqual([answer.bytes.equals(FALLBACK_ICON) ? 'localhost.png.miss' : 'localhost.png']);
    });
  });

  describe('a site that never answers (ICON_DOWNLOAD_TIMEOUT=1)', () => {
    let t: TestApp;
    let slow: IconSite;
    beforeAll(async () => {
      // Holds every request open without answering (a slow-loris site): the response object is kept, never ended.
      const held: Array<{ end(): void }> = [];
      slow = await site('127.77.0.5', { '/': (_req, res) => held.push(res), '/favicon.ico': (_req, res) => held.push(res), '/apple-touch-icon.png': (_req, res) => held.push(res) });
      t = await createTestApp({ HTTP_REQUEST_BLOCK_NON_GLOBAL_IPS: 'false', ICON_DOWNLOAD_TIMEOUT: '1' });
    }, 60_000);
    afterAll(async () => {
      await t?.close();
    });

    it('gives up, answers the fallback, and the server stays healthy', async () => {
      const answer = await getIcon(t, '127.77.0.5');
      expect(answer.status).toBe(200);
      expect(answer.bytes.equals(FALLBACK_ICON)).toBe(true);
      expect(slow.requests[0]).toBe('GET /');
      expect((await fetch(`${t.baseUrl}/alive`)).status).toBe(200);
      expect((await getIcon(t, '127.77.0.3')).bytes.equals(icoNamed('plain favicon'))).toBe(true);
    }, 60_000);
  });

  describe('HTTP_REQUEST_BLOCK_NON_GLOBAL_IPS on (the default)', () => {
    let t: TestApp;
    let loopback: IconSite;
    beforeAll(async () => {
      // `localhost` resolves to 127.0.0.1 here: a site there counts whether anything got through.
      loopback = await site('127.0.0.1', { '/': { body: page('') }, '/favicon.ico': { type: 'image/x-icon', body: icoNamed('loopback') } });
      t = await createTestApp({ ICON_DOWNLOAD_TIMEOUT: '5' });
    }, 60_000);
    afterAll(async () => {
      await t?.close();
    });

    it('refuses a loopback IP literal without any request reaching the site', async () => {
      const before = best.requests.length;
      const answer = await getIcon(t, '127.77.0.2');
      expect(answer.bytes.equals(FALLBACK_ICON)).toBe(true);
      expect(best.requests.length).toBe(before);
      // The numeric form of the same address is no way round it.
      expect((await getIcon(t, String((127 << 24 >>> 0) + (77 << 16) + 2))).bytes.equals(FALLBACK_ICON)).toBe(true);
      expect(best.requests.length).toBe(before);
      expect(existsSync(join(t.dataFolder, 'icon_cache', '127.77.0.2.png'))).toBe(false);
    });

    it('refuses a name that resolves to a loopback address: the check is on the address connected to', async () => {
      const answer = await getIcon(t, 'localhost');
      expect(answer.status).toBe(200);
      expect(answer.bytes.equals(FALLBACK_ICON)).toBe(true);
      expect(loopback.requests).toEqual([]);
      // Not marked as "no icon" (that would tell other users the name points inside); logged as blocked.
      expect(existsSync(join(t.dataFolder, 'icon_cache', 'localhost.png.miss'))).toBe(false);
      expect(capturedLogs.some((line) => line.includes('icons.blocked') && line.includes('"host":"localhost"') && line.includes('non_global_address'))).toBe(true);
    });
  });

  describe('HTTP_REQUEST_BLOCK_REGEX', () => {
    let t: TestApp;
    let target: IconSite;
    let redirector: IconSite;
    beforeAll(async () => {
      target = await site('127.77.0.9', { '/': { body: page('') }, '/favicon.ico': { type: 'image/x-icon', body: icoNamed('target') } });
      redirector = await site('127.77.0.10', {
        '/': { status: 302, headers: { Location: 'http://127.77.0.9/' }, body: '' },
        '/favicon.ico': { status: 302, headers: { Location: 'http://127.77.0.9/favicon.ico' }, body: '' },
      });
      t = await createTestApp({ HTTP_REQUEST_BLOCK_NON_GLOBAL_IPS: 'false', HTTP_REQUEST_BLOCK_REGEX: '^127\\.77\\.0\\.9$', ICON_DOWNLOAD_TIMEOUT: '5' });
    }, 60_000);
    afterAll(async () => {
      await t?.close();
    });

    it('blocks a matching host, also when another site redirects to it', async () => {
      expect((await getIcon(t, '127.77.0.9')).bytes.equals(FALLBACK_ICON)).toBe(true);
      expect((await getIcon(t, '127.77.0.10')).bytes.equals(FALLBACK_ICON)).toBe(true);
      expect(redirector.requests).toEqual(['GET /']);
      expect(target.requests).toEqual([]);
      // A host that does not match is fetched as usual.
      expect((await getIcon(t, '127.77.0.3')).bytes.equals(icoNamed('plain favicon'))).toBe(true);
    });
  });

  describe('ICON_SERVICE=duckduckgo under a DOMAIN path', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ DOMAIN: 'https://127.0.0.1/vault', ICON_SERVICE: 'duckduckgo', ICON_REDIRECT_CODE: '308', ICON_CACHE_TTL: '86400' });
    }, 60_000);
    afterAll(async () => {
      await t?.close();
    });

    it('redirects to the service with ICON_REDIRECT_CODE, at <base>/icons/<host>/icon.png', async () => {
      expect(t.baseUrl).toMatch(/\/vault$/);
      const answer = await getIcon(t, 'Example.COM');
      expect(answer.status).toBe(308);
      expect(answer.location).toBe('https://icons.duckduckgo.com/ip3/example.com.ico');
      expect(answer.cache).toBe('public, max-age=86400');
      const outside = await fetch(`${new URL(t.baseUrl).origin}/icons/example.com/icon.png`, { redirect: 'manual' });
      expect(outside.status).toBe(404);
      await outside.arrayBuffer();
      // An invalid host is not sent to the service.
      const invalid = await getIcon(t, 'a..b');
      expect(invalid.status).toBe(200);
      expect(invalid.bytes.equals(FALLBACK_ICON)).toBe(true);
    });
  });

  describe('DISABLE_ICON_DOWNLOAD', () => {
    let filler: TestApp;
    let t: TestApp;
    let cached: IconSite;
    let uncached: IconSite;
    beforeAll(async () => {
      cached = await site('127.77.0.11', { '/': { body: page('<link rel="icon" href="/i.png">') }, '/i.png': { type: 'image/png', body: pngNamed('cached one') } });
      uncached = await site('127.77.0.12', { '/': { body: page('') }, '/favicon.ico': { type: 'image/x-icon', body: icoNamed('never fetched') } });
      filler = await createTestApp({ HTTP_REQUEST_BLOCK_NON_GLOBAL_IPS: 'false', ICON_DOWNLOAD_TIMEOUT: '5' });
      t = await createTestApp({ HTTP_REQUEST_BLOCK_NON_GLOBAL_IPS: 'false', DISABLE_ICON_DOWNLOAD: 'true', ICON_CACHE_FOLDER: join(filler.dataFolder, 'icon_cache') });
    }, 60_000);
    afterAll(async () => {
      await t?.close();
      await filler?.close();
    });

    it('serves what the shared cache holds and fetches nothing', async () => {
      expect((await getIcon(filler, '127.77.0.11')).bytes.equals(pngNamed('cached one'))).toBe(true);
      const before = cached.requests.length;
      const hit = await getIcon(t, '127.77.0.11');
      expect(hit.type).toBe('image/png');
      expect(hit.bytes.equals(pngNamed('cached one'))).toBe(true);
      expect(cached.requests.length).toBe(before);
      const miss = await getIcon(t, '127.77.0.12');
      expect(miss.status).toBe(200);
      expect(miss.bytes.equals(FALLBACK_ICON)).toBe(true);
      expect(uncached.requests).toEqual([]);
    });
  });
});
