/**
 * Write throughput: cipher creates (POST /api/ciphers) and then updates (PUT /api/ciphers/{id}, a new name on an
 * item created before), in a closed loop: CONCURRENCY writers, spread over USERS accounts, each sending its next
 * write as soon as the last one is answered, for SECONDS per phase after a short warm-up of creates. Each user
 * writes from a web-vault session and, where push is on, also has an Android device whose push token was
 * registered at the relay stand-in at login, so every write also queues a push (the outbox; bench/lib/relay.ts).
 *
 * Configurations, each on a fresh server and database:
 *   vaultwave on SQLite, push off, then with the relay healthy, slow (every relay request answered after 10 s;
 *     the relay timeout is raised to 30 s so that these answers land) and down (connection refused);
 *   vaultwave on PostgreSQL (a fresh database on TEST_POSTGRES_URL or BENCH_POSTGRES_URL), relay healthy and down;
 *   Vaultwarden on SQLite, push off (its own relay is not measured).
 * Measured per configuration and phase: successful writes a second, latency of every write (p50/p99/max),
 * errors (non-2xx or no answer within 60 s), the server's CPU (share of one core), and the pushes the stand-in
 * accepted during the phase (fewer than the writes: a user's pending cipher pushes collapse into one). The
 * relay runs with the stand-in's settings (up to 200 relay requests a second, retries from 50 ms to 1 s): the
 * most relay work the push worker can do while the writes go on. BENCH_WRITES_ONLY picks configurations.
 */
import { createPostgresDatabase } from '../../test/support/services';
import { loginCipherRequest } from '../../test/support/test-crypto';
import { mobileLogin, openAccount } from '../lib/accounts';
import { BenchRelay, RelayCondition } from '../lib/relay';
import { Scenario, ScenarioOutput } from '../lib/scenario';
import { distribution, Distribution } from '../lib/stats';
import { sampleProcess, startTarget, Target, TargetKind } from '../lib/targets';

const SECONDS = Number(process.env.BENCH_WRITES_SECONDS ?? 15);
const CONCURRENCY = Number(process.env.BENCH_WRITES_CONCURRENCY ?? 16);
const USERS = Number(process.env.BENCH_WRITES_USERS ?? 8);
/** Only the configurations whose label contains one of these (comma-separated), e.g. `sqlite relay`. */
const ONLY = process.env.BENCH_WRITES_ONLY?.split(',').map((s) => s.trim()).filter(Boolean) ?? [];
const WARMUP_SECONDS = Math.min(2, SECONDS);
const SLOW_RELAY_MS = 10_000;
/** A write not answered within this counts as an error (and frees its writer). */
const WRITE_TIMEOUT_MS = 60_000;
/** Encrypted bodies made up front per user and phase, so the writers spend their time sending. */
const BODIES = 16;

type Phase = 'creates' | 'updates';

interface Configuration {
  label: string;
  kind: 'vaultwave' | 'vaultwarden';
  database: 'sqlite' | 'postgresql';
  /** null: push off. */
  relay: RelayCondition | null;
}

export interface PhaseResult {
  configuration: string;
  phase: Phase;
  seconds: number;
  writes: number;
  errors: number;
  /** Error answers by status ('network' when none came). */
  errorStatuses: Record<string, number>;
  writesPerSecond: number;
  latencyMs: Distribution;
  serverCpuPercent: number;
  /** Relay sends the stand-in accepted during the phase (null: push off). */
  pushesAccepted: number | null;
}

