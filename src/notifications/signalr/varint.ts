/**
 * SignalR `BinaryMessageFormat` length prefix (notifications.md §3.3): 7 bits per byte, least-significant
 * group first, high bit 0x80 = another byte follows, at most 5 bytes.
 */
import { MAX_INBOUND_FRAME_BYTES } from './hub-message';

export const MAX_VARINT_BYTES = 5;
/** Largest length a 5-byte prefix may carry (SignalR rejects messages of 2 GiB and more). */
export const MAX_VARINT_VALUE = 0x7fffffff;

export type DecodeRecordsResult =
  | { readonly ok: true; readonly records: Uint8Array[] }
  | { readonly ok: false; readonly reason: string };

/** Encodes a record length. Throws `RangeError` for a non-integer, negative or ≥ 2^31 length. */
export function encodeVarint(length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > MAX_VARINT_VALUE) {
    throw new RangeError(`Invalid record length: ${String(length)}`);
  }
  const out: number[] = [];
  let rest = length;
  do {
    let group = rest & 0x7f;
    rest = rest >>> 7;
    if (rest > 0) group |= 0x80;
    out.push(group);
  } while (rest > 0);
  return Uint8Array.from(out);
}

/** `VarInt(body.length) ‖ body`. */
export function frameRecord(body: Uint8Array): Uint8Array {
  const prefix = encodeVarint(body.length);
  const out = new Uint8Array(prefix.length + body.length);
  out.set(prefix, 0);
  out.set(body, prefix.length);
  return out;
}

/**
 * Splits a frame into record bodies (views into `frame`, not copies). A frame may hold several records; a
 * record never spans frames. Never throws.
 */
export function decodeRecords(frame: Uint8Array, maxRecordLength: number = MAX_INBOUND_FRAME_BYTES): DecodeRecordsResult {
  const records: Uint8Array[] = [];
  let offset = 0;
  while (offset < frame.length) {
    let length = 0;
    let numBytes = 0;
    let done = false;
    while (!done) {
      if (numBytes === MAX_VARINT_BYTES) {
        return { ok: false, reason: `length prefix longer than ${MAX_VARINT_BYTES} bytes at offset ${offset}` };
      }
      const position = offset + numBytes;
      const byte = frame[position];
      if (byte === undefined) {
        return { ok: false, reason: `truncated length prefix at offset ${offset}` };
      }
      if (numBytes === MAX_VARINT_BYTES - 1 && (byte & 0x80) === 0 && byte > 0x07) {
        return { ok: false, reason: `record length at offset ${offset} exceeds ${MAX_VARINT_VALUE}` };
      }
      // Multiplication instead of shifting keeps the 5th group (bits 28..30) in positive range.
      length += (byte & 0x7f) * 2 ** (7 * numBytes);
      numBytes++;
      done = (byte & 0x80) === 0;
    }
    const start = offset + numBytes;
    if (length > maxRecordLength) {
      return { ok: false, reason: `record length ${length} exceeds maximum ${maxRecordLength}` };
    }
    if (length > frame.length - start) {
      return {
        ok: false,
        reason: `record length ${length} at offset ${offset} exceeds the ${frame.length - start} bytes left in the frame`,
      };
    }
    records.push(frame.subarray(start, start + length));
    offset = start + length;
  }
  return { ok: true, records };
}
