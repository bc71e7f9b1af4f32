import { Injectable } from '@nestjs/common';
import { WirePayload } from '../wire/payloads';
import { UpdateType } from '../wire/update-type';

/** Who receives a hub message. */
export type DeliveryTarget =
  | { kind: 'users'; userIds: string[] }
  | { kind: 'device'; userId: string; deviceId: string }
  | { kind: 'anonymous'; token: string };

/** What should happen to the target's sockets once the message is written (deauthorisation, §7.5). */
export interface DeliveryClose { exceptDeviceId: string | null }

/**
 * One logical hub message, built once for all its recipients (notifications.md §5.2). Serialisable, so it can
 * cross instances.
 */
export interface DeliveryEnvelope {
  target: DeliveryTarget;
  type: UpdateType;
  contextId: string | null;
  payload: WirePayload;
  /** Anonymous hub layout (AuthRequestResponseRecieved) instead of ReceiveMessage. */
  anonymous?: boolean;
  /** Close the target's sockets after this message. */
  close?: DeliveryClose;
  /** When the change was handed to the hubs (ms since the epoch): the delivery latency metric. */
  emittedAt?: number;
}

export type DeliveryHandler = (envelope: DeliveryEnvelope) => void;

/**
 * Carries hub messages to every instance's sockets. This abstract class is the Nest provider token:
 * `HubDeliveryService` and `NotificationsListener` inject `DeliveryBus` and never know which implementation
 * runs — `InProcessDeliveryBus` (one instance, the default) or `RedisDeliveryBus` (REDIS_URL set).
 *
 * Contract: `publish` returns at once and never throws into the caller; every handler registered with
 * `subscribe` on every instance receives each envelope once.
 */
export abstract class DeliveryBus {
  abstract subscribe(handler: DeliveryHandler): void;
  abstract publish(envelope: DeliveryEnvelope): void;
}

/** One instance: handlers are called synchronously, in publish order. */
@Injectable()
export class InProcessDeliveryBus extends DeliveryBus {
  private readonly handlers: DeliveryHandler[] = [];

  subscribe(handler: DeliveryHandler): void {
    this.handlers.push(handler);
  }

  publish(envelope: DeliveryEnvelope): void {
    for (const handler of this.handlers) handler(envelope);
  }
}
