import { Inject, Injectable } from '@nestjs/common';
import { AccountRevisionService } from '../accounts/account-revision.service';
import { Clock } from '../common/time/clock';
import { userPayload, WirePayload } from '../common/wire/payloads';
import { UpdateType } from '../common/wire/update-type';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { Tx } from '../db/unit-of-work';
import { DevicesService } from '../devices/devices.service';
import { OutboxWorker } from './outbox.worker';
import { CIPHER_PUSH_TYPES, OutboxRepository } from './outbox.repository';
import { deleteBody, registerBody, sendBody } from './relay-bodies';

const HOUR = 3600_000;
const FULL_SYNC_TYPES = [UpdateType.SyncCiphers, UpdateType.SyncVault];
/** More pending cipher rows than this for one user collapse into one SyncCiphers (§10.10). */
export const CIPHER_COLLAPSE_THRESHOLD = 10;

export interface SendRequest {
  userId: string;
  type: UpdateType;
  payload: WirePayload;
  /** Id of the object the message is about (cipher, folder, send, auth request; the user for user types). */
  objectId: string;
  deviceId: string | null;
  identifier: string | null;
}

/**
 * Writes outbox rows inside the caller's transaction (notifications.md §10.10): coalescing, expiry and the
 * "only users with a registered mobile device" rule live here. Wakes the worker once the transaction commits.
 */
@Injectable()
export class OutboxWriter {
  private readonly kicked = new WeakSet<Tx>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: OutboxRepository,
    private readonly devices: DevicesService,
    private readonly revisions: AccountRevisionService,
    private readonly clock: Clock,
    private readonly worker: OutboxWorker,
  ) {}

  /** Queues a send to `userId`, when the user has a mobile device registered at the current relay. */
  async enqueueSend(tx: Tx, request: SendRequest): Promise<void> {
    const db = tx.manager;
    if (!(await this.devices.hasCurrentPushRegistration(db, request.userId))) return;
    const now = this.clock.now();
    const isCipher = CIPHER_PUSH_TYPES.includes(request.type);
    // A full sync not sent yet covers every later cipher change of the user.
    if (isCipher && (await this.repo.countFreePendingOfTypes(db, request.userId, FULL_SYNC_TYPES, now)) > 0) return;
    await this.insertSend(tx, request, now);
    if (!isCipher) return;
    const pending = await this.repo.countFreePendingOfTypes(db, request.userId, CIPHER_PUSH_TYPES, now);
    if (pending <= CIPHER_COLLAPSE_THRESHOLD) return;
    await this.repo.deleteFreePendingOfTypes(db, request.userId, CIPHER_PUSH_TYPES, now);
    const date = (await this.revisions.get(db, request.userId)) ?? now;
    await this.insertSend(tx, {
      userId: request.userId, type: UpdateType.SyncCiphers, payload: userPayload({ userId: request.userId, date }),
      objectId: request.userId, deviceId: request.deviceId, identifier: null,
    }, now);
  }

  /** Queues registration of a mobile device that holds a push token; marks its registration pending. */
  async enqueueRegister(tx: Tx, deviceId: string): Promise<void> {
    const { installationId } = this.config.push;
    const device = await this.devices.pushDevice(tx.manager, deviceId);
    if (!device || installationId === null) return;
    const body = registerBody({
      deviceId: device.id, pushToken: device.pushToken, userId: device.userId, type: device.type, identifier: device.identifier,
      organizationIds: [], installationId,
    });
    await this.insertDeviceRow(tx, 'register', device.userId, device.id, body);
    await this.devices.markPushRegistrationQueued(tx, device.id);
  }

  /** Queues deletion of a device's relay registration. */
  async enqueueDelete(tx: Tx, userId: string, deviceId: string): Promise<void> {
    await this.insertDeviceRow(tx, 'delete', userId, deviceId, deleteBody(deviceId));
  }

  private async insertDeviceRow(tx: Tx, kind: 'register' | 'delete', userId: string, deviceId: string, body: object): Promise<void> {
    const now = this.clock.now();
    const dedupeKey = `${kind}:${deviceId}`;
    await this.repo.deleteFreePendingByKey(tx.manager, userId, dedupeKey, now);
    await this.repo.insert(tx.manager, {
      kind, userId, deviceId, pushType: null, body: JSON.stringify(body), dedupeKey,
      nextAttemptAt: now, expiresAt: new Date(now.getTime() + 24 * HOUR), createdAt: now,
    });
    this.wakeAfterCommit(tx);
  }

  private async insertSend(tx: Tx, request: SendRequest, now: Date): Promise<void> {
    const dedupeKey = `${request.type}:${request.objectId.toLowerCase()}`;
    await this.repo.deleteFreePendingByKey(tx.manager, request.userId, dedupeKey, now);
    const lifetime = request.type === UpdateType.LogOut ? 24 * HOUR : HOUR;
    await this.repo.insert(tx.manager, {
      kind: 'send', userId: request.userId.toLowerCase(), deviceId: null, pushType: request.type,
      body: JSON.stringify(sendBody(request)), dedupeKey,
      nextAttemptAt: now, expiresAt: new Date(now.getTime() + lifetime), createdAt: now,
    });
    this.wakeAfterCommit(tx);
  }

  private wakeAfterCommit(tx: Tx): void {
    if (this.kicked.has(tx)) return;
    this.kicked.add(tx);
    tx.afterCommit(() => this.worker.wake());
  }
}
