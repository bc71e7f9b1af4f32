/**
 * SignalR MessagePack hub protocol codec (notifications.md §3.3, §3.5–§3.7, §5.1).
 *
 * Encoding uses a small purpose-built writer so the output is byte-stable: the most compact form for every
 * value, map keys in insertion order, and dates always as timestamp extension −1 in the 8-byte form.
 * Decoding uses `@msgpack/msgpack` with size limits and never throws.
 */
import { DecodeError, Decoder, ExtensionCodec } from '@msgpack/msgpack';
import {
  DecodeMessagesResult,
  DecodeOptions,
  HubMessage,
  MAX_INBOUND_FRAME_BYTES,
  MessageType,
} from './hub-message';
import { HubTimestamp } from './hub-timestamp';
import { decodeRecords, frameRecord } from './varint';

/** Extension type of the MessagePack timestamp. */
export const TIMESTAMP_EXT_TYPE = -1;
const MAX_ENCODE_DEPTH = 64;
const TWO_POW_32 = 2 ** 32;
const TWO_POW_34 = 2 ** 34;

const utf8Encoder = new TextEncoder();

// ---------------------------------------------------------------------------------------------------------
// Encoder
// ---------------------------------------------------------------------------------------------------------

class ByteWriter {
  private buffer = new Uint8Array(256);
  private view = new DataView(this.buffer.buffer);
  private pos = 0;

  private ensure(extra: number): void {
    const needed = this.pos + extra;
    if (needed <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < needed) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.pos));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }

  u8(value: number): void {
    this.ensure(1);
    this.view.setUint8(this.pos, value);
    this.pos += 1;
  }

  u16(value: number): void {
    this.ensure(2);
    this.view.setUint16(this.pos, value);
    this.pos += 2;
  }

  u32(value: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, value);
    this.pos += 4;
  }

  /** Unsigned 64-bit from a non-negative safe integer. */
  u64(value: number): void {
    const high = Math.floor(value / TWO_POW_32);
    this.u32(high);
    this.u32(value - high * TWO_POW_32);
  }

  /** Signed 64-bit from a safe integer. */
  i64(value: number): void {
    this.ensure(8);
    this.view.setBigInt64(this.pos, BigInt(value));
    this.pos += 8;
  }

  f64(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, value);
    this.pos += 8;
  }

  bytes(data: Uint8Array): void {
    this.ensure(data.length);
    this.buffer.set(data, this.pos);
    this.pos += data.length;
  }

  result(): Uint8Array {
    return this.buffer.slice(0, this.pos);
  }
}

function writeInteger(w: ByteWriter, value: number): void {
  if (value >= 0) {
    if (value < 0x80) {
      w.u8(value);
    } else if (value < 0x100) {
      w.u8(0xcc);
      w.u8(value);
    } else if (value < 0x10000) {
      w.u8(0xcd);
      w.u16(value);
    } else if (value < TWO_POW_32) {
      w.u8(0xce);
      w.u32(value);
    } else {
      w.u8(0xcf);
      w.u64(value);
    }
  } else if (value >= -32) {
    w.u8(0x100 + value); // negative fixint 0xe0..0xff
  } else if (value >= -0x80) {
    w.u8(0xd0);
    w.u8(0x100 + value);
  } else if (value >= -0x8000) {
    w.u8(0xd1);
    w.u16(0x10000 + value);
  } else if (value >= -0x80000000) {
    w.u8(0xd2);
    w.u32(TWO_POW_32 + value);
  } else {
    w.u8(0xd3);
    w.i64(value);
  }
}

function writeString(w: ByteWriter, value: string): void {
  const data = utf8Encoder.encode(value);
  const n = data.length;
  if (n < 32) {
    w.u8(0xa0 | n);
  } else if (n < 0x100) {
    w.u8(0xd9);
    w.u8(n);
  } else if (n < 0x10000) {
    w.u8(0xda);
    w.u16(n);
  } else {
    w.u8(0xdb);
    w.u32(n);
  }
  w.bytes(data);
}

function writeBinary(w: ByteWriter, data: Uint8Array): void {
  const n = data.length;
  if (n < 0x100) {
    w.u8(0xc4);
    w.u8(n);
  } else if (n < 0x10000) {
    w.u8(0xc5);
    w.u16(n);
  } else {
    w.u8(0xc6);
    w.u32(n);
  }
  w.bytes(data);
}

function writeArrayHeader(w: ByteWriter, n: number): void {
  if (n < 16) {
    w.u8(0x90 | n);
  } else if (n < 0x10000) {
    w.u8(0xdc);
    w.u16(n);
  } else {
    w.u8(0xdd);
    w.u32(n);
  }
}

function writeMapHeader(w: ByteWriter, n: number): void {
  if (n < 16) {
    w.u8(0x80 | n);
  } else if (n < 0x10000) {
    w.u8(0xde);
    w.u16(n);
  } else {
    w.u8(0xdf);
    w.u32(n);
  }
}

