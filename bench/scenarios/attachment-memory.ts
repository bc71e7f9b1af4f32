/**
 * Attachment memory (issue 17): does the server's resident memory stay flat while a large attachment uploads and
 * downloads? Per target (this server and Vaultwarden, same run), one account and one login item, then for each
 * size of BENCH_ATTACHMENT_SIZES_MB (default 1 and 50; the smallest is the baseline, the largest is judged), the
 * flow of a current client (docs/attachments-plan.md §4.1, §4.3, §5):
 *   1. POST /api/ciphers/{id}/attachment/v2 with the encrypted name, key and size -> attachmentId
 *   2. upload: POST /api/ciphers/{id}/attachment/{attachmentId}, multipart/form-data, one file part `data`
 *      (filename = the encrypted name, application/octet-stream), with a Content-Length, streamed from a
 *      generator of random 64 KB chunks (the bench never holds the file), hashed (SHA-256) as it goes
 *   3. download: GET /api/ciphers/{id}/attachment/{attachmentId} -> `url` (absolute, with its token), fetched
 *      with no Authorization header, the body counted and hashed as it streams, then checked against the upload
 *   4. slow download: the same with a reader throttled to BENCH_ATTACHMENT_SLOW_MBPS (default 20 MB/s; 0 skips
 *      it), the case where a server that ignores backpressure queues the file in its own memory
 * A 64 KB attachment goes through the same steps first, unmeasured, so first-use costs (lazy modules, pools) do
 * not land in the baseline.
 *
 * Measured per transfer: the server's RSS (VmRSS of its process, /proc) every 20 ms, read by a worker thread of
 * the bench (so its timer does not wait on the streaming), from the start of the transfer to 200 ms after its end;
 * the RSS just before the transfer (after a quiet second), the peak, the rise (peak − before), the RSS a second
 * after; duration and MB/s; the highest peak against the server's RSS once idle after the warm-up (a reference
 * that a quiet moment's heap trim does not lower); whether the bytes and hash came back intact (downloads) or the
 * server recorded the size sent (upload). Each size goes through every step BENCH_ATTACHMENT_REPEATS (3) times, a
 * new attachment each time: a garbage-collected server's RSS moves by several MB between two quiet moments, so
 * one transfer's rise is noisy. The table gives, per size and step, the median rise and the largest, the median as a share of the
 * file, and against the baseline's median rise for the same step (difference and multiple); the JSON keeps
 * every transfer.
 *
 * The target (issue 17): during the largest transfer the rise stays far below the file size: a median rise
 * under BENCH_ATTACHMENT_MAX_RISE_MB (default 20 MB, 40 % of 50 MB) for every step, the largest rise shown
 * beside it. The table says met or missed; it is a figure of the report, not an assertion.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Agent, IncomingMessage, request } from 'node:http';
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { encryptType2, loginCipherRequest } from '../../test/support/test-crypto';
import { BenchAccount, openAccount } from '../lib/accounts';
import { Scenario, ScenarioOutput } from '../lib/scenario';
import { startTarget, Target, TargetKind } from '../lib/targets';
import { sleep } from './connections';

const MIB = 1024 * 1024;
const CHUNK = 64 * 1024;
const SAMPLE_MS = 20;
/** Sampling goes on this long after the transfer's end (a server may still be flushing or freeing). */
const TAIL_MS = 200;
/** Quiet time before each transfer (the RSS just before is read at its end) and before the RSS after. */
const SETTLE_MS = 1_000;
const TRANSFER_TIMEOUT_MS = 300_000;
const WARM_UP_BYTES = 64 * 1024;

type Step = 'upload' | 'download' | 'slow download';

export interface AttachmentOptions { sizesMb: number[]; maxRiseMb: number; slowMbps: number; repeats: number }

