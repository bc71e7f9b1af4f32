import WebSocket from 'ws';
import { NetFailure, toNetFailure, withDefaultCas } from './http-client';

/** SignalR JSON protocol: records end with the ASCII record separator. */
export const RECORD_SEPARATOR = '\u001e';
export const JSON_HANDSHAKE = `{"protocol":"json","version":1}${RECORD_SEPARATOR}`;

/** One SignalR JSON record as received (`{}` is the handshake reply). */
export type HubRecord = Record<string, unknown>;

export interface HubProbeOptions {
  headers?: Record<string, string>;
  ca?: string[];
  /** Time allowed for the HTTP upgrade (101 or a rejection). */
  connectTimeoutMs?: number;
  /** Time allowed between the 101 and the handshake reply. */
  handshakeTimeoutMs?: number;
  /** Time allowed after the handshake for the server's first SignalR Ping (the server pings every 15 s). */
  pingTimeoutMs?: number;
  /** Runs once the handshake is done, while the probe keeps listening (e.g. the live round trip). */
  whileOpen?: (session: HubSession) => Promise<void>;
}

export type HubProbeResult =
  | { kind: 'rejected'; status: number; headers: Record<string, string | string[] | undefined>; body: string }
  | { kind: 'network-error'; error: NetFailure }
  | { kind: 'timeout'; ms: number }
  | {
      kind: 'opened';
      /** 'ok', 'closed' (before the reply), 'timeout', 'error' (an error record), 'unexpected' (something else). */
      handshake: 'ok' | 'closed' | 'timeout' | 'error' | 'unexpected';
      handshakeDetail: string | null;
      /** ms from the handshake reply to the first server Ping; null when none came. */
      pingAfterMs: number | null;
      /** ms from the handshake reply, and from the last frame the server sent, to the close; null while open. */
      closedAfterMs: number | null;
      closedAfterLastFrameMs: number | null;
      closeCode: number | null;
      /** A SignalR Close record the server sent before closing, if any. */
      serverClose: HubRecord | null;
      records: HubRecord[];
    };

/** The open connection, as handed to `whileOpen`. */
export class HubSession {
  readonly records: HubRecord[] = [];
  private readonly waiters = new Set<(record: HubRecord) => void>();

  constructor(private readonly onClosed: Promise<void>) {}

  push(record: HubRecord): void {
    this.records.push(record);
    for (const waiter of [...this.waiters]) waiter(record);
  }

  /** Resolves with the first record (already received or to come) that matches; null on timeout or close. */
  waitFor(predicate: (record: HubRecord) => boolean, timeoutMs: number): Promise<HubRecord | null> {
    const earlier = this.records.find(predicate);
    if (earlier) return Promise.resolve(earlier);
    return new Promise((resolve) => {
      const done = (value: HubRecord | null): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(value);
      };
      const waiter = (record: HubRecord): void => {
        if (predicate(record)) done(record);
      };
      const timer = setTimeout(() => done(null), timeoutMs);
      this.waiters.add(waiter);
      void this.onClosed.then(() => done(null));
    });
  }
}

/** Splits a text frame into SignalR JSON records. */
export function parseRecords(frame: string): Array<HubRecord | string> {
  return frame
    .split(RECORD_SEPARATOR)
    .filter((part) => part.length > 0)
    .map((part) => {
      try {
        const value = JSON.parse(part) as unknown;
        return value && typeof value === 'object' && !Array.isArray(value) ? (value as HubRecord) : part;
      } catch {
        return part;
      }
    });
}

/**
 * Opens a hub like a SignalR client with the JSON protocol: upgrade, handshake, then listens for the
 * server's Ping (sending nothing itself, so a proxy idle timeout shows). Never throws.
 */
