/**
 * A separate process holding many hub sockets (so their TLS and parsing work does not share the server's
 * event loop). argv: hub URL, access token, count, share of sockets that never read. Reports over IPC.
 */
import WebSocket from 'ws';

const [url = '', token = '', countText = '0', slowText = '0'] = process.argv.slice(2);
const count = Number(countText);
const slowShare = Number(slowText);
let received = 0;
const sockets: WebSocket[] = [];

async function main(): Promise<void> {
  for (let i = 0; i < count; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, count - i) }, (_, j) => new Promise<void>((resolve, reject) => {
        const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` } });
        ws.once('open', () => {
          ws.send('{"protocol":"messagepack","version":1}\u001e');
          if ((i + j) / count < slowShare) (ws as unknown as { _socket: { pause(): void } })._socket.pause();
          resolve();
        });
        ws.on('message', () => (received += 1));
        ws.once('error', reject);
        sockets.push(ws);
      })),
    );
  }
  process.send?.({ ready: true });
}

process.on('message', (message: { stop?: boolean; count?: boolean }) => {
  if (message.count) {
    process.send?.({ received });
    return;
  }
  if (!message.stop) return;
  for (const ws of sockets) ws.terminate();
  process.send?.({ received }, () => process.exit(0));
});

main().catch((error: unknown) => {
  process.send?.({ error: String(error) });
  process.exit(1);
});
