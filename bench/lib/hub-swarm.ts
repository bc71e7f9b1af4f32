/**
 * Hub sockets held by a separate process (so the bench's own event loop never competes with them), speaking
 * the official SignalR MessagePack protocol as the clients do: the handshake, then a Ping (type 6) every 15 s.
 * The swarm counts, per socket, the server's keepalives (SignalR Pings and WebSocket ping frames), unexpected
 * closes (any close the swarm did not ask for), and cipher-create deliveries (ReceiveMessage, update type 1)
 * on the sockets opened as `stable`. It can churn: every second close a share of the non-stable sockets and
 * open the same number again with the same tokens.
 *
 * This file is both sides: `HubSwarm.start()` (in the bench) forks this file, which runs as the child.
 * One process holds 10,000 sockets comfortably, if `ulimit -n` allows it (each socket is a descriptor).
 */
import { ChildProcess, fork } from 'node:child_process';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { InvocationMessage, MessageType, NullLogger } from '@microsoft/signalr';
import WebSocket from 'ws';

/** What the official clients use for both their own Ping interval and the server's (SignalR's default). */
const CLIENT_PING_MS = 15_000;
const OPEN_TIMEOUT_MS = 30_000;

export interface OpenRequest {
  hubUrl: string;
  /** Sockets are spread round-robin over these tokens. */
  tokens: string[];
  /** Sockets to add. */
  count: number;
  /** Sockets opening at once. */
  concurrency: number;
  /** Stable sockets are never churned; deliveries are counted on them only. */
  stable: boolean;
}

export interface OpenReply { opened: number; failed: number; ms: number; errors: string[] }

export interface SwarmStats {
  /** Sockets open now. */
  open: number;
  /** Open sockets that got at least one SignalR Ping (type 6) since the last `mark`, and that were open at it. */
  pinged: number;
  /** The same for WebSocket ping frames (opcode 9). */
  wsPinged: number;
  /** Sockets open at the last `mark` that are still open. */
  heldSinceMark: number;
  /** Closes the swarm did not ask for, since the start, by close code. */
  unexpectedCloses: Record<string, number>;
  /** Opens that failed (also during churn), since the start. */
  openFailures: number;
  /** Churn since the start: sockets closed on purpose and reopened. */
  churnClosed: number;
  churnReopened: number;
  /** Binary frames that did not parse as MessagePack hub messages. */
  unreadable: number;
  /** Cipher-create deliveries on stable sockets, per cipher id (lower case). */
  deliveries?: Record<string, number>;
}

type Ask =
  | { op: 'open'; open: OpenRequest }
  | { op: 'mark' }
  | { op: 'stats'; deliveries: boolean }
  | { op: 'churn'; share: number; hubUrl: string }
  | { op: 'close' };
type Request = Ask & { id: number };

type Reply = { id: number; error?: string; value?: unknown };

/** The bench's side: forks the swarm and asks it things over IPC. */
export class HubSwarm {
  private next = 1;
  private readonly waiting = new Map<number, { ok: (value: unknown) => void; fail: (error: Error) => void }>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: Reply) => {
      const pending = this.waiting.get(reply.id);
      if (!pending) return;
      this.waiting.delete(reply.id);
      if (reply.error) pending.fail(new Error(reply.error));
      else pending.ok(reply.value);
    });
    child.on('exit', (code) => {
      for (const pending of this.waiting.values()) pending.fail(new Error(`the hub swarm exited with ${code}`));
      this.waiting.clear();
    });
  }

  static start(): HubSwarm {
    return new HubSwarm(fork(__filename, [], { stdio: 'inherit' }));
  }

  private ask<T>(request: Ask): Promise<T> {
    const id = this.next++;
    return new Promise<T>((ok, fail) => {
      this.waiting.set(id, { ok: ok as (value: unknown) => void, fail });
      this.child.send({ ...request, id });
    });
  }

  /** Adds `count` sockets; resolves when every one has its handshake reply or has failed. */
  open(request: OpenRequest): Promise<OpenReply> {
    return this.ask({ op: 'open', open: request });
  }

  /** Starts a keepalive window: ping counts and "held since" are taken from now. */
  mark(): Promise<void> {
    return this.ask({ op: 'mark' });
  }

  stats(deliveries = false): Promise<SwarmStats> {
    return this.ask({ op: 'stats', deliveries });
  }

  /** Every second, closes `share` of all open sockets (non-stable ones only) and reopens as many; 0 stops. */
  churn(share: number, hubUrl: string): Promise<void> {
    return this.ask({ op: 'churn', share, hubUrl });
  }

  /** Terminates every socket and ends the process. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((ok) => this.child.once('exit', ok));
    await this.ask({ op: 'close' }).catch(() => undefined);
    await exited;
  }
}

// ---- the child ----

interface Held {
  ws: WebSocket;
  token: string;
  stable: boolean;
  /** Set when the swarm closes it on purpose. */
  closing: boolean;
  pings: number;
  wsPings: number;
  /** Counts at the last mark (null: opened after it). */
  pingsAtMark: number | null;
  wsPingsAtMark: number;
  timer: NodeJS.Timeout | null;
}

const protocol = new MessagePackHubProtocol();
const pingFrame = Buffer.from(protocol.writeMessage({ type: MessageType.Ping }));
const held = new Set<Held>();
const deliveries = new Map<string, number>();
const unexpectedCloses: Record<string, number> = {};
let openFailures = 0;
let churnClosed = 0;
let churnReopened = 0;
let churnTimer: NodeJS.Timeout | null = null;
let unreadable = 0;

