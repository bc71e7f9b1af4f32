/**
 * SignalR JSON hub protocol codec (notifications.md §3.4–§3.6, §5.1): UTF-8 JSON records, each followed by
 * 0x1E. Dates are RFC 3339 UTC strings with six fractional digits; payload keys are camelCase.
 */
import {
  DecodeMessagesResult,
  DecodeOptions,
  HubMessage,
  MAX_INBOUND_FRAME_BYTES,
  MessageType,
} from './hub-message';
import { HubTimestamp, formatHubDate } from './hub-timestamp';
import { RECORD_SEPARATOR_CHAR } from './handshake';

const MAX_DEPTH = 64;
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// ---------------------------------------------------------------------------------------------------------
// Key conversion
// ---------------------------------------------------------------------------------------------------------

/** `ContextId` → `contextId`, `Id` → `id` (first character lowercased, the rest unchanged). */
export function camelCaseKey(key: string): string {
  return key.length === 0 ? key : key.charAt(0).toLowerCase() + key.slice(1);
}

/**
 * Returns a copy of `value` with every map key (plain objects and `Map`s, recursively, also inside arrays)
 * converted by {@link camelCaseKey}. Dates, {@link HubTimestamp}s, binaries and primitives are returned as is.
 * Key order is preserved. Throws `TypeError` on nesting deeper than 64 levels (e.g. cycles).
 */
export function toCamelCaseKeys(value: unknown): unknown {
  return camelCaseDeep(value, 0);
}

function camelCaseDeep(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_DEPTH) throw new TypeError(`Value nested deeper than ${MAX_DEPTH} levels (circular?)`);
  if (value instanceof Date || value instanceof HubTimestamp || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) return (value as unknown[]).map((item) => camelCaseDeep(item, depth + 1));
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    for (const [key, item] of value as Map<unknown, unknown>) {
      out.set(typeof key === 'string' ? camelCaseKey(key) : key, camelCaseDeep(item, depth + 1));
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    defineEntry(out, camelCaseKey(key), camelCaseDeep(item, depth + 1));
  }
  return out;
}

/** Own data property, also for a key named `__proto__`. */
function defineEntry(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

// ---------------------------------------------------------------------------------------------------------
// Encoder
// ---------------------------------------------------------------------------------------------------------

/** Converts a value to what `JSON.stringify` should see: dates → RFC 3339 (6 digits), Maps → objects, undefined → null. */
function toJsonValue(value: unknown, depth: number): unknown {
  if (value === undefined || value === null) return null;
  switch (typeof value) {
    case 'boolean':
    case 'number':
    case 'string':
      return value;
    case 'object':
      break;
    default:
      throw new TypeError(`Cannot encode a value of type ${typeof value} as JSON`);
  }
  if (depth > MAX_DEPTH) throw new TypeError(`Value nested deeper than ${MAX_DEPTH} levels (circular?)`);
  if (value instanceof HubTimestamp || value instanceof Date) return formatHubDate(value);
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) throw new TypeError('Only Uint8Array binaries can be encoded');
  if (Array.isArray(value)) return (value as unknown[]).map((item) => toJsonValue(item, depth + 1));
  const out: Record<string, unknown> = {};
  const entries: Iterable<[unknown, unknown]> = value instanceof Map ? (value as Map<unknown, unknown>) : Object.entries(value);
  for (const [key, item] of entries) {
    if (typeof key !== 'string') throw new TypeError('Map keys must be strings');
    defineEntry(out, key, toJsonValue(item, depth + 1));
  }
  return out;
}

function record(message: Record<string, unknown>): Uint8Array {
  return utf8Encoder.encode(JSON.stringify(message) + RECORD_SEPARATOR_CHAR);
}

/**
 * `{"type":1,"target":...,"arguments":[...]}` + 0x1E. Arguments are written as given (no key conversion; see
 * {@link toCamelCaseKeys} and `jsonProtocol`, which converts). Dates and {@link HubTimestamp}s become
 * `YYYY-MM-DDTHH:MM:SS.ffffffZ`. Throws `TypeError` for unsupported values (functions, symbols, bigint).
 */
export function encodeInvocation(target: string, args: readonly unknown[]): Uint8Array {
  return record({ type: MessageType.Invocation, target, arguments: toJsonValue(args, 0) });
}

/** `{"type":6}` + 0x1E. */
export function encodePing(): Uint8Array {
  return record({ type: MessageType.Ping });
}

/**
 * `{"type":7}` + 0x1E, with `"error"` when `error` is not null and `"allowReconnect"` when it is true or an
 * error is given: `(null, false)` → `{"type":7}`, `("Unauthorized", false)` →
 * `{"type":7,"error":"Unauthorized","allowReconnect":false}`, `(null, true)` → `{"type":7,"allowReconnect":true}`.
 */
