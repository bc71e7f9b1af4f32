import { ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RawHubSocket } from '../support/raw-ws';
import { createPbkdf2User, passwordLogin, WEB_VAULT } from '../support/test-crypto';

/** The real server process, as `npm start` runs it, on plain HTTP (no TLS variables). */
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

interface Running { child: ChildProcess; stdout: string[]; stderr: string[]; exited: Promise<number | null>; baseUrl: string }

/** `stdoutFd`: a descriptor for the child's stdout instead of a pipe this test reads. */
function start(env: Record<string, string>, port = 0, stdoutFd: number | null = null): Running {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const clean = { ...process.env };
  for (const key of Object.keys(clean)) if (/^(DOMAIN|DATA_FOLDER|DATABASE_URL|ROCKET_|PORT$|LOG_|SIGNUPS_|ENABLE_WEBSOCKET|PUSH_)/.test(key)) delete clean[key];
  const child = spawn(process.execPath, [join(buildDir, 'src/main.js')], {
    env: { ...clean, ROCKET_ADDRESS: '127.0.0.1', ROCKET_PORT: String(port), PASSWORD_ITERATIONS: '100000', ...env },
    stdio: ['ignore', stdoutFd ?? 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => stdout.push(d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => stderr.push(d.toString('utf8')));
  const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
  return { child, stdout, stderr, exited, baseUrl: `http://127.0.0.1:${port}` };
}

async function waitAlive(baseUrl: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(`${baseUrl}/alive`)).ok) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error('server did not come up');
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(() => {
  // Inside the project so the compiled server resolves node_modules.
  buildDir = mkdtempSync(join(ROOT, '.test-build-'));
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', buildDir], { cwd: ROOT, stdio: 'inherit' });
}, 120_000);
afterAll(() => rmSync(buildDir, { recursive: true, force: true }));

describe('configuration errors stop the server with one line naming the variable', () => {
  it.each([
    [{ SIGNUPS_ALLOWED: 'maybe' }, 'Configuration error: SIGNUPS_ALLOWED: "maybe" is not a boolean; expected one of true/t/yes/y/1 or false/f/no/n/0'],
    [{ ROCKET_PORT: 'eighty' }, 'Configuration error: ROCKET_PORT: "eighty" is not a whole number'],
    [{ DOMAIN: 'vault.example.com' }, 'Configuration error: DOMAIN: "vault.example.com" is not an absolute URL'],
    [{ DATABASE_URL: 'oracle://db' }, 'Configuration error: DATABASE_URL: unsupported scheme'],
  ])('%j', async (env, message) => {
    const run = start({ DATA_FOLDER: mkdtempSync(join(tmpdir(), 'vault-cfg-')), ...env });
    expect(await run.exited).toBe(1);
    expect(run.stderr.join('')).toContain(message);
  }, 30_000);
});

describe('the server process', () => {
  const dataFolder = mkdtempSync(join(tmpdir(), 'vault-proc-'));
  const logFile = join(dataFolder, 'logs', 'server.log');
  afterAll(() => rmSync(dataFolder, { recursive: true, force: true }));

  it('starts with no configuration but DATA_FOLDER, keeps its database there, serves /alive; SIGTERM closes hub sockets with 1001 and exits 0', async () => {
    const port = await freePort();
    const run = start({ DATA_FOLDER: dataFolder, LOG_FILE: logFile }, port);
    await waitAlive(run.baseUrl);
    expect(existsSync(join(dataFolder, 'db.sqlite3'))).toBe(true);
    expect(existsSync(join(dataFolder, 'rsa_key.pem'))).toBe(true);

    const account = await createPbkdf2User(run.baseUrl, `proc-${randomUUID()}@example.com`, 'pw', 5_000);
    const { access_token } = await passwordLogin(run.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() });
    // A browser puts the token in the query string: it must never reach a log line.
    const socket = await RawHubSocket.open(`ws://127.0.0.1:${port}/notifications/hub?access_token=${encodeURIComponent(access_token)}`);
    socket.send('{"protocol":"messagepack","version":1}\u001e', false);
    await socket.waitFrames(1);
    await fetch(`${run.baseUrl}/api/sync?access_token=${encodeURIComponent(access_token)}`);

    run.child.kill('SIGTERM');
    expect(await socket.waitClosed()).toBe(1001);
    expect(socket.frames[socket.frames.length - 1]!.data.toString('hex')).toBe('049307c0c3');
    // The server forces exit code 1 when shutdown takes over 10 s, so 0 also says it finished in time.
    expect(await run.exited).toBe(0);

    const logs = readFileSync(logFile, 'utf8') + run.stdout.join('');
    expect(logs).toContain('migration.applied');
    expect(logs).not.toContain(access_token);
    expect(logs).not.toContain(access_token.split('.')[2]!);
    expect(logs).not.toContain(account.masterPasswordHash);
  }, 120_000);

  it('restarts on the same data: migrations are not applied again, the account is still there', async () => {
    const port = await freePort();
    const run = start({ DATA_FOLDER: dataFolder }, port);
    await waitAlive(run.baseUrl);
    const res = await fetch(`${run.baseUrl}/identity/accounts/prelogin/password`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: 'nobody@example.com' }) });
    expect(res.status).toBe(200);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    expect(run.stdout.join('')).not.toContain('migration.applied');
  }, 60_000);
});

