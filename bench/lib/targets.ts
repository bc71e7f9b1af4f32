/**
 * The servers a bench scenario measures side by side, each as its own process on loopback, plain HTTP:
 *   vaultwave    this server, built to dist/ (npm run build), at LOG_LEVEL=info with LOG_FILE set, as deployed
 *   vaultwarden  the binary VAULTWARDEN_BIN points to (docs/performance.md says how to build one), also at info
 *   ws-floor     a bare `ws` server that only accepts sockets and fans a pre-encoded frame out (the floor)
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export type TargetKind = 'vaultwave' | 'vaultwarden' | 'ws-floor';

export interface Target {
  kind: TargetKind;
  baseUrl: string;
  hubUrl: string;
  pid: number;
  stop(): Promise<void>;
}

const ROOT = resolve(__dirname, '..', '..', '..');

export function freePort(): Promise<number> {
  return new Promise((ok) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

async function waitAlive(url: string, child: ChildProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function stopper(child: ChildProcess, folder: string): () => Promise<void> {
  return async () => {
    if (child.exitCode === null) {
      const exited = new Promise((ok) => child.once('exit', ok));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(folder, { recursive: true, force: true });
  };
}

/**
 * The Node flags this server runs with: BENCH_VAULTWAVE_NODE_ARGS (space-separated, e.g. `--cpu-prof`) when
 * set, else those of `npm start` in package.json, so the bench measures the server as it is started.
 */
export function vaultwaveNodeArgs(): string[] {
  const asked = process.env.BENCH_VAULTWAVE_NODE_ARGS;
  if (asked !== undefined) return asked.split(' ').filter(Boolean);
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const start = /^node\s+(.*?)\s*dist\/src\/main\.js/.exec(scripts.start ?? '');
  return start?.[1] ? start[1].split(/\s+/).filter((a) => a.startsWith('--')) : [];
}

/** Passwords are hashed server-side at 100,000 iterations by both servers, so setting up accounts is quick. */
export async function startTarget(kind: TargetKind, extraEnv: Record<string, string> = {}): Promise<Target> {
  const port = await freePort();
  const folder = mkdtempSync(join(tmpdir(), `bench-${kind}-`));
  const base = `http://127.0.0.1:${port}`;
  let child: ChildProcess;
  if (kind === 'vaultwave') {
    // BENCH_VAULTWAVE_MAIN: another build of this server (an older commit, to compare before and after a change).
    const main = process.env.BENCH_VAULTWAVE_MAIN ?? join(ROOT, 'dist', 'src', 'main.js');
    if (!existsSync(main)) throw new Error('dist/src/main.js is missing: npm run build first');
    child = spawn(process.execPath, [...vaultwaveNodeArgs(), main], {
      env: {
        PATH: process.env.PATH, DATA_FOLDER: folder, ROCKET_ADDRESS: '127.0.0.1', ROCKET_PORT: String(port), DOMAIN: base,
        PASSWORD_ITERATIONS: '100000', LOG_LEVEL: 'info', LOG_FILE: join(folder, 'server.log'),
        HUB_MAX_CONNECTIONS_PER_USER: '10000', HUB_MAX_CONNECTIONS_PER_IP: '1000000', HUB_MAX_CONNECTIONS: '1000000',
        UNAUTHENTICATED_RATELIMIT_MAX_BURST: '100000', LOGIN_RATELIMIT_MAX_BURST: '100000', ...extraEnv,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  } else if (kind === 'vaultwarden') {
    const bin = process.env.VAULTWARDEN_BIN;
    if (!bin || !existsSync(bin)) throw new Error('VAULTWARDEN_BIN does not point to a vaultwarden binary');
    child = spawn(bin, [], {
      env: {
        PATH: process.env.PATH, DATA_FOLDER: folder, ROCKET_ADDRESS: '127.0.0.1', ROCKET_PORT: String(port), DOMAIN: base,
        WEB_VAULT_ENABLED: 'false', PASSWORD_ITERATIONS: '100000', LOG_LEVEL: 'info', LOG_FILE: join(folder, 'server.log'),
        LOGIN_RATELIMIT_MAX_BURST: '100000', LOGIN_RATELIMIT_SECONDS: '1', SIGNUPS_ALLOWED: 'true', ...extraEnv,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  } else {
    child = spawn(process.execPath, [join(__dirname, 'ws-floor.js'), String(port)], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  await waitAlive(`${base}/alive`, child);
  return { kind, baseUrl: base, hubUrl: `ws://127.0.0.1:${port}/notifications/hub`, pid: child.pid!, stop: stopper(child, folder) };
}

/** Resident memory (KB) and CPU time (ms, user + system) of a process, from /proc. */
export function sampleProcess(pid: number): { rssKb: number; cpuMs: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
  return { rssKb, cpuMs: (ticks * 1000) / 100 };
}

/** The targets a run measures: BENCH_TARGETS (comma-separated), else this server, the floor, and Vaultwarden when built. */
export function selectedTargets(): TargetKind[] {
  const asked = process.env.BENCH_TARGETS?.split(',').map((t) => t.trim()).filter(Boolean) as TargetKind[] | undefined;
  if (asked?.length) return asked;
  return ['vaultwave', 'ws-floor', ...(process.env.VAULTWARDEN_BIN ? ['vaultwarden' as const] : [])];
}
