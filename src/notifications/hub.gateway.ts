import { Inject, OnModuleDestroy } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { SessionService } from '../common/auth/session.service';
import { getLogger } from '../common/logging/logger';
import { Clock } from '../common/time/clock';
import { logoutPayload } from '../wire/payloads';
import { UpdateType } from '../wire/update-type';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { CatchUpService } from './catch-up.service';
import { ConnectionRegistry } from './connection-registry';
import { HubConnection } from './hub-connection';
import { HubDeliveryService } from './hub-delivery.service';
import { hubAccessToken, hubConnectionOptions } from './hub-options';
import { HUB_IDENTITY, HubUpgradeRouter, RequestWithIdentity, UpgradeDecision } from './hub-upgrade.router';
import { MAX_INBOUND_FRAME_BYTES } from './signalr';

const log = getLogger('HubGateway');
export const HUB_PATH = '/notifications/hub';
/** Consecutive failed re-validations after which a socket is closed. */
export const MAX_REVALIDATION_ERRORS = 3;

/** /notifications/hub: authenticated SignalR hub of the web vault, desktop app and browser extension. */
@WebSocketGateway({ path: HUB_PATH, maxPayload: MAX_INBOUND_FRAME_BYTES })
export class HubGateway implements OnGatewayInit, OnGatewayConnection, OnModuleDestroy {
  private revalidateTimer: NodeJS.Timeout | null = null;
  private readonly revalidationErrors = new WeakMap<HubConnection, number>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly router: HubUpgradeRouter,
    private readonly registry: ConnectionRegistry,
    private readonly sessions: SessionService,
    private readonly delivery: HubDeliveryService,
    private readonly catchUp: CatchUpService,
    private readonly clock: Clock,
  ) {}

  afterInit(): void {
    this.router.register(HUB_PATH, (request, url) => this.authorize(request, url));
    this.revalidateTimer = setInterval(() => void this.revalidate(), this.config.hub.revalidateMs);
    this.revalidateTimer.unref();
  }

  onModuleDestroy(): void {
    if (this.revalidateTimer) clearInterval(this.revalidateTimer);
  }

  /** Runs on the HTTP upgrade request, before any 101 (notifications.md §2.2). */
  async authorize(request: IncomingMessage, url: URL): Promise<UpgradeDecision> {
    const token = hubAccessToken(request.headers, url);
    if (!token) return { ok: false, status: 401, message: 'Invalid claim', reason: 'missing_token' };
    const auth = await this.sessions.authenticate(token);
    if (!auth) return { ok: false, status: 401, message: 'Invalid token', reason: 'invalid_token' };
    if (this.registry.countForUser(auth.userId) >= this.config.hub.maxConnectionsPerUser) {
      return { ok: false, status: 429, message: 'Too many connections', reason: 'user_connection_cap' };
    }
    return {
      ok: true,
      identity: { kind: 'user', userId: auth.userId, deviceId: auth.deviceId, deviceIdentifier: auth.deviceIdentifier, securityStamp: auth.securityStamp, deviceType: auth.deviceType },
    };
  }

  handleConnection(socket: WebSocket, request: IncomingMessage): void {
    const identity = (request as RequestWithIdentity)[HUB_IDENTITY];
    if (!identity || identity.kind !== 'user') {
      socket.terminate();
      return;
    }
    const connection = new HubConnection(socket, identity, hubConnectionOptions(this.config, null), {
      onReady: (c) => {
        log.debug({ conn: c.id, ...c.describe() }, 'notifications.connected');
        this.catchUp.onReady(c).catch((error: unknown) => log.error({ err: String(error) }, 'notifications.catch_up_failed'));
      },
      onClosed: (c) => {
        this.registry.remove(c);
        log.debug({ conn: c.id, ...c.describe() }, 'notifications.disconnected');
        this.catchUp.onClosed(c).catch((error: unknown) => log.warn({ err: String(error) }, 'notifications.disconnect_record_failed'));
      },
      syncVaultFrame: (c) => this.delivery.syncVaultFrame(c),
    });
    this.registry.add(connection);
  }

  /** Periodic re-validation: a socket whose device, stamp or user no longer holds gets LogOut and is closed. */
  private async revalidate(): Promise<void> {
    for (const connection of this.registry.all()) {
      const id = connection.identity;
      if (id.kind !== 'user') continue;
      let valid: boolean;
      try {
        valid = await this.sessions.stillValid(id.userId, id.deviceIdentifier, id.securityStamp);
        this.revalidationErrors.delete(connection);
      } catch (error) {
        // Fails closed: a socket whose session cannot be checked several times running is closed (the client
        // reconnects, and its upgrade is authorised again); no LogOut, since nothing says the session ended.
        const errors = (this.revalidationErrors.get(connection) ?? 0) + 1;
        this.revalidationErrors.set(connection, errors);
        log.warn({ conn: connection.id, errors, err: error instanceof Error ? error.message : String(error) }, 'notifications.revalidate_failed');
        if (errors >= MAX_REVALIDATION_ERRORS) connection.close('Session could not be verified', true, 1013);
        continue;
      }
      if (valid) continue;
      this.delivery.deliver({
        target: { kind: 'device', userId: id.userId, deviceId: id.deviceId },
        type: UpdateType.LogOut,
        contextId: null,
        payload: logoutPayload({ userId: id.userId, date: this.clock.now(), reason: null }),
        close: { exceptDeviceId: null },
      });
    }
  }
}
