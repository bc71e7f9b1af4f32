// `npm run doctor -- <public URL> [--email e --password p | --token t] [--ca ca.pem]`
//
// Checks a deployment from the outside, through the same URL and proxy the clients use: /alive, /api/config,
// both SignalR hubs (101, handshake, server Ping) and, with credentials or a token, a live round trip.
// Every failure is printed with its cause and the fix. Exit code 0 only when every check passed.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createFolder, deleteFolder, endpoint, folderName, passwordLogin, tokenSecondsLeft } from './account';
import { diagnoseConfig, diagnoseHttpStatus, diagnoseHub, diagnoseNetFailure, diagnoseUrl, Finding, proxyProduct, ProxyProduct } from './diagnose';
import { send } from './http-client';
import { HubRecord, HubSession, probeHub } from './hub-probe';

export interface DoctorOptions {
  url: string;
  email?: string;
  password?: string;
  token?: string;
  /** Extra trusted CA certificates (PEM texts). */
  ca?: string[];
  /** How long to wait for the server's first Ping after the handshake (the server pings every 15 s). */
  pingTimeoutMs?: number;
}

export interface DoctorReport {
  url: string;
  proxy: ProxyProduct;
  findings: Finding[];
  exitCode: 0 | 1;
}

const ROUND_TRIP_TIMEOUT_MS = 10_000;

/** Runs every check; never throws for a deployment problem. */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const pingTimeoutMs = options.pingTimeoutMs ?? 20_000;
  const findings: Finding[] = [];
  const done = (proxy: ProxyProduct = 'unknown'): DoctorReport => ({
    url: options.url, proxy, findings, exitCode: findings.some((f) => f.status === 'fail') ? 1 : 0,
  });
  const { url, finding: urlFinding } = diagnoseUrl(options.url.replace(/\/+$/, ''));
  findings.push(urlFinding);
  if (!url) return done();
  const ca = options.ca;
  const withToken = Boolean(options.token || (options.email && options.password !== undefined));
  const skipRest = (reason: string): void => {
    for (const check of ['config', 'anonymous-hub', ...(options.email ? ['login'] : []), ...(withToken ? ['hub', 'round-trip'] : [])]) {
      findings.push({ check, status: 'skip', summary: reason });
    }
  };

  // 1. /alive
  const alive = await send(endpoint(url, '/alive'), { ca });
  if (!alive.ok) {
    findings.push(diagnoseNetFailure('alive', 'GET /alive', url, alive.error));
    skipRest('not run: the URL is not reachable (see above)');
    return done();
  }
  const product = proxyProduct(alive.headers.server);
  findings.push(alive.status === 200
    ? { check: 'alive', status: 'pass', summary: `GET /alive answered 200 in ${alive.ms} ms${product !== 'unknown' ? ` (via ${String(alive.headers.server)})` : ''}` }
    : diagnoseHttpStatus('alive', '/alive', alive.status, alive.body, url, product));

  // 2. /api/config
  const config = await send(endpoint(url, '/api/config'), { ca });
  if (!config.ok) findings.push(diagnoseNetFailure('config', 'GET /api/config', url, config.error));
  else if (config.status !== 200) findings.push(diagnoseHttpStatus('config', '/api/config', config.status, config.body, url, product));
  else findings.push(diagnoseConfig(config.body, url));

  // 3. Both hubs at once (each waits up to pingTimeoutMs for the server's Ping).
  const anonymous = (async (): Promise<Finding> => {
    const hubUrl = endpoint(url, '/notifications/anonymous-hub');
    hubUrl.searchParams.set('Token', randomUUID());
    const result = await probeHub(hubUrl, { ca, pingTimeoutMs });
    return diagnoseHub('anonymous-hub', 'anonymous-hub', url, result, product, pingTimeoutMs);
  })();
  const authenticated = authenticatedChecks(url, options, product, pingTimeoutMs);
  findings.push(await anonymous, ...(await authenticated));
  return done(product);
}

