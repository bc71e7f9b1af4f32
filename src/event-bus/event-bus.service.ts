import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { getLogger } from '../common/logging/logger';
import { Tx } from '../db/unit-of-work';
import { DomainEventMap, DomainEventName } from './domain-events';
import { DOMAIN_EVENT_LISTENER, ListenerMetadata, ListenerPhase } from './on-domain-event.decorator';

type Handler = (payload: unknown, tx: Tx) => Promise<void> | void;
interface Registered { name: string; phase: ListenerPhase; handler: Handler }

const log = getLogger('EventBus');

/** The internal bus: typed events, two listener phases, discovery by decorator. */
@Injectable()
export class EventBus implements OnApplicationBootstrap {
  private readonly listeners = new Map<DomainEventName, Registered[]>();

  constructor(private readonly discovery: DiscoveryService, private readonly scanner: MetadataScanner, private readonly reflector: Reflector) {}

  onApplicationBootstrap(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const fn = (instance as Record<string, unknown>)[method];
        if (typeof fn !== 'function') continue;
        const meta = this.reflector.get<ListenerMetadata | undefined>(DOMAIN_EVENT_LISTENER, fn as () => void);
        if (!meta) continue;
        for (const event of meta.events) {
          this.on(event, meta.phase, `${instance.constructor.name}.${method}`, (payload, tx) => (fn as Handler).call(instance, payload, tx));
        }
      }
    }
  }

  /** Registers a listener by hand (tests, dynamic consumers). */
  on<K extends DomainEventName>(event: K, phase: ListenerPhase, name: string, handler: (payload: DomainEventMap[K], tx: Tx) => Promise<void> | void): void {
    const list = this.listeners.get(event) ?? [];
    list.push({ name, phase, handler: handler as Handler });
    this.listeners.set(event, list);
  }

  /**
   * Emits `event` inside `tx`: in-transaction listeners run now (their errors abort the write);
   * after-commit listeners are scheduled for when `tx` commits.
   */
  async emit<K extends DomainEventName>(tx: Tx, event: K, payload: DomainEventMap[K]): Promise<void> {
    const list = this.listeners.get(event) ?? [];
    for (const listener of list) {
      if (listener.phase === 'inTransaction') await listener.handler(payload, tx);
    }
    for (const listener of list) {
      if (listener.phase !== 'afterCommit') continue;
      tx.afterCommit(async () => {
        try {
          await listener.handler(payload, tx);
        } catch (error) {
          log.error({ event, listener: listener.name, err: error instanceof Error ? error.message : String(error) }, 'event.listener_failed');
        }
      });
    }
  }
}
