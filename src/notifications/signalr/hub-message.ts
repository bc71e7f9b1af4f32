/**
 * SignalR hub message model shared by the MessagePack and JSON codecs
 * (wire contract: docs notifications.md §3.1).
 */

/** Largest inbound WebSocket message accepted (bitwarden/server `TransportMaxBufferSize`). */
export const MAX_INBOUND_FRAME_BYTES = 4096;

export const MessageType = {
  Invocation: 1,
  StreamItem: 2,
  Completion: 3,
  StreamInvocation: 4,
  CancelInvocation: 5,
  Ping: 6,
  Close: 7,
} as const;

export type MessageTypeValue = (typeof MessageType)[keyof typeof MessageType];

export interface InvocationMessage {
  readonly type: 1;
  readonly headers: Readonly<Record<string, unknown>>;
  /** `null` when no completion is expected (always the case for server invocations). */
  readonly invocationId: string | null;
  readonly target: string;
  readonly arguments: readonly unknown[];
  /** Present only when the sender included the optional sixth element / `streamIds` key. */
  readonly streamIds?: readonly unknown[];
}

export interface PingMessage {
  readonly type: 6;
}

export interface CloseMessage {
  readonly type: 7;
  readonly error: string | null;
  /** Absent when the sender did not include it (`@microsoft/signalr` sends `[7, nil]`). */
  readonly allowReconnect?: boolean;
}

/** StreamItem, Completion, StreamInvocation, CancelInvocation: recognised, carried only so the gateway can ignore them. */
export interface IgnoredMessage {
  readonly type: 2 | 3 | 4 | 5;
}

export type HubMessage = InvocationMessage | PingMessage | CloseMessage | IgnoredMessage;

export type DecodeMessagesResult =
  | { readonly ok: true; readonly messages: HubMessage[] }
  | { readonly ok: false; readonly reason: string };

export interface DecodeOptions {
  /** Frames larger than this are rejected before parsing. Defaults to {@link MAX_INBOUND_FRAME_BYTES}. */
  readonly maxFrameBytes?: number;
}

export type HubProtocolName = 'messagepack' | 'json';
