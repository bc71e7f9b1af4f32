/**
 * npm run bench:delivery — delivery under write load on this server, the bare `ws` floor and, when
 * VAULTWARDEN_BIN is set, Vaultwarden, one after the other in the same run (docs/performance.md).
 * BENCH_USERS (100), BENCH_SOCKETS_PER_USER (10), BENCH_RATE (200 writes/s), BENCH_SECONDS (20), BENCH_TARGETS.
 * Writes bench/results/delivery.json and prints a table.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeliveryResult, runDelivery } from './scenarios/delivery';
import { latencyCdfSpec, plotSvg } from './lib/plot';
import { selectedTargets } from './lib/targets';

async function main(): Promise<void> {
  const options = {
    users: Number(process.env.BENCH_USERS ?? 100),
    socketsPerUser: Number(process.env.BENCH_SOCKETS_PER_USER ?? 10),
    rate: Number(process.env.BENCH_RATE ?? 200),
    seconds: Number(process.env.BENCH_SECONDS ?? 20),
  };
  const results: DeliveryResult[] = [];
  const dir = join(__dirname, '..', '..', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  for (const target of selectedTargets()) {
    console.log(`== ${target}`);
    try {
      results.push(await runDelivery(target, options));
    } catch (error) {
      // One target failing leaves the others' figures: they are written below all the same.
      console.error(`${target} failed:`, error);
    }
  }
  console.table(Object.fromEntries(results.map((r) => [r.target, {
    sockets: r.sockets, writes: r.writes, failed: r.failedWrites, missing: r.missingDeliveries,
    'start→recv p50': r.fromRequestStartMs.p50, 'p90': r.fromRequestStartMs.p90, 'p99': r.fromRequestStartMs.p99, max: r.fromRequestStartMs.max,
    'resp→recv p99': r.fromResponseMs.p99, 'write p99': r.writeMs.p99, 'cpu %': r.serverCpuPercent,
    'rss idle MB': r.rssIdleMb, 'KB/socket': r.rssPerSocketKb, 'rss after MB': r.rssAfterWritesMb,
  }])));
  const samples = Object.fromEntries(results.map((r) => [r.target, r.samples ?? []]));
  const summary = results.map(({ samples: _samples, ...rest }) => rest);
  writeFileSync(join(dir, 'delivery.json'), `${JSON.stringify({ date: new Date().toISOString(), node: process.version, results: summary }, null, 2)}\n`);
  const sockets = results[0]?.sockets ?? 0;
  await plotSvg(join(dir, 'delivery-latency.svg'), latencyCdfSpec(
    `Delivery latency from the write's request start (${sockets} sockets, ${options.rate} writes/s)`, samples));
  console.log(`wrote ${join(dir, 'delivery.json')} and delivery-latency.svg`);
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
