/**
 * npm run bench: write latency of the vault API while the hub fans out, measured as ratios against a
 * baseline taken in the same run (no absolute thresholds). Scenarios:
 *   baseline      cipher creates with no hub socket open
 *   fanout        the same with N sockets of the same user connected (each create is delivered to all of them)
 *   slow-readers  the same with N sockets of which 10% never read
 * Results are printed and written to bench/results/latest.json.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fork } from 'node:child_process';
import { createTestApp, TestApp } from '../test/support/app';
import { createLoginItem, createPbkdf2User, passwordLogin, TestAccount, WEB_VAULT } from '../test/support/test-crypto';

const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 1000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);

interface Stats { p50: number; p95: number; mean: number }

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p95: at(0.95), mean: samples.reduce((s, v) => s + v, 0) / samples.length };
}

async function timeCreates(t: TestApp, token: string, account: TestAccount): Promise<Stats> {
  const samples: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const started = process.hrtime.bigint();
    await createLoginItem(t.baseUrl, token, account, { name: `bench ${i}`, username: 'u', password: 'p', uri: 'https://bench.example' });
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return stats(samples);
}

interface Swarm { stop(): Promise<number>; settle(): Promise<number> }

/** Opens `count` hub sockets in a child process; `stop()` closes them and returns how many frames arrived. */
function openSockets(t: TestApp, token: string, count: number, slowShare: number): Promise<Swarm> {
  const url = `${t.baseUrl.replace('https://', 'wss://')}/notifications/hub`;
  const child = fork(join(__dirname, 'socket-swarm.js'), [url, token, String(count), String(slowShare)], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('message', (message: { ready?: boolean; error?: string }) => {
      if (!message.ready) return reject(new Error(message.error ?? 'swarm failed'));
      const ask = (what: 'count' | 'stop'): Promise<number> => new Promise<number>((done) => {
        child.once('message', (answer: { received: number }) => done(answer.received));
        child.send({ [what]: true });
      });
      resolve({
        stop: () => ask('stop'),
        /** Waits until no frame arrived for one second; returns the frames received so far. */
        settle: async () => {
          let last = -1;
          for (;;) {
            const now = await ask('count');
            if (now === last) return now;
            last = now;
            await new Promise((r) => setTimeout(r, 1_000));
          }
        },
      });
    });
  });
}

async function main(): Promise<void> {
  const t = await createTestApp({ HUB_MAX_CONNECTIONS_PER_USER: String(SOCKETS + 10), LOG_LEVEL: 'warn' });
  try {
    const account = await createPbkdf2User(t.baseUrl, `bench-${randomUUID()}@example.com`, 'pw', 5_000);
    const writer = (await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() })).access_token;
    const listener = (await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() })).access_token;

    await timeCreates(t, writer, account); // warm-up
    const baseline = await timeCreates(t, writer, account);

    const fan = await openSockets(t, listener, SOCKETS, 0);
    const fanout = await timeCreates(t, writer, account);
    const fanReceived = await fan.settle();
    await fan.stop();

    const slow = await openSockets(t, listener, SOCKETS, 0.1);
    const slowReaders = await timeCreates(t, writer, account);
    await slow.stop();

    const result = {
      date: new Date().toISOString(),
      node: process.version,
      sockets: SOCKETS,
      requests: REQUESTS,
      baselineMs: baseline,
      fanoutMs: fanout,
      slowReadersMs: slowReaders,
      ratios: {
        fanoutP50: fanout.p50 / baseline.p50,
        fanoutP95: fanout.p95 / baseline.p95,
        slowReadersP50: slowReaders.p50 / baseline.p50,
        slowReadersP95: slowReaders.p95 / baseline.p95,
      },
      /** Frames the fan-out sockets received in all (handshake replies, catch-up, pings and updates); */
      /** a socket whose queue overflowed got one SyncVault instead of the updates it missed. */
      framesReceivedByFanoutSockets: fanReceived,
      updatesSent: SOCKETS * REQUESTS,
    };
    console.table({
      baseline: baseline,
      [`fanout ${SOCKETS} sockets`]: fanout,
      [`${SOCKETS} sockets, 10% not reading`]: slowReaders,
    });
    console.log('ratios against baseline:', result.ratios);
    const dir = join(__dirname, '..', '..', 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await t.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