/**
 * Timestamp extension −1. Always the 8-byte form `d7 ff` + BE64 `(nanoseconds << 34) | seconds` when the
 * seconds fit in 34 unsigned bits (1970 – 2514); otherwise the 12-byte form `c7 0c ff` + ns32 + sec64.
 */
function writeTimestamp(w: ByteWriter, ts: HubTimestamp): void {
  if (ts.seconds >= 0 && ts.seconds < TWO_POW_34) {
    w.u8(0xd7);
    w.u8(0xff);
    const secondsHigh = Math.floor(ts.seconds / TWO_POW_32); // 0..3
    w.u32(ts.nanoseconds * 4 + secondsHigh);
    w.u32(ts.seconds - secondsHigh * TWO_POW_32);
  } else {
    w.u8(0xc7);
    w.u8(12);
    w.u8(0xff);
    w.u32(ts.nanoseconds);
    w.i64(ts.seconds);
  }
}

function writeValue(w: ByteWriter, value: unknown, depth: number): void {
  if (depth > MAX_ENCODE_DEPTH) {
    throw new TypeError(`Value nested deeper than ${MAX_ENCODE_DEPTH} levels (circular?)`);
  }
  if (value === null || value === undefined) {
    w.u8(0xc0);
    return;
  }
  switch (typeof value) {
    case 'boolean':
      w.u8(value ? 0xc3 : 0xc2);
      return;
    case 'number':
      if (Number.isSafeInteger(value)) {
        writeInteger(w, value === 0 ? 0 : value); // -0 → 0
      } else {
        w.u8(0xcb);
        w.f64(value);
      }
      return;
    case 'string':
      writeString(w, value);
      return;
    case 'object':
      break;
    default:
      throw new TypeError(`Cannot encode a value of type ${typeof value} as MessagePack`);
  }
  if (value instanceof HubTimestamp) {
    writeTimestamp(w, value);
  } else if (value instanceof Date) {
    writeTimestamp(w, HubTimestamp.fromDate(value));
  } else if (Array.isArray(value)) {
    writeArrayHeader(w, value.length);
    for (const item of value as unknown[]) writeValue(w, item, depth + 1);
  } else if (value instanceof Uint8Array) {
    writeBinary(w, value);
  } else if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    throw new TypeError('Only Uint8Array binaries can be encoded');
  } else if (value instanceof Map) {
    writeMapHeader(w, value.size);
    for (const [key, item] of value as Map<unknown, unknown>) {
      if (typeof key !== 'string') throw new TypeError('Map keys must be strings');
      writeString(w, key);
      writeValue(w, item, depth + 1);
    }
  } else {
    const entries = Object.entries(value);
    writeMapHeader(w, entries.length);
    for (const [key, item] of entries) {
      writeString(w, key);
      writeValue(w, item, depth + 1);
    }
  }
}

/**
 * Encodes one MessagePack value (no length prefix). Supported: null/undefined (nil), boolean, number, string,
 * Date and {@link HubTimestamp} (timestamp −1), arrays, Uint8Array (bin), plain objects and `Map`s with
 * string keys (maps, insertion order). Throws `TypeError` for anything else, and `RangeError` for invalid dates.
 */
export function encodeValue(value: unknown): Uint8Array {
  const w = new ByteWriter();
  writeValue(w, value, 0);
  return w.result();
}

/** Full record `VarInt ‖ [1, {}, nil, target, args]` (server invocation, no invocation id, no stream ids). */
export function encodeInvocation(target: string, args: readonly unknown[]): Uint8Array {
  return frameRecord(encodeValue([MessageType.Invocation, {}, null, target, args]));
}

/** `02 91 06`. */
export function encodePing(): Uint8Array {
  return frameRecord(encodeValue([MessageType.Ping]));
}

/** `[7, error, allowReconnect]`, e.g. `04 93 07 c0 c3` for `(null, true)`. */
export function encodeClose(error: string | null, allowReconnect: boolean): Uint8Array {
  return frameRecord(encodeValue([MessageType.Close, error, allowReconnect]));
}

// ---------------------------------------------------------------------------------------------------------
// Decoder
// ---------------------------------------------------------------------------------------------------------

function decodeTimestamp(data: Uint8Array): HubTimestamp {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  switch (data.byteLength) {
    case 4:
      return new HubTimestamp(view.getUint32(0), 0);
    case 8: {
      const high = view.getUint32(0);
      const low = view.getUint32(4);
      return new HubTimestamp((high & 0x3) * TWO_POW_32 + low, high >>> 2);
    }
    case 12: {
      const seconds = view.getBigInt64(4);
      if (seconds > BigInt(Number.MAX_SAFE_INTEGER) || seconds < BigInt(Number.MIN_SAFE_INTEGER)) {
        throw new DecodeError('timestamp seconds out of range');
      }
      return new HubTimestamp(Number(seconds), view.getUint32(0));
    }
    default:
      throw new DecodeError(`invalid timestamp length ${data.byteLength}`);
  }
}