/** Login (or token), then /notifications/hub with the live round trip on the same connection. */
async function authenticatedChecks(url: URL, options: DoctorOptions, product: ProxyProduct, pingTimeoutMs: number): Promise<Finding[]> {
  const ca = options.ca;
  const findings: Finding[] = [];
  let token = options.token;
  let userKey: Buffer | null = null;
  if (!token && options.email && options.password !== undefined) {
    const login = await passwordLogin(url, options.email, options.password, ca, product);
    findings.push(login.finding);
    if (!login.ok) {
      findings.push({ check: 'hub', status: 'skip', summary: 'not run: no access token (login failed)' }, { check: 'round-trip', status: 'skip', summary: 'not run: no access token' });
      return findings;
    }
    token = login.accessToken;
    userKey = login.userKey;
  }
  if (!token) {
    findings.push(
      { check: 'hub', status: 'skip', summary: 'not run: give --email and --password, or --token, to check /notifications/hub' },
      { check: 'round-trip', status: 'skip', summary: 'not run: needs --email/--password or --token' },
    );
    return findings;
  }
  const left = tokenSecondsLeft(token);
  if (left !== null && left < 0) {
    findings.push({ check: 'token', status: 'fail', summary: `the access token expired ${-left} s ago`, problem: 'TOKEN_REJECTED', cause: 'an expired token is refused with 401.', fix: 'get a fresh token, or pass --email/--password.' });
  }

  let roundTrip: Finding = { check: 'round-trip', status: 'skip', summary: 'not run: the hub did not complete its handshake' };
  const accessToken = token;
  const whileOpen = async (session: HubSession): Promise<void> => {
    const created = await createFolder(url, accessToken, folderName(userKey), ca);
    if ('error' in created) {
      roundTrip = { check: 'round-trip', status: 'fail', summary: `could not create the test folder: ${created.error}`, problem: 'ROUND_TRIP_FAILED', cause: 'the API refused the write, so no notification could be sent.', fix: 'see the server log for this request.' };
      return;
    }
    const started = Date.now();
    // JSON protocol arguments are camelCase ({contextId, type, payload: {id, …}}); read keys case-insensitively as clients do.
    const isOurs = (r: HubRecord): boolean => {
      if (r.type !== 1 || r.target !== 'ReceiveMessage' || !Array.isArray(r.arguments)) return false;
      const n = r.arguments[0];
      const payload = field(n, 'payload');
      return field(n, 'type') === 7 && field(payload, 'id') === created.id;
    };
    const arrived = await session.waitFor(isOurs, ROUND_TRIP_TIMEOUT_MS);
    const deleteError = await deleteFolder(url, accessToken, created.id, ca);
    const cleanup = deleteError ? ` (cleanup failed: ${deleteError}; delete the folder "Vaultwave doctor" by hand)` : '';
    roundTrip = arrived
      ? { check: 'round-trip', status: 'pass', summary: `created a folder through the API; its SyncFolderCreate (7) arrived on this connection after ${Date.now() - started} ms${cleanup}` }
      : { check: 'round-trip', status: 'fail', summary: `created a folder, but no SyncFolderCreate (7) arrived within ${ROUND_TRIP_TIMEOUT_MS / 1000} s${cleanup}`, problem: 'ROUND_TRIP_FAILED',
          cause: 'the socket is open but notifications do not reach it: the server behind /notifications/hub is not the one behind /api (several instances without a shared delivery bus, or a stale instance), or the proxy buffers frames.',
          fix: 'send /api and /notifications/ to the same server (or configure the shared store for several instances), and disable buffering on /notifications/.' };
  };
  const result = await probeHub(endpoint(url, '/notifications/hub'), { ca, pingTimeoutMs, headers: { Authorization: `Bearer ${token}` }, whileOpen });
  findings.push(diagnoseHub('hub', 'hub', url, result, product, pingTimeoutMs, true), roundTrip);
  return findings;
}

