import { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { getLogger } from '../common/logging/logger';
import { DeliveryBus, DeliveryEnvelope, DeliveryHandler } from './delivery-bus';

const log = getLogger('RedisDeliveryBus');

/** The pub/sub channel every instance publishes to and listens on. */
export const DEFAULT_DELIVERY_CHANNEL = 'vault:hub-delivery';
/** Wire format version of a bus message; a message of another version is dropped with a warning. */
const WIRE_VERSION = 1;
/** Publishes not yet acknowledged by Redis (e.g. while it is down) beyond which new ones are dropped. */
const MAX_PENDING_PUBLISHES = 10_000;
/** Start-up waits this long for the subscription, then carries on (ioredis subscribes once Redis answers). */
const SUBSCRIBE_WAIT_MS = 5_000;
/** At most one connection-error log line per connection in this interval. */
const ERROR_LOG_INTERVAL_MS = 10_000;

// --- Serialisation: JSON with tagged Dates -------------------------------------------------------------

const DATE_TAG = '$date';
const OBJECT_TAG = '$object';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** A JSON-ready copy of `value`: every Date becomes `{"$date": ISO}`; an object that would read as a tag is wrapped in `{"$object": …}`. */
function tag(value: unknown): unknown {
  if (value instanceof Date) return { [DATE_TAG]: value.toISOString() };
  if (Array.isArray(value)) return value.map(tag);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) if (child !== undefined) out[key] = tag(child);
    const keys = Object.keys(out);
    if (keys.length === 1 && (keys[0] === DATE_TAG || keys[0] === OBJECT_TAG)) return { [OBJECT_TAG]: out };
    return out;
  }
  return value;
}

function untag(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(untag);
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === DATE_TAG && typeof value[DATE_TAG] === 'string') {
      const date = new Date(value[DATE_TAG]);
      if (Number.isNaN(date.getTime())) throw new Error('invalid $date');
      return date;
    }
    if (keys.length === 1 && keys[0] === OBJECT_TAG && isPlainObject(value[OBJECT_TAG])) {
      const inner = value[OBJECT_TAG];
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(inner)) out[key] = untag(child);
      return out;
    }
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) out[key] = untag(child);
    return out;
  }
  return value;
}

/** One bus message as JSON text; Dates survive the trip as Dates (tagged, never guessed from key names). */
export function encodeBusMessage(origin: string, envelope: DeliveryEnvelope): string {
  return JSON.stringify({ v: WIRE_VERSION, origin, envelope: tag(envelope) });
}

/** Parses what `encodeBusMessage` wrote; throws on anything else. */
export function decodeBusMessage(text: string): { origin: string; envelope: DeliveryEnvelope } {
  const parsed: unknown = JSON.parse(text);
  if (!isPlainObject(parsed) || parsed.v !== WIRE_VERSION || typeof parsed.origin !== 'string' || !isPlainObject(parsed.envelope)) {
    throw new Error('not a delivery bus message of this version');
  }
  const envelope = untag(parsed.envelope) as DeliveryEnvelope;
  const target = (envelope as { target?: { kind?: unknown } }).target;
  if (!isPlainObject(target) || (target.kind !== 'users' && target.kind !== 'device' && target.kind !== 'anonymous') || typeof envelope.type !== 'number' || !isPlainObject(envelope.payload)) {
    throw new Error('malformed delivery envelope');
  }
  return { origin: parsed.origin, envelope };
}

