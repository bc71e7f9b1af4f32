// The shared body of test/e2e/proxy-*.e2e-spec.ts: one server and one real proxy (documented config) per
// describe; the official SignalR client, login with device, client IP, the doctor, and the log audit.
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { main as doctorMain } from '../../src/doctor/doctor';
import { capturedLogs, createTestApp, TestApp, TLS_CERT } from '../support/app';
import { HubClient } from '../support/hub-client';
import { describeWithProxy, freePort, ProxyKind, ProxyProcess, REPO_ROOT } from '../support/proxy';
import { tryUpgrade } from '../support/raw-ws';
import { createLoginItem, createPbkdf2User, decodeJwtPayload, decryptType4, encryptType4, loginCipherRequest, passwordLogin, TestAccount, WEB_VAULT } from '../support/test-crypto';
import { anonymousHub, waitUntil } from '../support/anonymous-hub';

export const PASSWORD = 'correct horse battery staple';

/** The server, plain HTTP on 127.0.0.1 behind the proxy, DOMAIN = the proxy's public URL. */
export interface Backend {
  t: TestApp;
  port: number;
  logFile: string;
  close(): Promise<void>;
}

export async function startBackend(publicUrl: string): Promise<Backend> {
  const logDir = mkdtempSync(join(tmpdir(), 'proxy-backend-log-'));
  const logFile = join(logDir, 'server.log');
  // ROCKET_TLS='' → no native TLS: the proxy terminates it. LOG_FILE: the audited server log.
  const t = await createTestApp({ ROCKET_TLS: '', DOMAIN: publicUrl, LOG_FILE: logFile });
  const port = (t.app.getHttpServer().address() as { port: number }).port;
  return {
    t, port, logFile,
    async close() {
      await t.close();
      rmSync(logDir, { recursive: true, force: true });
    },
  };
}

export interface DoctorRun { code: number; output: string }

/** The doctor's CLI entry, in this process (trusts the test certificate through NODE_EXTRA_CA_CERTS). */
export async function doctorInProcess(argv: string[]): Promise<DoctorRun> {
  let output = '';
  const code = await doctorMain(argv, (text) => (output += text));
  return { code, output };
}

/** `npm run doctor -- …` exactly as an operator types it (compiles src/doctor, then runs it). */
export function doctorViaNpm(argv: string[]): Promise<DoctorRun> {
  return new Promise((resolveRun) => {
    const child = spawn('npm', ['run', '--silent', 'doctor', '--', ...argv], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', (error) => resolveRun({ code: -1, output: `${output}\n${error.message}` }));
    child.on('close', (code) => resolveRun({ code: code ?? -1, output }));
  });
}

/** The bracketed problem names the doctor printed, per check: { hub: 'PROXY_IDLE_TIMEOUT', … }. */
export function doctorProblems(output: string): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const line of output.split('\n')) {
    const match = /^\s+FAIL\s+(\S+)\s.*\[([A-Z0-9_]+)\]\s*$/.exec(line);
    if (match?.[1] && match[2]) problems[match[1]] = match[2];
  }
  return problems;
}

/** Status per check: { alive: 'PASS', hub: 'FAIL', … }. */
export function doctorStatuses(output: string): Record<string, string> {
  const statuses: Record<string, string> = {};
  for (const line of output.split('\n')) {
    const match = /^\s+(PASS|FAIL|SKIP)\s+(\S+)\s/.exec(line);
    if (match?.[1] && match[2]) statuses[match[2]] = match[1];
  }
  return statuses;
}