/** A key of a JSON object, matched case-insensitively. */
function field(value: unknown, key: string): unknown {
  if (!value || typeof value !== 'object') return undefined;
  const entry = Object.entries(value).find(([k]) => k.toLowerCase() === key);
  return entry?.[1];
}

const LABEL = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' } as const;

/** Human-readable report. */
export function formatReport(report: DoctorReport): string {
  const lines = [`Vaultwave doctor: ${report.url}`];
  for (const f of report.findings) {
    lines.push(`  ${LABEL[f.status]}  ${f.check.padEnd(13)} ${f.summary}${f.problem ? `  [${f.problem}]` : ''}`);
    if (f.cause) lines.push(`        cause: ${f.cause}`);
    if (f.fix) lines.push(`        fix:   ${f.fix.split('\n').join('\n               ')}`);
  }
  const failed = report.findings.filter((f) => f.status === 'fail').length;
  const skipped = report.findings.filter((f) => f.status === 'skip').length;
  lines.push(failed === 0
    ? `All checks passed${skipped ? ` (${skipped} skipped)` : ''}.`
    : `${failed} check${failed === 1 ? '' : 's'} failed. Reverse-proxy examples: docs/reverse-proxy.md`);
  return `${lines.join('\n')}\n`;
}

export const USAGE = `Usage: npm run doctor -- <public URL> [--email <email> (--password <pw> | --password-file <file>) | --token <access token>] [--ca <ca.pem>]

Checks a Vaultwave deployment from the outside, through the public URL clients use (e.g. https://vault.example.com
or https://example.com/vault): /alive, /api/config, both notification hubs (101, SignalR handshake, server Ping
within 20 s) and, with credentials or a token, /notifications/hub plus a live round trip (a temporary folder is
created and deleted). Exit code 0 only when every check passes.
`;

export type ParsedArgs = { ok: true; options: DoctorOptions } | { ok: false; message: string; help?: boolean };

/** Parses the command line (pure apart from reading --password-file / --ca files). */
export function parseArgs(argv: string[], readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): ParsedArgs {
  const options: Partial<DoctorOptions> = {};
  const ca: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    try {
      switch (flag) {
        case '-h':
        case '--help':
          return { ok: false, message: USAGE, help: true };
        case '--email': options.email = value(); break;
        case '--password': options.password = value(); break;
        case '--password-file': { const file = value(); options.password = file === undefined ? undefined : readFile(file).replace(/\r?\n$/, ''); break; }
        case '--token': options.token = value(); break;
        case '--ca': { const file = value(); if (file !== undefined) ca.push(readFile(file)); break; }
        default:
          if (flag.startsWith('-')) return { ok: false, message: `unknown option ${flag}\n\n${USAGE}` };
          if (options.url) return { ok: false, message: `one URL only (got ${options.url} and ${flag})\n\n${USAGE}` };
          options.url = flag;
      }
    } catch (error) {
      return { ok: false, message: `cannot read the file given to ${flag}: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  if (!options.url) return { ok: false, message: `the public URL is missing\n\n${USAGE}` };
  if (options.token !== undefined && options.email !== undefined) return { ok: false, message: 'give either --token or --email/--password, not both' };
  if (options.email !== undefined && options.password === undefined) return { ok: false, message: '--email needs --password or --password-file' };
  if (options.password !== undefined && options.email === undefined) return { ok: false, message: '--password needs --email' };
  if (options.token === '') return { ok: false, message: '--token needs a value' };
  return { ok: true, options: { ...options, url: options.url, ...(ca.length ? { ca } : {}) } };
}

/** CLI entry: prints the report, resolves with the exit code (2 for a usage error). */
export async function main(argv: string[], write: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const parsed = parseArgs(argv);
  if (!parsed.ok) {
    write(parsed.help ? parsed.message : `doctor: ${parsed.message}\n`);
    return parsed.help ? 0 : 2;
  }
  const report = await runDoctor(parsed.options);
  write(formatReport(report));
  return report.exitCode;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`doctor: internal error: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
      process.exitCode = 3;
    },
  );
}
