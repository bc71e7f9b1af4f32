/**
 * A separate process holding hub sockets with the official SignalR MessagePack codec, recording when each
 * cipher-create message (type 1) arrives. Told over IPC: `open` {hubUrl, tokens, perToken}, then `report`
 * (receipt times per cipher id, epoch ms from performance.timeOrigin, comparable across processes), `close`.
 */
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { InvocationMessage, MessageType, NullLogger } from '@microsoft/signalr';
import WebSocket from 'ws';

const now = (): number => performance.timeOrigin + performance.now();
const protocol = new MessagePackHubProtocol();
const sockets: WebSocket[] = [];
const receipts = new Map<string, number[]>();
let frames = 0;

function open(hubUrl: string, token: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${hubUrl}?access_token=${encodeURIComponent(token)}`);
    ws.binaryType = 'arraybuffer';
    let ready = false;
    ws.once('open', () => ws.send('{"protocol":"messagepack","version":1}\u001e'));
    ws.on('message', (data: ArrayBuffer | string) => {
      const at = now();
      if (!ready) {
        ready = true;
        resolve();
        return; // the handshake reply
      }
      frames += 1;
      if (typeof data === 'string') return;
      for (const message of protocol.parseMessages(data, NullLogger.instance)) {
        if (message.type !== MessageType.Invocation) continue;
        const invocation = message as InvocationMessage;
        const update = invocation.arguments[0] as { Type?: number; Payload?: { Id?: string } } | undefined;
        if (invocation.target !== 'ReceiveMessage' || update?.Type !== 1 || !update.Payload?.Id) continue;
        const id = update.Payload.Id.toLowerCase();
        const list = receipts.get(id);
        if (list) list.push(at);
        else receipts.set(id, [at]);
      }
    });
    ws.once('error', (error) => (ready ? undefined : reject(error)));
    sockets.push(ws);
  });
}

process.on('message', (message: { open?: { hubUrl: string; tokens: string[]; perToken: number }; report?: boolean; close?: boolean }) => {
  if (message.open) {
    const { hubUrl, tokens, perToken } = message.open;
    const all = tokens.flatMap((token) => Array.from({ length: perToken }, () => token));
    void (async () => {
      for (let i = 0; i < all.length; i += 100) await Promise.all(all.slice(i, i + 100).map((token) => open(hubUrl, token)));
      process.send?.({ opened: sockets.length });
    })().catch((error: unknown) => process.send?.({ error: String(error) }));
  } else if (message.report) {
    process.send?.({ frames, receipts: Object.fromEntries(receipts) });
  } else if (message.close) {
    for (const ws of sockets) ws.terminate();
    process.send?.({ closed: true }, () => process.exit(0));
  }
});
process.send?.({ ready: true });
