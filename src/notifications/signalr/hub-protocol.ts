/**
 * Per-connection protocol selection: after the handshake the gateway picks one {@link HubProtocol} and uses
 * it for every frame of that connection.
 */
import { DecodeMessagesResult, DecodeOptions, HubProtocolName } from './hub-message';
import * as json from './json';
import * as messagePack from './messagepack';

export interface HubProtocol {
  readonly name: HubProtocolName;
  /** `true`: send WebSocket binary frames (MessagePack); `false`: text frames (JSON). */
  readonly binary: boolean;
  /**
   * One complete record for a server invocation. `args` use the hub's PascalCase keys (MessagePack layout,
   * notifications.md §3.5); the JSON protocol converts keys to camelCase.
   */
  encodeInvocation(target: string, args: readonly unknown[]): Uint8Array;
  encodePing(): Uint8Array;
  encodeClose(error: string | null, allowReconnect: boolean): Uint8Array;
  /** Never throws. */
  decodeMessages(frame: Uint8Array | string, options?: DecodeOptions): DecodeMessagesResult;
}

export const messagePackProtocol: HubProtocol = Object.freeze({
  name: 'messagepack',
  binary: true,
  encodeInvocation: messagePack.encodeInvocation,
  encodePing: messagePack.encodePing,
  encodeClose: messagePack.encodeClose,
  decodeMessages: (frame: Uint8Array | string, options?: DecodeOptions): DecodeMessagesResult =>
    typeof frame === 'string'
      ? { ok: false, reason: 'text frame on a MessagePack connection' }
      : messagePack.decodeMessages(frame, options),
});

export const jsonProtocol: HubProtocol = Object.freeze({
  name: 'json',
  binary: false,
  encodeInvocation: (target: string, args: readonly unknown[]): Uint8Array =>
    json.encodeInvocation(target, args.map((arg) => json.toCamelCaseKeys(arg))),
  encodePing: json.encodePing,
  encodeClose: json.encodeClose,
  decodeMessages: json.decodeMessages,
});

export function getHubProtocol(name: HubProtocolName): HubProtocol {
  return name === 'messagepack' ? messagePackProtocol : jsonProtocol;
}
