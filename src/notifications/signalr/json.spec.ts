import { camelCaseKey, decodeMessages, encodeClose, encodeInvocation, encodePing, toCamelCaseKeys } from './json';
import { HubTimestamp, formatHubDate } from './hub-timestamp';
import { fromUtf8, hex, toHex, utf8 } from '../../../test/fixtures/signalr/hex';
import {
  JSON_AUTH_REQUEST_RESPONSE_RECORD,
  JSON_CLOSE_PLAIN,
  JSON_CLOSE_UNAUTHORIZED,
  JSON_PING_HEX,
  JSON_SYNC_VAULT_RECORD,
  SAMPLE_AUTH_REQUEST_ID,
  SAMPLE_NANOSECONDS,
  SAMPLE_SECONDS,
  SAMPLE_USER_ID,
} from '../../../test/fixtures/signalr/vectors';

describe('JSON codec: encoding (§3.4–§3.6)', () => {
  it('SyncVault example line of §3.5, byte for byte', () => {
    const bytes = encodeInvocation('ReceiveMessage', [
      { contextId: null, type: 5, payload: { userId: SAMPLE_USER_ID, date: new Date('2024-05-01T12:34:56Z') } },
    ]);
    expect(fromUtf8(bytes)).toBe(JSON_SYNC_VAULT_RECORD);
    expect(toHex(bytes)).toBe(toHex(utf8(JSON_SYNC_VAULT_RECORD)));
    expect(bytes[bytes.length - 1]).toBe(0x1e);
  });

  it('AuthRequestResponseRecieved example line of §3.5', () => {
    const bytes = encodeInvocation('AuthRequestResponseRecieved', [
      { type: 16, payload: { id: SAMPLE_AUTH_REQUEST_ID, userId: SAMPLE_USER_ID }, userId: SAMPLE_USER_ID },
    ]);
    expect(fromUtf8(bytes)).toBe(JSON_AUTH_REQUEST_RESPONSE_RECORD);
  });

  it('PascalCase message → camelCase line via toCamelCaseKeys', () => {
    const pascal = { ContextId: null, Type: 5, Payload: { UserId: SAMPLE_USER_ID, Date: new Date('2024-05-01T12:34:56Z') } };
    expect(fromUtf8(encodeInvocation('ReceiveMessage', [toCamelCaseKeys(pascal)]))).toBe(JSON_SYNC_VAULT_RECORD);
  });

  it('dates: RFC 3339 UTC, six fractional digits, Z', () => {
    const line = (value: unknown) => fromUtf8(encodeInvocation('T', [value]));
    expect(line(new HubTimestamp(SAMPLE_SECONDS, SAMPLE_NANOSECONDS))).toBe(
      '{"type":1,"target":"T","arguments":["2024-05-01T12:34:56.789012Z"]}\u001e',
    );
    expect(line(new Date('2024-05-01T12:34:56.789Z'))).toContain('"2024-05-01T12:34:56.789000Z"');
    expect(line(new Date(0))).toContain('"1970-01-01T00:00:00.000000Z"');
    expect(formatHubDate(new HubTimestamp(SAMPLE_SECONDS, 999))).toBe('2024-05-01T12:34:56.000000Z');
    expect(formatHubDate(new Date(-1))).toBe('1969-12-31T23:59:59.999000Z');
  });

  it('Maps, undefined, binary and nested arrays', () => {
    const value = new Map<string, unknown>([
      ['b', undefined],
      ['a', [1, new Map([['x', true]])]],
      ['bin', Uint8Array.of(1, 2, 3)],
    ]);
    expect(fromUtf8(encodeInvocation('T', [value]))).toBe(
      '{"type":1,"target":"T","arguments":[{"b":null,"a":[1,{"x":true}],"bin":"AQID"}]}\u001e',
    );
  });

  it('throws TypeError on unsupported values and cycles', () => {
    expect(() => encodeInvocation('T', [10n])).toThrow(TypeError);
    expect(() => encodeInvocation('T', [new ArrayBuffer(2)])).toThrow(TypeError);
    expect(() => encodeInvocation('T', [() => 1])).toThrow(TypeError);
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(() => encodeInvocation('T', [cyclic])).toThrow(TypeError);
  });

  it('Ping {"type":6} + 1e', () => {
    expect(toHex(encodePing())).toBe(JSON_PING_HEX);
  });

  it('Close lines', () => {
    expect(fromUtf8(encodeClose(null, false))).toBe(JSON_CLOSE_PLAIN);
    expect(fromUtf8(encodeClose('Unauthorized', false))).toBe(JSON_CLOSE_UNAUTHORIZED);
    expect(fromUtf8(encodeClose(null, true))).toBe('{"type":7,"allowReconnect":true}\u001e');
    expect(fromUtf8(encodeClose('Protocol error', false))).toBe(
      '{"type":7,"error":"Protocol error","allowReconnect":false}\u001e',
    );
  });
});

