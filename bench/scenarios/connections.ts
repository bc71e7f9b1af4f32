/**
 * Connections: what holding many idle hub sockets costs, per target (this server, the bare ws floor,
 * Vaultwarden), in one run. BENCH_CONNECTION_USERS (100) accounts; MessagePack hub sockets spread evenly over
 * them and held by a separate process (bench/lib/hub-swarm.ts, which sends the clients' SignalR Ping every
 * 15 s), opened in steps up to each of BENCH_CONNECTION_STEPS (1000,5000,10000), 100 opening at a time.
 * Each step measures, on the server process (/proc) or from outside it, the same way for all three targets:
 *   opening          sockets a second until the last handshake reply, and server CPU ms per socket opened
 *   RSS              the lowest of the server's resident memory sampled every second over the step's window
 *                    (15 s to settle, the hold, the probe: a garbage-collected server gives memory back a while
 *                    after a burst); per socket above idle, and per socket added since the previous step
 *   idle CPU         the server's CPU over BENCH_CONNECTION_HOLD_SECONDS (20) of holding: keepalives only
 *   event-loop delay 200 `GET /alive` at 20 a second (open loop) while the sockets are held, p50 and p99
 *   ping cycles      sockets that got at least one SignalR Ping (type 6) from the server over the hold and the
 *                    probe (30 s: two of the 15 s server keepalive intervals), and sockets closed unexpectedly.
 *                    The floor sends no keepalives at all (neither SignalR Pings nor WebSocket pings): its
 *                    count is 0 by design.
 * The same RSS, CPU and probe are taken before any socket opens (the 0 row), after 30 s of settling.
 *
 * 10,000 sockets need 10,000 descriptors in the swarm and as many in the server (both inherit the bench's
 * limit): check `ulimit -n` (at least 12,000; raise it with `ulimit -n 65536` where the hard limit allows).
 */
import { provisionUsers } from '../lib/accounts';
import { HubSwarm } from '../lib/hub-swarm';
import { Scenario, ScenarioOutput } from '../lib/scenario';
import { distribution, Distribution } from '../lib/stats';
import { sampleProcess, startTarget, TargetKind } from '../lib/targets';

const STEPS = (process.env.BENCH_CONNECTION_STEPS ?? '1000,5000,10000').split(',').map(Number).filter((n) => n > 0).sort((a, b) => a - b);
const USERS = Number(process.env.BENCH_CONNECTION_USERS ?? 100);
const HOLD_SECONDS = Number(process.env.BENCH_CONNECTION_HOLD_SECONDS ?? 20);
const OPEN_CONCURRENCY = 100;
const IDLE_SETTLE_MS = 30_000;
const STEP_SETTLE_MS = 15_000;
const PROBES = 200;
const PROBE_RATE = 20;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const mb = (kb: number): number => Math.round((kb / 1024) * 10) / 10;

/** Latency of PROBES `GET /alive` sent at PROBE_RATE a second, on schedule whatever the answers' pace. */
async function probeAlive(baseUrl: string): Promise<Distribution & { failed: number }> {
  const began = performance.now();
  const times: number[] = [];
  let failed = 0;
  const pending: Array<Promise<void>> = [];
  for (let i = 0; i < PROBES; i += 1) {
    const wait = began + (i * 1000) / PROBE_RATE - performance.now();
    if (wait > 1) await sleep(wait);
    pending.push((async () => {
      const start = performance.now();
      try {
        const res = await fetch(`${baseUrl}/alive`);
        await res.arrayBuffer();
        if (res.ok) times.push(performance.now() - start);
        else failed += 1;
      } catch {
        failed += 1;
      }
    })());
  }
  await Promise.all(pending);
  return { ...distribution(times), failed };
}

/** The server's CPU (% of one core) over `ms` of doing nothing but holding what it holds. */
async function idleCpu(pid: number, ms: number): Promise<number> {
  const before = sampleProcess(pid);
  const start = performance.now();
  await sleep(ms);
  return Math.round(((sampleProcess(pid).cpuMs - before.cpuMs) / (performance.now() - start)) * 1000) / 10;
}

