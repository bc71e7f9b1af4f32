/**
 * The two in-process scenarios (this server only, started by the test harness in the bench's own process, at
 * LOG_LEVEL=warn), measured as ratios against a baseline taken in the same run:
 *   fanout       cipher-write latency with no hub socket open (baseline), with BENCH_SOCKETS (1000) sockets of
 *                the same user connected (each create is delivered to all of them), and with 10% of them never
 *                reading; BENCH_REQUESTS (300) creates each
 *   login-storm  honest-login latency and hub delivery latency (create → receipt on another device's socket),
 *                quiet and then while a separate process sends BENCH_STORM_RATE (200) wrong-password logins a
 *                second from ever-new addresses, with the production hash cost (600,000 iterations): on the
 *                owner's account (`account`), and sprayed over unknown emails (`spray`, every guess hashes)
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fork } from 'node:child_process';
import { createTestApp, TestApp } from '../../test/support/app';
import { HubClient } from '../../test/support/hub-client';
import { createLoginItem, createPbkdf2User, passwordLogin, TestAccount, WEB_VAULT } from '../../test/support/test-crypto';
import { Scenario } from '../lib/scenario';

const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 1000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
const STORM_RATE = Number(process.env.BENCH_STORM_RATE ?? 200);
const STORM_SAMPLES = Number(process.env.BENCH_STORM_SAMPLES ?? 40);

interface Stats { p50: number; p95: number; p99: number; mean: number }

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), mean: samples.reduce((s, v) => s + v, 0) / samples.length };
}

const since = (started: bigint): number => Number(process.hrtime.bigint() - started) / 1e6;

interface StormSample { loginMs: Stats; loginStatuses: Record<string, number>; deliveryMs: Stats }

/**
 * STORM_SAMPLES honest logins from the owner's known device (a 503 is retried after its Retry-After, and the
 * whole wait counts), each followed by a cipher create whose delivery to the hub client is timed.
 */
