import { Global, Module } from '@nestjs/common';
import { LiveSockets } from '../common/live-sockets';
import { AccountsModule } from '../accounts/accounts.module';
import { WireModule } from '../wire/wire.module';
import { AnonymousHubGateway } from './anonymous-hub.gateway';
import { CatchUpService } from './catch-up.service';
import { ConnectionRegistry } from './connection-registry';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { DeliveryBus, InProcessDeliveryBus } from './delivery-bus';
import { HubDeliveryService } from './hub-delivery.service';
import { HubHttpController } from './hub-http.controller';
import { HubShutdownService } from './hub-shutdown.service';
import { HubUpgradeRouter } from './hub-upgrade.router';
import { HubPresenceRepository } from './hub-presence.repository';
import { HubGateway } from './hub.gateway';
import { NotificationsListener } from './notifications.listener';
import { RedisDeliveryBus } from './redis-delivery-bus';

/** The delivery bus behind the `DeliveryBus` token: Redis pub/sub when REDIS_URL is set, in-process otherwise. */
const deliveryBusProvider = {
  provide: DeliveryBus,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): DeliveryBus => (config.hub.redisUrl ? new RedisDeliveryBus(config.hub.redisUrl) : new InProcessDeliveryBus()),
};

/**
 * The SignalR hubs. Imported only when ENABLE_WEBSOCKET is on: otherwise no route, timer or state exists. Global for
 * one port only: LiveSockets (the admin panel's socket counts), which features reach without importing a consumer.
 */
@Global()
@Module({
  imports: [AccountsModule, WireModule],
  controllers: [HubHttpController],
  providers: [HubPresenceRepository, HubUpgradeRouter, ConnectionRegistry, deliveryBusProvider, HubDeliveryService, CatchUpService, HubGateway, AnonymousHubGateway, NotificationsListener, HubShutdownService,
    { provide: LiveSockets, useExisting: ConnectionRegistry }],
  exports: [HubUpgradeRouter, ConnectionRegistry, DeliveryBus, LiveSockets],
})
export class NotificationsModule {}
