import { Injectable } from '@nestjs/common';
import { AccountRevisionService } from '../accounts/account-revision.service';
import { authRequestPayload, cipherPayload, folderPayload, logoutPayload, userPayload } from '../common/wire/payloads';
import { UpdateType } from '../common/wire/update-type';
import { UnitOfWork } from '../db/unit-of-work';
import { CipherChange, DomainEventMap, FolderChange } from '../event-bus/domain-events';
import { OnDomainEvent } from '../event-bus/on-domain-event.decorator';
import { DeliveryBus } from './delivery-bus';

/**
 * Domain events → hub messages (notifications.md §7.8, §8), after commit. Resolves recipients and publishes
 * one logical message on the delivery bus; never touches a socket and never blocks the request.
 */
@Injectable()
export class NotificationsListener {
  constructor(private readonly bus: DeliveryBus, private readonly uow: UnitOfWork, private readonly revisions: AccountRevisionService) {}

  @OnDomainEvent('CipherCreated', { phase: 'afterCommit' })
  cipherCreated(e: CipherChange): void {
    this.cipher(UpdateType.SyncCipherCreate, e);
  }

  @OnDomainEvent('CipherUpdated', { phase: 'afterCommit' })
  cipherUpdated(e: CipherChange): void {
    this.cipher(UpdateType.SyncCipherUpdate, e);
  }

  @OnDomainEvent('CipherDeleted', { phase: 'afterCommit' })
  cipherDeleted(e: CipherChange): void {
    this.cipher(UpdateType.SyncLoginDelete, e);
  }

  @OnDomainEvent('CiphersBulkChanged', { phase: 'afterCommit' })
  async ciphersBulkChanged(e: DomainEventMap['CiphersBulkChanged']): Promise<void> {
    await this.perUserSync(e.kind === 'vault' ? UpdateType.SyncVault : UpdateType.SyncCiphers, e.userIds);
  }

  @OnDomainEvent('UserSettingsChanged', { phase: 'afterCommit' })
  async settingsChanged(e: DomainEventMap['UserSettingsChanged']): Promise<void> {
    await this.perUserSync(UpdateType.SyncSettings, [e.userId]);
  }

  @OnDomainEvent('FolderCreated', { phase: 'afterCommit' })
  folderCreated(e: FolderChange): void {
    this.folder(UpdateType.SyncFolderCreate, e);
  }

  @OnDomainEvent('FolderUpdated', { phase: 'afterCommit' })
  folderUpdated(e: FolderChange): void {
    this.folder(UpdateType.SyncFolderUpdate, e);
  }

  @OnDomainEvent('FolderDeleted', { phase: 'afterCommit' })
  folderDeleted(e: FolderChange): void {
    this.folder(UpdateType.SyncFolderDelete, e);
  }

  /** LogOut to every socket of the user, then those sockets close (the acting device's stay, §7.5). */
  @OnDomainEvent('UserLoggedOut', { phase: 'afterCommit' })
  userLoggedOut(e: DomainEventMap['UserLoggedOut']): void {
    this.bus.publish({
      target: { kind: 'users', userIds: [e.userId] },
      type: UpdateType.LogOut,
      contextId: e.actor?.deviceIdentifier ?? null,
      payload: logoutPayload({ userId: e.userId, date: new Date(), reason: e.reason }),
      close: { exceptDeviceId: e.keepDeviceId },
    });
  }

  /** LogOut to that device's sockets only, then they close. */
  @OnDomainEvent('DeviceRemoved', { phase: 'afterCommit' })
  deviceRemoved(e: DomainEventMap['DeviceRemoved']): void {
    this.bus.publish({
      target: { kind: 'device', userId: e.userId, deviceId: e.deviceId },
      type: UpdateType.LogOut,
      contextId: null,
      payload: logoutPayload({ userId: e.userId, date: new Date(), reason: null }),
      close: { exceptDeviceId: null },
    });
  }

  /** AuthRequest (15) to the owner's sockets; ContextId = the requesting device. */
  @OnDomainEvent('AuthRequestCreated', { phase: 'afterCommit' })
  authRequestCreated(e: DomainEventMap['AuthRequestCreated']): void {
    this.bus.publish({
      target: { kind: 'users', userIds: [e.userId] },
      type: UpdateType.AuthRequest,
      contextId: e.requestDeviceIdentifier,
      payload: authRequestPayload({ id: e.authRequestId, userId: e.userId }),
    });
  }

  /** Approval: AuthRequestResponseRecieved on the anonymous hub to Token = id, and 16 on /hub to the owner. */
  @OnDomainEvent('AuthRequestApproved', { phase: 'afterCommit' })
  authRequestApproved(e: DomainEventMap['AuthRequestApproved']): void {
    const payload = authRequestPayload({ id: e.authRequestId, userId: e.userId });
    this.bus.publish({ target: { kind: 'anonymous', token: e.authRequestId.toLowerCase() }, type: UpdateType.AuthRequestResponse, contextId: null, payload, anonymous: true });
    this.bus.publish({ target: { kind: 'users', userIds: [e.userId] }, type: UpdateType.AuthRequestResponse, contextId: e.actor.deviceIdentifier, payload });
  }

  private cipher(type: UpdateType, e: CipherChange): void {
    this.bus.publish({
      target: { kind: 'users', userIds: e.recipients },
      type,
      contextId: e.actor?.deviceIdentifier ?? null,
      payload: cipherPayload({ id: e.cipherId, userId: e.userId, organizationId: e.organizationId, collectionIds: e.collectionIds, revisionDate: e.revisionDate }),
    });
  }

  private folder(type: UpdateType, e: FolderChange): void {
    this.bus.publish({
      target: { kind: 'users', userIds: [e.userId] },
      type,
      contextId: e.actor.deviceIdentifier,
      payload: folderPayload({ id: e.folderId, userId: e.userId, revisionDate: e.revisionDate }),
    });
  }

  /** Types 4, 5, 10: one message per user carrying that user's account revision date, ContextId nil. */
  private async perUserSync(type: UpdateType, userIds: string[]): Promise<void> {
    const unique = [...new Set(userIds)];
    const dates = await this.uow.read(async (db) => Promise.all(unique.map(async (id) => [id, await this.revisions.get(db, id)] as const)));
    for (const [userId, date] of dates) {
      this.bus.publish({ target: { kind: 'users', userIds: [userId] }, type, contextId: null, payload: userPayload({ userId, date: date ?? new Date() }) });
    }
  }
}
