/**
 * Delivery under write load, per target: USERS accounts with SOCKETS_PER_USER MessagePack hub sockets each
 * (held by a separate process), then RATE cipher creates a second for SECONDS, each by one of the users; every
 * create must reach that user's sockets. Measured: delivery latency from the write's request start and from
 * its response (p50/p90/p99/max), missing deliveries, write latency, the server's CPU during the writes, and
 * its RSS idle, with the sockets open, and after the writes.
 */
import { provisionUsers } from '../lib/accounts';
import { deliverySwarm } from '../lib/delivery-swarm-client';
import { latencyCdfSpec } from '../lib/plot';
import { Scenario } from '../lib/scenario';
import { distribution, Distribution } from '../lib/stats';
import { sampleProcess, startTarget, TargetKind } from '../lib/targets';

const now = (): number => performance.timeOrigin + performance.now();

export interface DeliveryOptions { users: number; socketsPerUser: number; rate: number; seconds: number }

export interface DeliveryResult {
  target: TargetKind;
  options: DeliveryOptions;
  sockets: number;
  writes: number;
  failedWrites: number;
  expectedDeliveries: number;
  missingDeliveries: number;
  fromRequestStartMs: Distribution;
  fromResponseMs: Distribution;
  writeMs: Distribution;
  serverCpuPercent: number;
  rssIdleMb: number;
  rssWithSocketsMb: number;
  rssAfterWritesMb: number;
  rssPerSocketKb: number;
  /** Every delivery latency from request start, for the plots (not written to the JSON). */
  samples?: number[];
}

export async function runDelivery(kind: TargetKind, options: DeliveryOptions): Promise<DeliveryResult> {
  const target = await startTarget(kind);
  try {
    const writers = await provisionUsers(target, options.users);
    await new Promise((r) => setTimeout(r, 2_000));
    const idle = sampleProcess(target.pid);
    const sockets = deliverySwarm();
    await sockets.ask({}, (r) => r.ready === true);
    const opened = await sockets.ask({ open: { hubUrl: target.hubUrl, tokens: writers.map((w) => w.token), perToken: options.socketsPerUser } }, (r) => r.opened !== undefined);
    await new Promise((r) => setTimeout(r, 2_000));
    const withSockets = sampleProcess(target.pid);

    const writes: Array<{ id: string | null; start: number; end: number }> = [];
    const total = options.rate * options.seconds;
    const began = now();
    const pending: Array<Promise<void>> = [];
    for (let i = 0; i < total; i += 1) {
      const due = began + (i * 1000) / options.rate;
      const wait = due - now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const writer = writers[i % writers.length]!;
      pending.push((async () => {
        const start = now();
        try {
          const res = await fetch(`${target.baseUrl}/api/ciphers`, {
            method: 'POST', headers: { Authorization: `Bearer ${writer.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(writer.body()),
          });
          const json = (await res.json()) as { id?: string };
          writes.push({ id: res.ok && json.id ? json.id.toLowerCase() : null, start, end: now() });
        } catch {
          writes.push({ id: null, start, end: now() });
        }
      })());
    }
    await Promise.all(pending);
    const cpuAfterWrites = sampleProcess(target.pid);
    await new Promise((r) => setTimeout(r, 3_000)); // let the last deliveries land
    const after = sampleProcess(target.pid);
    const report = await sockets.ask({ report: true }, (r) => r.receipts !== undefined);
    await sockets.ask({ close: true }, (r) => r.closed === true);

    const fromStart: number[] = [];
    const fromResponse: number[] = [];
    let missing = 0;
    for (const write of writes) {
      if (!write.id) continue;
      const times = report.receipts![write.id] ?? [];
      missing += Math.max(0, options.socketsPerUser - times.length);
      for (const at of times) {
        fromStart.push(at - write.start);
        fromResponse.push(at - write.end);
      }
    }
    const elapsedMs = writes.reduce((m, w) => Math.max(m, w.end), began) - began;
    const mb = (kb: number): number => Math.round((kb / 1024) * 10) / 10;
    const ok = writes.filter((w) => w.id);
    return {
      target: kind,
      options,
      sockets: opened.opened ?? 0,
      writes: writes.length,
      failedWrites: writes.length - ok.length,
      expectedDeliveries: ok.length * options.socketsPerUser,
      missingDeliveries: missing,
      fromRequestStartMs: distribution(fromStart),
      fromResponseMs: distribution(fromResponse),
      writeMs: distribution(ok.map((w) => w.end - w.start)),
      serverCpuPercent: Math.round(((cpuAfterWrites.cpuMs - withSockets.cpuMs) / elapsedMs) * 1000) / 10,
      rssIdleMb: mb(idle.rssKb),
      rssWithSocketsMb: mb(withSockets.rssKb),
      rssAfterWritesMb: mb(after.rssKb),
      rssPerSocketKb: Math.round(((withSockets.rssKb - idle.rssKb) / Math.max(1, opened.opened ?? 1)) * 10) / 10,
      samples: fromStart,
    };
  } finally {
    await target.stop();
  }
}

/** The delivery scenario for the suite: BENCH_USERS (1000), BENCH_SOCKETS_PER_USER (10), BENCH_RATE (200), BENCH_SECONDS (20). */
export const deliveryScenario: Scenario = {
  name: 'delivery',
  title: 'delivery under write load: latency from request start and from response, CPU, memory',
  async run(targets) {
    const options: DeliveryOptions = {
      users: Number(process.env.BENCH_USERS ?? 1000),
      socketsPerUser: Number(process.env.BENCH_SOCKETS_PER_USER ?? 10),
      rate: Number(process.env.BENCH_RATE ?? 200),
      seconds: Number(process.env.BENCH_SECONDS ?? 20),
    };
    const results: DeliveryResult[] = [];
    for (const target of targets) {
      console.log(`delivery: ${target}`);
      results.push(await runDelivery(target, options));
    }
    const table = Object.fromEntries(results.map((r) => [r.target, {
      sockets: r.sockets, writes: r.writes, failed: r.failedWrites, missing: r.missingDeliveries,
      'start→recv p50': r.fromRequestStartMs.p50, p90: r.fromRequestStartMs.p90, p99: r.fromRequestStartMs.p99, max: r.fromRequestStartMs.max,
      'resp→recv p99': r.fromResponseMs.p99, 'write p99': r.writeMs.p99, 'cpu %': r.serverCpuPercent,
      'rss idle MB': r.rssIdleMb, 'KB/socket': r.rssPerSocketKb, 'rss after MB': r.rssAfterWritesMb,
    }]));
    const samples = Object.fromEntries(results.map((r) => [r.target, r.samples ?? []]));
    return {
      results: { options, targets: results.map(({ samples: _samples, ...rest }) => rest) },
      table,
      plots: [{
        file: 'delivery-latency.svg',
        spec: latencyCdfSpec(`Delivery latency from the write's request start (${results[0]?.sockets ?? 0} sockets, ${options.rate} writes/s)`, samples),
      }],
    };
  },
};
