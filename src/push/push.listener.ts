import { Injectable, OnModuleInit } from '@nestjs/common';
import { MOBILE_DEVICE_TYPES } from '../common/auth/device-type';
import { Tx } from '../db/unit-of-work';
import { DomainEventMap, DomainEventName } from '../event-bus/domain-events';
import { EventBus } from '../event-bus/event-bus.service';
import { OnDomainEvent } from '../event-bus/on-domain-event.decorator';
import { WIRE_TABLE } from '../wire/wire-table';
import { WireTranslator } from '../wire/wire-translator';
import { OutboxWriter, SendRequest } from './outbox.writer';
import { PushRegistrationsRepository } from './push-registrations.repository';

/**
 * The relay's consumer of the wire table: inside the emitting transaction, every push message becomes an
 * outbox row, so it commits or rolls back with the change (notifications.md §10). Rows only, no network.
 * Device registrations (DevicePushTokenSet/Cleared) are relay calls of their own, not notifications.
 */
@Injectable()
export class PushListener implements OnModuleInit {
  constructor(
    private readonly events: EventBus,
    private readonly wire: WireTranslator,
    private readonly outbox: OutboxWriter,
    private readonly registrations: PushRegistrationsRepository,
  ) {}

  onModuleInit(): void {
    for (const name of Object.keys(WIRE_TABLE) as DomainEventName[]) {
      this.events.on(name, 'inTransaction', `PushListener.${name}`, (event, tx) => this.enqueue(name, event, tx));
    }
  }

  /** Every push message of the event becomes an outbox row to its user; `identifier` excludes the acting device. */
  private async enqueue<K extends DomainEventName>(name: K, event: DomainEventMap[K], tx: Tx): Promise<void> {
    const sends: SendRequest[] = [];
    for (const m of await this.wire.translate(name, event, (work) => work(tx.manager))) {
      if (!m.channels.includes('push') || m.to.kind !== 'user') continue;
      sends.push({ userId: m.to.userId, type: m.type, objectId: m.objectId, payload: m.relayPayload ?? m.payload, deviceId: m.actingDeviceId, identifier: m.contextId });
    }
    // One user (the personal vault): coalesced right here. Several (an organization's members): one recipient
    // query and a few rows now, each member's coalescing later in the worker.
    if (sends.length === 1) await this.outbox.enqueueSend(tx, sends[0]!);
    else if (sends.length > 1) await this.outbox.enqueueFanout(tx, sends);
  }

  /**
   * A mobile device's token was stored or changed (register it), or it logged in with its token (register it
   * again only when its registration is not current: missing, failed, or made against another relay).
   */
  @OnDomainEvent('DevicePushTokenSet', { phase: 'inTransaction' })
  async pushTokenSet(e: DomainEventMap['DevicePushTokenSet'], tx: Tx): Promise<void> {
    if (!MOBILE_DEVICE_TYPES.has(e.deviceType)) return;
    if (e.tokenChanged || (await this.registrations.needsRegistration(tx.manager, e.deviceId))) await this.outbox.enqueueRegister(tx, e.deviceId);
  }

  /** Token cleared, device deactivated or deleted, sessions ended: the relay registration is deleted. */
  @OnDomainEvent('DevicePushTokenCleared', { phase: 'inTransaction' })
  async pushTokenCleared(e: DomainEventMap['DevicePushTokenCleared'], tx: Tx): Promise<void> {
    if (MOBILE_DEVICE_TYPES.has(e.deviceType)) await this.outbox.enqueueDelete(tx, e.userId, e.deviceId);
  }
}