describe('JSON codec: camelCase keys', () => {
  it('lowercases the first letter only', () => {
    expect(['ContextId', 'Type', 'Payload', 'Id', 'UserId', 'OrganizationId', 'CollectionIds', 'RevisionDate', 'Date', 'Reason', 'already', ''].map(camelCaseKey)).toEqual(
      ['contextId', 'type', 'payload', 'id', 'userId', 'organizationId', 'collectionIds', 'revisionDate', 'date', 'reason', 'already', ''],
    );
  });

  it('converts recursively, keeps order, leaves values alone', () => {
    const date = new Date('2024-05-01T12:34:56Z');
    const ts = new HubTimestamp(1, 2);
    const input = {
      Type: 0,
      Payload: { Id: 'X', CollectionIds: ['Abc'], RevisionDate: date, Nested: [{ Deep: ts }], Map: new Map([['Key', 'Value']]) },
    };
    const out = toCamelCaseKeys(input) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['type', 'payload']);
    const payload = out['payload'] as Record<string, unknown>;
    expect(Object.keys(payload)).toEqual(['id', 'collectionIds', 'revisionDate', 'nested', 'map']);
    expect(payload['collectionIds']).toEqual(['Abc']);
    expect(payload['revisionDate']).toBe(date);
    expect(payload['nested']).toEqual([{ deep: ts }]);
    expect(payload['map']).toEqual(new Map([['key', 'Value']]));
    expect(input.Payload.Id).toBe('X'); // input not mutated
    expect(toCamelCaseKeys(null)).toBeNull();
    expect(toCamelCaseKeys('Str')).toBe('Str');
  });
});