function onFrame(socket: Held, data: ArrayBuffer): void {
  for (const message of protocol.parseMessages(data, NullLogger.instance)) {
    if (message.type === MessageType.Ping) {
      socket.pings += 1;
      continue;
    }
    if (message.type !== MessageType.Invocation || !socket.stable) continue;
    const invocation = message as InvocationMessage;
    const update = invocation.arguments[0] as { Type?: number; Payload?: { Id?: string } } | undefined;
    if (invocation.target !== 'ReceiveMessage' || update?.Type !== 1 || !update.Payload?.Id) continue;
    const id = update.Payload.Id.toLowerCase();
    deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
  }
}

/** One socket, resolved once the server has answered the handshake. */
function openOne(hubUrl: string, token: string, stable: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${hubUrl}?access_token=${encodeURIComponent(token)}`);
    ws.binaryType = 'arraybuffer';
    const socket: Held = { ws, token, stable, closing: false, pings: 0, wsPings: 0, pingsAtMark: null, wsPingsAtMark: 0, timer: null };
    let ready = false;
    const timeout = setTimeout(() => {
      ws.terminate();
      reject(new Error('no handshake reply within 30 s'));
    }, OPEN_TIMEOUT_MS);
    ws.once('open', () => ws.send('{"protocol":"messagepack","version":1}\u001e'));
    ws.on('ping', () => (socket.wsPings += 1));
    ws.on('message', (data: ArrayBuffer, isBinary: boolean) => {
      if (!ready) {
        ready = true; // the handshake reply
        clearTimeout(timeout);
        held.add(socket);
        socket.timer = setInterval(() => ws.send(pingFrame), CLIENT_PING_MS);
        resolve();
        return;
      }
      if (!isBinary) return;
      try {
        onFrame(socket, data);
      } catch {
        unreadable += 1;
      }
    });
    ws.on('error', (error) => {
      if (ready) return;
      clearTimeout(timeout);
      reject(error);
    });
    ws.on('close', (code) => {
      if (socket.timer) clearInterval(socket.timer);
      if (!ready) {
        clearTimeout(timeout);
        reject(new Error(`closed before the handshake reply (${code})`));
        return;
      }
      held.delete(socket);
      if (!socket.closing) unexpectedCloses[code] = (unexpectedCloses[code] ?? 0) + 1;
    });
  });
}

async function openMany(request: OpenRequest): Promise<OpenReply> {
  const started = performance.now();
  let opened = 0;
  let failed = 0;
  const errors = new Set<string>();
  let index = 0;
  const worker = async (): Promise<void> => {
    while (index < request.count) {
      const token = request.tokens[index++ % request.tokens.length]!;
      try {
        await openOne(request.hubUrl, token, request.stable);
        opened += 1;
      } catch (error) {
        failed += 1;
        openFailures += 1;
        if (errors.size < 5) errors.add(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, request.concurrency) }, worker));
  return { opened, failed, ms: Math.round(performance.now() - started), errors: [...errors] };
}

function churnOnce(share: number, hubUrl: string): void {
  const candidates = [...held].filter((s) => !s.stable && !s.closing);
  const count = Math.min(candidates.length, Math.round(share * held.size));
  for (let i = 0; i < count; i += 1) {
    // A partial Fisher-Yates shuffle: `count` distinct random sockets.
    const j = i + Math.floor(Math.random() * (candidates.length - i));
    const socket = candidates[j]!;
    candidates[j] = candidates[i]!;
    socket.closing = true;
    socket.ws.close(1000);
    churnClosed += 1;
    openOne(hubUrl, socket.token, false).then(
      () => (churnReopened += 1),
      () => (openFailures += 1),
    );
  }
}

function stats(withDeliveries: boolean): SwarmStats {
  let pinged = 0;
  let wsPinged = 0;
  let heldSinceMark = 0;
  for (const socket of held) {
    if (socket.pingsAtMark === null) continue;
    heldSinceMark += 1;
    if (socket.pings > socket.pingsAtMark) pinged += 1;
    if (socket.wsPings > socket.wsPingsAtMark) wsPinged += 1;
  }
  return {
    open: held.size, pinged, wsPinged, heldSinceMark, unexpectedCloses: { ...unexpectedCloses }, openFailures, churnClosed, churnReopened, unreadable,
    ...(withDeliveries ? { deliveries: Object.fromEntries(deliveries) } : {}),
  };
}

async function handle(request: Request): Promise<unknown> {
  switch (request.op) {
    case 'open':
      return openMany(request.open);
    case 'mark':
      for (const socket of held) {
        socket.pingsAtMark = socket.pings;
        socket.wsPingsAtMark = socket.wsPings;
      }
      return undefined;
    case 'stats':
      return stats(request.deliveries);
    case 'churn':
      if (churnTimer) clearInterval(churnTimer);
      churnTimer = request.share > 0 ? setInterval(() => churnOnce(request.share, request.hubUrl), 1_000) : null;
      return undefined;
    case 'close':
      if (churnTimer) clearInterval(churnTimer);
      for (const socket of held) {
        socket.closing = true;
        socket.ws.terminate();
      }
      return undefined;
  }
}

if (require.main === module) {
  process.on('message', (request: Request) => {
    handle(request).then(
      (value) => process.send?.({ id: request.id, value } satisfies Reply, () => (request.op === 'close' ? process.exit(0) : undefined)),
      (error: unknown) => process.send?.({ id: request.id, error: String(error) } satisfies Reply),
    );
  });
}