export interface TransferResult {
  target: TargetKind;
  sizeMb: number;
  bytes: number;
  step: Step;
  /** 1-based, of BENCH_ATTACHMENT_REPEATS (each repeat is a new attachment). */
  repeat: number;
  ms: number;
  mbPerSecond: number;
  rssBeforeMb: number;
  rssPeakMb: number;
  riseMb: number;
  /** Rise as a share of the file, in %. */
  risePercentOfFile: number;
  rssAfterMb: number;
  samples: number;
  /** Longest gap between two RSS samples (the bench's own event loop can delay its timer). */
  maxSampleGapMs: number;
  /** Bytes and SHA-256 of what came back equal to what went up (downloads); the size the server recorded (upload). */
  verified: boolean;
  /** RSS over the transfer (ms from its start, MB), for the plot; not written to the JSON. */
  trace?: Array<{ ms: number; rssMb: number }>;
}

export interface TargetResult { target: TargetKind; transfers: TransferResult[]; rssIdleMb: number; error?: string }

function options(): AttachmentOptions {
  const sizesMb = [...new Set((process.env.BENCH_ATTACHMENT_SIZES_MB ?? '1,50').split(',').map((s) => Number(s.trim())))].sort((a, b) => a - b);
  if (sizesMb.length === 0 || sizesMb.some((n) => !(n > 0) || n > 500)) throw new Error('BENCH_ATTACHMENT_SIZES_MB: sizes in MB, above 0 and at most 500, comma-separated');
  const maxRiseMb = Number(process.env.BENCH_ATTACHMENT_MAX_RISE_MB ?? 20);
  const slowMbps = Number(process.env.BENCH_ATTACHMENT_SLOW_MBPS ?? 20);
  if (!(maxRiseMb > 0)) throw new Error('BENCH_ATTACHMENT_MAX_RISE_MB: a positive number');
  if (!(slowMbps >= 0)) throw new Error('BENCH_ATTACHMENT_SLOW_MBPS: a number ≥ 0 (0 skips the slow download)');
  const repeats = Number(process.env.BENCH_ATTACHMENT_REPEATS ?? 3);
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error('BENCH_ATTACHMENT_REPEATS: a positive integer');
  return { sizesMb, maxRiseMb, slowMbps, repeats };
}

const round1 = (v: number): number => Math.round(v * 10) / 10;

/** VmRSS of a process in KB (status only: cheaper than sampleProcess, which also reads stat). */
function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

/**
 * Samples a process's RSS every SAMPLE_MS until stopped, on a worker thread: its timer does not wait for the bench's
 * own event loop, busy streaming the transfer.
 */
