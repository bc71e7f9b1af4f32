import { decode as referenceDecode } from '@msgpack/msgpack';
import { decodeMessages, encodeClose, encodeInvocation, encodePing, encodeValue } from './messagepack';
import { HubTimestamp } from './hub-timestamp';
import { frameRecord } from './varint';
import { hex, toHex } from '../../../test/fixtures/signalr/hex';
import {
  CLIENT_CLOSE_HEX,
  CLIENT_PING_HEX,
  CLOSE_NO_RECONNECT_HEX,
  CLOSE_RECONNECT_HEX,
  CLOSE_UNAUTHORIZED_HEX,
  HEARTBEAT_HEX,
  PING_HEX,
  SAMPLE_AUTH_REQUEST_ID,
  SAMPLE_CIPHER_ID,
  SAMPLE_CONTEXT_ID,
  SAMPLE_NANOSECONDS,
  SAMPLE_SECONDS,
  SAMPLE_USER_ID,
  VECTOR_A_HEX,
  VECTOR_B_HEX,
  VECTOR_C_HEX,
} from '../../../test/fixtures/signalr/vectors';

const vectorAArgs = [
  {
    ContextId: SAMPLE_CONTEXT_ID,
    Type: 0,
    Payload: {
      Id: SAMPLE_CIPHER_ID,
      UserId: SAMPLE_USER_ID,
      OrganizationId: null,
      CollectionIds: null,
      RevisionDate: new HubTimestamp(SAMPLE_SECONDS, SAMPLE_NANOSECONDS),
    },
  },
];

const vectorBArgs = [
  {
    ContextId: null,
    Type: 5,
    Payload: { UserId: SAMPLE_USER_ID, Date: new Date('2024-05-01T12:34:56Z') },
  },
];

const vectorCArgs = [
  {
    Type: 16,
    Payload: { Id: SAMPLE_AUTH_REQUEST_ID, UserId: SAMPLE_USER_ID },
    UserId: SAMPLE_USER_ID,
  },
];

/** One record: VarInt prefix computed from the body. */
function rec(bodyHex: string): Uint8Array {
  return frameRecord(hex(bodyHex));
}

function expectFailure(frame: Uint8Array, reason: RegExp): void {
  let result: ReturnType<typeof decodeMessages> | undefined;
  expect(() => {
    result = decodeMessages(frame);
  }).not.toThrow();
  expect(result?.ok).toBe(false);
  if (result && !result.ok) expect(result.reason).toMatch(reason);
}

