import {
  encodeHandshakeError,
  encodeHandshakeResponse,
  MAX_HANDSHAKE_BYTES,
  parseHandshake,
  RECORD_SEPARATOR,
} from './handshake';
import { fromUtf8, hex, toHex, utf8 } from '../../../test/fixtures/signalr/hex';
import {
  HANDSHAKE_REQUEST_JSON_HEX,
  HANDSHAKE_REQUEST_MESSAGEPACK_HEX,
  HANDSHAKE_RESPONSE_HEX,
} from '../../../test/fixtures/signalr/vectors';

describe('handshake', () => {
  it('RECORD_SEPARATOR is 0x1e', () => {
    expect(RECORD_SEPARATOR).toBe(0x1e);
  });

  it('parses the messagepack handshake bytes of §3.2 (binary and text frame)', () => {
    const bytes = hex(HANDSHAKE_REQUEST_MESSAGEPACK_HEX);
    expect(parseHandshake(bytes)).toEqual({ ok: true, protocol: 'messagepack', version: 1 });
    expect(parseHandshake(fromUtf8(bytes))).toEqual({ ok: true, protocol: 'messagepack', version: 1 });
  });

  it('parses the json handshake bytes of §3.2', () => {
    const bytes = hex(HANDSHAKE_REQUEST_JSON_HEX);
    expect(parseHandshake(bytes)).toEqual({ ok: true, protocol: 'json', version: 1 });
    expect(parseHandshake(fromUtf8(bytes))).toEqual({ ok: true, protocol: 'json', version: 1 });
  });

  it('replies 7b 7d 1e', () => {
    expect(toHex(encodeHandshakeResponse())).toBe(HANDSHAKE_RESPONSE_HEX);
  });

  it('ignores extra keys and accepts a missing separator', () => {
    expect(parseHandshake('{"version":1,"protocol":"json","extra":{"a":[1]}}\u001e')).toEqual({
      ok: true,
      protocol: 'json',
      version: 1,
    });
    expect(parseHandshake('{"protocol":"messagepack","version":1}')).toEqual({
      ok: true,
      protocol: 'messagepack',
      version: 1,
    });
  });

  it.each([
    ['unknown protocol', '{"protocol":"blazorpack","version":1}\u001e', "Requested protocol 'blazorpack' is not available."],
    ['protocol compared case-sensitively', '{"protocol":"MessagePack","version":1}\u001e', "Requested protocol 'MessagePack' is not available."],
    ['unsupported version (messagepack)', '{"protocol":"messagepack","version":2}\u001e', "The server does not support version 2 of the 'messagepack' protocol."],
    ['unsupported version (json)', '{"protocol":"json","version":0}\u001e', "The server does not support version 0 of the 'json' protocol."],
    ['malformed JSON', '{"protocol":"json",\u001e', 'Handshake message is not valid JSON.'],
    ['more than one trailing separator', '{"protocol":"json","version":1}\u001e\u001e', 'Handshake message is not valid JSON.'],
    ['handshake followed by a message', '{"protocol":"json","version":1}\u001e{"type":6}\u001e', 'Handshake message is not valid JSON.'],
    ['empty', '', 'Handshake message is not valid JSON.'],
    ['not an object', '[1]\u001e', 'Handshake message is not a JSON object.'],
    ['null', 'null\u001e', 'Handshake message is not a JSON object.'],
    ['protocol missing', '{"version":1}\u001e', "Missing required property 'protocol'."],
    ['protocol not a string', '{"protocol":1,"version":1}\u001e', "Missing required property 'protocol'."],
    ['version missing', '{"protocol":"json"}\u001e', "Missing required property 'version'."],
    ['version as string', '{"protocol":"json","version":"1"}\u001e', "Missing required property 'version'."],
  ])('rejects %s', (_name, input, error) => {
    expect(parseHandshake(input)).toEqual({ ok: false, error });
    expect(parseHandshake(utf8(input))).toEqual({ ok: false, error });
  });

  it('rejects invalid UTF-8 in a binary frame', () => {
    expect(parseHandshake(hex('7b ff 7d 1e'))).toEqual({ ok: false, error: 'Handshake message is not valid UTF-8.' });
  });

  it('rejects a handshake larger than 4096 bytes, accepts one of exactly 4096', () => {
    const base = '{"protocol":"json","version":1,"pad":""}\u001e';
    const exact = base.replace('"pad":""', `"pad":"${'x'.repeat(MAX_HANDSHAKE_BYTES - base.length)}"`);
    expect(utf8(exact).length).toBe(4096);
    expect(parseHandshake(exact).ok).toBe(true);
    expect(parseHandshake(utf8(exact)).ok).toBe(true);
    const over = exact.replace('"pad":"', '"pad":"x');
    expect(parseHandshake(over)).toEqual({ ok: false, error: 'Handshake message exceeds 4096 bytes.' });
    expect(parseHandshake(utf8(over))).toEqual({ ok: false, error: 'Handshake message exceeds 4096 bytes.' });
    // multi-byte characters count as bytes, not UTF-16 units
    const wide = `{"protocol":"json","version":1,"pad":"${'é'.repeat(2100)}"}`;
    expect(wide.length).toBeLessThan(4096);
    expect(parseHandshake(wide).ok).toBe(false);
  });

  it('encodes the error reply as {"error":"..."} + 1e', () => {
    const bytes = encodeHandshakeError("Requested protocol 'x\"y' is not available.");
    expect(fromUtf8(bytes)).toBe('{"error":"Requested protocol \'x\\"y\' is not available."}\u001e');
    expect(bytes[bytes.length - 1]).toBe(0x1e);
  });
});
