import { Injectable } from '@nestjs/common';
import { AccountRevisionService } from '../accounts/account-revision.service';
import { getLogger } from '../common/logging/logger';
import { Clock } from '../common/time/clock';
import { userPayload } from '../wire/payloads';
import { UpdateType } from '../wire/update-type';
import { UnitOfWork } from '../db/unit-of-work';
import { HubPresenceRepository } from './hub-presence.repository';
import { HubConnection } from './hub-connection';
import { encodeUpdate } from './hub-delivery.service';

const log = getLogger('CatchUp');

/**
 * Catch-up after (re)connect (notifications.md §7.6): a device whose account changed since its previous hub
 * connection ended (or that has none recorded) gets one SyncVault right after its handshake.
 */
@Injectable()
export class CatchUpService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly presence: HubPresenceRepository,
    private readonly revisions: AccountRevisionService,
    private readonly clock: Clock,
  ) {}

  async onReady(connection: HubConnection): Promise<void> {
    const identity = connection.identity;
    if (identity.kind !== 'user' || !connection.protocol) return;
    const { revision, endedAt } = await this.uow.read(async (db) => ({
      revision: await this.revisions.get(db, identity.userId),
      endedAt: await this.presence.disconnectedAt(db, identity.userId, identity.deviceIdentifier),
    }));
    if (!revision) return;
    if (endedAt !== null && revision.getTime() <= endedAt.getTime()) return;
    log.debug({ conn: connection.id, userId: identity.userId }, 'notifications.catch_up');
    connection.enqueue(encodeUpdate(connection.protocol, UpdateType.SyncVault, null, userPayload({ userId: identity.userId, date: revision })));
  }

  async onClosed(connection: HubConnection): Promise<void> {
    if (connection.identity.kind !== 'user' || !connection.protocol) return;
    const { deviceId } = connection.identity;
    await this.uow.run((tx) => this.presence.recordDisconnect(tx.manager, deviceId, this.clock.now()));
  }
}