/** GET over HTTPS from a chosen local address (to show which client IP reaches the server). */
function getFrom(url: string, localAddress: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolveStatus, reject) => {
    const req = request(url, { localAddress, headers }, (res) => {
      res.resume();
      res.on('end', () => resolveStatus(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Upgrade attempt from a chosen local address; resolves with the status (101 when it opened). */
function upgradeFrom(url: string, localAddress: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolveStatus) => {
    const ws = new WebSocket(url, { localAddress, headers });
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      resolveStatus(res.statusCode ?? 0);
    });
    ws.on('open', () => {
      resolveStatus(101);
      ws.close();
    });
    ws.on('error', () => undefined);
  });
}

export function serverLogLines(logFile: string): Array<Record<string, unknown>> {
  return readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

export interface SuiteContext {
  kind: ProxyKind;
  proxy: ProxyProcess;
  backend: Backend;
  /** DOMAIN: https://127.0.0.1:<proxy port>[/vault] */
  publicUrl: string;
  account: TestAccount;
  /** Every access token issued in this describe (none may appear in any log). */
  tokens: string[];
  /** The doctor run started in beforeAll against the documented config (with credentials), if any. */
  doctor: Promise<DoctorRun> | null;
  /** Further doctor runs started in beforeAll (SuiteOptions.background), by name. */
  background: Record<string, Promise<DoctorRun>>;
  /** Doctor arguments for credentials: --email … --password-file … --ca <test CA>. */
  credentials: string[];
}

export interface SuiteOptions {
  /** Template under docs/proxy/. */
  template: string;
  /** Sub-path of DOMAIN ('' or '/vault'). */
  basePath?: string;
  /** How the doctor checks the documented config: in this process (default), through `npm run doctor`, or not at all. */
  doctor?: 'in-process' | 'npm' | 'none';
  /** Doctor runs to start in beforeAll, concurrently with the tests (each waits ~15 s for the server's Ping). */
  background?: (context: Omit<SuiteContext, 'background'>) => Record<string, Promise<DoctorRun>>;
  /** Extra tests, run after the common ones and before the log audit, against the same server and proxy. */
  extra?: (context: () => SuiteContext) => void;
}

/**
 * One server + one proxy for the whole describe. The common tests prove, through the documented config:
 * 101 and live updates for the official SignalR client, login with device over the anonymous hub, real
 * client IPs, a clean doctor run, and that no access token reaches any log.
 */
export function proxySuite(kind: ProxyKind, title: string, options: SuiteOptions): void {
  describeWithProxy(kind, title, (binary) => {
    const basePath = options.basePath ?? '';
    let c: SuiteContext;
    const hubs: HubClient[] = [];
    // Kept outside `c` so that afterAll cleans up even when beforeAll fails half-way.
    let proxy: ProxyProcess | undefined;
    let backend: Backend | undefined;

    beforeAll(async () => {
      const proxyPort = await freePort();
      const publicUrl = `https://127.0.0.1:${proxyPort}${basePath}`;
      backend = await startBackend(publicUrl);
      proxy = new ProxyProcess(kind, { binary, template: options.template, port: proxyPort, upstreamPort: backend.port });
      await proxy.start();
      // Everything below goes through the proxy.
      const account = await createPbkdf2User(publicUrl, `proxy-${kind}-${randomUUID()}@example.com`, PASSWORD, 5_000);
      const passwordFile = join(proxy.dir, 'doctor-password.txt');
      writeFileSync(passwordFile, `${PASSWORD}\n`);
      const credentials = ['--email', account.email, '--password-file', passwordFile, '--ca', TLS_CERT];
      const mode = options.doctor ?? 'in-process';
      const doctor = mode === 'none' ? null : (mode === 'npm' ? doctorViaNpm : doctorInProcess)([publicUrl, ...credentials]);
      const partial = { kind, proxy, backend, publicUrl, account, tokens: [], doctor, credentials };
      c = { ...partial, background: options.background?.(partial) ?? {} };
    }, 60_000);

    afterAll(async () => {
      await Promise.allSettled(hubs.map((h) => h.stop()));
      await Promise.allSettled([c?.doctor, ...Object.values(c?.background ?? {})]); // never leave the doctor's sockets behind
      await proxy?.dispose();
      await backend?.close();
    }, 60_000);

    const login = async (device: typeof WEB_VAULT): Promise<string> => {
      const token = (await passwordLogin(c.publicUrl, c.account, { ...device, identifier: randomUUID() })).access_token;
      c.tokens.push(token);
      return token;
    };

    it('official SignalR client (browser-style ?access_token=): 101 through the proxy, and a cipher saved on another device arrives live', async () => {
      const webToken = await login(WEB_VAULT);
      const desktopToken = await login({ type: 8, name: 'linux', clientId: 'desktop' });
      const hubUrl = `${c.publicUrl.replace('https://', 'wss://')}/notifications/hub`;
      expect((await tryUpgrade(hubUrl, { Authorization: `Bearer ${webToken}` })).status).toBe(101);
      expect((await tryUpgrade(`${hubUrl}?access_token=${encodeURIComponent(webToken)}`)).status).toBe(101);

      const web = await HubClient.connect(c.publicUrl, webToken, 'query');
      hubs.push(web);
      const userId = String(decodeJwtPayload(desktopToken).sub);
      const cipher = await createLoginItem(c.publicUrl, desktopToken, c.account, { name: 'through the proxy', username: 'u', password: 'p', uri: 'https://example.com' });
      const created = await web.waitFor((m) => m.Type === 1 && m.Payload.Id === cipher.id);
      expect(created.ContextId).toBe(String(decodeJwtPayload(desktopToken).device));
      expect(created.Payload.UserId).toBe(userId);

      const edit = await fetch(`${c.publicUrl}/api/ciphers/${String(cipher.id)}`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${desktopToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...loginCipherRequest(c.account, userId, { name: 'edited through the proxy', username: 'u2', password: 'p2', uri: 'https://example.com' }), lastKnownRevisionDate: cipher.revisionDate }),
      });
      expect(edit.status).toBe(200);
      const updated = await web.waitFor((m) => m.Type === 0 && m.Payload.Id === cipher.id);
      expect(updated.Payload.RevisionDate).toBeInstanceOf(Date);
    }, 30_000);

    it('login with device through the anonymous hub: request, subscribe, approve, AuthRequestResponseRecieved, log in', async () => {
      const ownerToken = await login(WEB_VAULT);
      const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const accessCode = randomBytes(16).toString('base64url');
      const deviceIdentifier = randomUUID();
      const created = await fetch(`${c.publicUrl}/api/auth-requests`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Device-Type': '8' },
        body: JSON.stringify({ email: c.account.email, publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'), deviceIdentifier, accessCode, type: 0 }),
      });
      expect(created.status).toBe(200);
      const { id } = (await created.json()) as { id: string };
      const anon = await anonymousHub(c.publicUrl, id);
      try {
        const pending = (await (await fetch(`${c.publicUrl}/api/auth-requests/${id}`, { headers: { Authorization: `Bearer ${ownerToken}` } })).json()) as { publicKey: string };
        const answer = await fetch(`${c.publicUrl}/api/auth-requests/${id}`, {
          method: 'PUT',
          headers: { Authorization: `Bearer ${ownerToken}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ deviceIdentifier: String(decodeJwtPayload(ownerToken).device), key: encryptType4(c.account.secrets.userKey, pending.publicKey), masterPasswordHash: null, requestApproved: true }),
        });
        expect(answer.status).toBe(200);
        await waitUntil(() => anon.received.length === 1);
        const userId = String(decodeJwtPayload(ownerToken).sub);
        expect(anon.received[0]).toEqual({ Type: 16, Payload: { Id: id, UserId: userId }, UserId: userId });
      } finally {
        await anon.connection.stop();
      }
      const polled = (await (await fetch(`${c.publicUrl}/api/auth-requests/${id}/response?code=${accessCode}`)).json()) as { requestApproved: boolean; key: string };
      expect(polled.requestApproved).toBe(true);
      expect(decryptType4(polled.key, privateKey.export({ type: 'pkcs8', format: 'der' })).equals(c.account.secrets.userKey)).toBe(true);
      const token = await fetch(`${c.publicUrl}/identity/connect/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          scope: 'api offline_access', client_id: 'desktop', deviceType: '8', deviceIdentifier, deviceName: 'linux',
          grant_type: 'password', username: c.account.email, password: accessCode, authRequest: id,
        }).toString(),
      });
      expect(token.status).toBe(200);
      c.tokens.push(((await token.json()) as { access_token: string }).access_token);
    }, 30_000);

    it('the server sees the real client IP (HTTP and hub upgrades); client-sent X-Real-IP / X-Forwarded-For are not believed', async () => {
      const spoof = { 'X-Real-IP': '203.0.113.7', 'X-Forwarded-For': '203.0.113.7' };
      // A hub upgrade without Token is refused before 101 and logged with the client IP.
      expect(await upgradeFrom(`${c.publicUrl.replace('https://', 'wss://')}/notifications/anonymous-hub`, '127.0.0.3', spoof)).toBe(400);
      const aliveIps = (): unknown[] => serverLogLines(c.backend.logFile).filter((l) => l.msg === 'http.request' && l.path === `${basePath}/alive`).map((l) => l.ip);
      // The request logger reads the peer address when the response has finished; if the proxy has closed
      // the upstream connection by then, the server logs "unknown" (a server bug, reported). Retry a little.
      for (let attempt = 0; attempt < 5 && !aliveIps().includes('127.0.0.3'); attempt++) {
        expect(await getFrom(`${c.publicUrl}/alive`, '127.0.0.3', spoof)).toBe(200);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(aliveIps()).toContain('127.0.0.3');
      const lines = serverLogLines(c.backend.logFile);
      const rejected = lines.filter((l) => l.msg === 'notifications.upgrade_rejected' && l.path === `${basePath}/notifications/anonymous-hub`);
      expect(rejected.map((l) => l.ip)).toContain('127.0.0.3');
      expect(lines.some((l) => l.ip === '203.0.113.7')).toBe(false);
    });

    if (basePath) {
      it(`sub-path: only ${basePath}/ reaches the server; / stays with the proxy's other content, ${basePath} redirects to ${basePath}/`, async () => {
        const origin = c.publicUrl.slice(0, -basePath.length);
        const root = await fetch(`${origin}/alive`);
        expect(root.status).toBe(404);
        expect(root.headers.get('x-request-id')).toBeNull(); // not answered by the server
        const bare = await fetch(origin + basePath, { redirect: 'manual' });
        expect(bare.status).toBe(301);
        expect(new URL(bare.headers.get('location') ?? '', origin).pathname).toBe(`${basePath}/`);
        const config = (await (await fetch(`${c.publicUrl}/api/config`)).json()) as { environment: { notifications: string } };
        expect(config.environment.notifications).toBe(`${c.publicUrl}/notifications`);
      });
    }

    if (options.doctor !== 'none') {
      it(`doctor${options.doctor === 'npm' ? ' (npm run doctor)' : ''} with the documented config: every check passes, exit code 0`, async () => {
        const run = await c.doctor!;
        expect(run.output).toContain('All checks passed');
        expect(doctorStatuses(run.output)).toEqual({ url: 'PASS', alive: 'PASS', config: 'PASS', 'anonymous-hub': 'PASS', login: 'PASS', hub: 'PASS', 'round-trip': 'PASS' });
        expect(run.code).toBe(0);
      }, 60_000);
    }

    options.extra?.(() => c);

    it('no access_token value in the server log (LOG_FILE and every sink) or in any proxy log', async () => {
      await Promise.allSettled(hubs.splice(0).map((h) => h.stop()));
      await Promise.allSettled([c.doctor, ...Object.values(c.background)]);
      await c.proxy.stop(); // flushes access lines of the WebSocket sessions, which are written when they end
      const proxyLogs = c.proxy.logFiles().map((file) => ({ file, text: readFileSync(file, 'utf8') }));
      const serverLog = readFileSync(c.backend.logFile, 'utf8');
      expect(c.tokens.length).toBeGreaterThanOrEqual(3);
      // Not vacuous: the server logged the hub connections and the proxy logged the hub paths (without query).
      expect(serverLog).toContain('"msg":"notifications.connected"');
      const access = proxyLogs.filter((l) => /access|haproxy\.stdout/.test(l.file)).map((l) => l.text).join('\n');
      expect(access).toContain(`${basePath}/notifications/hub`);
      expect(access).toContain(`${basePath}/notifications/anonymous-hub`);
      const sinks = [{ file: c.backend.logFile, text: serverLog }, { file: 'captured log lines', text: capturedLogs.join('') }, ...proxyLogs];
      for (const { file, text } of sinks) {
        for (const token of c.tokens) {
          const signature = token.split('.')[2] ?? token;
          if (text.includes(token) || text.includes(signature)) throw new Error(`an access token appears in ${file}`);
        }
        if (file !== c.backend.logFile && file !== 'captured log lines' && text.includes('access_token=')) throw new Error(`"access_token=" appears in ${file}`);
      }
    }, 30_000);
  });
}
