import { Inject } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { clientIp } from '../common/http/client-ip';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { ConnectionRegistry } from './connection-registry';
import { HubConnection } from './hub-connection';
import { HubDeliveryService } from './hub-delivery.service';
import { hubConnectionOptions } from './hub-options';
import { HUB_IDENTITY, HubUpgradeRouter, RequestWithIdentity, UpgradeDecision } from './hub-upgrade.router';
import { MAX_INBOUND_FRAME_BYTES } from './signalr';

export const ANONYMOUS_HUB_PATH = '/notifications/anonymous-hub';
/** Vaultwarden's MAX_ANONYMOUS_CONNECTIONS_PER_IP. */
export const MAX_ANONYMOUS_CONNECTIONS_PER_IP = 25;
/** Anonymous sockets end after 30 minutes (a pending auth request is long expired by then). */
export const ANONYMOUS_LIFETIME_MS = 30 * 60 * 1000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** /notifications/anonymous-hub?Token=<auth request id>: where a device waiting for approval listens. */
@WebSocketGateway({ path: ANONYMOUS_HUB_PATH, maxPayload: MAX_INBOUND_FRAME_BYTES })
export class AnonymousHubGateway implements OnGatewayInit, OnGatewayConnection {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly router: HubUpgradeRouter,
    private readonly registry: ConnectionRegistry,
    private readonly delivery: HubDeliveryService,
  ) {}

  afterInit(): void {
    this.router.register(ANONYMOUS_HUB_PATH, (request, url) => Promise.resolve(this.authorize(request, url)));
  }

  authorize(request: IncomingMessage, url: URL): UpgradeDecision {
    let token: string | null = null;
    for (const [name, value] of url.searchParams) {
      if (name.toLowerCase() === 'token') {
        token = value;
        break;
      }
    }
    if (!token || !UUID.test(token)) return { ok: false, status: 400, message: 'Missing or invalid Token: expected the auth request id', reason: 'bad_token' };
    const ip = clientIp(request, this.config);
    if (this.registry.countForIp(ip) >= MAX_ANONYMOUS_CONNECTIONS_PER_IP) {
      return { ok: false, status: 429, message: 'Too many connections', reason: 'anonymous_ip_cap' };
    }
    return { ok: true, identity: { kind: 'anonymous', token: token.toLowerCase(), ip } };
  }

  handleConnection(socket: WebSocket, request: IncomingMessage): void {
    const identity = (request as RequestWithIdentity)[HUB_IDENTITY];
    if (!identity || identity.kind !== 'anonymous') {
      socket.terminate();
      return;
    }
    const connection = new HubConnection(socket, identity, hubConnectionOptions(this.config, ANONYMOUS_LIFETIME_MS), {
      onReady: () => undefined,
      onClosed: (c) => this.registry.remove(c),
      syncVaultFrame: (c) => this.delivery.syncVaultFrame(c),
    });
    this.registry.add(connection);
  }
}
