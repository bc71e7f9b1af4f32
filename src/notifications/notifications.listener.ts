import { Injectable, OnModuleInit } from '@nestjs/common';
import { UnitOfWork } from '../db/unit-of-work';
import { DomainEventMap, DomainEventName } from '../event-bus/domain-events';
import { EventBus } from '../event-bus/event-bus.service';
import { WireMessage } from '../wire/wire-message';
import { WIRE_TABLE } from '../wire/wire-table';
import { WireTranslator } from '../wire/wire-translator';
import { DeliveryBus, DeliveryEnvelope } from './delivery-bus';

/**
 * The hub's consumer of the wire table: after commit, every hub message of every domain event is published on
 * the delivery bus. Decides nothing about meaning; never touches a socket and never blocks the request.
 */
@Injectable()
export class NotificationsListener implements OnModuleInit {
  constructor(
    private readonly events: EventBus,
    private readonly wire: WireTranslator,
    private readonly bus: DeliveryBus,
    private readonly uow: UnitOfWork,
  ) {}

  onModuleInit(): void {
    for (const name of Object.keys(WIRE_TABLE) as DomainEventName[]) {
      this.events.on(name, 'afterCommit', `NotificationsListener.${name}`, (event) => this.deliver(name, event));
    }
  }

  private async deliver<K extends DomainEventName>(name: K, event: DomainEventMap[K]): Promise<void> {
    const messages = await this.wire.translate(name, event, (work) => this.uow.read(work));
    const emittedAt = Date.now();
    for (const envelope of toEnvelopes(messages.filter((m) => m.channels.includes('hub')))) this.bus.publish({ ...envelope, emittedAt });
  }
}

/**
 * Hub envelopes for wire messages: messages to users that share one payload (a change seen by several users)
 * travel as one envelope; a device or an anonymous-hub token gets its own.
 */
export function toEnvelopes(messages: WireMessage[]): DeliveryEnvelope[] {
  const envelopes: DeliveryEnvelope[] = [];
  const byPayload = new Map<object, Extract<DeliveryEnvelope['target'], { kind: 'users' }>>();
  for (const m of messages) {
    const close = m.close ? { close: m.close } : {};
    if (m.to.kind === 'user') {
      const shared = m.close === null ? byPayload.get(m.payload) : undefined;
      if (shared) {
        shared.userIds.push(m.to.userId);
        continue;
      }
      const target = { kind: 'users' as const, userIds: [m.to.userId] };
      if (m.close === null) byPayload.set(m.payload, target);
      envelopes.push({ target, type: m.type, contextId: m.contextId, payload: m.payload, ...close });
    } else if (m.to.kind === 'device') {
      envelopes.push({ target: { kind: 'device', userId: m.to.userId, deviceId: m.to.deviceId }, type: m.type, contextId: m.contextId, payload: m.payload, ...close });
    } else {
      envelopes.push({ target: { kind: 'anonymous', token: m.to.token }, type: m.type, contextId: null, payload: m.payload, anonymous: true });
    }
  }
  return envelopes;
}
