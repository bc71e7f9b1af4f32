/**
 * Full sync, per target (this server and Vaultwarden, same run): one account whose vault grows to each size of
 * BENCH_SYNC_SIZES (default 100, 1,000 and 5,000 ciphers, cumulative), then `GET /api/sync?excludeDomains=true`
 * with the web vault's headers (Accept-Encoding as a browser sends it), one request at a time over a kept-alive
 * connection: a few warm-ups, then BENCH_SYNC_REQUESTS (default 50) timed from the request's start to the last
 * byte of the body.
 *
 * The vault is what the clients upload: login items whose every field is an EncString (type 2) under a per-item
 * key wrapped by the user key, with one or two URIs and their checksums, and in a share of the items notes of a
 * few hundred characters, a TOTP, custom fields, a password history, a favourite mark; ten folders. Plaintexts come
 * from a seeded generator, so both servers hold vaults of the same sizes. Items are uploaded with
 * `POST /api/ciphers/import` in batches, as the web vault's importer does.
 *
 * Measured per size: latency p50/p90/p99/max; bytes of the body uncompressed (a request without Accept-Encoding)
 * and as sent to the browser-like request, with its Content-Encoding; the server's CPU time per sync (user +
 * system, from /proc, over the timed requests); its RSS afterwards. Each response's status is checked and the
 * uncompressed one is parsed to check that it holds every cipher and folder.
 */
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { encryptType2, SymmetricKey, uriChecksum } from '../../test/support/test-crypto';
import { BenchAccount, openAccount } from '../lib/accounts';
import { Scenario, ScenarioOutput } from '../lib/scenario';
import { distribution, Distribution } from '../lib/stats';
import { sampleProcess, startTarget, Target, TargetKind } from '../lib/targets';

const WARM_UPS = 3;
const IMPORT_BATCH = 200;
const FOLDERS = 10;

/** What the web vault sends with its sync (a browser adds the Accept-Encoding). */
const WEB_VAULT_HEADERS = {
  Accept: 'application/json', 'Device-Type': '9', 'Bitwarden-Client-Name': 'web', 'Bitwarden-Client-Version': '2026.6.0',
  'Cache-Control': 'no-store', Pragma: 'no-cache',
};
const BROWSER_ENCODINGS = 'gzip, deflate, br, zstd';

export interface SyncPoint {
  target: TargetKind;
  ciphers: number;
  folders: number;
  requests: number;
  ms: Distribution;
  /** Body bytes with no Accept-Encoding. */
  bytes: number;
  /** Body bytes as sent to the timed, browser-like requests, and their Content-Encoding (null: not compressed). */
  wireBytes: number;
  contentEncoding: string | null;
  serverCpuMsPerSync: number;
  rssAfterMb: number;
  /** Time to upload the ciphers added for this size, per cipher (setup cost, not the measure). */
  importMsPerCipher: number;
}

