import { Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { Metrics } from '../common/metrics/metrics';
import { getLogger } from '../common/logging/logger';
import { Clock } from '../common/time/clock';
import { userPayload, WirePayload } from '../wire/payloads';
import { HUB_TARGET_AUTH_REQUEST_RESPONSE, HUB_TARGET_RECEIVE_MESSAGE, UpdateType } from '../wire/update-type';
import { ConnectionRegistry } from './connection-registry';
import { DeliveryBus, DeliveryEnvelope } from './delivery-bus';
import { HubConnection } from './hub-connection';
import { OutboundFrame } from './outbound-queue';
import { HubProtocol } from './signalr';

const log = getLogger('HubDelivery');

/** Sockets written per event-loop turn before yielding to I/O. */
const SOCKETS_PER_TURN = 128;

interface DeliveryJob {
  connections: HubConnection[];
  envelope: DeliveryEnvelope;
  payload: WirePayload;
  /** The frame, encoded once per protocol. */
  encoded: Map<string, OutboundFrame>;
  next: number;
}

/** Encodes a ReceiveMessage argument map: ContextId, Type, Payload, in that order (notifications.md §3.5). */
export function encodeUpdate(protocol: HubProtocol, type: UpdateType, contextId: string | null, payload: WirePayload): OutboundFrame {
  return { bytes: protocol.encodeInvocation(HUB_TARGET_RECEIVE_MESSAGE, [{ ContextId: contextId, Type: type, Payload: payload }]), updateType: type };
}

/** Anonymous hub layout: Type, Payload {Id, UserId}, UserId; no ContextId. */
export function encodeAnonymousUpdate(protocol: HubProtocol, type: UpdateType, payload: WirePayload): OutboundFrame {
  return { bytes: protocol.encodeInvocation(HUB_TARGET_AUTH_REQUEST_RESPONSE, [{ Type: type, Payload: payload, UserId: payload.UserId ?? null }]), updateType: type };
}

/**
 * This instance's end of the delivery bus: finds the local sockets of each recipient, encodes the message
 * once per protocol and recipient, and queues it on each socket. Never waits for a socket.
 */
@Injectable()
export class HubDeliveryService implements OnModuleInit {
  private readonly jobs: DeliveryJob[] = [];
  private draining = false;

  constructor(private readonly bus: DeliveryBus, private readonly registry: ConnectionRegistry, private readonly clock: Clock, @Optional() private readonly metrics?: Metrics) {}

  onModuleInit(): void {
    this.bus.subscribe((envelope) => this.deliver(envelope));
  }

  deliver(envelope: DeliveryEnvelope): void {
    const target = envelope.target;
    if (target.kind === 'anonymous') {
      this.send(this.registry.forToken(target.token), envelope, envelope.payload);
      return;
    }
    if (target.kind === 'device') {
      this.send(this.registry.forDevice(target.deviceId), envelope, envelope.payload);
      return;
    }
    for (const userId of new Set(target.userIds)) {
      const connections = this.registry.forUser(userId);
      if (connections.length === 0) continue;
      this.send(connections, envelope, envelope.payload);
    }
  }

  /** A SyncVault for one connection, used when its queue collapses. */
  syncVaultFrame(connection: HubConnection): OutboundFrame | null {
    if (!connection.protocol || connection.identity.kind !== 'user') return null;
    return encodeUpdate(connection.protocol, UpdateType.SyncVault, null, userPayload({ userId: connection.identity.userId, date: this.clock.now() }));
  }

  /**
   * Queues one message for `connections`. Jobs are worked off in FIFO order, at most SOCKETS_PER_TURN sockets
   * per event-loop turn, so a fan-out to thousands of sockets never holds up HTTP requests for its whole
   * duration, and every socket still sees messages in emission order.
   */
  private send(connections: HubConnection[], envelope: DeliveryEnvelope, payload: WirePayload): void {
    this.jobs.push({ connections, envelope, payload, encoded: new Map(), next: 0 });
    if (!this.draining) this.drain();
  }

  private drain(): void {
    this.draining = true;
    let budget = SOCKETS_PER_TURN;
    while (budget > 0) {
      const job = this.jobs[0];
      if (!job) {
        this.draining = false;
        return;
      }
      while (budget > 0 && job.next < job.connections.length) {
        this.sendOne(job, job.connections[job.next]!);
        job.next += 1;
        budget -= 1;
      }
      if (job.next >= job.connections.length) this.jobs.shift();
    }
    setImmediate(() => this.drain());
  }

  private sendOne(job: DeliveryJob, connection: HubConnection): void {
    const { envelope, payload } = job;
    const closeIt = !!envelope.close && !(connection.identity.kind === 'user' && connection.identity.deviceId === envelope.close.exceptDeviceId);
    const protocol = connection.protocol;
    if (!protocol || !connection.ready) {
      this.metrics?.hubMessages.inc({ result: 'dropped' });
      if (closeIt) connection.closeAfterFlush('Unauthorized', false, 1008);
      return;
    }
    let frame = job.encoded.get(protocol.name);
    if (!frame) {
      frame = envelope.anonymous ? encodeAnonymousUpdate(protocol, envelope.type, payload) : encodeUpdate(protocol, envelope.type, envelope.contextId, payload);
      job.encoded.set(protocol.name, frame);
    }
    const collapses = connection.collapses;
    connection.enqueue(frame);
    if (this.metrics) {
      this.metrics.hubMessages.inc({ result: connection.collapses > collapses ? 'collapsed' : 'queued' });
      if (envelope.emittedAt !== undefined) this.metrics.hubDeliverySeconds.observe(Math.max(0, Date.now() - envelope.emittedAt) / 1000);
    }
    if (log.isDebug()) log.debug({ type: envelope.type, conn: connection.id, ...connection.describe() }, 'notifications.queued');
    if (closeIt) connection.closeAfterFlush('Unauthorized', false, 1008);
  }
}
