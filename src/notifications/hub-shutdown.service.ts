import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { getLogger } from '../common/logging/logger';
import { UnitOfWork } from '../db/unit-of-work';
import { ConnectionRegistry } from './connection-registry';

const log = getLogger('HubShutdown');

/** Graceful drain (§7.7): flush pending deliveries, then Close [7, nil, true] and code 1001 on every socket. */
@Injectable()
export class HubShutdownService implements BeforeApplicationShutdown {
  constructor(private readonly registry: ConnectionRegistry, private readonly uow: UnitOfWork) {}

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.race([this.uow.drain(), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
    const connections = this.registry.all();
    if (connections.length > 0) log.info({ sockets: connections.length }, 'notifications.draining');
    await Promise.all(
      connections.map(
        (connection) =>
          new Promise<void>((resolve) => {
            connection.socket.once('close', () => resolve());
            connection.closeAfterFlush(null, true, 1001, 3_000);
            setTimeout(resolve, 3_500).unref();
          }),
      ),
    );
  }
}
