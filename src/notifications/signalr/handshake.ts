/**
 * SignalR handshake (notifications.md §3.2): `{"protocol":"<name>","version":1}` + 0x1E from the client,
 * `{}` + 0x1E (or `{"error":"..."}` + 0x1E) from the server.
 */
import { HubProtocolName, MAX_INBOUND_FRAME_BYTES } from './hub-message';

export const RECORD_SEPARATOR = 0x1e;
export const RECORD_SEPARATOR_CHAR = '\u001e';
/** The handshake record must fit in one frame of at most 4 KiB. */
export const MAX_HANDSHAKE_BYTES = MAX_INBOUND_FRAME_BYTES;

const SUPPORTED_VERSIONS: Readonly<Record<HubProtocolName, number>> = { messagepack: 1, json: 1 };

export type HandshakeResult =
  | { readonly ok: true; readonly protocol: HubProtocolName; readonly version: 1 }
  | { readonly ok: false; readonly error: string };

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

function isSupportedProtocol(name: string): name is HubProtocolName {
  return Object.prototype.hasOwnProperty.call(SUPPORTED_VERSIONS, name);
}

/** Parses the first client message (text or binary frame). Never throws. */
export function parseHandshake(data: Uint8Array | string): HandshakeResult {
  try {
    return parseHandshakeUnsafe(data);
  } catch {
    return { ok: false, error: 'Handshake message could not be parsed.' };
  }
}

function parseHandshakeUnsafe(data: Uint8Array | string): HandshakeResult {
  let text: string;
  if (typeof data === 'string') {
    // UTF-8 needs at least one byte per UTF-16 code unit, so a long string is oversized without encoding it.
    if (data.length > MAX_HANDSHAKE_BYTES || utf8Encoder.encode(data).length > MAX_HANDSHAKE_BYTES) {
      return tooLarge();
    }
    text = data;
  } else {
    if (data.length > MAX_HANDSHAKE_BYTES) return tooLarge();
    try {
      text = utf8Decoder.decode(data);
    } catch {
      return { ok: false, error: 'Handshake message is not valid UTF-8.' };
    }
  }
  if (text.endsWith(RECORD_SEPARATOR_CHAR)) text = text.slice(0, -1);

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, error: 'Handshake message is not valid JSON.' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, error: 'Handshake message is not a JSON object.' };
  }
  const protocol: unknown = Reflect.get(parsed, 'protocol');
  const version: unknown = Reflect.get(parsed, 'version');
  if (typeof protocol !== 'string') {
    return { ok: false, error: "Missing required property 'protocol'." };
  }
  if (typeof version !== 'number' || !Number.isFinite(version)) {
    return { ok: false, error: "Missing required property 'version'." };
  }
  if (!isSupportedProtocol(protocol)) {
    return { ok: false, error: `Requested protocol '${protocol}' is not available.` };
  }
  if (version !== SUPPORTED_VERSIONS[protocol]) {
    return { ok: false, error: `The server does not support version ${String(version)} of the '${protocol}' protocol.` };
  }
  return { ok: true, protocol, version: 1 };
}

function tooLarge(): HandshakeResult {
  return { ok: false, error: `Handshake message exceeds ${MAX_HANDSHAKE_BYTES} bytes.` };
}

/** Success reply: `7b 7d 1e`. */
export function encodeHandshakeResponse(): Uint8Array {
  return Uint8Array.of(0x7b, 0x7d, RECORD_SEPARATOR);
}

/** Failure reply: `{"error":"<message>"}` + 0x1E (send in a text frame, then close with 1002). */
export function encodeHandshakeError(message: string): Uint8Array {
  return utf8Encoder.encode(JSON.stringify({ error: message }) + RECORD_SEPARATOR_CHAR);
}
