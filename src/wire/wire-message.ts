import { WirePayload } from './payloads';
import { UpdateType } from './update-type';

/** Who receives a message: every device of a user, one device of a user, or the anonymous-hub subscribers of a token. */
export type WireRecipient =
  | { kind: 'user'; userId: string }
  | { kind: 'device'; userId: string; deviceId: string }
  | { kind: 'anonymous'; token: string };

/** The consumers that deliver a message: the SignalR hubs, the push relay (mobile apps). */
export type WireChannel = 'hub' | 'push';

/**
 * One notification to deliver, as the wire table decides it (notifications.md §4–§8). Each consumer delivers
 * the messages of its channel its own way and decides nothing about meaning.
 */
export interface WireMessage {
  to: WireRecipient;
  type: UpdateType;
  /** The hub payload (PascalCase keys, §5.2). */
  payload: WirePayload;
  /** The relay payload when it differs from the hub's (organization ciphers: `UserId` is the recipient, §5.4). */
  relayPayload?: WirePayload;
  /** Hub `ContextId`: the acting device's identifier (§6.2); also the relay's `identifier` (excluded device, §10.7). */
  contextId: string | null;
  /** The acting device's id, recorded by the relay (`deviceId`, §10.7). */
  actingDeviceId: string | null;
  /** What the message is about (cipher, folder, auth request; the user for user types): the outbox coalesces by it. */
  objectId: string;
  /** Close the recipient's hub sockets after this message (§7.5), except those of this device. */
  close: { exceptDeviceId: string | null } | null;
  channels: readonly WireChannel[];
}

/** What the table needs besides the event: the time, and each user's account revision date after the change. */
export interface WireContext {
  now: Date;
  /** The recipient's account revision date (types 4, 5, 10 carry it); `now` when the user is gone. */
  revisionDate(userId: string): Date;
}