describe('MessagePack codec: golden vectors (§3.7)', () => {
  it('(a) SyncCipherUpdate, 224-byte body with prefix e0 01, timestamp with 789012000 ns', () => {
    const bytes = encodeInvocation('ReceiveMessage', vectorAArgs);
    expect(toHex(bytes)).toBe(toHex(hex(VECTOR_A_HEX)));
    expect(bytes.length).toBe(2 + 224);
    expect(toHex(bytes.subarray(0, 2))).toBe('e0 01');
  });

  it('(a) timestamp check: high 30 bits = ns, low 34 bits = s', () => {
    const ts = hex(VECTOR_A_HEX).subarray(-8);
    const value = new DataView(ts.buffer, ts.byteOffset, 8).getBigUint64(0);
    expect(Number(value >> 34n)).toBe(789012000);
    expect(Number(value & ((1n << 34n) - 1n))).toBe(1714566896);
  });

  it('(b) SyncVault, Date with 0 ns still uses the 8-byte form', () => {
    const bytes = encodeInvocation('ReceiveMessage', vectorBArgs);
    expect(toHex(bytes)).toBe(toHex(hex(VECTOR_B_HEX)));
    expect(bytes.length).toBe(1 + 107);
    expect(toHex(bytes.subarray(-10))).toBe('d7 ff 00 00 00 00 66 32 36 f0');
  });

  it('(b) HubTimestamp with 0 ns encodes like the Date', () => {
    const viaTimestamp = encodeInvocation('ReceiveMessage', [
      { ContextId: null, Type: 5, Payload: { UserId: SAMPLE_USER_ID, Date: new HubTimestamp(SAMPLE_SECONDS, 0) } },
    ]);
    expect(toHex(viaTimestamp)).toBe(toHex(hex(VECTOR_B_HEX)));
  });

  it('(c) anonymous AuthRequestResponseRecieved, Type 16 → 0x10, prefix b4 01', () => {
    const bytes = encodeInvocation('AuthRequestResponseRecieved', vectorCArgs);
    expect(toHex(bytes)).toBe(toHex(hex(VECTOR_C_HEX)));
    expect(bytes.length).toBe(2 + 180);
  });

  it('Heartbeat [1, {}, nil, "Heartbeat", []] (§3.5)', () => {
    expect(toHex(encodeInvocation('Heartbeat', []))).toBe(HEARTBEAT_HEX);
  });

  it('(d) Ping 02 91 06', () => {
    expect(toHex(encodePing())).toBe(PING_HEX);
  });

  it.each([
    ['graceful shutdown / slow consumer', null, true, CLOSE_RECONNECT_HEX],
    ['deauthorised', 'Unauthorized', false, CLOSE_UNAUTHORIZED_HEX],
    ['anonymous lifetime reached', null, false, CLOSE_NO_RECONNECT_HEX],
  ] as const)('(e) Close, %s', (_name, error, allowReconnect, expected) => {
    expect(toHex(encodeClose(error, allowReconnect))).toBe(expected);
  });

  it('Close "Protocol error" decodes back', () => {
    expect(decodeMessages(encodeClose('Protocol error', false))).toEqual({
      ok: true,
      messages: [{ type: 7, error: 'Protocol error', allowReconnect: false }],
    });
  });

  it('Map arguments encode in insertion order like plain objects', () => {
    const payload = new Map<string, unknown>([
      ['UserId', SAMPLE_USER_ID],
      ['Date', new Date('2024-05-01T12:34:56Z')],
    ]);
    const args = [new Map<string, unknown>([['ContextId', null], ['Type', 5], ['Payload', payload]])];
    expect(toHex(encodeInvocation('ReceiveMessage', args))).toBe(toHex(hex(VECTOR_B_HEX)));
  });

  it('reference decoder (@msgpack/msgpack) reads vector (a) as the same structure', () => {
    const body = hex(VECTOR_A_HEX).subarray(2);
    const decoded = referenceDecode(body) as unknown[];
    expect(decoded.slice(0, 4)).toEqual([1, {}, null, 'ReceiveMessage']);
    expect(decoded[4]).toEqual([
      {
        ContextId: SAMPLE_CONTEXT_ID,
        Type: 0,
        Payload: {
          Id: SAMPLE_CIPHER_ID,
          UserId: SAMPLE_USER_ID,
          OrganizationId: null,
          CollectionIds: null,
          RevisionDate: new Date('2024-05-01T12:34:56.789Z'),
        },
      },
    ]);
  });
});

