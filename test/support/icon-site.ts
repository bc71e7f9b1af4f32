// TEST CODE ONLY: small web sites on loopback addresses, port 80 (icon hosts carry no port), that count requests.
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** What a path answers: fixed bytes, or a handler of its own (slow, endless, redirecting…). */
export type SiteRoute =
  | { status?: number; type?: string; body: string | Buffer; headers?: Record<string, string> }
  | ((req: IncomingMessage, res: ServerResponse) => void);

export interface IconSite {
  address: string;
  /** Paths requested, in order ("GET /favicon.ico"). */
  readonly requests: string[];
  close(): Promise<void>;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Bytes that every sniffer takes for a PNG (the signature), marked with a name so a test knows which icon it got. */
export const pngNamed = (name: string): Buffer => Buffer.concat([PNG_SIGNATURE, Buffer.from(`\0\0\0\rIHDR ${name}`)]);
/** An ICO header (type 1, one image) followed by a name. */
export const icoNamed = (name: string): Buffer => Buffer.concat([Buffer.from([0, 0, 1, 0, 1, 0]), Buffer.from(name)]);

/**
 * Starts a site on `address`:80. Binding must work (tests run as root): EACCES or EADDRINUSE fail the test with
 * the reason, never skip it. Unknown paths are 404.
 */
export async function startIconSite(address: string, routes: Record<string, SiteRoute>): Promise<IconSite> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const route = routes[(req.url ?? '/').split('?')[0] ?? '/'];
    if (!route) {
      res.writeHead(404, { 'Content-Type': 'text/html' }).end('<html><body>Not found</body></html>');
      return;
    }
    if (typeof route === 'function') {
      route(req, res);
      return;
    }
    res.writeHead(route.status ?? 200, { 'Content-Type': route.type ?? 'text/html', ...route.headers }).end(route.body);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(new Error(`icon test site: cannot listen on ${address}:80 (${error.code ?? error.message}); the icon tests need root and a free port 80 on that address`));
    });
    server.listen(80, address, () => resolve());
  });
  return {
    address,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