const SAMPLER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const started = performance.now();
const points = [];
const take = () => {
  try {
    points.push({ at: performance.now() - started, kb: Number(/VmRSS:\\s+(\\d+)/.exec(readFileSync('/proc/' + workerData.pid + '/status', 'utf8'))[1]) });
  } catch { /* the process is gone: the transfer fails on its own */ }
};
take();
const timer = setInterval(take, workerData.intervalMs);
parentPort.once('message', () => { take(); clearInterval(timer); parentPort.postMessage(points); });
`;

class RssSampler {
  private readonly worker: Worker;
  /** Resolves once the worker has taken its first sample and is ticking. */
  readonly ready: Promise<void>;

  constructor(pid: number) {
    this.worker = new Worker(SAMPLER_SOURCE, { eval: true, workerData: { pid, intervalMs: SAMPLE_MS } });
    this.ready = once(this.worker, 'online').then(() => undefined);
  }

  async stop(): Promise<Array<{ at: number; kb: number }>> {
    const answer = once(this.worker, 'message');
    this.worker.postMessage('stop');
    const [points] = (await answer) as [Array<{ at: number; kb: number }>];
    await this.worker.terminate();
    return points;
  }
}

// ---------------------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------------------

async function api(target: Target, token: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${target.baseUrl}${path}`, {
    method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${target.kind} ${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

/** Random bytes standing in for the encrypted file (the server never reads them), chunk by chunk, hashed. */
function* fileChunks(bytes: number, hash: ReturnType<typeof createHash>): Generator<Buffer> {
  for (let sent = 0; sent < bytes; sent += CHUNK) {
    const chunk = randomBytes(Math.min(CHUNK, bytes - sent));
    hash.update(chunk);
    yield chunk;
  }
}

/** Writes a chunk, waiting for 'drain' when the socket's buffer is full (the bench holds at most a chunk or two). */
function write(req: ReturnType<typeof request>, chunk: Buffer): Promise<void> {
  if (req.write(chunk)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onDrain = (): void => { req.off('close', onClose); resolve(); };
    const onClose = (): void => { req.off('drain', onDrain); reject(new Error('the connection closed during the upload')); };
    req.once('drain', onDrain);
    req.once('close', onClose);
  });
}

/**
 * The direct upload as the clients send it (one part `data`, filename = the encrypted name), streamed with a
 * Content-Length. Resolves with the status and body of the answer; SHA-256 of the file bytes in `hash`.
 */
async function upload(target: Target, agent: Agent, token: string, path: string, fileName: string, bytes: number, hash: ReturnType<typeof createHash>): Promise<{ status: number; body: string }> {
  const boundary = `----vaultwave-bench-${randomBytes(12).toString('hex')}`;
  const preamble = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="data"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const epilogue = Buffer.from(`\r\n--${boundary}--\r\n`);
  const req = request(`${target.baseUrl}${path}`, {
    method: 'POST', agent, timeout: TRANSFER_TIMEOUT_MS,
    headers: {
      Authorization: `Bearer ${token}`, 'Content-Type': `multipart/form-data; boundary=${boundary}`,
      'Content-Length': String(preamble.length + bytes + epilogue.length), Accept: 'application/json',
    },
  });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res: IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => { body += text; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`upload: no answer within ${TRANSFER_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.on('close', () => reject(new Error('upload: the connection closed without an answer')));
  });
  const sending = (async () => {
    await write(req, preamble);
    for (const chunk of fileChunks(bytes, hash)) await write(req, chunk);
    await write(req, epilogue);
    req.end();
  })();
  // An early answer (a refusal before the whole body is sent) wins over the write that it interrupted.
  const [sent, answered] = await Promise.allSettled([sending, answer]);
  if (answered.status === 'fulfilled') return answered.value;
  throw sent.status === 'rejected' ? sent.reason : answered.reason;
}

/**
 * GET of a download URL with no Authorization header, the body counted and hashed as it streams; with
 * `mbps` > 0 the reader pauses to stay at that rate (MB = MiB a second).
 */
function download(url: string, agent: Agent, mbps: number): Promise<{ status: number; bytes: number; sha256: string; body: string }> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    const req = request(url, { agent, timeout: TRANSFER_TIMEOUT_MS }, (res) => {
      const started = performance.now();
      let bytes = 0;
      let head = '';
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
        if (res.statusCode !== 200 && head.length < 300) head += chunk.toString('utf8');
        if (mbps > 0) {
          const aheadMs = (bytes / (mbps * MIB)) * 1000 - (performance.now() - started);
          if (aheadMs > 1) {
            res.pause();
            setTimeout(() => res.resume(), aheadMs);
          }
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, sha256: hash.digest('hex'), body: head }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`download: not done within ${TRANSFER_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end();
  });
}

// ---------------------------------------------------------------------------------------------------------
// The measure
// ---------------------------------------------------------------------------------------------------------

interface Attachment { id: string; bytes: number; sha256: string }

interface Measured<T> { value: T; ms: number; rssBeforeKb: number; points: Array<{ at: number; kb: number }>; rssAfterKb: number }

/** Runs a transfer between a quiet second (RSS before) and its trailing samples, then a quiet second (RSS after). */
async function measured<T>(target: Target, transfer: () => Promise<T>): Promise<Measured<T>> {
  await sleep(SETTLE_MS);
  const sampler = new RssSampler(target.pid);
  await sampler.ready;
  const rssBeforeKb = rssKb(target.pid);
  const started = performance.now();
  let value: T;
  try {
    value = await transfer();
  } catch (error) {
    await sampler.stop();
    throw error;
  }
  const ms = performance.now() - started;
  await sleep(TAIL_MS);
  const points = await sampler.stop();
  await sleep(SETTLE_MS);
  return { value, ms, rssBeforeKb, points, rssAfterKb: rssKb(target.pid) };
}

function summarize(target: TargetKind, bytes: number, step: Step, repeat: number, m: Measured<unknown>, verified: boolean): TransferResult {
  const peakKb = Math.max(m.rssBeforeKb, ...m.points.map((p) => p.kb));
  let maxGap = 0;
  for (let i = 1; i < m.points.length; i += 1) maxGap = Math.max(maxGap, m.points[i]!.at - m.points[i - 1]!.at);
  const riseMb = (peakKb - m.rssBeforeKb) / 1024;
  return {
    target, sizeMb: round1(bytes / MIB), bytes, step, repeat, ms: Math.round(m.ms), mbPerSecond: round1(bytes / MIB / (m.ms / 1000)),
    rssBeforeMb: round1(m.rssBeforeKb / 1024), rssPeakMb: round1(peakKb / 1024), riseMb: round1(riseMb),
    risePercentOfFile: round1((riseMb * MIB * 100) / bytes), rssAfterMb: round1(m.rssAfterKb / 1024),
    samples: m.points.length, maxSampleGapMs: Math.round(maxGap), verified,
    trace: m.points.map((p) => ({ ms: Math.round(p.at), rssMb: round1(p.kb / 1024) })),
  };
}

/** The size the server says it holds, whichever case and type (official: a string). */
function recordedSize(json: Record<string, unknown>): number {
  return Number(json.size ?? json.Size);
}

async function downloadUrl(target: Target, owner: BenchAccount, cipherId: string, attachmentId: string): Promise<string> {
  const meta = await api(target, owner.token, 'GET', `/api/ciphers/${cipherId}/attachment/${attachmentId}`);
  const url = String(meta.url ?? meta.Url ?? '');
  if (!/^https?:\/\//.test(url)) throw new Error(`${target.kind}: attachment metadata without an absolute url: ${JSON.stringify(meta).slice(0, 300)}`);
  return url;
}

/** v2 metadata, then the measured upload. */
async function uploadAttachment(target: Target, owner: BenchAccount, agent: Agent, cipherId: string, revisionDate: unknown, bytes: number, measure: number): Promise<{ attachment: Attachment; result?: TransferResult }> {
  const key = owner.account.secrets.userKey;
  const fileName = encryptType2(`bench-${bytes}.bin`, key);
  const created = await api(target, owner.token, 'POST', `/api/ciphers/${cipherId}/attachment/v2`, {
    key: encryptType2(randomBytes(64), key), fileName, fileSize: bytes, adminRequest: false, lastKnownRevisionDate: revisionDate ?? null,
  });
  const attachmentId = String(created.attachmentId ?? created.AttachmentId ?? '');
  if (!attachmentId) throw new Error(`${target.kind}: v2 answer without attachmentId: ${JSON.stringify(created).slice(0, 300)}`);
  const hash = createHash('sha256');
  const send = (): Promise<{ status: number; body: string }> => upload(target, agent, owner.token, `/api/ciphers/${cipherId}/attachment/${attachmentId}`, fileName, bytes, hash);
  const m = measure ? await measured(target, send) : undefined;
  const answer = m ? m.value : await send();
  if (answer.status < 200 || answer.status >= 300) throw new Error(`${target.kind} upload of ${bytes} bytes: HTTP ${answer.status} ${answer.body.slice(0, 300)}`);
  const meta = await api(target, owner.token, 'GET', `/api/ciphers/${cipherId}/attachment/${attachmentId}`);
  const attachment = { id: attachmentId, bytes, sha256: hash.digest('hex') };
  return { attachment, result: m ? summarize(target.kind, bytes, 'upload', measure, m, recordedSize(meta) === bytes) : undefined };
}

/** Fresh download URL (tokens are short-lived), then the measured download, checked byte for byte. */
async function downloadAttachment(target: Target, owner: BenchAccount, agent: Agent, cipherId: string, attachment: Attachment, step: Step, mbps: number, measure: number): Promise<TransferResult | undefined> {
  const url = await downloadUrl(target, owner, cipherId, attachment.id);
  const fetchIt = (): ReturnType<typeof download> => download(url, agent, mbps);
  const m = measure ? await measured(target, fetchIt) : undefined;
  const got = m ? m.value : await fetchIt();
  if (got.status !== 200) throw new Error(`${target.kind} ${step} of ${attachment.bytes} bytes: HTTP ${got.status} ${got.body}`);
  const verified = got.bytes === attachment.bytes && got.sha256 === attachment.sha256;
  if (!verified) console.error(`${target.kind} ${step}: got ${got.bytes} bytes (sent ${attachment.bytes}), sha256 ${got.sha256 === attachment.sha256 ? 'equal' : 'different'}`);
  return m ? summarize(target.kind, attachment.bytes, step, measure, m, verified) : undefined;
}

async function runTarget(kind: TargetKind, opts: AttachmentOptions): Promise<TargetResult> {
  const target = await startTarget(kind);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const transfers: TransferResult[] = [];
  try {
    const owner = await openAccount(target);
    const cipher = await api(target, owner.token, 'POST', '/api/ciphers', loginCipherRequest(owner.account, owner.userId, { name: 'attachments', username: 'u', password: 'p', uri: 'https://bench.example' }));
    const cipherId = String(cipher.id ?? cipher.Id);
    let revisionDate = cipher.revisionDate ?? cipher.RevisionDate;
    /** One attachment through every step; `measure`: the repeat's number, 0 for the unmeasured warm-up. */
    const attach = async (bytes: number, measure: number): Promise<void> => {
      const { attachment, result } = await uploadAttachment(target, owner, agent, cipherId, revisionDate, bytes, measure);
      if (result) transfers.push(result);
      const current = await api(target, owner.token, 'GET', `/api/ciphers/${cipherId}`);
      revisionDate = current.revisionDate ?? current.RevisionDate;
      const fast = await downloadAttachment(target, owner, agent, cipherId, attachment, 'download', 0, measure);
      if (fast) transfers.push(fast);
      if (opts.slowMbps > 0) {
        const slow = await downloadAttachment(target, owner, agent, cipherId, attachment, 'slow download', opts.slowMbps, measure);
        if (slow) transfers.push(slow);
      }
    };
    await attach(WARM_UP_BYTES, 0);
    await sleep(SETTLE_MS);
    const rssIdleMb = round1(rssKb(target.pid) / 1024);
    for (const sizeMb of opts.sizesMb) {
      for (let repeat = 1; repeat <= opts.repeats; repeat += 1) {
        console.log(`${kind}: ${sizeMb} MB, ${repeat}/${opts.repeats}`);
        await attach(Math.round(sizeMb * MIB), repeat);
      }
    }
    return { target: kind, transfers, rssIdleMb };
  } catch (error) {
    // Keep what was measured: the table shows the failure next to the figures.
    console.error(`${kind}:`, error);
    return { target: kind, transfers, rssIdleMb: 0, error: error instanceof Error ? error.message : String(error) };
  } finally {
    agent.destroy();
    await target.stop();
  }
}

/** RSS over time during each transfer of the largest size, one line per target and step. */
export function attachmentRssSpec(results: TargetResult[], sizeMb: number): Record<string, unknown> {
  const values = results.flatMap((r) => r.transfers.filter((t) => t.sizeMb === round1(sizeMb)).flatMap((t) => (t.trace ?? []).map((p) => ({
    series: `${r.target} ${t.step} #${t.repeat}`, ms: p.ms, riseMb: round1(p.rssMb - t.rssBeforeMb),
  }))));
  return {
    title: `Server RSS rise during a ${sizeMb} MB attachment transfer`, width: 560, height: 300, data: { values },
    mark: { type: 'line' },
    encoding: {
      x: { field: 'ms', type: 'quantitative', title: 'ms from the start of the transfer' },
      y: { field: 'riseMb', type: 'quantitative', title: 'RSS above the RSS before (MB)' },
      color: { field: 'series', type: 'nominal', title: null },
    },
  };
}

export const attachmentMemoryScenario: Scenario = {
  name: 'attachment-memory',
  title: 'server RSS while a 50 MB attachment uploads and downloads, against a 1 MB baseline',
  async run(targets: TargetKind[]): Promise<ScenarioOutput> {
    const opts = options();
    const results: TargetResult[] = [];
    for (const kind of targets.filter((t) => t === 'vaultwave' || t === 'vaultwarden')) results.push(await runTarget(kind, opts));
    const largest = opts.sizesMb[opts.sizesMb.length - 1]!;
    const baseline = opts.sizesMb[0]!;

    const table: ScenarioOutput['table'] = {};
    const median = (values: number[]): number => {
      const sorted = [...values].sort((a, b) => a - b);
      const mid = Math.floor(sorted.length / 2);
      return round1(sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2);
    };
    for (const r of results) {
      const groups = new Map<string, TransferResult[]>();
      for (const t of r.transfers) groups.set(`${t.sizeMb} MB ${t.step}`, [...(groups.get(`${t.sizeMb} MB ${t.step}`) ?? []), t]);
      for (const [label, runs] of groups) {
        const { sizeMb, step, bytes } = runs[0]!;
        const rise = median(runs.map((t) => t.riseMb));
        const base = groups.get(`${round1(baseline)} MB ${step}`);
        const baseRise = base && sizeMb !== round1(baseline) ? median(base.map((t) => t.riseMb)) : undefined;
        const judged = sizeMb === round1(largest) && largest !== baseline;
        table[`${r.target} ${label}`] = {
          runs: runs.length, 'MB/s': median(runs.map((t) => t.mbPerSecond)), 'RSS before MB': median(runs.map((t) => t.rssBeforeMb)),
          'peak MB': Math.max(...runs.map((t) => t.rssPeakMb)), 'peak − idle MB': r.rssIdleMb ? round1(Math.max(...runs.map((t) => t.rssPeakMb)) - r.rssIdleMb) : '', 'rise MB': rise, 'max rise MB': Math.max(...runs.map((t) => t.riseMb)),
          'rise % of file': round1((rise * MIB * 100) / bytes),
          'rise − baseline MB': baseRise === undefined ? '' : round1(rise - baseRise),
          '× baseline rise': baseRise === undefined ? '' : baseRise >= 0.5 ? round1(rise / baseRise) : `(baseline ${baseRise})`,
          'RSS after MB': median(runs.map((t) => t.rssAfterMb)), samples: Math.min(...runs.map((t) => t.samples)),
          'max gap ms': Math.max(...runs.map((t) => t.maxSampleGapMs)), intact: runs.every((t) => t.verified) ? 'yes' : 'NO',
          verdict: judged ? (rise < opts.maxRiseMb ? `met (< ${opts.maxRiseMb} MB)` : `missed (≥ ${opts.maxRiseMb} MB)`) : '',
        };
      }
      if (r.error) {
        table[`${r.target} failed`] = { verdict: r.error.slice(0, 200) };
        process.exitCode = 1; // the suite's exit status says so; the figures measured before the failure are kept
      }
    }
    const plotted = results.map((r) => ({ ...r, transfers: r.transfers.map((t) => ({ ...t })) }));
    for (const r of results) for (const t of r.transfers) delete t.trace;
    return {
      results: { options: opts, samplingMs: SAMPLE_MS, tailMs: TAIL_MS, settleMs: SETTLE_MS, warmUpBytes: WARM_UP_BYTES, targets: results },
      table,
      plots: [{ file: 'attachment-memory-rss.svg', spec: attachmentRssSpec(plotted, largest) }],
    };
  },
};