describe('logging never blocks the event loop', () => {
  const dataFolder = mkdtempSync(join(tmpdir(), 'vault-log-'));
  const logFile = join(dataFolder, 'server.log');
  const fifo = join(dataFolder, 'stdout.fifo');
  let stalledStdout: number | null = null;
  beforeAll(async () => {
    await new Promise<void>((ok, fail) => execFile('mkfifo', [fifo], (error) => (error ? fail(error) : ok())));
    // Opened read-write, so opening does not wait for a reader; this test never reads it: a real pipe
    // (64 KB) whose reader has stalled, as a wedged log shipper or a paused terminal would leave stdout.
    stalledStdout = openSync(fifo, 'r+');
  });
  afterAll(() => {
    if (stalledStdout !== null) closeSync(stalledStdout);
    rmSync(dataFolder, { recursive: true, force: true });
  });

  it('SIGTERM just after stdout stalled (a background write stuck for under a second): the server still exits, and LOG_FILE is complete', async () => {
    const freshFifo = join(dataFolder, 'stdout-fresh.fifo');
    await new Promise<void>((ok, fail) => execFile('mkfifo', [freshFifo], (error) => (error ? fail(error) : ok())));
    const stalled = openSync(freshFifo, 'r+');
    const file = join(dataFolder, 'fresh.log');
    try {
      const port = await freePort();
      const run = start({ DATA_FOLDER: join(dataFolder, 'fresh'), LOG_FILE: file, LOG_LEVEL: 'info', LOG_BUFFER_SIZE: '64K' }, port, stalled);
      await waitAlive(run.baseUrl);
      // About 400 request lines: more than the 64 KB pipe holds, so stdout stalls during this loop, and the
      // SIGTERM follows at once. A synchronous flush of stdout at exit would then block for good.
      for (let batch = 0; batch < 8; batch += 1) {
        await Promise.all(Array.from({ length: 50 }, () => fetch(`${run.baseUrl}/alive`).then((r) => r.arrayBuffer())));
      }
      run.child.kill('SIGTERM');
      const outcome = await Promise.race([run.exited, new Promise<string>((resolve) => setTimeout(() => resolve('still running after 15 s'), 15_000))]);
      if (outcome !== 0) run.child.kill('SIGKILL');
      expect(outcome).toBe(0);
      expect(readFileSync(file, 'utf8')).toContain('server.stopped');
    } finally {
      closeSync(stalled);
    }
  }, 60_000);

  it('with a stdout pipe nobody reads, every request is still answered; dropped lines are counted; LOG_FILE gets every line and is flushed on SIGTERM', async () => {
    const port = await freePort();
    // 3,000 request lines are far more than the 64 KB pipe and the 64 KB log buffer.
    const run = start({ DATA_FOLDER: dataFolder, LOG_FILE: logFile, LOG_LEVEL: 'info', LOG_BUFFER_SIZE: '64K' }, port, stalledStdout);
    await waitAlive(run.baseUrl);
    let answered = 0;
    for (let batch = 0; batch < 60; batch += 1) {
      const statuses = await Promise.all(Array.from({ length: 50 }, () =>
        fetch(`${run.baseUrl}/alive`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.status, () => 0)));
      answered += statuses.filter((status) => status === 200).length;
    }
    expect(answered).toBe(3_000);

    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    const lines = readFileSync(logFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((l) => l.msg === 'http.request' && l.path === '/alive').length).toBeGreaterThanOrEqual(3_000);
    const dropped = lines.find((l) => l.msg === 'log.lines_dropped') as { dropped?: { stdout?: number; file?: number } } | undefined;
    expect(dropped?.dropped?.stdout).toBeGreaterThan(0);
    expect(dropped?.dropped?.file).toBeUndefined();
    expect(lines[lines.length - 1]).toMatchObject({ msg: 'log.lines_dropped' });
    expect(lines.some((l) => l.msg === 'server.stopped')).toBe(true);
  }, 120_000);
});