export function encodeClose(error: string | null, allowReconnect: boolean): Uint8Array {
  const message: Record<string, unknown> = { type: MessageType.Close };
  if (error !== null) message['error'] = error;
  if (error !== null || allowReconnect) message['allowReconnect'] = allowReconnect;
  return record(message);
}

// ---------------------------------------------------------------------------------------------------------
// Decoder
// ---------------------------------------------------------------------------------------------------------

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function own(object: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

type MessageResult = { ok: true; message: HubMessage } | { ok: false; reason: string };

function toHubMessage(value: unknown): MessageResult {
  if (!isRecord(value)) return { ok: false, reason: 'message is not a JSON object' };
  const type = own(value, 'type');
  if (typeof type !== 'number' || !Number.isInteger(type)) {
    return { ok: false, reason: 'message type is missing or not an integer' };
  }
  switch (type) {
    case MessageType.Invocation: {
      const target = own(value, 'target');
      const args = own(value, 'arguments');
      const invocationId = own(value, 'invocationId');
      const headers = own(value, 'headers');
      const streamIds = own(value, 'streamIds');
      if (typeof target !== 'string') return { ok: false, reason: 'invocation target is not a string' };
      if (!Array.isArray(args)) return { ok: false, reason: 'invocation arguments are not an array' };
      if (invocationId !== undefined && invocationId !== null && typeof invocationId !== 'string') {
        return { ok: false, reason: 'invocation id is not a string' };
      }
      if (headers !== undefined && headers !== null && !isRecord(headers)) {
        return { ok: false, reason: 'invocation headers are not an object' };
      }
      if (streamIds !== undefined && streamIds !== null && !Array.isArray(streamIds)) {
        return { ok: false, reason: 'invocation stream ids are not an array' };
      }
      const base = {
        type: 1 as const,
        headers: isRecord(headers) ? headers : {},
        invocationId: typeof invocationId === 'string' ? invocationId : null,
        target,
        arguments: args as unknown[],
      };
      return { ok: true, message: Array.isArray(streamIds) ? { ...base, streamIds: streamIds as unknown[] } : base };
    }
    case MessageType.StreamItem:
    case MessageType.Completion:
    case MessageType.StreamInvocation:
    case MessageType.CancelInvocation:
      return { ok: true, message: { type } };
    case MessageType.Ping:
      return { ok: true, message: { type: 6 } };
    case MessageType.Close: {
      const error = own(value, 'error');
      const allowReconnect = own(value, 'allowReconnect');
      if (error !== undefined && error !== null && typeof error !== 'string') {
        return { ok: false, reason: 'close error is not a string' };
      }
      if (allowReconnect !== undefined && typeof allowReconnect !== 'boolean') {
        return { ok: false, reason: 'close allowReconnect is not a boolean' };
      }
      const closeError = typeof error === 'string' ? error : null;
      return {
        ok: true,
        message: allowReconnect === undefined ? { type: 7, error: closeError } : { type: 7, error: closeError, allowReconnect },
      };
    }
    default:
      return { ok: false, reason: `unsupported message type ${type}` };
  }
}

/**
 * Decodes every record of one text (or binary) frame: JSON records each terminated by 0x1E. Trailing data
 * without a separator, bad UTF-8, bad JSON, a non-object or an unknown type rejects the frame. Never throws.
 */
export function decodeMessages(frame: string | Uint8Array, options?: DecodeOptions): DecodeMessagesResult {
  try {
    const maxBytes = options?.maxFrameBytes ?? MAX_INBOUND_FRAME_BYTES;
    let text: string;
    if (typeof frame === 'string') {
      // UTF-8 needs at least one byte per UTF-16 code unit.
      if (frame.length > maxBytes || utf8Encoder.encode(frame).length > maxBytes) {
        return { ok: false, reason: `frame exceeds ${maxBytes} bytes` };
      }
      text = frame;
    } else if (frame instanceof Uint8Array) {
      if (frame.length > maxBytes) return { ok: false, reason: `frame of ${frame.length} bytes exceeds ${maxBytes} bytes` };
      try {
        text = utf8Decoder.decode(frame);
      } catch {
        return { ok: false, reason: 'frame is not valid UTF-8' };
      }
    } else {
      return { ok: false, reason: 'frame is neither text nor binary' };
    }
    if (text.length === 0) return { ok: true, messages: [] };
    if (!text.endsWith(RECORD_SEPARATOR_CHAR)) return { ok: false, reason: 'incomplete record (no trailing 0x1E)' };
    const parts = text.slice(0, -1).split(RECORD_SEPARATOR_CHAR);
    const messages: HubMessage[] = [];
    for (const part of parts) {
      let value: unknown;
      try {
        value = JSON.parse(part);
      } catch {
        return { ok: false, reason: 'record is not valid JSON' };
      }
      const result = toHubMessage(value);
      if (!result.ok) return result;
      messages.push(result.message);
    }
    return { ok: true, messages };
  } catch (error) {
    return { ok: false, reason: `unexpected decoder failure: ${error instanceof Error ? error.message : String(error)}` };
  }
}