describe('MessagePack codec: compact value forms (§3.3)', () => {
  it.each([
    [0, '00'],
    [127, '7f'],
    [128, 'cc 80'],
    [255, 'cc ff'],
    [256, 'cd 01 00'],
    [65536, 'ce 00 01 00 00'],
    [2 ** 32, 'cf 00 00 00 01 00 00 00 00'],
    [-1, 'ff'],
    [-32, 'e0'],
    [-33, 'd0 df'],
    [-129, 'd1 ff 7f'],
    [-32769, 'd2 ff ff 7f ff'],
    [-(2 ** 31) - 1, 'd3 ff ff ff ff 7f ff ff ff'],
    [0.5, 'cb 3f e0 00 00 00 00 00 00'],
    [null, 'c0'],
    [undefined, 'c0'],
    [false, 'c2'],
    [true, 'c3'],
    ['', 'a0'],
    [[], '90'],
    [{}, '80'],
  ])('%p → %s', (value, expected) => {
    expect(toHex(encodeValue(value))).toBe(expected);
  });

  it('string length boundaries: fixstr < 32, str8 32–255, str16 256–65535', () => {
    expect(toHex(encodeValue('x'.repeat(31)).subarray(0, 1))).toBe('bf');
    expect(toHex(encodeValue('x'.repeat(32)).subarray(0, 2))).toBe('d9 20');
    expect(toHex(encodeValue(SAMPLE_USER_ID).subarray(0, 2))).toBe('d9 24');
    expect(toHex(encodeValue('x'.repeat(255)).subarray(0, 2))).toBe('d9 ff');
    expect(toHex(encodeValue('x'.repeat(256)).subarray(0, 3))).toBe('da 01 00');
    expect(toHex(encodeValue('é'))).toBe('a2 c3 a9');
  });

  it('array and map boundaries: fix < 16, then 16-bit', () => {
    expect(toHex(encodeValue(new Array(15).fill(0)).subarray(0, 1))).toBe('9f');
    expect(toHex(encodeValue(new Array(16).fill(0)).subarray(0, 3))).toBe('dc 00 10');
    const map15 = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`k${i}`, i]));
    const map16 = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i]));
    expect(toHex(encodeValue(map15).subarray(0, 1))).toBe('8f');
    expect(toHex(encodeValue(map16).subarray(0, 3))).toBe('de 00 10');
  });

  it('binary as bin8', () => {
    expect(toHex(encodeValue(Uint8Array.of(1, 2)))).toBe('c4 02 01 02');
  });

  it('dates: always d7 ff in range, 12-byte form before 1970', () => {
    expect(toHex(encodeValue(new Date(0)))).toBe('d7 ff 00 00 00 00 00 00 00 00');
    expect(toHex(encodeValue(new Date(1)))).toBe('d7 ff 00 3d 09 00 00 00 00 00'); // 1e6 ns << 34
    expect(toHex(encodeValue(new HubTimestamp(2 ** 34 - 1, 999999999)))).toBe('d7 ff ee 6b 27 ff ff ff ff ff');
    expect(toHex(encodeValue(new Date(-1000)))).toBe('c7 0c ff 00 00 00 00 ff ff ff ff ff ff ff ff');
  });

  it('grows its buffer for large values', () => {
    const big = 'y'.repeat(70000);
    const bytes = encodeValue([big, big]);
    expect(bytes.length).toBe(1 + 2 * (5 + 70000));
    expect(referenceDecode(bytes)).toEqual([big, big]);
  });

  it('throws TypeError on unsupported values and cycles', () => {
    expect(() => encodeValue(() => 1)).toThrow(TypeError);
    expect(() => encodeValue(Symbol('x'))).toThrow(TypeError);
    expect(() => encodeValue(10n)).toThrow(TypeError);
    expect(() => encodeValue(Int32Array.of(1))).toThrow(TypeError);
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => encodeValue(cyclic)).toThrow(TypeError);
    expect(() => encodeValue(new Date(NaN))).toThrow(RangeError);
  });
});

