/**
 * The floor: a bare `ws` server with just enough of the protocol for the bench clients. It answers /alive,
 * a token request (an opaque token), the SignalR handshake, and POST /api/ciphers by fanning one pre-encoded
 * ReceiveMessage frame out to the sockets of that token. No database, no authentication, no logging: what
 * sockets and frames cost on this machine, and nothing else. argv: port.
 */
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { MessageType } from '@microsoft/signalr';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { WebSocketServer, WebSocket } from 'ws';

const port = Number(process.argv[2] ?? 0);
const protocol = new MessagePackHubProtocol();
const byToken = new Map<string, Set<WebSocket>>();

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://floor');
  if (url.pathname === '/alive') {
    res.end('"ok"');
    return;
  }
  if (req.method === 'POST' && url.pathname === '/api/ciphers') {
    req.resume();
    req.on('end', () => {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      const id = randomUUID();
      const frame = Buffer.from(protocol.writeMessage({
        type: MessageType.Invocation, target: 'ReceiveMessage', headers: {},
        arguments: [{ ContextId: null, Type: 1, Payload: { Id: id, UserId: token, OrganizationId: null, CollectionIds: null, RevisionDate: new Date() } }],
      }));
      for (const socket of byToken.get(token) ?? []) socket.send(frame);
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ id }));
    });
    return;
  }
  res.statusCode = 404;
  res.end();
});

const wss = new WebSocketServer({ server, path: '/notifications/hub' });
wss.on('connection', (socket, req) => {
  const token = new URL(req.url ?? '/', 'http://floor').searchParams.get('access_token') ?? '';
  let set = byToken.get(token);
  if (!set) byToken.set(token, (set = new Set()));
  set.add(socket);
  let handshaken = false;
  socket.on('message', () => {
    if (handshaken) return;
    handshaken = true;
    socket.send('{}\u001e');
  });
  socket.on('close', () => set.delete(socket));
});

server.listen(port, '127.0.0.1');