describe('JSON codec: decoding', () => {
  it('decodes ping and close from text or bytes', () => {
    expect(decodeMessages('{"type":6}\u001e')).toEqual({ ok: true, messages: [{ type: 6 }] });
    expect(decodeMessages(hex(JSON_PING_HEX))).toEqual({ ok: true, messages: [{ type: 6 }] });
    expect(decodeMessages('{"type":7,"error":null}\u001e')).toEqual({ ok: true, messages: [{ type: 7, error: null }] });
    expect(decodeMessages(JSON_CLOSE_UNAUTHORIZED)).toEqual({
      ok: true,
      messages: [{ type: 7, error: 'Unauthorized', allowReconnect: false }],
    });
    expect(decodeMessages(JSON_CLOSE_PLAIN)).toEqual({ ok: true, messages: [{ type: 7, error: null }] });
  });

  it('decodes invocations, with optional invocationId, headers and streamIds', () => {
    expect(decodeMessages(JSON_SYNC_VAULT_RECORD)).toEqual({
      ok: true,
      messages: [
        {
          type: 1,
          headers: {},
          invocationId: null,
          target: 'ReceiveMessage',
          arguments: [{ contextId: null, type: 5, payload: { userId: SAMPLE_USER_ID, date: '2024-05-01T12:34:56.000000Z' } }],
        },
      ],
    });
    expect(
      decodeMessages('{"type":1,"invocationId":"3","headers":{"a":"b"},"target":"Send","arguments":[],"streamIds":["1"]}\u001e'),
    ).toEqual({
      ok: true,
      messages: [{ type: 1, headers: { a: 'b' }, invocationId: '3', target: 'Send', arguments: [], streamIds: ['1'] }],
    });
  });

  it('decodes several records in one frame and keeps types 2–5', () => {
    const frame = '{"type":6}\u001e{"type":3,"invocationId":"1"}\u001e{"type":7}\u001e';
    expect(decodeMessages(frame)).toEqual({ ok: true, messages: [{ type: 6 }, { type: 3 }, { type: 7, error: null }] });
    expect(decodeMessages('')).toEqual({ ok: true, messages: [] });
  });

  it.each([
    ['no trailing separator', '{"type":6}', /incomplete record/],
    ['data after the last separator', '{"type":6}\u001e{"type":6}', /incomplete record/],
    ['empty record', '\u001e', /not valid JSON/],
    ['garbage', 'hello\u001e', /not valid JSON/],
    ['truncated JSON', '{"type":\u001e', /not valid JSON/],
    ['array', '[6]\u001e', /not a JSON object/],
    ['null', 'null\u001e', /not a JSON object/],
    ['no type', '{}\u001e', /type is missing/],
    ['type as string', '{"type":"6"}\u001e', /type is missing/],
    ['unknown type', '{"type":42}\u001e', /unsupported message type 42/],
    ['type 0', '{"type":0}\u001e', /unsupported message type 0/],
    ['Ack not supported', '{"type":8,"sequenceId":1}\u001e', /unsupported message type 8/],
    ['invocation without target', '{"type":1,"arguments":[]}\u001e', /target/],
    ['invocation without arguments', '{"type":1,"target":"x"}\u001e', /arguments/],
    ['invocation id not a string', '{"type":1,"target":"x","arguments":[],"invocationId":1}\u001e', /invocation id/],
    ['headers not an object', '{"type":1,"target":"x","arguments":[],"headers":[]}\u001e', /headers/],
    ['stream ids not an array', '{"type":1,"target":"x","arguments":[],"streamIds":"1"}\u001e', /stream ids/],
    ['close error not a string', '{"type":7,"error":1}\u001e', /close error/],
    ['close allowReconnect not a boolean', '{"type":7,"allowReconnect":"yes"}\u001e', /allowReconnect/],
    ['type via __proto__ only', '{"__proto__":{"type":6}}\u001e', /type is missing/],
  ])('rejects %s without throwing', (_name, input, reason) => {
    for (const frame of [input, utf8(input)]) {
      let result: ReturnType<typeof decodeMessages> | undefined;
      expect(() => {
        result = decodeMessages(frame);
      }).not.toThrow();
      expect(result?.ok).toBe(false);
      if (result && !result.ok) expect(result.reason).toMatch(reason);
    }
  });

  it('rejects invalid UTF-8, oversized frames and non-text input', () => {
    expect(decodeMessages(hex('7b ff 7d 1e'))).toEqual({ ok: false, reason: 'frame is not valid UTF-8' });
    const big = `{"type":6,"pad":"${'x'.repeat(4096)}"}\u001e`;
    expect(decodeMessages(big).ok).toBe(false);
    expect(decodeMessages(utf8(big)).ok).toBe(false);
    expect(decodeMessages(big, { maxFrameBytes: 8192 })).toEqual({ ok: true, messages: [{ type: 6 }] });
    expect(decodeMessages(`{"type":6,"pad":"${'é'.repeat(2100)}"}\u001e`).ok).toBe(false);
    expect(decodeMessages(42 as unknown as string).ok).toBe(false);
  });
});