const decodeExtensionCodec = new ExtensionCodec();
decodeExtensionCodec.register({
  type: TIMESTAMP_EXT_TYPE,
  encode: () => null,
  decode: (data) => {
    try {
      return decodeTimestamp(data);
    } catch (error) {
      throw error instanceof DecodeError ? error : new DecodeError(errorText(error));
    }
  },
});

const decoders = new Map<number, Decoder>();

function decoderFor(maxBytes: number): Decoder {
  let decoder = decoders.get(maxBytes);
  if (decoder === undefined) {
    decoder = new Decoder({
      extensionCodec: decodeExtensionCodec,
      // Every element takes at least one byte, so nothing larger than the frame can be legitimate; the caps
      // keep a tiny frame from pre-allocating a huge array or reading a huge string.
      maxStrLength: maxBytes,
      maxBinLength: maxBytes,
      maxArrayLength: maxBytes,
      maxMapLength: maxBytes,
      maxExtLength: maxBytes,
    });
    if (decoders.size < 8) decoders.set(maxBytes, decoder);
  }
  return decoder;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A decoded MessagePack map (the decoder builds plain objects). */
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

type MessageResult = { ok: true; message: HubMessage } | { ok: false; reason: string };

function toHubMessage(value: unknown): MessageResult {
  if (!Array.isArray(value)) return { ok: false, reason: 'message is not an array' };
  const items = value as unknown[];
  const type = items[0];
  if (typeof type !== 'number' || !Number.isInteger(type)) {
    return { ok: false, reason: 'message type is missing or not an integer' };
  }
  switch (type) {
    case MessageType.Invocation: {
      if (items.length !== 5 && items.length !== 6) {
        return { ok: false, reason: `invocation has ${items.length} elements, expected 5 or 6` };
      }
      const [, headers, invocationId, target, args, streamIds] = items;
      if (!isRecord(headers)) return { ok: false, reason: 'invocation headers are not a map' };
      if (invocationId !== null && typeof invocationId !== 'string') {
        return { ok: false, reason: 'invocation id is neither nil nor a string' };
      }
      if (typeof target !== 'string') return { ok: false, reason: 'invocation target is not a string' };
      if (!Array.isArray(args)) return { ok: false, reason: 'invocation arguments are not an array' };
      if (items.length === 6) {
        if (!Array.isArray(streamIds)) return { ok: false, reason: 'invocation stream ids are not an array' };
        return {
          ok: true,
          message: { type: 1, headers, invocationId, target, arguments: args as unknown[], streamIds: streamIds as unknown[] },
        };
      }
      return { ok: true, message: { type: 1, headers, invocationId, target, arguments: args as unknown[] } };
    }
    case MessageType.StreamItem:
    case MessageType.Completion:
    case MessageType.StreamInvocation:
    case MessageType.CancelInvocation:
      return { ok: true, message: { type } };
    case MessageType.Ping:
      return { ok: true, message: { type: 6 } };
    case MessageType.Close: {
      if (items.length < 2) return { ok: false, reason: 'close message has no error element' };
      const [, error, allowReconnect] = items;
      if (error !== null && typeof error !== 'string') {
        return { ok: false, reason: 'close error is neither nil nor a string' };
      }
      if (items.length >= 3) {
        if (typeof allowReconnect !== 'boolean') return { ok: false, reason: 'close allowReconnect is not a boolean' };
        return { ok: true, message: { type: 7, error, allowReconnect } };
      }
      return { ok: true, message: { type: 7, error } };
    }
    default:
      return { ok: false, reason: `unsupported message type ${type}` };
  }
}

/**
 * Decodes every record of one binary frame. Any bad length prefix, bad MessagePack, non-array or unknown
 * type rejects the whole frame. Never throws.
 */
export function decodeMessages(frame: Uint8Array, options?: DecodeOptions): DecodeMessagesResult {
  try {
    if (!(frame instanceof Uint8Array)) return { ok: false, reason: 'frame is not binary' };
    const maxBytes = options?.maxFrameBytes ?? MAX_INBOUND_FRAME_BYTES;
    if (frame.length > maxBytes) {
      return { ok: false, reason: `frame of ${frame.length} bytes exceeds ${maxBytes} bytes` };
    }
    const split = decodeRecords(frame, maxBytes);
    if (!split.ok) return split;
    const decoder = decoderFor(maxBytes);
    const messages: HubMessage[] = [];
    for (const record of split.records) {
      let value: unknown;
      try {
        value = decoder.decode(record);
      } catch (error) {
        return { ok: false, reason: `invalid MessagePack: ${errorText(error)}` };
      }
      const result = toHubMessage(value);
      if (!result.ok) return result;
      messages.push(result.message);
    }
    return { ok: true, messages };
  } catch (error) {
    return { ok: false, reason: `unexpected decoder failure: ${errorText(error)}` };
  }
}
