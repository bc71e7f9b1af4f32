/**
 * Soak: does the server's memory level off under steady writes and reconnects, per target (this server, the
 * bare ws floor as what Node and `ws` alone do under the same traffic, Vaultwarden), in one run.
 * BENCH_SOAK_USERS (100) accounts hold BENCH_SOAK_SOCKETS (2000) MessagePack hub sockets (a separate process,
 * bench/lib/hub-swarm.ts), spread evenly over them: half stable, half churning. For BENCH_SOAK_MINUTES (10):
 *   writes   BENCH_SOAK_RATE (50) cipher creates a second (POST /api/ciphers), round-robin over the users,
 *            on schedule (open loop, at most 200 in flight: beyond that a write is skipped and counted)
 *   churn    every second BENCH_SOAK_CHURN (0.02) of the sockets held (40 of 2,000) are closed cleanly and
 *            opened again with the same token, taken from the churning half
 * Measured: the server's RSS (/proc) every 10 s, reported as the start (sockets open, before any write),
 * the maximum, the last, and the least-squares slope over the second half in MB a minute, of every sample
 * and of each minute's lowest (a plateau is a slope near 0; with a garbage collector's saw, the minimums are
 * the steadier sign); the server's CPU; write latency (overall, and p99 minute by minute) and errors;
 * deliveries of each create to the stable sockets of its user, received against expected; reconnects done,
 * failed opens and unexpected closes.
 *
 * 2,000 sockets plus the churn's TIME_WAIT ports fit the defaults; `ulimit -n` must allow 2,100 descriptors.
 */
import { Scenario, ScenarioOutput } from '../lib/scenario';
import { HubSwarm } from '../lib/hub-swarm';
import { distribution, Distribution } from '../lib/stats';
import { sampleProcess, startTarget, TargetKind } from '../lib/targets';
import { provisionUsers } from '../lib/accounts';
import { mb, sleep } from './connections';

export interface SoakOptions { minutes: number; users: number; sockets: number; rate: number; churn: number }

const OPTIONS: SoakOptions = {
  minutes: Number(process.env.BENCH_SOAK_MINUTES ?? 10),
  users: Number(process.env.BENCH_SOAK_USERS ?? 100),
  sockets: Number(process.env.BENCH_SOAK_SOCKETS ?? 2000),
  rate: Number(process.env.BENCH_SOAK_RATE ?? 50),
  churn: Number(process.env.BENCH_SOAK_CHURN ?? 0.02),
};
const SAMPLE_MS = 10_000;
const MAX_IN_FLIGHT = 200;

export interface SoakResult {
  target: TargetKind;
  options: SoakOptions;
  rssStartMb: number;
  rssMaxMb: number;
  rssLastMb: number;
  /** Least-squares slope of RSS over the second half of the soak, of every sample and of each minute's lowest
   * (a garbage-collected server's RSS is a saw: the minimums are what it keeps). */
  secondHalfSlopeMbPerMin: number;
  secondHalfMinimaSlopeMbPerMin: number;
  /** RSS at each whole minute (the first sample at or after it). */
  rssEveryMinuteMb: number[];
  serverCpuPercent: number;
  writes: number;
  failedWrites: number;
  /** Failed writes by HTTP status, or `network`. */
  writeErrors: Record<string, number>;
  skippedWrites: number;
  writeMs: Distribution;
  /** Write latency p99 in each minute: does the server slow down as its data grows? */
  writeP99ByMinuteMs: number[];
  expectedDeliveries: number;
  receivedDeliveries: number;
  reconnects: number;
  failedOpens: number;
  unexpectedCloses: Record<string, number>;
  socketsOpenAtEnd: number;
  /** RSS samples (minutes from the start, MB), for the plot (not written to the JSON). */
  samples?: Array<{ minutes: number; rssMb: number }>;
}

