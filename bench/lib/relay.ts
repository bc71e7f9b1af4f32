/**
 * The push relay for bench scenarios: the relay stand-in (test/stand-ins/relay-stand-in.ts) behind a small HTTPS
 * front on its own port, which the server is pointed at as PUSH_RELAY_URI. The front passes relay requests on to
 * the stand-in at once ('healthy'), holds each one `delayMs` first ('slow'; a request whose client gave up
 * meanwhile is dropped, never passed on), or stops listening ('down': connection refused). The identity endpoint
 * (relay tokens) is always the stand-in's own, so only the relay itself degrades.
 */
import { existsSync, mkdirSync, readFileSync, copyFileSync } from 'node:fs';
import { createServer, request, Agent, Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { RelayStandIn } from '../../test/stand-ins/relay-stand-in';

export type RelayCondition = 'healthy' | 'slow' | 'down';

/**
 * test/fixtures/tls of the source tree, also copied next to the compiled stand-in, which reads its certificate
 * relative to itself (tsc does not copy .pem files into the bench build).
 */
function tlsFixtures(): { cert: string; key: string } {
  const roots = [resolve(__dirname, '..', '..', '..'), process.cwd()];
  const source = roots.map((r) => join(r, 'test', 'fixtures', 'tls')).find((dir) => existsSync(join(dir, 'cert.pem')));
  if (!source) throw new Error('test/fixtures/tls/cert.pem not found: run the bench from the repository root');
  const compiled = resolve(__dirname, '..', '..', 'test', 'fixtures', 'tls');
  if (!existsSync(join(compiled, 'cert.pem'))) {
    mkdirSync(compiled, { recursive: true });
    for (const file of ['cert.pem', 'key.pem']) copyFileSync(join(source, file), join(compiled, file));
  }
  return { cert: join(source, 'cert.pem'), key: join(source, 'key.pem') };
}

export class BenchRelay {
  private condition: RelayCondition = 'healthy';
  private delayMs = 0;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    readonly standIn: RelayStandIn,
    private readonly front: Server,
    private readonly port: number,
    private readonly certFile: string,
    private readonly agent: Agent,
  ) {}

  static async start(): Promise<BenchRelay> {
    const tls = tlsFixtures();
    const standIn = await RelayStandIn.start();
    const cert = readFileSync(tls.cert);
    const front = createServer({ cert, key: readFileSync(tls.key) });
    await new Promise<void>((ok) => front.listen(0, '127.0.0.1', ok));
    const { port } = front.address() as { port: number };
    const relay = new BenchRelay(standIn, front, port, tls.cert, new Agent({ keepAlive: true, ca: cert }));
    front.on('request', (req: IncomingMessage, res: ServerResponse) => relay.handle(req, res));
    front.on('connection', (socket: Socket) => {
      relay.sockets.add(socket);
      socket.on('close', () => relay.sockets.delete(socket));
    });
    return relay;
  }

  /** Server environment: the stand-in's PUSH_* (its fast test retries) with the relay at the front, and the CA. */
  env(overrides: Record<string, string> = {}): Record<string, string> {
    return this.standIn.env({ PUSH_RELAY_URI: `https://127.0.0.1:${this.port}/relay`, NODE_EXTRA_CA_CERTS: this.certFile, ...overrides });
  }

  /** How relay requests are answered from now on. */
  async setCondition(condition: RelayCondition, delayMs = 0): Promise<void> {
    const wasDown = this.condition === 'down';
    this.condition = condition;
    this.delayMs = delayMs;
    if (condition === 'down' && !wasDown) {
      this.front.close();
      for (const socket of this.sockets) socket.destroy(); // kept-alive connections too: the next request is refused
    } else if (condition !== 'down' && wasDown) {
      await new Promise<void>((ok) => this.front.listen(this.port, '127.0.0.1', ok));
    }
  }

  /** Waits until the stand-in has accepted `count` device registrations. */
  waitForRegisters(count: number, timeoutMs = 30_000): Promise<void> {
    return this.standIn.waitFor(`${count} device registrations`, () => this.standIn.bodies('register').length >= count, timeoutMs);
  }

  /** Pushes (relay sends) the stand-in accepted between two Date.now() instants. */
  sendsAccepted(from: number, to: number): number {
    return this.standIn.accepted.filter((r) => r.action === 'send' && r.at >= from && r.at <= to).length;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    if (this.condition !== 'down') {
      this.front.close();
      for (const socket of this.sockets) socket.destroy();
    }
    this.agent.destroy();
    await this.standIn.close();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const forward = (): void => {
        if (res.destroyed || res.writableEnded) return; // the client gave up while the request was held
        const upstream = request(`${this.standIn.origin}${req.url ?? '/'}`, { method: req.method, headers: { ...req.headers, host: new URL(this.standIn.origin).host }, agent: this.agent }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        upstream.on('error', () => {
          if (!res.headersSent) res.writeHead(502);
          res.end();
        });
        upstream.end(Buffer.concat(chunks));
      };
      if (this.condition !== 'slow') return forward();
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        forward();
      }, this.delayMs);
      this.timers.add(timer);
    });
  }
}
