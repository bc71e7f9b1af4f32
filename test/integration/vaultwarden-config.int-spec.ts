import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { createPostgresDatabase, describeWithServices, TestDatabase } from '../support/services';
import { createPbkdf2User } from '../support/test-crypto';

/**
 * A Vaultwarden admin's configuration, as it is, on the real server process (issue 20): DATABASE_URL_FILE and
 * PostgreSQL's keyword/value DATABASE_URL must reach PostgreSQL (never a silent SQLite fallback), and
 * IP_HEADER_TRUSTED_PROXIES ranges decide whose X-Real-IP is believed.
 */
const ROOT = resolve(__dirname, '../..');
let buildDir: string;

function freePort(): Promise<number> {
  return new Promise((ok) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

interface Running { child: ChildProcess; output: string[]; exited: Promise<number | null>; baseUrl: string }

function start(env: Record<string, string>, port: number): Running {
  const output: string[] = [];
  const clean = { ...process.env };
  for (const key of Object.keys(clean)) {
    if (/^(DOMAIN|DATA_FOLDER|DATABASE_URL|ROCKET_|PORT$|LOG_|SIGNUPS_|ENABLE_WEBSOCKET|PUSH_|TRUSTED_PROXIES|IP_HEADER|CONFIG_FILE|ENV_FILE)/.test(key)) delete clean[key];
  }
  const child = spawn(process.execPath, [join(buildDir, 'src/main.js')], {
    // ENV_FILE: no .env of the working copy leaks in.
    env: { ...clean, ENV_FILE: join(tmpdir(), 'no-such-env-file'), ROCKET_ADDRESS: '127.0.0.1', ROCKET_PORT: String(port), PASSWORD_ITERATIONS: '100000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString('utf8')));
  const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
  return { child, output, exited, baseUrl: `http://127.0.0.1:${port}` };
}

async function waitAlive(run: Running, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void run.exited.then(() => {
    gone = true;
  });
  for (;;) {
    try {
      if ((await fetch(`${run.baseUrl}/alive`)).ok) return;
    } catch {
      /* not yet */
    }
    if (gone) throw new Error(`server exited: ${run.output.join('')}`);
    if (Date.now() > deadline) throw new Error('server did not come up');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(run: Running): Promise<void> {
  run.child.kill('SIGTERM');
  await run.exited;
}

async function query<T>(url: string, sql: string, params: unknown[]): Promise<T[]> {
  const ds = new DataSource({ type: 'postgres', url });
  await ds.initialize();
  try {
    return (await ds.query(sql, params)) as T[];
  } finally {
    await ds.destroy();
  }
}

/** Registers an account through the server; true when its row is in the PostgreSQL database `db`. */
async function registrationLandsIn(run: Running, db: TestDatabase): Promise<boolean> {
  const email = `vw-${randomUUID()}@example.com`;
  await createPbkdf2User(run.baseUrl, email, 'pw', 5_000);
  const rows = await query<{ email: string }>(db.url, 'SELECT email FROM users WHERE email = $1', [email]);
  return rows.length === 1;
}

beforeAll(() => {
  // Inside the project so the compiled server resolves node_modules. Type errors elsewhere in a working copy
  // do not stop tsc from emitting, so only a missing entry point fails here.
  buildDir = mkdtempSync(join(ROOT, '.test-build-'));
  spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', buildDir], { cwd: ROOT, stdio: 'inherit' });
  if (!existsSync(join(buildDir, 'src/main.js'))) throw new Error('the server did not build');
}, 180_000);
afterAll(() => rmSync(buildDir, { recursive: true, force: true }));

describeWithServices(['TEST_POSTGRES_URL'], 'Vaultwarden configuration on the real server process (PostgreSQL)', () => {
  let db: TestDatabase;
  let dataFolder: string;
  beforeEach(async () => {
    db = await createPostgresDatabase('vault_vw');
    dataFolder = mkdtempSync(join(tmpdir(), 'vault-vwcfg-'));
  });
  afterEach(async () => {
    await db?.drop();
    rmSync(dataFolder, { recursive: true, force: true });
  });

  /** The test database in PostgreSQL's keyword/value form, with the password quoted. */
  const keywordForm = (): string => {
    const url = new URL(db.url);
    return `host=${url.hostname} port=${url.port || '5432'} dbname=${db.name} user=${decodeURIComponent(url.username)} password='${decodeURIComponent(url.password)}' sslmode=disable`;
  };
  const password = (): string => decodeURIComponent(new URL(db.url).password);

  it('DATABASE_URL_FILE holding a postgresql:// URL: the server runs on PostgreSQL, no SQLite file appears', async () => {
    const file = join(dataFolder, 'database-url');
    writeFileSync(file, `${db.url}\n`);
    const run = start({ DATA_FOLDER: dataFolder, DATABASE_URL_FILE: file }, await freePort());
    try {
      await waitAlive(run);
      expect(await registrationLandsIn(run, db)).toBe(true);
      expect(existsSync(join(dataFolder, 'db.sqlite3'))).toBe(false);
    } finally {
      await stop(run);
    }
  }, 120_000);

  it('DATABASE_URL in keyword/value form (from DATABASE_URL_FILE): PostgreSQL, and the password is never logged', async () => {
    const file = join(dataFolder, 'database-url');
    writeFileSync(file, keywordForm());
    const run = start({ DATA_FOLDER: dataFolder, DATABASE_URL_FILE: file, LOG_LEVEL: 'debug' }, await freePort());
    try {
      await waitAlive(run);
      expect(await registrationLandsIn(run, db)).toBe(true);
      expect(existsSync(join(dataFolder, 'db.sqlite3'))).toBe(false);
    } finally {
      await stop(run);
    }
    const output = run.output.join('');
    expect(output).toContain('"database":"postgres"');
    expect(output).not.toContain(password());
  }, 120_000);

  it('DATABASE_URL in keyword/value form in the environment, with a Vaultwarden per-module LOG_LEVEL and unsupported Vaultwarden variables: starts, warns', async () => {
    const run = start({
      DATA_FOLDER: dataFolder, DATABASE_URL: keywordForm(), LOG_LEVEL: 'INFO,vaultwarden::api=debug', SMTP_DEBUG: 'true', TRASH_PURGE_SCHEDULE: '0 5 0 * * *',
    }, await freePort());
    try {
      await waitAlive(run);
      expect(await registrationLandsIn(run, db)).toBe(true);
    } finally {
      await stop(run);
    }
    const output = run.output.join('');
    expect(output).toContain('LOG_LEVEL: per-module levels are not supported; the level is info for everything, and vaultwarden::api=debug is ignored.');
    expect(output).toContain('SMTP_DEBUG, TRASH_PURGE_SCHEDULE are Vaultwarden settings this server does not support; they are ignored.');
    expect(output).not.toContain(password());
  }, 120_000);

  it('DATABASE_URL and DATABASE_URL_FILE both set: the server refuses to start, naming both', async () => {
    const file = join(dataFolder, 'database-url');
    writeFileSync(file, db.url);
    const run = start({ DATA_FOLDER: dataFolder, DATABASE_URL_FILE: file, DATABASE_URL: db.url }, await freePort());
    expect(await run.exited).toBe(1);
    expect(run.output.join('')).toContain('Configuration error: DATABASE_URL: DATABASE_URL and DATABASE_URL_FILE are both set; set only one of them');
  }, 60_000);

  it('a malformed config.json stops start-up with a line naming the file', async () => {
    writeFileSync(join(dataFolder, 'config.json'), '{"signups_allowed": fals');
    const run = start({ DATA_FOLDER: dataFolder, DATABASE_URL: db.url }, await freePort());
    expect(await run.exited).toBe(1);
    expect(run.output.join('')).toContain(`Configuration error: config file ${join(dataFolder, 'config.json')}: not valid JSON`);
  }, 60_000);

  describe('IP_HEADER_TRUSTED_PROXIES with CIDR ranges', () => {
    /** Creates a login-with-device request with X-Real-IP `realIp`; the client address the server stored for it. */
    const storedClientIp = async (run: Running, realIp: string): Promise<string> => {
      const account = await createPbkdf2User(run.baseUrl, `ip-${randomUUID()}@example.com`, 'pw', 5_000);
      const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const res = await fetch(`${run.baseUrl}/api/auth-requests`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Device-Type': '8', 'X-Real-IP': realIp },
        body: JSON.stringify({
          email: account.email, publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
          deviceIdentifier: randomUUID(), accessCode: randomBytes(16).toString('base64url'), type: 0,
        }),
      });
      expect(res.status).toBe(200);
      const { id } = (await res.json()) as { id: string };
      const rows = await query<{ request_ip: string }>(db.url, 'SELECT request_ip FROM auth_requests WHERE id = $1', [id]);
      return rows[0]!.request_ip;
    };

    it.each([
      ['a range holding the proxy (127.0.0.0/8): the header is believed', '10.0.0.0/8,127.0.0.0/8', '203.0.113.7'],
      ['local (Vaultwarden\'s default: any non-global address, 127.0.0.1 included): the header is believed', 'local', '203.0.113.7'],
      ['ranges without the proxy (10.0.0.0/8, fd00::/8): the header is not believed, the socket address is the client', '10.0.0.0/8, fd00::/8', '127.0.0.1'],
    ])('%s', async (_what, proxies, expected) => {
      const run = start({ DATA_FOLDER: dataFolder, DATABASE_URL: db.url, IP_HEADER_TRUSTED_PROXIES: proxies }, await freePort());
      try {
        await waitAlive(run);
        expect(await storedClientIp(run, '203.0.113.7')).toBe(expected);
      } finally {
        await stop(run);
      }
    }, 120_000);
  });
});