function sizes(): number[] {
  const asked = (process.env.BENCH_SYNC_SIZES ?? '100,1000,5000').split(',').map((s) => Number(s.trim()));
  if (asked.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('BENCH_SYNC_SIZES: positive integers, comma-separated');
  return [...new Set(asked)].sort((a, b) => a - b);
}

// ---------------------------------------------------------------------------------------------------------
// The vault's contents
// ---------------------------------------------------------------------------------------------------------

/** mulberry32: the same plaintexts (and so the same sizes) on every target. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SITES = ['github.com', 'mail.example.org', 'bank.example.com', 'shop.example.net', 'intranet.corp.example', 'news.example.co.uk', 'forum.example.io', 'cloud.example.dev'];
const WORDS = 'the account was opened for the family plan recovery codes are kept in the safe call support before changing the billing address security question answers below pin for the door is not this one'.split(' ');

function text(random: () => number, length: number, alphabet: string): string {
  let out = '';
  while (out.length < length) out += alphabet[Math.floor(random() * alphabet.length)];
  return out;
}

function prose(random: () => number, length: number): string {
  let out = '';
  while (out.length < length) out += `${WORDS[Math.floor(random() * WORDS.length)]}${random() < 0.1 ? '.\n' : ' '}`;
  return out.slice(0, length);
}

/** Body of one login item, as a current client uploads it (per-item key, every field encrypted under it). */
function loginItem(index: number, owner: BenchAccount, folderCount: number): { body: Record<string, unknown>; folder: number | null } {
  const random = seeded(index + 1);
  const chance = (p: number): boolean => random() < p;
  const userKey: SymmetricKey = owner.account.secrets.userKey;
  const itemKey = randomBytes(64);
  const enc = (plain: string): string => encryptType2(plain, itemKey);
  const site = SITES[index % SITES.length]!;
  const password = (): string => text(random, 14 + Math.floor(random() * 18), 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!@#$%^&*');
  const uris = [`https://${site}/login`, ...(chance(0.3) ? [`https://accounts.${site}/`] : [])];
  const history = chance(0.25) ? Array.from({ length: 1 + Math.floor(random() * 4) }, (_, n) => ({
    lastUsedDate: new Date(Date.UTC(2024, n, 1 + (index % 28))).toISOString(), password: enc(password()),
  })) : [];
  const fields = chance(0.2) ? Array.from({ length: 1 + Math.floor(random() * 3) }, (_, n) => ({
    type: n % 2, name: enc(n % 2 ? 'PIN' : 'Security question'), value: enc(prose(random, 10 + Math.floor(random() * 30))), linkedId: null,
  })) : [];
  const body = {
    type: 1, organizationId: null, folderId: null, encryptedFor: owner.userId, favorite: chance(0.05), reprompt: 0,
    key: encryptType2(itemKey, userKey),
    name: enc(`${site.split('.')[0]} ${index}`),
    notes: chance(0.5) ? enc(prose(random, 100 + Math.floor(random() * 500))) : null,
    login: {
      username: enc(`user${index}@example.com`), password: enc(password()),
      totp: chance(0.1) ? enc(`otpauth://totp/${site}:user${index}?secret=${text(random, 32, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}&issuer=${site}`) : null,
      passwordRevisionDate: history.length > 0 ? new Date(Date.UTC(2025, 0, 1)).toISOString() : null,
      uris: uris.map((uri) => ({ uri: enc(uri), match: null, uriChecksum: uriChecksum(uri, itemKey) })),
      fido2Credentials: [],
    },
    fields, passwordHistory: history, lastKnownRevisionDate: null,
  };
  return { body, folder: chance(0.7) ? index % folderCount : null };
}

// ---------------------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------------------

interface Reply { status: number; ms: number; bytes: number; encoding: string | null; body?: Buffer }

/** One GET over the kept-alive agent, timed from the call to the body's last byte; the body kept only if asked. */
function get(target: Target, agent: Agent, path: string, headers: Record<string, string>, keepBody = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(`${target.baseUrl}${path}`, { agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (keepBody) chunks.push(chunk);
      });
      res.on('end', () => resolve({
        status: res.statusCode ?? 0, ms: performance.now() - started, bytes, encoding: res.headers['content-encoding'] ?? null,
        ...(keepBody ? { body: Buffer.concat(chunks) } : {}),
      }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function postJson(target: Target, token: string, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${target.baseUrl}${path}`, {
    method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(body),
  });
  const reply = await res.text();
  if (!res.ok) throw new Error(`${target.kind} ${path}: HTTP ${res.status} ${reply.slice(0, 300)}`);
  return reply === '' ? null : (JSON.parse(reply) as unknown);
}

/** Adds the items [from, to) with the importer's request, in batches, every batch naming the existing folders. */
async function importItems(target: Target, owner: BenchAccount, folders: Array<{ id: string; name: string }>, from: number, to: number): Promise<void> {
  for (let start = from; start < to; start += IMPORT_BATCH) {
    const items = Array.from({ length: Math.min(IMPORT_BATCH, to - start) }, (_, n) => loginItem(start + n, owner, folders.length));
    const folderRelationships = items.flatMap((item, key) => (item.folder === null ? [] : [{ key, value: item.folder }]));
    await postJson(target, owner.token, '/api/ciphers/import', { ciphers: items.map((i) => i.body), folders, folderRelationships });
  }
}

/** The number of ciphers and folders in a sync body, whichever key case the server uses. */
function countSync(body: Buffer): { ciphers: number; folders: number } {
  const json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  const length = (a: unknown, b: unknown): number => (Array.isArray(a) ? a.length : Array.isArray(b) ? b.length : -1);
  return { ciphers: length(json.ciphers, json.Ciphers), folders: length(json.folders, json.Folders) };
}

// ---------------------------------------------------------------------------------------------------------
// The measure
// ---------------------------------------------------------------------------------------------------------

async function runTarget(kind: TargetKind, counts: number[], requests: number): Promise<SyncPoint[]> {
  const target = await startTarget(kind);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const owner = await openAccount(target);
    const folders: Array<{ id: string; name: string }> = [];
    for (let i = 0; i < FOLDERS; i += 1) {
      const name = encryptType2(`Folder ${i}`, owner.account.secrets.userKey);
      const created = (await postJson(target, owner.token, '/api/folders', { name })) as { id?: string; Id?: string };
      folders.push({ id: String(created.id ?? created.Id), name });
    }
    const path = '/api/sync?excludeDomains=true';
    const plain = { ...WEB_VAULT_HEADERS, Authorization: `Bearer ${owner.token}` };
    const browser = { ...plain, 'Accept-Encoding': BROWSER_ENCODINGS };
    const points: SyncPoint[] = [];
    let have = 0;
    for (const count of counts) {
      const importStart = performance.now();
      await importItems(target, owner, folders, have, count);
      const importMsPerCipher = (performance.now() - importStart) / (count - have);
      have = count;

      const full = await get(target, agent, path, plain, true);
      if (full.status !== 200 || !full.body) throw new Error(`${kind} sync at ${count}: HTTP ${full.status}`);
      const seen = countSync(full.body);
      if (seen.ciphers !== count) throw new Error(`${kind} sync at ${count}: ${seen.ciphers} ciphers in the response`);
      for (let i = 0; i < WARM_UPS; i += 1) await get(target, agent, path, browser);

      const samples: number[] = [];
      let wire: Reply | undefined;
      const cpuBefore = sampleProcess(target.pid).cpuMs;
      for (let i = 0; i < requests; i += 1) {
        wire = await get(target, agent, path, browser);
        if (wire.status !== 200) throw new Error(`${kind} sync at ${count}: HTTP ${wire.status}`);
        samples.push(wire.ms);
      }
      const after = sampleProcess(target.pid);
      points.push({
        target: kind, ciphers: count, folders: seen.folders, requests, ms: distribution(samples),
        bytes: full.bytes, wireBytes: wire?.bytes ?? 0, contentEncoding: wire?.encoding ?? null,
        serverCpuMsPerSync: Math.round(((after.cpuMs - cpuBefore) / requests) * 10) / 10,
        rssAfterMb: Math.round((after.rssKb / 1024) * 10) / 10,
        importMsPerCipher: Math.round(importMsPerCipher * 100) / 100,
      });
    }
    return points;
  } finally {
    agent.destroy();
    await target.stop();
  }
}

/** p50 and p99 against the number of ciphers, one colour per target, both axes logarithmic. */
export function syncLatencySpec(points: SyncPoint[]): Record<string, unknown> {
  const values = points.flatMap((p) => [
    { target: p.target, ciphers: p.ciphers, stat: 'p50', ms: Math.max(0.1, p.ms.p50) },
    { target: p.target, ciphers: p.ciphers, stat: 'p99', ms: Math.max(0.1, p.ms.p99) },
  ]);
  return {
    title: 'GET /api/sync latency against vault size', width: 560, height: 300, data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'ciphers', type: 'quantitative', scale: { type: 'log' }, title: 'ciphers in the vault (log scale)' },
      y: { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'milliseconds (log scale)' },
      color: { field: 'target', type: 'nominal', title: null },
      strokeDash: { field: 'stat', type: 'nominal', title: null },
    },
  };
}

export const syncScenario: Scenario = {
  name: 'sync',
  title: 'GET /api/sync of 100, 1,000 and 5,000 encrypted login items: latency, bytes and server CPU',
  async run(targets: TargetKind[]): Promise<ScenarioOutput> {
    const counts = sizes();
    const requests = Number(process.env.BENCH_SYNC_REQUESTS ?? 50);
    if (!Number.isInteger(requests) || requests <= 0) throw new Error('BENCH_SYNC_REQUESTS: a positive integer');
    const results: SyncPoint[] = [];
    for (const kind of targets.filter((t) => t === 'vaultwave' || t === 'vaultwarden')) results.push(...await runTarget(kind, counts, requests));

    const table: ScenarioOutput['table'] = {};
    for (const p of results) {
      table[`${p.target} ${p.ciphers}`] = {
        'p50 ms': p.ms.p50, 'p90 ms': p.ms.p90, 'p99 ms': p.ms.p99, 'max ms': p.ms.max,
        KB: Math.round(p.bytes / 1024), 'wire KB': Math.round(p.wireBytes / 1024), encoding: p.contentEncoding ?? 'none',
        'cpu ms/sync': p.serverCpuMsPerSync,
      };
    }
    return { results: { requests, warmUps: WARM_UPS, points: results }, table, plots: [{ file: 'sync-latency.svg', spec: syncLatencySpec(results) }] };
  },
};