/** Slope (y per x) of the least-squares line through the points; 0 for fewer than two. */
export function leastSquaresSlope(points: Array<{ x: number; y: number }>): number {
  if (points.length < 2) return 0;
  const meanX = points.reduce((s, p) => s + p.x, 0) / points.length;
  const meanY = points.reduce((s, p) => s + p.y, 0) / points.length;
  const sxy = points.reduce((s, p) => s + (p.x - meanX) * (p.y - meanY), 0);
  const sxx = points.reduce((s, p) => s + (p.x - meanX) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

export async function runSoak(kind: TargetKind, options: SoakOptions): Promise<SoakResult> {
  const target = await startTarget(kind);
  const swarm = HubSwarm.start();
  let sampler: NodeJS.Timeout | undefined;
  try {
    const users = await provisionUsers(target, options.users);
    const tokens = users.map((u) => u.token);
    const stable = Math.floor(options.sockets / 2);
    for (const [count, isStable] of [[stable, true], [options.sockets - stable, false]] as const) {
      const opened = await swarm.open({ hubUrl: target.hubUrl, tokens, count, concurrency: 100, stable: isStable });
      if (opened.failed > 0) console.log(`[soak] ${kind}: ${opened.failed} opens failed, e.g. ${opened.errors.join('; ')}`);
    }
    // Socket i of the stable half belongs to user i % users.
    const stablePerUser = users.map((_, u) => Math.floor(stable / users.length) + (u < stable % users.length ? 1 : 0));
    await sleep(5_000);

    const began = performance.now();
    const minutesNow = (): number => (performance.now() - began) / 60_000;
    const cpuStart = sampleProcess(target.pid);
    const samples = [{ minutes: 0, rssMb: mb(cpuStart.rssKb) }];
    sampler = setInterval(() => samples.push({ minutes: minutesNow(), rssMb: mb(sampleProcess(target.pid).rssKb) }), SAMPLE_MS);
    await swarm.churn(options.churn, target.hubUrl);

    const writes: Array<{ user: number; id: string | null; minute: number; ms: number }> = [];
    const writeErrors: Record<string, number> = {};
    let skipped = 0;
    let inFlight = 0;
    const total = Math.round(options.rate * options.minutes * 60);
    for (let i = 0; i < total; i += 1) {
      const wait = began + (i * 1000) / options.rate - performance.now();
      if (wait > 1) await sleep(wait);
      if (inFlight >= MAX_IN_FLIGHT) {
        skipped += 1;
        continue;
      }
      const user = i % users.length;
      const writer = users[user]!;
      inFlight += 1;
      void (async () => {
        const start = performance.now();
        let id: string | null = null;
        try {
          const res = await fetch(`${target.baseUrl}/api/ciphers`, {
            method: 'POST', headers: { Authorization: `Bearer ${writer.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(writer.body()),
          });
          const json = (await res.json().catch(() => ({}))) as { id?: string };
          if (res.ok && json.id) id = json.id.toLowerCase();
          else writeErrors[res.status] = (writeErrors[res.status] ?? 0) + 1;
        } catch {
          writeErrors.network = (writeErrors.network ?? 0) + 1;
        }
        writes.push({ user, id, minute: Math.floor((start - began) / 60_000), ms: performance.now() - start });
        inFlight -= 1;
      })();
      if (i > 0 && i % (options.rate * 60) === 0) {
        console.log(`[soak] ${kind} ${Math.round(minutesNow())} min: ${samples.at(-1)?.rssMb} MB, ${writes.length} writes, ${skipped} skipped`);
      }
    }
    while (inFlight > 0) await sleep(50);
    await swarm.churn(0, target.hubUrl);
    const cpuEnd = sampleProcess(target.pid);
    const elapsedMs = performance.now() - began;
    clearInterval(sampler);
    samples.push({ minutes: minutesNow(), rssMb: mb(cpuEnd.rssKb) });
    await sleep(3_000); // the last deliveries
    const stats = await swarm.stats(true);

    let expected = 0;
    let received = 0;
    for (const write of writes) {
      if (!write.id) continue;
      const want = stablePerUser[write.user] ?? 0;
      expected += want;
      received += Math.min(want, stats.deliveries?.[write.id] ?? 0);
    }
    const half = samples.filter((s) => s.minutes >= options.minutes / 2);
    const ok = writes.filter((w) => w.id);
    const rssEveryMinuteMb: number[] = [];
    const minima: Array<{ x: number; y: number }> = [];
    for (let m = 0; m <= options.minutes; m += 1) {
      const at = samples.find((s) => s.minutes >= m - 1 / 120);
      if (at) rssEveryMinuteMb.push(at.rssMb);
      // Whole minutes of the soak only (the sample taken after it stands alone).
      const within = half.filter((s) => s.minutes >= m && s.minutes < m + 1);
      if (m < options.minutes && within.length > 0) minima.push({ x: m + 0.5, y: Math.min(...within.map((s) => s.rssMb)) });
    }
    const writeP99ByMinuteMs = Array.from({ length: Math.ceil(options.minutes) }, (_, m) => distribution(ok.filter((w) => w.minute === m).map((w) => w.ms)).p99);
    return {
      target: kind, options,
      rssStartMb: samples[0]!.rssMb,
      rssMaxMb: Math.max(...samples.map((s) => s.rssMb)),
      rssLastMb: samples.at(-1)!.rssMb,
      secondHalfSlopeMbPerMin: Math.round(leastSquaresSlope(half.map((s) => ({ x: s.minutes, y: s.rssMb }))) * 100) / 100,
      secondHalfMinimaSlopeMbPerMin: Math.round(leastSquaresSlope(minima) * 100) / 100,
      rssEveryMinuteMb,
      serverCpuPercent: Math.round(((cpuEnd.cpuMs - cpuStart.cpuMs) / elapsedMs) * 1000) / 10,
      writes: writes.length, failedWrites: writes.length - ok.length, writeErrors, skippedWrites: skipped,
      writeMs: distribution(ok.map((w) => w.ms)), writeP99ByMinuteMs,
      expectedDeliveries: expected, receivedDeliveries: received,
      reconnects: stats.churnReopened, failedOpens: stats.openFailures, unexpectedCloses: stats.unexpectedCloses, socketsOpenAtEnd: stats.open,
      samples,
    };
  } finally {
    if (sampler) clearInterval(sampler);
    await swarm.close();
    await target.stop();
  }
}

/** RSS (MB) over the soak, one line per target. */
export function soakRssSpec(results: SoakResult[]): Record<string, unknown> {
  const values = results.flatMap((r) => (r.samples ?? []).map((s) => ({ target: r.target, minutes: Math.round(s.minutes * 100) / 100, rssMb: s.rssMb })));
  return {
    title: 'Server RSS over the soak (writes and reconnects)', width: 560, height: 300, data: { values },
    mark: { type: 'line' },
    encoding: {
      x: { field: 'minutes', type: 'quantitative', title: 'minutes' },
      y: { field: 'rssMb', type: 'quantitative', title: 'RSS (MB)', scale: { zero: false } },
      color: { field: 'target', type: 'nominal', title: null },
    },
  };
}

export const soakScenario: Scenario = {
  name: 'soak',
  title: `memory over a ${OPTIONS.minutes}-minute soak of ${OPTIONS.rate} writes/s and ${OPTIONS.churn * 100}% reconnects/s of ${OPTIONS.sockets} sockets`,
  async run(targets: TargetKind[]): Promise<ScenarioOutput> {
    const results: SoakResult[] = [];
    for (const kind of targets) results.push(await runSoak(kind, OPTIONS));
    const table: ScenarioOutput['table'] = {};
    for (const r of results) {
      table[r.target] = {
        'RSS start MB': r.rssStartMb, 'RSS max MB': r.rssMaxMb, 'RSS last MB': r.rssLastMb, 'slope 2nd half MB/min': r.secondHalfSlopeMbPerMin,
        'of minute minima': r.secondHalfMinimaSlopeMbPerMin,
        'CPU %': r.serverCpuPercent, writes: r.writes, 'failed writes': r.failedWrites + r.skippedWrites, 'write p99 ms': r.writeMs.p99,
        deliveries: `${r.receivedDeliveries}/${r.expectedDeliveries}`, reconnects: r.reconnects, 'failed opens': r.failedOpens,
        'unexpected closes': Object.values(r.unexpectedCloses).reduce((s, n) => s + n, 0),
      };
    }
    const plots = [{ file: 'soak-rss.svg', spec: soakRssSpec(results) }];
    return { results: results.map(({ samples: _samples, ...rest }) => rest), table, plots };
  },
};
