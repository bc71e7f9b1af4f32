import { getHubProtocol, jsonProtocol, messagePackProtocol } from './hub-protocol';
import { HubTimestamp } from './hub-timestamp';
import * as index from './index';
import { fromUtf8, hex, toHex } from '../../../test/fixtures/signalr/hex';
import {
  JSON_AUTH_REQUEST_RESPONSE_RECORD,
  JSON_SYNC_VAULT_RECORD,
  SAMPLE_AUTH_REQUEST_ID,
  SAMPLE_SECONDS,
  SAMPLE_USER_ID,
  VECTOR_B_HEX,
  VECTOR_C_HEX,
} from '../../../test/fixtures/signalr/vectors';

describe('HubProtocol selection', () => {
  const syncVault = [{ ContextId: null, Type: 5, Payload: { UserId: SAMPLE_USER_ID, Date: new HubTimestamp(SAMPLE_SECONDS, 0) } }];
  const authResponse = [{ Type: 16, Payload: { Id: SAMPLE_AUTH_REQUEST_ID, UserId: SAMPLE_USER_ID }, UserId: SAMPLE_USER_ID }];

  it('picks by handshake name', () => {
    expect(getHubProtocol('messagepack')).toBe(messagePackProtocol);
    expect(getHubProtocol('json')).toBe(jsonProtocol);
    expect(messagePackProtocol).toMatchObject({ name: 'messagepack', binary: true });
    expect(jsonProtocol).toMatchObject({ name: 'json', binary: false });
  });

  it('encodes the same PascalCase message for both protocols', () => {
    expect(toHex(messagePackProtocol.encodeInvocation('ReceiveMessage', syncVault))).toBe(toHex(hex(VECTOR_B_HEX)));
    expect(fromUtf8(jsonProtocol.encodeInvocation('ReceiveMessage', syncVault))).toBe(JSON_SYNC_VAULT_RECORD);
    expect(toHex(messagePackProtocol.encodeInvocation('AuthRequestResponseRecieved', authResponse))).toBe(toHex(hex(VECTOR_C_HEX)));
    expect(fromUtf8(jsonProtocol.encodeInvocation('AuthRequestResponseRecieved', authResponse))).toBe(
      JSON_AUTH_REQUEST_RESPONSE_RECORD,
    );
  });

  it('ping / close / decode round trip per protocol', () => {
    for (const protocol of [messagePackProtocol, jsonProtocol]) {
      expect(protocol.decodeMessages(protocol.encodePing())).toEqual({ ok: true, messages: [{ type: 6 }] });
      expect(protocol.decodeMessages(protocol.encodeClose('Unauthorized', false))).toEqual({
        ok: true,
        messages: [{ type: 7, error: 'Unauthorized', allowReconnect: false }],
      });
    }
  });

  it('a text frame on a MessagePack connection is rejected', () => {
    expect(messagePackProtocol.decodeMessages('{"type":6}\u001e').ok).toBe(false);
  });

  it('index re-exports the public API', () => {
    expect(typeof index.parseHandshake).toBe('function');
    expect(typeof index.messagePack.encodeInvocation).toBe('function');
    expect(typeof index.json.encodeInvocation).toBe('function');
    expect(typeof index.toCamelCaseKeys).toBe('function');
    expect(index.RECORD_SEPARATOR).toBe(0x1e);
    expect(index.MAX_INBOUND_FRAME_BYTES).toBe(4096);
    expect(index.HubTimestamp).toBe(HubTimestamp);
  });
});
