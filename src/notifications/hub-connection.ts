import type { RawData, WebSocket } from 'ws';
import { getLogger } from '../common/logging/logger';
import { UpdateType } from '../wire/update-type';
import { encodeHandshakeError, encodeHandshakeResponse, getHubProtocol, HubProtocol, parseHandshake } from './signalr';
import { OutboundFrame, OutboundQueue } from './outbound-queue';

const log = getLogger('HubConnection');

/** Who a socket belongs to: a user's device on /hub, or an auth-request token on the anonymous hub. */
export type HubIdentity =
  | { kind: 'user'; userId: string; deviceId: string; deviceIdentifier: string; securityStamp: string; deviceType?: number }
  | { kind: 'anonymous'; token: string; ip: string };

export interface HubConnectionOptions {
  handshakeTimeoutMs: number;
  pingIntervalMs: number;
  idleTimeoutMs: number;
  stallTimeoutMs: number;
  queueMaxMessages: number;
  queueMaxBytes: number;
  /** Anonymous sockets end after this long (notifications.md §2.3); null = no limit. */
  maxLifetimeMs: number | null;
}

export interface HubConnectionEvents {
  /** The handshake reply has been written: the connection may now receive deliveries. */
  onReady(connection: HubConnection): void;
  onClosed(connection: HubConnection): void;
  /** Builds a SyncVault frame for this connection (collapse of a full queue). */
  syncVaultFrame(connection: HubConnection): OutboundFrame | null;
}

/** Below this many unsent bytes in ws, the writer hands it the next frame. */
const SOCKET_HIGH_WATER = 64 * 1024;

let nextId = 1;

/**
 * One SignalR connection over one WebSocket: handshake, keep-alive, inbound validation and a bounded,
 * ordered writer. It never throws into its caller; every protocol violation ends in a Close and a close code.
 */
export class HubConnection {
  readonly id = nextId++;
  protocol: HubProtocol | null = null;
  readonly connectedAt = Date.now();
  private readonly queue: OutboundQueue;
  private lastInboundAt = Date.now();
  private timers: NodeJS.Timeout[] = [];
  /** The frame whose write callback resumes the writer once ws has drained below the high-water mark. */
  private waitingFor: OutboundFrame | null = null;
  private closing = false;
  private closed = false;
  private stalledSince: number | null = null;
  private lastBuffered = 0;
  /** After the queue drains: write this Close and close with this code. */
  private closeAfterDrain: { error: string | null; allowReconnect: boolean; code: number } | null = null;

  constructor(
    readonly socket: WebSocket,
    readonly identity: HubIdentity,
    private readonly options: HubConnectionOptions,
    private readonly events: HubConnectionEvents,
  ) {
    this.queue = new OutboundQueue({ maxMessages: options.queueMaxMessages, maxBytes: options.queueMaxBytes });
    socket.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    socket.on('ping', () => this.touch());
    socket.on('pong', () => this.touch());
    socket.on('close', () => this.onSocketClosed());
    socket.on('error', (error) => log.debug({ conn: this.id, err: error.message }, 'notifications.socket_error'));
    this.timers.push(setTimeout(() => this.onHandshakeTimeout(), options.handshakeTimeoutMs));
    if (options.maxLifetimeMs !== null) this.timers.push(setTimeout(() => this.close(null, false, 1000), options.maxLifetimeMs));
  }

  get ready(): boolean {
    return this.protocol !== null && !this.closing && !this.closed;
  }

  get queuedMessages(): number {
    return this.queue.length;
  }

  get collapses(): number {
    return this.queue.collapses;
  }

  /** Queues an already encoded update for this connection's protocol. */
  enqueue(frame: OutboundFrame): void {
    if (!this.ready) return;
    const accepted = this.queue.push(frame, this.socket.bufferedAmount, () => this.events.syncVaultFrame(this) ?? frame);
    if (!accepted) log.warn({ conn: this.id, ...this.describe() }, 'notifications.queue_collapsed');
    this.pump();
  }

  /**
   * Ends the connection: pending frames are written first (bounded by `graceMs`), then a SignalR Close, then
   * the WebSocket close with `code`.
   */
  closeAfterFlush(error: string | null, allowReconnect: boolean, code: number, graceMs = 4_000): void {
    if (this.closing || this.closed) return;
    if (!this.protocol) {
      this.close(error, allowReconnect, code);
      return;
    }
    this.closeAfterDrain = { error, allowReconnect, code };
    this.timers.push(setTimeout(() => this.socket.terminate(), graceMs));
    this.pump();
  }