/**
 * The server's RSS every second over a measuring window. A garbage-collected server gives memory back a while
 * after a burst (this one about 40 s after its accounts were set up), so the window's minimum is what holding
 * costs; the last sample is reported too.
 */
function watchRss(pid: number): () => { minKb: number; lastKb: number } {
  const samples = [sampleProcess(pid).rssKb];
  const timer = setInterval(() => samples.push(sampleProcess(pid).rssKb), 1_000);
  return () => {
    clearInterval(timer);
    samples.push(sampleProcess(pid).rssKb);
    return { minKb: Math.min(...samples), lastKb: samples.at(-1)! };
  };
}

export interface ConnectionStep {
  /** Sockets asked for, and open when measured. */
  sockets: number;
  open: number;
  openFailed: number;
  openPerSecond: number;
  /** Server CPU time spent per socket while the step opened (upgrade, authentication, handshake). */
  openCpuMsPerSocket: number;
  /** Lowest and last RSS over the step's window (settle, hold and probe). */
  rssMb: number;
  rssLastMb: number;
  /** (RSS − idle RSS) / open sockets, from the windows' minimums. */
  rssPerSocketKb: number;
  /** The same from the previous step (or idle) to this one: what each added socket cost. */
  marginalKbPerSocket: number;
  idleCpuPercent: number;
  aliveMs: Distribution & { failed: number };
  /** Sockets held over the whole window, and of those, how many got a SignalR Ping / a WebSocket ping. */
  heldOverWindow: number;
  pinged: number;
  wsPinged: number;
  unexpectedCloses: number;
}

export interface ConnectionsResult {
  target: TargetKind;
  users: number;
  idle: { rssMb: number; rssLastMb: number; idleCpuPercent: number; aliveMs: Distribution & { failed: number } };
  steps: ConnectionStep[];
}

export async function runConnections(kind: TargetKind): Promise<ConnectionsResult> {
  const target = await startTarget(kind);
  const swarm = HubSwarm.start();
  try {
    const tokens = (await provisionUsers(target, USERS)).map((u) => u.token);
    let watch = watchRss(target.pid);
    await sleep(IDLE_SETTLE_MS);
    const idleCpuPercent = await idleCpu(target.pid, HOLD_SECONDS * 1000);
    const idleAlive = await probeAlive(target.baseUrl);
    const idleRss = watch();
    console.log(`[connections] ${kind}: idle ${mb(idleRss.minKb)} MB, ${idleCpuPercent}% CPU, /alive p99 ${idleAlive.p99} ms`);

    const steps: ConnectionStep[] = [];
    let open = 0;
    let previousKb = idleRss.minKb;
    for (const sockets of STEPS) {
      // Rotated so that the sockets stay spread evenly over the users from one step to the next.
      const rotated = [...tokens.slice(open % tokens.length), ...tokens.slice(0, open % tokens.length)];
      const cpuBefore = sampleProcess(target.pid).cpuMs;
      const opened = await swarm.open({ hubUrl: target.hubUrl, tokens: rotated, count: Math.max(0, sockets - open), concurrency: OPEN_CONCURRENCY, stable: true });
      const openCpuMs = sampleProcess(target.pid).cpuMs - cpuBefore;
      if (opened.errors.length > 0) console.log(`[connections] ${kind} ${sockets}: ${opened.failed} opens failed, e.g. ${opened.errors.join('; ')}`);
      watch = watchRss(target.pid);
      await sleep(STEP_SETTLE_MS);
      await swarm.mark();
      const cpu = await idleCpu(target.pid, HOLD_SECONDS * 1000);
      const alive = await probeAlive(target.baseUrl);
      const rss = watch();
      const stats = await swarm.stats();
      const added = stats.open - open;
      open = stats.open;
      const step: ConnectionStep = {
        sockets, open, openFailed: opened.failed, openPerSecond: Math.round((opened.opened / Math.max(1, opened.ms)) * 1000),
        openCpuMsPerSocket: Math.round((openCpuMs / Math.max(1, opened.opened)) * 100) / 100,
        rssMb: mb(rss.minKb), rssLastMb: mb(rss.lastKb),
        rssPerSocketKb: Math.round(((rss.minKb - idleRss.minKb) / Math.max(1, open)) * 10) / 10,
        marginalKbPerSocket: Math.round(((rss.minKb - previousKb) / Math.max(1, added)) * 10) / 10,
        idleCpuPercent: cpu, aliveMs: alive,
        heldOverWindow: stats.heldSinceMark, pinged: stats.pinged, wsPinged: stats.wsPinged,
        unexpectedCloses: Object.values(stats.unexpectedCloses).reduce((sum, n) => sum + n, 0),
      };
      previousKb = rss.minKb;
      steps.push(step);
      console.log(`[connections] ${kind} ${sockets}: ${open} open at ${step.openPerSecond}/s (${step.openCpuMsPerSocket} CPU ms each), ${step.rssMb} MB (${step.rssPerSocketKb} KB/socket, ${step.marginalKbPerSocket} marginal), ${cpu}% CPU, /alive p99 ${alive.p99} ms, pinged ${step.pinged}/${step.heldOverWindow}`);
    }
    return { target: kind, users: USERS, idle: { rssMb: mb(idleRss.minKb), rssLastMb: mb(idleRss.lastKb), idleCpuPercent, aliveMs: idleAlive }, steps };
  } finally {
    await swarm.close();
    await target.stop();
  }
}