export function probeHub(url: URL, options: HubProbeOptions = {}): Promise<HubProbeResult> {
  const connectTimeoutMs = options.connectTimeoutMs ?? 15_000;
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? 10_000;
  const pingTimeoutMs = options.pingTimeoutMs ?? 20_000;
  const wsUrl = new URL(url.href);
  wsUrl.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';

  return new Promise((resolve) => {
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    let ws: WebSocket;
    const finish = (result: HubProbeResult): void => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) {
        ws.on('error', () => undefined);
        ws.terminate();
      }
      resolve(result);
    };

    try {
      ws = new WebSocket(wsUrl, {
        headers: { 'User-Agent': 'vaultwave-doctor', ...options.headers },
        perMessageDeflate: false,
        followRedirects: false,
        ...(options.ca ? { ca: withDefaultCas(options.ca) } : {}),
      });
    } catch (error) {
      resolve({ kind: 'network-error', error: toNetFailure(error) });
      return;
    }

    const started = Date.now();
    timers.push(setTimeout(() => finish({ kind: 'timeout', ms: Date.now() - started }), connectTimeoutMs));

    ws.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      const done = (): void => finish({ kind: 'rejected', status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8').slice(0, 64 * 1024) });
      res.on('end', done);
      res.on('error', done);
      res.on('close', done);
    });
    ws.on('error', (error) => {
      if (!opened) finish({ kind: 'network-error', error: toNetFailure(error) });
    });

    let opened = false;
    let handshake: 'pending' | 'ok' | 'error' | 'unexpected' = 'pending';
    let handshakeDetail: string | null = null;
    let handshakeAt = 0;
    let lastFrameAt = 0;
    let pingAfterMs: number | null = null;
    let serverClose: HubRecord | null = null;
    let closeNotify: () => void = () => undefined;
    const closedPromise = new Promise<void>((r) => (closeNotify = r));
    const session = new HubSession(closedPromise);
    let whileOpenDone: Promise<void> = Promise.resolve();

    const openedResult = (closeCode: number | null): HubProbeResult => ({
      kind: 'opened',
      handshake: handshake === 'pending' ? (closeCode === null ? 'timeout' : 'closed') : handshake,
      handshakeDetail,
      pingAfterMs,
      closedAfterMs: closeCode === null || handshake !== 'ok' ? null : Date.now() - handshakeAt,
      closedAfterLastFrameMs: closeCode === null ? null : Date.now() - (lastFrameAt || started),
      closeCode,
      serverClose,
      records: session.records,
    });

    const finishWhenRoundTripDone = (closeCode: number | null): void => {
      const snapshot = openedResult(closeCode);
      void whileOpenDone.then(() => finish(snapshot));
    };

    ws.on('open', () => {
      opened = true;
      for (const timer of timers.splice(0)) clearTimeout(timer);
      timers.push(setTimeout(() => finish(openedResult(null)), handshakeTimeoutMs));
      ws.send(JSON_HANDSHAKE);
    });

    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      lastFrameAt = Date.now();
      const text = isBinary ? '' : Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8');
      for (const record of parseRecords(text)) {
        if (handshake === 'pending') {
          if (typeof record === 'string') {
            handshake = 'unexpected';
            handshakeDetail = record.slice(0, 200);
          } else if (typeof record.error === 'string') {
            handshake = 'error';
            handshakeDetail = record.error;
          } else if (Object.keys(record).length === 0) {
            handshake = 'ok';
            handshakeAt = Date.now();
            for (const timer of timers.splice(0)) clearTimeout(timer);
            timers.push(setTimeout(() => finishWhenRoundTripDone(null), pingTimeoutMs));
            if (options.whileOpen) whileOpenDone = options.whileOpen(session).catch(() => undefined);
          } else {
            handshake = 'unexpected';
            handshakeDetail = JSON.stringify(record).slice(0, 200);
          }
          if (handshake !== 'ok') {
            finish(openedResult(null));
            return;
          }
          continue;
        }
        if (typeof record === 'string') continue;
        session.push(record);
        if (record.type === 6 && pingAfterMs === null) {
          pingAfterMs = Date.now() - handshakeAt;
          // The ping arrived: wait only for the round trip, if any, then stop.
          void whileOpenDone.then(() => finish(openedResult(null)));
        }
        if (record.type === 7) serverClose = record;
      }
      if (isBinary && handshake === 'pending') {
        handshake = 'unexpected';
        handshakeDetail = 'a binary frame instead of the JSON handshake reply';
        finish(openedResult(null));
      }
    });

    ws.on('close', (code: number) => {
      closeNotify();
      if (!opened) return;
      if (handshake === 'ok') finishWhenRoundTripDone(code);
      else finish(openedResult(code));
    });
  });
}