describe('MessagePack codec: decoding', () => {
  it('decodes what @microsoft/signalr sends: ping and close', () => {
    expect(decodeMessages(hex(CLIENT_PING_HEX))).toEqual({ ok: true, messages: [{ type: 6 }] });
    expect(decodeMessages(hex(CLIENT_CLOSE_HEX))).toEqual({ ok: true, messages: [{ type: 7, error: null }] });
  });

  it('decodes the server close vectors', () => {
    expect(decodeMessages(hex(CLOSE_RECONNECT_HEX))).toEqual({
      ok: true,
      messages: [{ type: 7, error: null, allowReconnect: true }],
    });
    expect(decodeMessages(hex(CLOSE_UNAUTHORIZED_HEX))).toEqual({
      ok: true,
      messages: [{ type: 7, error: 'Unauthorized', allowReconnect: false }],
    });
  });

  it('decodes vector (a) losslessly, including the nanoseconds', () => {
    const result = decodeMessages(hex(VECTOR_A_HEX));
    expect(result).toEqual({
      ok: true,
      messages: [{ type: 1, headers: {}, invocationId: null, target: 'ReceiveMessage', arguments: vectorAArgs }],
    });
  });

  it('decodes vectors (b), (c) and the heartbeat', () => {
    expect(decodeMessages(hex(VECTOR_B_HEX))).toEqual({
      ok: true,
      messages: [
        {
          type: 1,
          headers: {},
          invocationId: null,
          target: 'ReceiveMessage',
          arguments: [{ ContextId: null, Type: 5, Payload: { UserId: SAMPLE_USER_ID, Date: new HubTimestamp(SAMPLE_SECONDS, 0) } }],
        },
      ],
    });
    const c = decodeMessages(hex(VECTOR_C_HEX));
    expect(c.ok && c.messages[0]).toMatchObject({ type: 1, target: 'AuthRequestResponseRecieved', arguments: vectorCArgs });
    expect(decodeMessages(hex(HEARTBEAT_HEX))).toEqual({
      ok: true,
      messages: [{ type: 1, headers: {}, invocationId: null, target: 'Heartbeat', arguments: [] }],
    });
  });

  it('accepts a 6-element invocation (stream ids) and an invocation id', () => {
    // [1, {"a":"b"}, "7", "Send", [1], []]
    const body = encodeValue([1, { a: 'b' }, '7', 'Send', [1], []]);
    const frame = new Uint8Array([body.length, ...body]);
    expect(decodeMessages(frame)).toEqual({
      ok: true,
      messages: [{ type: 1, headers: { a: 'b' }, invocationId: '7', target: 'Send', arguments: [1], streamIds: [] }],
    });
  });

  it('decodes 4- and 12-byte timestamps', () => {
    const r4 = decodeMessages(rec('95 01 80 c0 a1 54 91 d6 ff 66 32 36 f0'));
    expect(r4.ok && r4.messages[0]).toMatchObject({ arguments: [new HubTimestamp(SAMPLE_SECONDS, 0)] });
    const r12 = decodeMessages(rec('95 01 80 c0 a1 54 91 c7 0c ff 00 00 00 01 ff ff ff ff ff ff ff ff'));
    expect(r12.ok && r12.messages[0]).toMatchObject({ arguments: [new HubTimestamp(-1, 1)] });
  });

  it('keeps types 2–5 so the gateway can ignore them', () => {
    const frame = hex('02 91 02 02 91 03 02 91 04 02 91 05');
    expect(decodeMessages(frame)).toEqual({ ok: true, messages: [{ type: 2 }, { type: 3 }, { type: 4 }, { type: 5 }] });
  });

  it('decodes several records in one frame', () => {
    const frame = new Uint8Array([...encodePing(), ...hex(CLIENT_CLOSE_HEX), ...encodeInvocation('Heartbeat', [])]);
    const result = decodeMessages(frame);
    expect(result.ok && result.messages.map((m) => m.type)).toEqual([6, 7, 1]);
  });

  it('treats an empty frame as no messages', () => {
    expect(decodeMessages(new Uint8Array(0))).toEqual({ ok: true, messages: [] });
  });

  it('accepts bigger frames when asked (tooling decoding outbound messages)', () => {
    const ids = Array.from({ length: 200 }, () => SAMPLE_CIPHER_ID);
    const frame = encodeInvocation('ReceiveMessage', [{ ContextId: null, Type: 1, Payload: { CollectionIds: ids } }]);
    expect(frame.length).toBeGreaterThan(4096);
    expect(decodeMessages(frame).ok).toBe(false);
    expect(decodeMessages(frame, { maxFrameBytes: 1 << 16 }).ok).toBe(true);
  });

  describe('malformed input → {ok:false}, never throws', () => {
    it.each([
      ['truncated varint', 'ff', /truncated length prefix/],
      ['truncated varint after a valid record', '02 91 06 80', /truncated length prefix/],
      ['varint over 5 bytes', 'ff ff ff ff ff 01', /longer than 5 bytes/],
      ['length beyond frame', '04 91 06', /bytes left in the frame/],
      ['valid record followed by a partial one', '02 91 06 05 91', /bytes left in the frame/],
      ['empty record', '00', /invalid MessagePack/],
    ])('frame: %s', (_name, frameHex, reason) => {
      expectFailure(hex(frameHex), reason);
    });

    it.each([
      ['truncated msgpack body', '92 07', /invalid MessagePack/],
      ['extra bytes in record', '91 06 06', /invalid MessagePack/],
      ['reserved byte 0xc1', 'c1', /invalid MessagePack/],
      ['not an array (map)', '80', /not an array/],
      ['not an array (int)', '06', /not an array/],
      ['not an array (nil)', 'c0', /not an array/],
      ['empty array', '90', /type is missing/],
      ['type is a string', '91 a1 36', /type is missing/],
      ['type is a non-integer float', '91 cb 3f f8 00 00 00 00 00 00', /not an integer/],
      ['unknown type 0', '91 00', /unsupported message type 0/],
      ['Ack (8) not supported', '91 08', /unsupported message type 8/],
      ['Sequence (9) not supported', '91 09', /unsupported message type 9/],
      ['unknown type 42', '91 2a', /unsupported message type 42/],
      ['negative type', '91 ff', /unsupported message type -1/],
      ['invocation with 4 elements', '94 01 80 c0 a0', /4 elements/],
      ['invocation with 7 elements', '97 01 80 c0 a0 90 90 90', /7 elements/],
      ['invocation headers not a map', '95 01 90 c0 a0 90', /headers/],
      ['invocation headers a timestamp', '95 01 d6 ff 00 00 00 00 c0 a0 90', /headers/],
      ['invocation target not a string', '95 01 80 c0 01 90', /target/],
      ['invocation args not an array', '95 01 80 c0 a0 80', /arguments/],
      ['invocation id not a string', '95 01 80 01 a0 90', /invocation id/],
      ['stream ids not an array', '96 01 80 c0 a0 90 c0', /stream ids/],
      ['close without error element', '91 07', /close/],
      ['close error not a string', '93 07 01 c3', /close error/],
      ['close allowReconnect not a boolean', '93 07 c0 01', /allowReconnect/],
      ['map with array key', '91 81 90 c0', /invalid MessagePack/],
      ['__proto__ key', '91 81 a9 5f 5f 70 72 6f 74 6f 5f 5f c0', /invalid MessagePack/],
      ['bad timestamp length', '95 01 80 c0 a0 91 d5 ff 00 00', /invalid MessagePack/],
      ['nanoseconds ≥ 1e9', '95 01 80 c0 a0 91 d7 ff ff ff ff ff 00 00 00 00', /invalid MessagePack/],
      ['12-byte timestamp seconds beyond safe integers', '95 01 80 c0 a0 91 c7 0c ff 00 00 00 00 7f ff ff ff ff ff ff ff', /invalid MessagePack/],
      ['huge array header in a tiny frame', 'dd ff ff ff ff', /invalid MessagePack/],
      ['huge map header in a tiny frame', 'df ff ff ff ff', /invalid MessagePack/],
      ['huge string header in a tiny frame', 'db ff ff ff ff', /invalid MessagePack/],
      ['huge bin header in a tiny frame', 'c6 ff ff ff ff', /invalid MessagePack/],
      ['huge ext header in a tiny frame', 'c9 ff ff ff ff 01', /invalid MessagePack/],
      ['array16 of 4097 elements', 'dc 10 01', /invalid MessagePack/],
    ])('record body: %s', (_name, bodyHex, reason) => {
      expectFailure(rec(bodyHex), reason);
    });

    it('a bad record anywhere rejects the whole frame', () => {
      expectFailure(new Uint8Array([...encodePing(), ...rec('91 2a'), ...encodePing()]), /unsupported message type 42/);
    });

    it('oversized frame (> 4096 bytes)', () => {
      const frame = new Uint8Array(4097);
      expectFailure(frame, /exceeds 4096/);
    });

    it('non-Uint8Array input', () => {
      expectFailure('02 91 06' as unknown as Uint8Array, /not binary/);
    });
  });
});
