import { Injectable } from '@nestjs/common';
import { WirePayload } from '../common/wire/payloads';
import { UpdateType } from '../common/wire/update-type';

/** Who receives a hub message. */
export type DeliveryTarget =
  | { kind: 'users'; userIds: string[] }
  | { kind: 'device'; userId: string; deviceId: string }
  | { kind: 'anonymous'; token: string };

/** What should happen to the target's sockets once the message is written (deauthorisation, §7.5). */
export interface DeliveryClose { exceptDeviceId: string | null }

/**
 * One logical hub message. `payload` is built once; for user targets its `UserId` is replaced by each
 * recipient's id (notifications.md §5.2). Serialisable, so it can cross instances.
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
  /** Set the payload's UserId to each recipient. */
  perRecipientUserId?: boolean;
}

export type DeliveryHandler = (envelope: DeliveryEnvelope) => void;

/**
 * Carries hub messages to every instance's sockets. This implementation is in-process (one instance);
 * a Redis pub/sub implementation of the same interface carries them between instances.
 */
@Injectable()
export class DeliveryBus {
  private readonly handlers: DeliveryHandler[] = [];

  subscribe(handler: DeliveryHandler): void {
    this.handlers.push(handler);
  }

  publish(envelope: DeliveryEnvelope): void {
    for (const handler of this.handlers) handler(envelope);
  }
}
