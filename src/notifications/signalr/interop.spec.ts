/**
 * Cross-check against the client libraries Bitwarden clients use (`@microsoft/signalr` and
 * `@microsoft/signalr-protocol-msgpack`, devDependencies): they must parse what we write, and we must parse
 * what they write.
 */
import { HubMessage as ClientHubMessage, JsonHubProtocol, MessageType, NullLogger } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import * as json from './json';
import * as messagePack from './messagepack';
import { HubTimestamp } from './hub-timestamp';
import { hex, toHex } from '../../../test/fixtures/signalr/hex';
import {
  CLIENT_CLOSE_HEX,
  CLIENT_PING_HEX,
  JSON_SYNC_VAULT_RECORD,
  SAMPLE_CIPHER_ID,
  SAMPLE_CONTEXT_ID,
  SAMPLE_USER_ID,
  VECTOR_A_HEX,
  VECTOR_C_HEX,
} from '../../../test/fixtures/signalr/vectors';

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer;
}

describe('interop with @microsoft/signalr-protocol-msgpack', () => {
  const client = new MessagePackHubProtocol();

  it('writes exactly the ping and close bytes the codec expects', () => {
    const ping = new Uint8Array(client.writeMessage({ type: MessageType.Ping }));
    const close = new Uint8Array(client.writeMessage({ type: MessageType.Close } as ClientHubMessage));
    expect(toHex(ping)).toBe(CLIENT_PING_HEX);
    expect(toHex(close)).toBe(CLIENT_CLOSE_HEX);
    expect(messagePack.decodeMessages(ping)).toEqual({ ok: true, messages: [{ type: 6 }] });
    expect(messagePack.decodeMessages(close)).toEqual({ ok: true, messages: [{ type: 7, error: null }] });
  });

  it('parses vector (a) with the RevisionDate as a Date', () => {
    const [message] = client.parseMessages(toArrayBuffer(hex(VECTOR_A_HEX)), NullLogger.instance);
    expect(message).toMatchObject({
      type: MessageType.Invocation,
      target: 'ReceiveMessage',
      arguments: [
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
      ],
    });
  });

  it('parses several of our records in one buffer', () => {
    const frame = new Uint8Array([
      ...messagePack.encodePing(),
      ...hex(VECTOR_C_HEX),
      ...messagePack.encodeClose('Unauthorized', false),
    ]);
    const messages = client.parseMessages(toArrayBuffer(frame), NullLogger.instance);
    expect(messages.map((m) => m.type)).toEqual([MessageType.Ping, MessageType.Invocation, MessageType.Close]);
    expect(messages[2]).toMatchObject({ error: 'Unauthorized', allowReconnect: false });
  });

  it('round-trips a client invocation through our decoder', () => {
    const bytes = new Uint8Array(
      client.writeMessage({ type: MessageType.Invocation, target: 'Send', arguments: [1, 'a'], invocationId: '5', streamIds: [] }),
    );
    const result = messagePack.decodeMessages(bytes);
    expect(result.ok && result.messages[0]).toMatchObject({ type: 1, invocationId: '5', target: 'Send', arguments: [1, 'a'] });
  });

  it('reads a Date written by the client (4-, 8- or 12-byte form) as a HubTimestamp', () => {
    const date = new Date('2024-05-01T12:34:56.789Z');
    const bytes = new Uint8Array(
      client.writeMessage({ type: MessageType.Invocation, target: 'T', arguments: [date], streamIds: [] }),
    );
    const result = messagePack.decodeMessages(bytes);
    expect(result.ok && result.messages[0]).toMatchObject({ arguments: [HubTimestamp.fromDate(date)] });
  });
});

describe('interop with @microsoft/signalr JsonHubProtocol', () => {
  const client = new JsonHubProtocol();

  it('parses our JSON records', () => {
    const text = JSON_SYNC_VAULT_RECORD + new TextDecoder().decode(json.encodePing()) + new TextDecoder().decode(json.encodeClose('Unauthorized', false));
    const messages = client.parseMessages(text, NullLogger.instance);
    expect(messages.map((m) => m.type)).toEqual([MessageType.Invocation, MessageType.Ping, MessageType.Close]);
    expect(messages[0]).toMatchObject({ target: 'ReceiveMessage', arguments: [{ contextId: null, type: 5 }] });
  });

  it('we parse what the client writes', () => {
    const ping = client.writeMessage({ type: MessageType.Ping });
    const close = client.writeMessage({ type: MessageType.Close } as ClientHubMessage);
    expect(json.decodeMessages(ping + close)).toEqual({ ok: true, messages: [{ type: 6 }, { type: 7, error: null }] });
  });
});
