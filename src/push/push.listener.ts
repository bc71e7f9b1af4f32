import { Injectable } from '@nestjs/common';
import { AccountRevisionService } from '../accounts/account-revision.service';
import { MOBILE_DEVICE_TYPES } from '../common/auth/device-type';
import { Clock } from '../common/time/clock';
import { authRequestPayload, cipherPayload, folderPayload, logoutPayload, userPayload } from '../common/wire/payloads';
import { UpdateType } from '../common/wire/update-type';
import { Tx } from '../db/unit-of-work';
import { CipherChange, DomainEventMap, FolderChange } from '../event-bus/domain-events';
import { OnDomainEvent } from '../event-bus/on-domain-event.decorator';
import { OutboxWriter } from './outbox.writer';

/**
 * Domain events → relay outbox rows (notifications.md §7.8, §8, §10), inside the emitting transaction, so a
 * row commits or rolls back with the change. Rows only, no network. The same payload builders as the hub;
 * the acting device travels as `deviceId`/`identifier` wherever the hub message carries it as ContextId.
 */
@Injectable()
export class PushListener {
  constructor(private readonly outbox: OutboxWriter, private readonly revisions: AccountRevisionService, private readonly clock: Clock) {}

  @OnDomainEvent('CipherCreated', { phase: 'inTransaction' })
  cipherCreated(e: CipherChange, tx: Tx): Promise<void> {
    return this.cipher(tx, UpdateType.SyncCipherCreate, e);
  }

  @OnDomainEvent('CipherUpdated', { phase: 'inTransaction' })
  cipherUpdated(e: CipherChange, tx: Tx): Promise<void> {
    return this.cipher(tx, UpdateType.SyncCipherUpdate, e);
  }

  @OnDomainEvent('CipherDeleted', { phase: 'inTransaction' })
  cipherDeleted(e: CipherChange, tx: Tx): Promise<void> {
    return this.cipher(tx, UpdateType.SyncLoginDelete, e);
  }

  /** One SyncCiphers (4) or SyncVault (5) per affected user, never one per item. */
  @OnDomainEvent('CiphersBulkChanged', { phase: 'inTransaction' })
  ciphersBulkChanged(e: DomainEventMap['CiphersBulkChanged'], tx: Tx): Promise<void> {
    return this.perUser(tx, e.kind === 'vault' ? UpdateType.SyncVault : UpdateType.SyncCiphers, e.userIds, e.actor?.deviceId ?? null);
  }

  @OnDomainEvent('UserSettingsChanged', { phase: 'inTransaction' })
  settingsChanged(e: DomainEventMap['UserSettingsChanged'], tx: Tx): Promise<void> {
    return this.perUser(tx, UpdateType.SyncSettings, [e.userId], e.actor?.deviceId ?? null);
  }

  @OnDomainEvent('FolderCreated', { phase: 'inTransaction' })
  folderCreated(e: FolderChange, tx: Tx): Promise<void> {
    return this.folder(tx, UpdateType.SyncFolderCreate, e);
  }

  @OnDomainEvent('FolderUpdated', { phase: 'inTransaction' })
  folderUpdated(e: FolderChange, tx: Tx): Promise<void> {
    return this.folder(tx, UpdateType.SyncFolderUpdate, e);
  }

  @OnDomainEvent('FolderDeleted', { phase: 'inTransaction' })
  folderDeleted(e: FolderChange, tx: Tx): Promise<void> {
    return this.folder(tx, UpdateType.SyncFolderDelete, e);
  }

  /** LogOut (11); a device that stays signed in (self-service password change) is the excluded `identifier`. */
  @OnDomainEvent('UserLoggedOut', { phase: 'inTransaction' })
  userLoggedOut(e: DomainEventMap['UserLoggedOut'], tx: Tx): Promise<void> {
    return this.outbox.enqueueSend(tx, {
      userId: e.userId, type: UpdateType.LogOut, objectId: e.userId,
      payload: logoutPayload({ userId: e.userId, date: this.clock.now(), reason: e.reason }),
      deviceId: e.actor?.deviceId ?? null, identifier: e.actor?.deviceIdentifier ?? null,
    });
  }

  @OnDomainEvent('AuthRequestCreated', { phase: 'inTransaction' })
  authRequestCreated(e: DomainEventMap['AuthRequestCreated'], tx: Tx): Promise<void> {
    return this.outbox.enqueueSend(tx, {
      userId: e.userId, type: UpdateType.AuthRequest, objectId: e.authRequestId,
      payload: authRequestPayload({ id: e.authRequestId, userId: e.userId }),
      deviceId: null, identifier: e.requestDeviceIdentifier,
    });
  }

  /** 16 to the owner; the approving device does not get its own response back. */
  @OnDomainEvent('AuthRequestApproved', { phase: 'inTransaction' })
  authRequestApproved(e: DomainEventMap['AuthRequestApproved'], tx: Tx): Promise<void> {
    return this.outbox.enqueueSend(tx, {
      userId: e.userId, type: UpdateType.AuthRequestResponse, objectId: e.authRequestId,
      payload: authRequestPayload({ id: e.authRequestId, userId: e.userId }),
      deviceId: e.actor.deviceId, identifier: e.actor.deviceIdentifier,
    });
  }

  @OnDomainEvent('DevicePushTokenSet', { phase: 'inTransaction' })
  async pushTokenSet(e: DomainEventMap['DevicePushTokenSet'], tx: Tx): Promise<void> {
    if (MOBILE_DEVICE_TYPES.has(e.deviceType)) await this.outbox.enqueueRegister(tx, e.deviceId);
  }

  /** Token cleared, device deactivated or deleted, sessions ended: the relay registration is deleted. */
  @OnDomainEvent('DevicePushTokenCleared', { phase: 'inTransaction' })
  async pushTokenCleared(e: DomainEventMap['DevicePushTokenCleared'], tx: Tx): Promise<void> {
    if (MOBILE_DEVICE_TYPES.has(e.deviceType)) await this.outbox.enqueueDelete(tx, e.userId, e.deviceId);
  }

  /** Cipher types, per recipient; `userId` in the relay payload is the recipient (§5.4). */
  private async cipher(tx: Tx, type: UpdateType, e: CipherChange): Promise<void> {
    for (const userId of new Set(e.recipients)) {
      await this.outbox.enqueueSend(tx, {
        userId, type, objectId: e.cipherId,
        payload: cipherPayload({ id: e.cipherId, userId, organizationId: e.organizationId, collectionIds: e.collectionIds, revisionDate: e.revisionDate }),
        deviceId: e.actor?.deviceId ?? null, identifier: e.actor?.deviceIdentifier ?? null,
      });
    }
  }

  private folder(tx: Tx, type: UpdateType, e: FolderChange): Promise<void> {
    return this.outbox.enqueueSend(tx, {
      userId: e.userId, type, objectId: e.folderId,
      payload: folderPayload({ id: e.folderId, userId: e.userId, revisionDate: e.revisionDate }),
      deviceId: e.actor.deviceId, identifier: e.actor.deviceIdentifier,
    });
  }

  /** Types 4, 5, 10: the recipient's account revision date (already bumped in this transaction); no `identifier`. */
  private async perUser(tx: Tx, type: UpdateType, userIds: string[], deviceId: string | null): Promise<void> {
    for (const userId of new Set(userIds)) {
      const date = (await this.revisions.get(tx.manager, userId)) ?? this.clock.now();
      await this.outbox.enqueueSend(tx, { userId, type, objectId: userId, payload: userPayload({ userId, date }), deviceId, identifier: null });
    }
  }
}
