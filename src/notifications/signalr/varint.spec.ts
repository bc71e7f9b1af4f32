import { decodeRecords, encodeVarint, frameRecord, MAX_VARINT_VALUE } from './varint';
import { hex, toHex } from '../../../test/fixtures/signalr/hex';
import { VARINT_TABLE } from '../../../test/fixtures/signalr/vectors';

describe('varint', () => {
  describe.each(VARINT_TABLE)('length %i', (length, prefix) => {
    it(`encodes as ${prefix}`, () => {
      expect(toHex(encodeVarint(length))).toBe(prefix);
    });

    it('decodes a record of that length', () => {
      const body = new Uint8Array(length).map((_, i) => i & 0xff);
      const frame = new Uint8Array([...hex(prefix), ...body]);
      const result = decodeRecords(frame, 1 << 20);
      expect(result).toEqual({ ok: true, records: [body] });
    });
  });

  it('encodes the 5-byte maximum and rejects out-of-range lengths', () => {
    expect(toHex(encodeVarint(MAX_VARINT_VALUE))).toBe('ff ff ff ff 07');
    expect(() => encodeVarint(-1)).toThrow(RangeError);
    expect(() => encodeVarint(1.5)).toThrow(RangeError);
    expect(() => encodeVarint(MAX_VARINT_VALUE + 1)).toThrow(RangeError);
  });

  it('frameRecord prefixes the body length', () => {
    expect(toHex(frameRecord(hex('91 06')))).toBe('02 91 06');
  });

  it('splits several records in one frame into views', () => {
    const frame = hex('02 91 06 00 03 92 07 c0');
    const result = decodeRecords(frame);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.records.map(toHex)).toEqual(['91 06', '', '92 07 c0']);
    expect(result.records[0]?.buffer).toBe(frame.buffer);
  });

  it('accepts an empty frame as zero records', () => {
    expect(decodeRecords(new Uint8Array(0))).toEqual({ ok: true, records: [] });
  });

  it.each([
    ['truncated varint', '80', /truncated/],
    ['truncated varint after a record', '01 c0 ff ff', /truncated/],
    ['prefix longer than 5 bytes', '80 80 80 80 80 01', /longer than 5 bytes/],
    ['5th byte over 2^31', 'ff ff ff ff 0f', /exceeds 2147483647/],
    ['length beyond frame', '05 91 06', /bytes left in the frame/],
    ['length beyond max', '81 20', /exceeds maximum 4096/],
  ])('rejects %s', (_name, frameHex, reason) => {
    const result = decodeRecords(hex(frameHex));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatch(reason);
  });

  it('honours a custom maximum', () => {
    expect(decodeRecords(hex('03 92 07 c0'), 2).ok).toBe(false);
    expect(decodeRecords(hex('03 92 07 c0'), 3).ok).toBe(true);
  });
});
