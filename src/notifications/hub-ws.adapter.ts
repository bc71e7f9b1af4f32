import { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import { apiErrorBody } from '../common/errors/error-body';
import { clientIp } from '../common/http/client-ip';
import { getLogger } from '../common/logging/logger';
import { AppConfig } from '../config/app-config';
import { ConnectionRegistry } from './connection-registry';
import { HubAdmission } from './hub-admission';
import { HUB_IDENTITY, HubUpgradeRouter, RequestWithIdentity } from './hub-upgrade.router';

const log = getLogger('HubUpgrade');

type PathedServer = WebSocketServer & { path: string };

/** Writes a complete HTTP error response on a socket that asked for an upgrade, then closes it. */
function rejectUpgrade(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify(apiErrorBody(message));
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' }[status] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * The @nestjs/platform-ws adapter, with the upgrade handled here: hubs live under the DOMAIN base path,
 * every upgrade is authorised before any 101 (rejections are Bitwarden JSON errors), unknown paths get 404,
 * and frames are handled by the SignalR connection rather than Nest's JSON message router.
 */
export class HubWsAdapter extends WsAdapter {
  private readonly servers: PathedServer[] = [];
  private attached = false;
  private readonly admission: HubAdmission;

  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
    private readonly router: HubUpgradeRouter,
    private readonly registry: ConnectionRegistry,
  ) {
    super(app);
    this.admission = new HubAdmission({ maxConnections: config.hub.maxConnections, maxConnectionsPerIp: config.hub.maxConnectionsPerIp });
  }

  override create(port: number, options: Record<string, unknown> & { path?: string } = {}): WebSocketServer {
    const server = super.create(port, { ...options, path: `${this.config.basePath}${options.path ?? ''}` }) as PathedServer;
    return server;
  }

  /** Replaces the base adapter's upgrade routing with the authorising one below. */
  protected override ensureHttpServerExists(port: number, httpServer?: Server): Server | undefined {
    const server = httpServer ?? (this as unknown as { httpServer: Server }).httpServer;
    if (!this.attached && server) {
      this.attached = true;
      server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
        void this.onUpgrade(request, socket, head);
      });
    }
    return server;
  }

  protected override addWsServerToRegistry<T extends Record<'path', string>>(wsServer: T, _port: number, path: string): void {
    wsServer.path = path.replace(/\/+$/, '') || '/';
    this.servers.push(wsServer as unknown as PathedServer);
  }

  override bindMessageHandlers(): void {
    // Frames are decoded by HubConnection (SignalR), not by Nest's JSON event router.
  }

  private async onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const url = new URL(request.url ?? '/', 'http://hub.invalid');
    const path = url.pathname.replace(/\/+$/, '');
    const server = this.servers.find((s) => s.path === path);
    const ip = clientIp(request, this.config);
    if (!server) {
      rejectUpgrade(socket, 404, 'Resource not found.');
      return;
    }
    // Global and per-address caps first, synchronously: the place is held from here until the socket closes.
    const admitted = this.admission.admit(ip);
    if (!admitted.ok) {
      log.info({ path, status: admitted.status, reason: admitted.reason, ip }, 'notifications.upgrade_rejected');
      rejectUpgrade(socket, admitted.status, admitted.message);
      return;
    }
    socket.once('close', () => admitted.ticket.release());
    const authorize = this.router.authorizerFor(path.slice(this.config.basePath.length));
    try {
      let decision = authorize ? await authorize(request, url) : { ok: false as const, status: 404, message: 'Resource not found.', reason: 'no_authorizer' };
      // The per-user cap again, in the same turn as the registration below: parallel upgrades of one user
      // all passed the authoriser's check while awaiting the token lookup.
      if (decision.ok && decision.identity.kind === 'user' && this.registry.countForUser(decision.identity.userId) >= this.config.hub.maxConnectionsPerUser) {
        decision = { ok: false, status: 429, message: 'Too many connections', reason: 'user_connection_cap' };
      }
      if (!decision.ok) {
        // Path only: the query string may hold an access token.
        log.info({ path, status: decision.status, reason: decision.reason, ip }, 'notifications.upgrade_rejected');
        rejectUpgrade(socket, decision.status, decision.message);
        return;
      }
      (request as RequestWithIdentity)[HUB_IDENTITY] = decision.identity;
      server.handleUpgrade(request, socket, head, (ws) => server.emit('connection', ws, request));
    } catch (error) {
      log.error({ path, err: error instanceof Error ? error.message : String(error) }, 'notifications.upgrade_failed');
      rejectUpgrade(socket, 500, 'An internal error occurred.');
    }
  }
}
