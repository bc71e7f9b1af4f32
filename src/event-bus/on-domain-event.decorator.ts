import { SetMetadata } from '@nestjs/common';
import { DomainEventName } from './domain-events';

export type ListenerPhase = 'inTransaction' | 'afterCommit';
export interface ListenerMetadata { events: DomainEventName[]; phase: ListenerPhase }
export const DOMAIN_EVENT_LISTENER = 'domain-event-listener';

/**
 * Marks a method as a listener. `inTransaction` listeners run inside the emitting transaction (awaited; an
 * error rolls the write back; rows only, no network). `afterCommit` listeners run once it has committed;
 * their errors are logged and never reach the emitting request.
 */
export function OnDomainEvent(events: DomainEventName | DomainEventName[], options: { phase: ListenerPhase }): MethodDecorator {
  return SetMetadata<string, ListenerMetadata>(DOMAIN_EVENT_LISTENER, { events: Array.isArray(events) ? events : [events], phase: options.phase });
}