/** `redis://user:secret@host:6379/0` → `host:6379` (never log the password). */
function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '6379'}`;
  } catch {
    return 'redis';
  }
}

// --- The bus --------------------------------------------------------------------------------------------

export interface RedisDeliveryBusOptions {
  channel?: string;
  /** Identifies this instance's own messages; random by default. */
  instanceId?: string;
}

/**
 * Delivery bus across instances over Redis pub/sub: one publishing connection, one subscribed connection,
 * one channel. An envelope published here is handed to this instance's handlers at once (so local sockets
 * never wait on Redis, and keep working while Redis is down) and published for the other instances; each
 * instance ignores its own messages when they come back. Every instance then delivers to its own sockets only.
 *
 * `publish` never awaits and never throws: Redis errors are logged. ioredis reconnects with back-off and
 * re-subscribes by itself; messages published while Redis is unreachable are queued by ioredis up to
 * MAX_PENDING_PUBLISHES, then dropped with a warning (clients catch up with a SyncVault on reconnect).
 */
export class RedisDeliveryBus extends DeliveryBus implements OnModuleInit, OnModuleDestroy {
  readonly channel: string;
  readonly instanceId: string;
  private readonly handlers: DeliveryHandler[] = [];
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly where: string;
  private pending = 0;
  private dropped = 0;
  private closed = false;
  private readonly lastErrorLog = new Map<string, number>();

  constructor(url: string, options: RedisDeliveryBusOptions = {}) {
    super();
    this.channel = options.channel ?? DEFAULT_DELIVERY_CHANNEL;
    this.instanceId = options.instanceId ?? randomUUID();
    this.where = describeUrl(url);
    const common = { lazyConnect: true, connectionName: `vault-hub-${this.instanceId.slice(0, 8)}` };
    this.publisher = new Redis(url, common);
    this.subscriber = new Redis(url, common);
    for (const [name, connection] of [['publisher', this.publisher], ['subscriber', this.subscriber]] as const) {
      connection.on('error', (error: Error) => this.logError(name, error));
      connection.on('ready', () => log.info({ connection: name, redis: this.where }, 'delivery-bus.redis.ready'));
      connection.on('reconnecting', () => log.debug({ connection: name, redis: this.where }, 'delivery-bus.redis.reconnecting'));
    }
    this.subscriber.on('message', (channel: string, text: string) => {
      if (channel === this.channel) this.receive(text);
    });
  }

  async onModuleInit(): Promise<void> {
    this.publisher.connect().catch((error: Error) => this.logError('publisher', error));
    this.subscriber.connect().catch((error: Error) => this.logError('subscriber', error));
    // Subscribed before the server takes requests when Redis is up; start-up never hangs on a Redis that is down.
    const subscribed = this.subscriber.subscribe(this.channel).then(
      () => true,
      (error: Error) => {
        this.logError('subscriber', error);
        return false;
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), SUBSCRIBE_WAIT_MS);
    });
    const ok = await Promise.race([subscribed, timeout]);
    clearTimeout(timer);
    if (ok) log.info({ channel: this.channel, redis: this.where, instance: this.instanceId }, 'delivery-bus.redis.subscribed');
    else log.warn({ channel: this.channel, redis: this.where }, 'delivery-bus.redis.not-subscribed-yet: hub messages from other instances arrive once Redis answers');
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    await Promise.all([this.subscriber, this.publisher].map(async (connection) => {
      try {
        if (connection.status === 'ready') await connection.quit();
        else connection.disconnect();
      } catch {
        connection.disconnect();
      }
    }));
  }

  subscribe(handler: DeliveryHandler): void {
    this.handlers.push(handler);
  }

  publish(envelope: DeliveryEnvelope): void {
    this.dispatch(envelope);
    if (this.closed) return;
    if (this.pending >= MAX_PENDING_PUBLISHES) {
      this.dropped += 1;
      if (this.dropped === 1 || this.dropped % 1000 === 0) log.warn({ dropped: this.dropped, pending: this.pending, redis: this.where }, 'delivery-bus.redis.dropped: Redis is not keeping up');
      return;
    }
    let text: string;
    try {
      text = encodeBusMessage(this.instanceId, envelope);
    } catch (error) {
      log.error({ err: error, type: envelope.type }, 'delivery-bus.redis.encode-failed');
      return;
    }
    this.pending += 1;
    this.publisher.publish(this.channel, text).then(
      () => {
        this.pending -= 1;
      },
      (error: Error) => {
        this.pending -= 1;
        this.logError('publisher', error);
      },
    );
  }

  private receive(text: string): void {
    let message: { origin: string; envelope: DeliveryEnvelope };
    try {
      message = decodeBusMessage(text);
    } catch (error) {
      log.warn({ err: error, bytes: text.length }, 'delivery-bus.redis.bad-message');
      return;
    }
    if (message.origin === this.instanceId) return; // already delivered locally when it was published
    this.dispatch(message.envelope);
  }

  private dispatch(envelope: DeliveryEnvelope): void {
    for (const handler of this.handlers) {
      try {
        handler(envelope);
      } catch (error) {
        log.error({ err: error, type: envelope.type }, 'delivery-bus.handler-failed');
      }
    }
  }

  private logError(connection: string, error: Error): void {
    const now = Date.now();
    const last = this.lastErrorLog.get(connection) ?? 0;
    if (now - last < ERROR_LOG_INTERVAL_MS) return;
    this.lastErrorLog.set(connection, now);
    log.error({ connection, redis: this.where, error: error.message }, 'delivery-bus.redis.error');
  }
}
