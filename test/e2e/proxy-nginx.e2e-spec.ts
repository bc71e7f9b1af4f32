// nginx from the Debian package, with docs/proxy/nginx.conf and nginx-subpath.conf; the doctor against the
// documented config (through `npm run doctor`) and against deliberately broken variants of it.
import { doctorInProcess, doctorProblems, doctorStatuses, proxySuite } from './proxy-harness';
import { TLS_CERT } from '../support/app';
import { freePort } from '../support/proxy';

const HUB_LOCATION = '    location /notifications/ {\n';

/** Applies `change` to the hub location block of the rendered nginx config; the change must change something. */
function mutateHubLocation(config: string, change: (block: string) => string): string {
  const start = config.indexOf(HUB_LOCATION);
  const end = config.indexOf('\n    }\n', start);
  if (start < 0 || end < 0) throw new Error('docs/proxy/nginx.conf has no "location /notifications/" block any more');
  const block = config.slice(start, end + '\n    }\n'.length);
  const changed = change(block);
  if (changed === block) throw new Error('the mutation did not change the hub location');
  return config.slice(0, start) + changed + config.slice(end + '\n    }\n'.length);
}

proxySuite('nginx', 'nginx behind-proxy deployment (docs/proxy/nginx.conf)', {
  template: 'nginx.conf',
  doctor: 'npm',
  background: (c) => ({
    // Same proxy, but reached under another name than DOMAIN (the certificate covers localhost too).
    wrongDomain: doctorInProcess([c.publicUrl.replace('127.0.0.1', 'localhost'), '--ca', TLS_CERT]),
  }),
  extra: (context) => {
    it('doctor through a URL other than DOMAIN names "wrong DOMAIN" and the value to set; exit code 1', async () => {
      const c = context();
      const run = await c.background.wrongDomain!;
      const expected = c.publicUrl.replace('127.0.0.1', 'localhost');
      expect(doctorProblems(run.output)).toEqual({ config: 'WRONG_DOMAIN' });
      expect(run.output).toContain('wrong DOMAIN');
      expect(run.output).toContain(`set DOMAIN=${expected}`);
      expect(doctorStatuses(run.output)).toMatchObject({ alive: 'PASS', 'anonymous-hub': 'PASS' });
      expect(run.code).toBe(1);
    }, 60_000);

    it('doctor against the server\'s plain-HTTP port with https:// names the TLS problem; exit code 1', async () => {
      const c = context();
      const run = await doctorInProcess([`https://127.0.0.1:${c.backend.port}`]);
      expect(doctorProblems(run.output)).toEqual({ alive: 'TLS_PLAIN_HTTP' });
      expect(run.output).toContain('TLS problem');
      expect(doctorStatuses(run.output)).toMatchObject({ config: 'SKIP', 'anonymous-hub': 'SKIP' });
      expect(run.code).toBe(1);
    });

    const broken: Array<{ name: string; change: (block: string, closedPort: number) => string; problem: string; phrase: string }> = [
      {
        name: 'Upgrade header dropped (no proxy_set_header Upgrade)',
        change: (block) => block.replace('        proxy_set_header Upgrade           $http_upgrade;\n', ''),
        problem: 'UPGRADE_HEADER_MISSING',
        phrase: 'missing Upgrade header',
      },
      {
        name: 'no hub location at all (location / only: no Upgrade, no Connection: upgrade)',
        change: () => '',
        problem: 'UPGRADE_HEADER_MISSING',
        phrase: 'missing Upgrade header',
      },
      {
        name: 'HTTP/1.0 upstream (nginx default without proxy_http_version 1.1, headers not passed)',
        change: (block) => block
          .replace('proxy_http_version 1.1;', 'proxy_http_version 1.0;')
          .replace('        proxy_set_header Upgrade           $http_upgrade;\n', '')
          .replace('        proxy_set_header Connection        "upgrade";\n', ''),
        problem: 'HTTP10_UPSTREAM',
        phrase: 'HTTP/1.0 upstream',
      },
      {
        name: '"Connection: close" forced',
        change: (block) => block.replace('proxy_set_header Connection        "upgrade";', 'proxy_set_header Connection        "close";'),
        problem: 'CONNECTION_HEADER_MISSING',
        phrase: 'missing Connection header',
      },
      {
        name: 'hub path not proxied (the proxy answers 404)',
        change: () => '    location /notifications/ {\n        return 404;\n    }\n',
        problem: 'HUB_NOT_PROXIED',
        phrase: 'hub path not proxied',
      },
      {
        name: 'hub path sent to the old WebSocket port 3012 of Vaultwave 1.30 guides (the proxy answers 502)',
        change: (block, closedPort) => block.replace(/proxy_pass http:\/\/127\.0\.0\.1:\d+;/, `proxy_pass http://127.0.0.1:${closedPort};`),
        problem: 'HUB_NOT_PROXIED',
        phrase: 'hub path not proxied',
      },
      {
        name: 'proxy read timeout of 5 s',
        change: (block) => block.replace('proxy_read_timeout 3600s;', 'proxy_read_timeout 5s;'),
        problem: 'PROXY_IDLE_TIMEOUT',
        phrase: 'proxy idle timeout shorter than the ping interval',
      },
    ];

    for (const variant of broken) {
      it(`broken config, ${variant.name}: the doctor names ${variant.problem} on both hubs and exits non-zero`, async () => {
        const c = context();
        const closedPort = await freePort(); // nothing listens there, like port 3012 today
        await c.proxy.restart(mutateHubLocation(c.proxy.documented, (block) => variant.change(block, closedPort)));
        const run = await doctorInProcess([c.publicUrl, ...c.credentials]);
        const problems = doctorProblems(run.output);
        expect(problems.hub).toBe(variant.problem);
        expect(problems['anonymous-hub']).toBe(variant.problem);
        expect(run.output).toContain(variant.phrase);
        expect(run.output).toMatch(/fix: {3}\S/);
        // The rest of the deployment is fine, and the doctor says so: the blame is on the hub location only.
        expect(doctorStatuses(run.output)).toMatchObject({ alive: 'PASS', config: 'PASS', login: 'PASS' });
        expect(run.code).toBe(1);
      }, 40_000);
    }

    it('back to the documented config: the hubs work again', async () => {
      const c = context();
      await c.proxy.restart();
      const res = await fetch(`${c.publicUrl}/notifications/hub`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toContain('Missing "Upgrade: websocket" header');
    });
  },
});

proxySuite('nginx', 'nginx sub-path deployment, DOMAIN=https://host/vault (docs/proxy/nginx-subpath.conf)', { template: 'nginx-subpath.conf', basePath: '/vault' });