/** RSS (MB) against sockets held, one line per target, the idle server at 0. */
export function rssAgainstConnectionsSpec(results: ConnectionsResult[]): Record<string, unknown> {
  const values = results.flatMap((r) => [
    { target: r.target, sockets: 0, rssMb: r.idle.rssMb },
    ...r.steps.map((s) => ({ target: r.target, sockets: s.open, rssMb: s.rssMb })),
  ]);
  return {
    title: 'Server RSS against hub sockets held', width: 560, height: 300, data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'sockets', type: 'quantitative', title: 'hub sockets held' },
      y: { field: 'rssMb', type: 'quantitative', title: 'RSS (MB)' },
      color: { field: 'target', type: 'nominal', title: null },
    },
  };
}

export const connectionsScenario: Scenario = {
  name: 'connections',
  title: `idle hub sockets in steps (${STEPS.join(', ')}): RSS per socket, idle CPU, /alive latency, keepalives`,
  async run(targets: TargetKind[]): Promise<ScenarioOutput> {
    const results: ConnectionsResult[] = [];
    for (const kind of targets) results.push(await runConnections(kind));
    const table: ScenarioOutput['table'] = {};
    for (const r of results) {
      table[`${r.target} 0`] = {
        open: 0, 'open/s': '', 'open CPU ms': '', 'RSS MB': r.idle.rssMb, 'KB/socket': '', 'marginal KB': '', 'CPU %': r.idle.idleCpuPercent,
        'alive p50': r.idle.aliveMs.p50, 'alive p99': r.idle.aliveMs.p99, pinged: '', closed: '',
      };
      for (const s of r.steps) {
        table[`${r.target} ${s.sockets}`] = {
          open: s.open, 'open/s': s.openPerSecond, 'open CPU ms': s.openCpuMsPerSocket, 'RSS MB': s.rssMb, 'KB/socket': s.rssPerSocketKb,
          'marginal KB': s.marginalKbPerSocket, 'CPU %': s.idleCpuPercent,
          'alive p50': s.aliveMs.p50, 'alive p99': s.aliveMs.p99, pinged: `${s.pinged}/${s.heldOverWindow}`, closed: s.unexpectedCloses,
        };
      }
    }
    return { results, table, plots: [{ file: 'connections-rss.svg', spec: rssAgainstConnectionsSpec(results) }] };
  },
};