async function honestTraffic(t: TestApp, account: TestAccount, device: string, writer: string, hub: HubClient): Promise<StormSample> {
  const logins: number[] = [];
  const deliveries: number[] = [];
  const statuses: Record<string, number> = {};
  for (let i = 0; i < STORM_SAMPLES; i++) {
    const started = process.hrtime.bigint();
    for (;;) {
      const res = await fetch(`${t.baseUrl}/identity/connect/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Real-IP': '192.0.2.1' },
        body: new URLSearchParams({
          grant_type: 'password', username: account.email, password: account.masterPasswordHash, scope: 'api offline_access', client_id: 'web',
          deviceType: '9', deviceIdentifier: device, deviceName: 'chrome',
        }).toString(),
      });
      await res.arrayBuffer();
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status === 200) break;
      if (res.status !== 503) throw new Error(`honest login answered ${res.status}`);
      await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? '1') * 1000));
    }
    logins.push(since(started));
    const name = `storm ${i} ${randomUUID()}`;
    const sent = process.hrtime.bigint();
    const created = createLoginItem(t.baseUrl, writer, account, { name, username: 'u', password: 'p', uri: 'https://bench.example' });
    const item = (await created) as { id: string };
    await hub.waitFor((n) => n.Type === 1 && n.Payload.Id === item.id, 30_000);
    deliveries.push(since(sent));
  }
  return { loginMs: stats(logins), loginStatuses: statuses, deliveryMs: stats(deliveries) };
}

/** Starts the storm in its own process; `stop()` ends it and returns what it sent and got back. */
function startStorm(t: TestApp, email: string, mode: StormMode): Promise<{ stop(): Promise<{ sent: number; seconds: number; statuses: Record<string, number> }> }> {
  const child = fork(join(__dirname, '..', 'lib', 'storm-process.js'), [t.baseUrl, email, String(STORM_RATE), mode], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('message', (message: { ready?: boolean }) => {
      if (!message.ready) return reject(new Error('storm failed to start'));
      resolve({
        stop: () => new Promise((done) => {
          child.once('message', (report: { sent: number; seconds: number; statuses: Record<string, number> }) => done(report));
          child.send({ stop: true });
        }),
      });
    });
  });
}

type StormMode = 'account' | 'spray';

async function loginStorm(mode: StormMode): Promise<Record<string, unknown>> {
  const t = await createTestApp({ PASSWORD_ITERATIONS: '600000', LOG_LEVEL: 'warn' });
  try {
    const account = await createPbkdf2User(t.baseUrl, `storm-${randomUUID()}@example.com`, 'pw', 5_000);
    const device = randomUUID();
    const writer = (await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: device })).access_token;
    const listener = (await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() })).access_token;
    const hub = await HubClient.connect(t.baseUrl, listener);
    try {
      await honestTraffic(t, account, device, writer, hub); // warm-up
      const quiet = await honestTraffic(t, account, device, writer, hub);
      const storm = await startStorm(t, account.email, mode);
      await new Promise((r) => setTimeout(r, 2_000)); // let the storm fill the gate
      const stormy = await honestTraffic(t, account, device, writer, hub);
      const attack = await storm.stop();
      return {
        mode,
        stormRatePerSecond: STORM_RATE,
        attack: { ...attack, achievedPerSecond: attack.sent / attack.seconds },
        quiet,
        storm: stormy,
        ratios: {
          loginP50: stormy.loginMs.p50 / quiet.loginMs.p50,
          loginP99: stormy.loginMs.p99 / quiet.loginMs.p99,
          deliveryP50: stormy.deliveryMs.p50 / quiet.deliveryMs.p50,
          deliveryP99: stormy.deliveryMs.p99 / quiet.deliveryMs.p99,
        },
      };
    } finally {
      await hub.connection.stop();
    }
  } finally {
    await t.close();
  }
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
  const child = fork(join(__dirname, '..', 'lib', 'socket-swarm.js'), [url, token, String(count), String(slowShare)], { stdio: 'inherit' });
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

async function fanout(): Promise<Record<string, unknown>> {
  const t = await createTestApp({ HUB_MAX_CONNECTIONS_PER_USER: String(SOCKETS + 10), HUB_MAX_CONNECTIONS_PER_IP: String(SOCKETS + 10), LOG_LEVEL: 'warn' });
  try {
    const account = await createPbkdf2User(t.baseUrl, `bench-${randomUUID()}@example.com`, 'pw', 5_000);
    const writer = (await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() })).access_token;
    const listener = (await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() })).access_token;

    await timeCreates(t, writer, account); // warm-up
    const baseline = await timeCreates(t, writer, account);

    const fan = await openSockets(t, listener, SOCKETS, 0);
    const fanoutMs = await timeCreates(t, writer, account);
    const fanReceived = await fan.settle();
    await fan.stop();

    const slow = await openSockets(t, listener, SOCKETS, 0.1);
    const slowReaders = await timeCreates(t, writer, account);
    await slow.stop();
    return {
      sockets: SOCKETS,
      requests: REQUESTS,
      baselineMs: baseline,
      fanoutMs,
      slowReadersMs: slowReaders,
      ratios: {
        fanoutP50: fanoutMs.p50 / baseline.p50,
        fanoutP95: fanoutMs.p95 / baseline.p95,
        slowReadersP50: slowReaders.p50 / baseline.p50,
        slowReadersP95: slowReaders.p95 / baseline.p95,
      },
      /** Frames the fan-out sockets received in all (handshake replies, catch-up, pings and updates); a socket */
      /** whose queue overflowed got one SyncVault instead of the updates it missed. */
      framesReceivedByFanoutSockets: fanReceived,
      updatesSent: SOCKETS * REQUESTS,
    };
  } finally {
    await t.close();
  }
}

const round = (v: number): number => Math.round(v * 10) / 10;
const row = (s: Stats): Record<string, number> => ({ p50: round(s.p50), p95: round(s.p95), p99: round(s.p99), mean: round(s.mean) });

/** In-process fan-out (this server only; the other targets are not used). */
export const fanoutScenario: Scenario = {
  name: 'fanout',
  title: 'cipher-write latency while the hub fans each change out (in-process, ratios to a no-socket baseline)',
  async run() {
    const result = await fanout();
    const ms = result as unknown as { baselineMs: Stats; fanoutMs: Stats; slowReadersMs: Stats };
    return {
      results: result,
      table: {
        baseline: row(ms.baselineMs),
        [`fanout ${SOCKETS} sockets`]: row(ms.fanoutMs),
        [`${SOCKETS} sockets, 10% not reading`]: row(ms.slowReadersMs),
      },
    };
  },
};

/** Login storm on this server (in-process), in the modes of BENCH_STORM_MODES (account,spray). */
export const loginStormScenario: Scenario = {
  name: 'login-storm',
  title: 'honest logins and hub delivery while 200 wrong-password logins a second arrive',
  async run() {
    const results: Record<string, Record<string, unknown>> = {};
    const table: Record<string, Record<string, string | number>> = {};
    for (const mode of (process.env.BENCH_STORM_MODES ?? 'account,spray').split(',') as StormMode[]) {
      const result = await loginStorm(mode);
      results[mode] = result;
      const quiet = result.quiet as StormSample;
      const storm = result.storm as StormSample;
      table[`${mode}: quiet`] = { 'login p50': round(quiet.loginMs.p50), 'login p99': round(quiet.loginMs.p99), 'delivery p50': round(quiet.deliveryMs.p50), 'delivery p99': round(quiet.deliveryMs.p99) };
      table[`${mode}: storm`] = { 'login p50': round(storm.loginMs.p50), 'login p99': round(storm.loginMs.p99), 'delivery p50': round(storm.deliveryMs.p50), 'delivery p99': round(storm.deliveryMs.p99) };
    }
    return { results, table };
  },
};