  /** Immediate close: SignalR Close message (when the handshake is done), then the WebSocket close. */
  close(error: string | null, allowReconnect: boolean, code: number): void {
    if (this.closing || this.closed) return;
    this.closing = true;
    this.queue.clear();
    if (this.protocol && this.socket.readyState === this.socket.OPEN) {
      this.socket.send(this.protocol.encodeClose(error, allowReconnect), { binary: this.protocol.binary });
    }
    this.socket.close(code);
    // A peer that never answers the close handshake is cut off.
    this.timers.push(setTimeout(() => this.socket.terminate(), 5_000));
  }

  describe(): Record<string, unknown> {
    return this.identity.kind === 'user'
      ? { userId: this.identity.userId, deviceId: this.identity.deviceId, protocol: this.protocol?.name ?? null }
      : { anonymous: true, protocol: this.protocol?.name ?? null };
  }

  private touch(): void {
    this.lastInboundAt = Date.now();
  }

  private onHandshakeTimeout(): void {
    if (this.protocol || this.closing || this.closed) return;
    log.debug({ conn: this.id }, 'notifications.handshake_timeout');
    this.closing = true;
    this.socket.close(1002);
    this.timers.push(setTimeout(() => this.socket.terminate(), 5_000));
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    this.touch();
    if (this.closing || this.closed) return;
    const bytes = toBytes(data);
    if (!this.protocol) {
      this.onHandshake(bytes);
      return;
    }
    const decoded = this.protocol.decodeMessages(this.protocol.binary || isBinary ? bytes : Buffer.from(bytes).toString('utf8'));
    if (!decoded.ok) {
      log.debug({ conn: this.id, reason: decoded.reason }, 'notifications.protocol_error');
      this.close('Protocol error', false, 1002);
      return;
    }
    for (const message of decoded.messages) {
      if (message.type === 7) {
        this.close(null, false, 1000);
        return;
      }
      if (message.type === 1) log.debug({ conn: this.id, target: message.target }, 'notifications.client_invocation_ignored');
    }
  }

  private onHandshake(bytes: Uint8Array): void {
    const result = parseHandshake(bytes);
    if (!result.ok) {
      this.closing = true;
      this.socket.send(encodeHandshakeError(result.error), { binary: false });
      this.socket.close(1002);
      this.timers.push(setTimeout(() => this.socket.terminate(), 5_000));
      return;
    }
    const protocol = getHubProtocol(result.protocol);
    this.socket.send(encodeHandshakeResponse(), { binary: protocol.binary });
    this.protocol = protocol;
    this.timers.push(setInterval(() => this.keepAlive(), this.options.pingIntervalMs));
    this.events.onReady(this);
  }

  private keepAlive(): void {
    if (!this.protocol || this.closing || this.closed) return;
    if (Date.now() - this.lastInboundAt > this.options.idleTimeoutMs) {
      log.debug({ conn: this.id }, 'notifications.idle_timeout');
      this.socket.terminate();
      return;
    }
    const buffered = this.socket.bufferedAmount;
    if (buffered > 0 && buffered >= this.lastBuffered) {
      this.stalledSince ??= Date.now();
      if (Date.now() - this.stalledSince >= this.options.stallTimeoutMs) {
        log.warn({ conn: this.id, buffered, ...this.describe() }, 'notifications.slow_consumer_closed');
        this.close(null, true, 1013);
        return;
      }
    } else {
      this.stalledSince = null;
    }
    this.lastBuffered = buffered;
    // Queued updates count as traffic for the client's server timeout; a Ping is only needed on an idle queue
    // (and must never be what makes a full queue collapse).
    if (this.queue.length === 0) {
      const ping: OutboundFrame = { bytes: this.protocol.encodePing(), updateType: null };
      this.queue.push(ping, 0, () => ping);
      this.pump();
    }
    try {
      this.socket.ping();
    } catch {
      /* socket already closing */
    }
  }

  /** Hands queued frames to ws while its own buffer is small; resumes from the write callback. */
  private pump(): void {
    if (this.waitingFor || this.closed || !this.protocol) return;
    const binary = this.protocol.binary;
    while (this.socket.readyState === this.socket.OPEN) {
      const frame = this.queue.shift();
      if (!frame) break;
      this.socket.send(frame.bytes, { binary }, () => {
        if (this.waitingFor !== frame) return;
        this.waitingFor = null;
        this.pump();
      });
      if (this.socket.bufferedAmount >= SOCKET_HIGH_WATER) {
        this.waitingFor = frame;
        return;
      }
    }
    if (this.queue.length === 0 && this.closeAfterDrain) {
      const { error, allowReconnect, code } = this.closeAfterDrain;
      this.closeAfterDrain = null;
      this.close(error, allowReconnect, code);
    }
  }

  private onSocketClosed(): void {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
    this.queue.clear();
    this.events.onClosed(this);
  }
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

export { UpdateType };