interface BenchUser {
  token: string;
  creates: unknown[];
  updates: unknown[];
  /** Items created so far (the updates rename them). */
  ids: string[];
  next: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** USERS accounts, registered and logged in as the official clients do (four at a time: hashing is gated). */
async function provision(target: Target, mobile: boolean): Promise<BenchUser[]> {
  const users: BenchUser[] = [];
  for (let i = 0; i < USERS; i += 4) {
    users.push(...await Promise.all(Array.from({ length: Math.min(4, USERS - i) }, async () => {
      const { account, token, userId } = await openAccount(target);
      if (mobile) await mobileLogin(target.baseUrl, account);
      const body = (name: string): unknown => loginCipherRequest(account, userId, { name, username: 'u', password: 'p', uri: 'https://bench.example' });
      return {
        token, ids: [], next: 0,
        creates: Array.from({ length: BODIES }, (_, n) => body(`item ${n}`)),
        updates: Array.from({ length: BODIES }, (_, n) => body(`renamed ${n}`)),
      };
    })));
  }
  return users;
}

/** One write; the status, or 'network' when no answer came. */
async function write(target: Target, user: BenchUser, phase: Phase): Promise<number | 'network'> {
  const n = user.next++;
  const update = phase === 'updates';
  const id = update ? user.ids[n % user.ids.length] : undefined;
  try {
    const res = await fetch(`${target.baseUrl}/api/ciphers${update ? `/${id}` : ''}`, {
      method: update ? 'PUT' : 'POST', signal: AbortSignal.timeout(WRITE_TIMEOUT_MS),
      headers: { Authorization: `Bearer ${user.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify((update ? user.updates : user.creates)[n % BODIES]),
    });
    const text = await res.text();
    if (res.ok && !update) user.ids.push(String((JSON.parse(text) as { id: string }).id));
    return res.status;
  } catch {
    return 'network';
  }
}

/** CONCURRENCY writers in a closed loop for `seconds`; writer w writes as user w mod USERS. */
async function runPhase(target: Target, users: BenchUser[], phase: Phase, seconds: number): Promise<Omit<PhaseResult, 'configuration' | 'pushesAccepted'>> {
  if (phase === 'updates' && users.some((u) => u.ids.length === 0)) throw new Error('a user has no item to update: every create failed');
  const latencies: number[] = [];
  const errorStatuses: Record<string, number> = {};
  const cpuBefore = sampleProcess(target.pid).cpuMs;
  const began = performance.now();
  const stopAt = began + seconds * 1000;
  await Promise.all(Array.from({ length: CONCURRENCY }, async (_, w) => {
    const user = users[w % users.length]!;
    while (performance.now() < stopAt) {
      const start = performance.now();
      const status = await write(target, user, phase);
      latencies.push(performance.now() - start);
      if (status === 'network' || status < 200 || status > 299) errorStatuses[status] = (errorStatuses[status] ?? 0) + 1;
    }
  }));
  const elapsedMs = performance.now() - began;
  const cpuMs = sampleProcess(target.pid).cpuMs - cpuBefore;
  const errors = Object.values(errorStatuses).reduce((s, n) => s + n, 0);
  return {
    phase, seconds: Math.round(elapsedMs) / 1000, writes: latencies.length, errors, errorStatuses,
    writesPerSecond: Math.round(((latencies.length - errors) / elapsedMs) * 10_000) / 10,
    latencyMs: distribution(latencies),
    serverCpuPercent: Math.round((cpuMs / elapsedMs) * 1000) / 10,
  };
}

/** A fresh PostgreSQL database, or null when no server is configured. */
async function postgresDatabase(): Promise<{ url: string; drop(): Promise<void> } | null> {
  const admin = process.env.TEST_POSTGRES_URL ?? process.env.BENCH_POSTGRES_URL;
  if (!admin) return null;
  const saved = process.env.TEST_POSTGRES_URL;
  process.env.TEST_POSTGRES_URL = admin; // createPostgresDatabase reads it
  try {
    return await createPostgresDatabase('vault_bench');
  } finally {
    if (saved === undefined) delete process.env.TEST_POSTGRES_URL;
  }
}

async function runConfiguration(config: Configuration): Promise<PhaseResult[]> {
  const database = config.database === 'postgresql' ? await postgresDatabase() : null;
  const relay = config.relay ? await BenchRelay.start() : null;
  const env: Record<string, string> = {
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...(relay ? relay.env(config.relay === 'slow' ? { PUSH_RELAY_TIMEOUT_SECONDS: '30' } : {}) : {}),
  };
  let target: Target | null = null;
  try {
    target = await startTarget(config.kind, env);
    const users = await provision(target, relay !== null);
    if (relay) {
      await relay.waitForRegisters(users.length);
      await relay.setCondition(config.relay!, SLOW_RELAY_MS);
    }
    await runPhase(target, users, 'creates', WARMUP_SECONDS);
    const results: PhaseResult[] = [];
    for (const phase of ['creates', 'updates'] as const) {
      const from = Date.now();
      const measured = await runPhase(target, users, phase, SECONDS);
      results.push({ configuration: config.label, ...measured, pushesAccepted: relay ? relay.sendsAccepted(from, Date.now()) : null });
    }
    return results;
  } finally {
    await target?.stop();
    await relay?.close();
    await database?.drop();
  }
}

/** Writes/s and p99 per configuration, creates and updates side by side. */
export function writesSpec(results: PhaseResult[]): Record<string, unknown> {
  const values = results.map((r) => ({ configuration: r.configuration, phase: r.phase, writesPerSecond: r.writesPerSecond, p99Ms: r.latencyMs.p99 }));
  const bars = (field: string, title: string, labels: boolean): Record<string, unknown> => ({
    width: 280, mark: 'bar',
    encoding: {
      y: { field: 'configuration', type: 'nominal', sort: null, title: null, axis: labels ? { labelLimit: 400 } : { labels: false, ticks: false } },
      yOffset: { field: 'phase', type: 'nominal' },
      x: { field, type: 'quantitative', title },
      color: { field: 'phase', type: 'nominal', title: null },
    },
  });
  return {
    title: `Cipher writes, ${CONCURRENCY} concurrent writers over ${USERS} users`, data: { values },
    hconcat: [bars('writesPerSecond', 'writes per second', true), bars('p99Ms', 'p99 latency (ms)', false)],
  };
}

export const writesScenario: Scenario = {
  name: 'writes',
  title: 'Write throughput (cipher create, update) on SQLite and PostgreSQL, relay healthy, slow and down',
  async run(targets: TargetKind[]): Promise<ScenarioOutput> {
    const configurations: Configuration[] = [];
    const skipped: string[] = [];
    if (targets.includes('vaultwave')) {
      configurations.push({ label: 'vaultwave sqlite no push', kind: 'vaultwave', database: 'sqlite', relay: null });
      for (const relay of ['healthy', 'slow', 'down'] as const) {
        configurations.push({ label: `vaultwave sqlite relay ${relay}`, kind: 'vaultwave', database: 'sqlite', relay });
      }
      if (process.env.TEST_POSTGRES_URL || process.env.BENCH_POSTGRES_URL) {
        for (const relay of ['healthy', 'down'] as const) {
          configurations.push({ label: `vaultwave postgresql relay ${relay}`, kind: 'vaultwave', database: 'postgresql', relay });
        }
      } else {
        skipped.push('vaultwave postgresql: TEST_POSTGRES_URL and BENCH_POSTGRES_URL unset');
      }
    }
    if (targets.includes('vaultwarden')) configurations.push({ label: 'vaultwarden sqlite', kind: 'vaultwarden', database: 'sqlite', relay: null });
    for (const line of skipped) console.log(`writes: skipped ${line}`);

    const results: PhaseResult[] = [];
    for (const config of configurations.filter((c) => ONLY.length === 0 || ONLY.some((o) => c.label.includes(o)))) {
      console.log(`writes: ${config.label}`);
      results.push(...await runConfiguration(config));
      await sleep(1_000);
    }
    const table: ScenarioOutput['table'] = {};
    for (const r of results) {
      table[`${r.configuration} ${r.phase}`] = {
        'writes/s': r.writesPerSecond, 'p50 ms': r.latencyMs.p50, 'p99 ms': r.latencyMs.p99, 'max ms': r.latencyMs.max,
        errors: r.errors, 'server CPU %': r.serverCpuPercent, 'pushes accepted': r.pushesAccepted ?? '-',
      };
    }
    return {
      results: { options: { seconds: SECONDS, concurrency: CONCURRENCY, users: USERS, warmupSeconds: WARMUP_SECONDS, slowRelayMs: SLOW_RELAY_MS }, skipped, phases: results },
      table,
      plots: [{ file: 'writes-throughput.svg', spec: writesSpec(results) }],
    };
  },
};
