import { Injectable, OnModuleInit } from '@nestjs/common';
import { getLogger } from '../common/logging/logger';
import { userPayload, WirePayload } from '../common/wire/payloads';
import { HUB_TARGET_AUTH_REQUEST_RESPONSE, HUB_TARGET_RECEIVE_MESSAGE, UpdateType } from '../common/wire/update-type';
import { ConnectionRegistry } from './connection-registry';
import { DeliveryBus, DeliveryEnvelope } from './delivery-bus';
import { HubConnection } from './hub-connection';
import { OutboundFrame } from './outbound-queue';
import { HubProtocol } from './signalr';

const log = getLogger('HubDelivery');

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
  delivered = 0;

  constructor(private readonly bus: DeliveryBus, private readonly registry: ConnectionRegistry) {}

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
      const payload = envelope.perRecipientUserId ? { ...envelope.payload, UserId: userId } : envelope.payload;
      this.send(connections, envelope, payload);
    }
  }

  /** A SyncVault for one connection, used when its queue collapses. */
  syncVaultFrame(connection: HubConnection): OutboundFrame | null {
    if (!connection.protocol || connection.identity.kind !== 'user') return null;
    return encodeUpdate(connection.protocol, UpdateType.SyncVault, null, userPayload({ userId: connection.identity.userId, date: new Date() }));
  }

  private send(connections: HubConnection[], envelope: DeliveryEnvelope, payload: WirePayload): void {
    const encoded = new Map<string, OutboundFrame>();
    for (const connection of connections) {
      const closeIt = !!envelope.close && !(connection.identity.kind === 'user' && connection.identity.deviceId === envelope.close.exceptDeviceId);
      const protocol = connection.protocol;
      if (!protocol || !connection.ready) {
        if (closeIt) connection.closeAfterFlush('Unauthorized', false, 1008);
        continue;
      }
      let frame = encoded.get(protocol.name);
      if (!frame) {
        frame = envelope.anonymous ? encodeAnonymousUpdate(protocol, envelope.type, payload) : encodeUpdate(protocol, envelope.type, envelope.contextId, payload);
        encoded.set(protocol.name, frame);
      }
      connection.enqueue(frame);
      this.delivered += 1;
      if (log.isDebug()) log.debug({ type: envelope.type, conn: connection.id, ...connection.describe() }, 'notifications.queued');
      if (closeIt) connection.closeAfterFlush('Unauthorized', false, 1008);
    }
  }
}
