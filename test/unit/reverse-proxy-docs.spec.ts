// docs/reverse-proxy.md shows every file of docs/proxy/ verbatim (the proxy e2e tests run those files), and
// none of the documented access-log formats records a query string.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');
const doc = readFileSync(join(root, 'docs/reverse-proxy.md'), 'utf8');
const files = readdirSync(join(root, 'docs/proxy')).sort();

describe('docs/reverse-proxy.md and docs/proxy/', () => {
  it.each(files)('%s appears verbatim right after its include marker', (name) => {
    const marker = `<!-- include docs/proxy/${name} -->\n`;
    const at = doc.indexOf(marker);
    if (at < 0) throw new Error(`docs/reverse-proxy.md has no "${marker.trim()}"`);
    const fence = /^```[a-z]*\n/.exec(doc.slice(at + marker.length));
    if (!fence) throw new Error(`no fenced block after ${marker.trim()}`);
    const start = at + marker.length + fence[0].length;
    const end = doc.indexOf('\n```', start - 1);
    expect(doc.slice(start, end + 1)).toBe(readFileSync(join(root, 'docs/proxy', name), 'utf8'));
  });

  it('no documented log format records the query string (browsers put access_token there)', () => {
    const forbidden: Record<string, RegExp> = {
      nginx: /log_format[^;]*(\$request[^_]|\$request_uri|\$args|\$query_string|\$request"|\$request')/s,
      apache: /LogFormat[^\n]*(%r|%q|%\{Referer\}i)/,
      haproxy: /(log-format[^\n]*(%r|%HU|%HQ)|option\s+httplog)/,
    };
    for (const name of files) {
      const text = readFileSync(join(root, 'docs/proxy', name), 'utf8').split('\n').filter((line) => !/^\s*#/.test(line)).join('\n');
      const kind = name.startsWith('nginx') ? 'nginx' : name.startsWith('apache') ? 'apache' : name.startsWith('haproxy') ? 'haproxy' : null;
      if (kind) expect({ name, match: forbidden[kind]!.exec(text)?.[0] ?? null }).toEqual({ name, match: null });
      if (name.startsWith('Caddyfile')) expect(text.split('request>uri regexp \\?.*$ ""').length - 1).toBe(2);
      if (name.startsWith('traefik.yml')) expect(text).toContain('RequestPath: drop');
    }
  });

  it('every hub configuration keeps idle WebSockets far longer than the 15 s ping interval', () => {
    for (const name of files) {
      const text = readFileSync(join(root, 'docs/proxy', name), 'utf8');
      if (name.startsWith('nginx')) expect(text).toMatch(/proxy_read_timeout 3600s;[\s\S]*proxy_send_timeout 3600s;/);
      if (name.startsWith('apache')) expect(text).toMatch(/upgrade=websocket timeout=3600/);
      if (name.startsWith('haproxy')) expect(text).toMatch(/timeout tunnel\s+1h/);
    }
  });
});
