import { Inject, Injectable } from '@nestjs/common';
import { Brackets, EntityManager } from 'typeorm';
import { AccountRevisionService } from '../accounts/account-revision.service';
import { AUTH_REQUEST_TTL_MS } from '../auth-requests/auth-request-limits';
import { getLogger } from '../common/logging/logger';
import { Clock } from '../common/time/clock';
import { userPayload, WirePayload } from '../wire/payloads';
import { UpdateType } from '../wire/update-type';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { storedTimestamp } from '../db/columns';
import { PushOutboxEntity } from '../db/entities';
import { Tx } from '../db/unit-of-work';
import { PushRegistrationsRepository } from './push-registrations.repository';
import { OutboxSignal } from './outbox-signal';
import { CIPHER_PUSH_TYPES, OutboxRepository } from './outbox.repository';
import { FOLDABLE_PUSH_TYPES, isFoldable } from './delivery-policy';
import { deleteBody, registerBody, RelayJson, relayPayload, sendBody } from './relay-bodies';

const log = getLogger('OutboxWriter');

const HOUR = 3600_000;
const FULL_SYNC_TYPES = [UpdateType.SyncCiphers, UpdateType.SyncVault];
/** More pending cipher rows than this for one user collapse into one SyncCiphers (§10.10). */
export const CIPHER_COLLAPSE_THRESHOLD = 10;

const authRequestDedupeKey = (userId: string): string => `${UpdateType.AuthRequest}:user:${userId.toLowerCase()}`;

/** Pending sends with the same user and key collapse into the newest: per (type, object), AuthRequest per user. */
const sendDedupeKey = (request: SendRequest): string =>
  request.type === UpdateType.AuthRequest ? authRequestDedupeKey(request.userId) : `${request.type}:${request.objectId.toLowerCase()}`;

/** Users per `fanout` row: keeps a row well under MySQL's 64 KB TEXT. */
export const FANOUT_CHUNK = 100;
/** The queue key of `fanout` rows (their user_id): they are expanded one after another, in order. */
export const FANOUT_QUEUE = 'fanout';

/** One user's send inside a `fanout` row: the payload as the relay gets it (camelCase, dates as text). */
interface FanoutEntry { userId: string; type: UpdateType; objectId: string; deviceId: string | null; identifier: string | null; payload: { [key: string]: RelayJson } }

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
 * Per-user cap: more than PUSH_USER_PENDING_MAX pending sends a SyncVault covers fold into one SyncVault, and
 * while that SyncVault waits, later such changes are already covered by it; LogOut, AuthRequest,
 * AuthRequestResponse and SyncOrgKeys are never folded.
 */
@Injectable()
export class OutboxWriter {
  private readonly kicked = new WeakSet<Tx>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: OutboxRepository,
    private readonly registrations: PushRegistrationsRepository,
    private readonly revisions: AccountRevisionService,
    private readonly clock: Clock,
    private readonly signal: OutboxSignal,
  ) {}

  /**
   * Queues a send to `userId`, when the user has a mobile device registered at the current relay
   * (`registered`: the caller has just checked that).
   */
  async enqueueSend(tx: Tx, request: SendRequest, registered = false): Promise<void> {
    const db = tx.manager;
    if (!registered && !(await this.registrations.hasCurrentRegistration(db, request.userId))) return;
    const now = this.clock.now();
    const userId = request.userId.toLowerCase();
    // One "log in?" push per user per pending window: a newer request replaces the row not sent yet, and adds
    // none when one was sent or is being sent (deleting first: a row a worker takes meanwhile counts as sent).
    if (request.type === UpdateType.AuthRequest) {
      const replaced = await this.repo.deleteFreePendingByKey(db, request.userId, authRequestDedupeKey(request.userId), now);
      if (replaced === 0 && (await this.authRequestPushSent(db, request.userId, now))) return;
    }
    const isCipher = CIPHER_PUSH_TYPES.includes(request.type);
    const foldable = isFoldable(request.type);
    // A full sync not sent yet covers every later change it refetches: SyncCiphers the cipher changes, SyncVault
    // all of them. It now stands for this change too, so it lives as long as a new row would.
    const covering = isCipher ? FULL_SYNC_TYPES : foldable ? [UpdateType.SyncVault] : [];
    if (covering.length > 0 && (await this.repo.extendFreePendingOfTypes(db, userId, covering, now, new Date(now.getTime() + HOUR))) > 0) return;
    await this.insertSend(tx, request, now);
    if (isCipher) await this.collapseCiphers(tx, request, userId, now);
    if (foldable) await this.enforceUserCap(tx, request, userId, now);
  }

  /**
   * Queues the sends of one change to several users (an organization's members) without doing each user's
   * coalescing here: one query finds who has a phone, and their sends are written as `fanout` rows of at most
   * FANOUT_CHUNK users, durable with the change. The worker expands them into per-user rows (expandFanout), off
   * the request path. The recipients are those of the time of the change.
   */
  async enqueueFanout(tx: Tx, requests: SendRequest[]): Promise<void> {
    const reachable = await this.registrations.usersWithCurrentRegistration(tx.manager, requests.map((r) => r.userId.toLowerCase()));
    const entries: FanoutEntry[] = requests.filter((r) => reachable.has(r.userId.toLowerCase())).map((r) => ({
      userId: r.userId.toLowerCase(), type: r.type, objectId: r.objectId, deviceId: r.deviceId, identifier: r.identifier, payload: relayPayload(r.payload),
    }));
    const now = this.clock.now();
    for (let i = 0; i < entries.length; i += FANOUT_CHUNK) {
      await this.repo.insert(tx.manager, {
        kind: 'fanout', userId: FANOUT_QUEUE, deviceId: null, pushType: null, body: JSON.stringify(entries.slice(i, i + FANOUT_CHUNK)),
        dedupeKey: null, nextAttemptAt: now, expiresAt: new Date(now.getTime() + HOUR), createdAt: now,
      });
    }
    if (entries.length > 0) this.wakeAfterCommit(tx);
  }

  /**
   * Turns a `fanout` row into the per-user sends it stands for, with the same coalescing as enqueueSend, and marks
   * it done. The sends of one change share type, object and acting device: they are written for all their users
   * at once (a few statements per row, not a few per user); anything else goes user by user.
   */
  async expandFanout(tx: Tx, row: { id: number; body: string; attempts: number }): Promise<number> {
    const entries = JSON.parse(row.body) as FanoutEntry[];
    const reachable = await this.registrations.usersWithCurrentRegistration(tx.manager, entries.map((e) => e.userId));
    const targets = entries.filter((e) => reachable.has(e.userId)).map((e): SendRequest => ({ ...e, payload: e.payload as WirePayload }));
    const [first] = targets;
    const alike = first !== undefined && first.type !== UpdateType.AuthRequest && new Set(targets.map((t) => t.userId)).size === targets.length
      && targets.every((t) => t.type === first.type && t.objectId === first.objectId && t.deviceId === first.deviceId && t.identifier === first.identifier);
    if (alike) await this.enqueueSendsAlike(tx, targets);
    else for (const target of targets) await this.enqueueSend(tx, target, true);
    await this.repo.markDone(tx.manager, row.id, row.attempts + 1, this.clock.now());
    return targets.length;
  }

  /**
   * enqueueSend for several users (registered, distinct) and one (type, object, acting device): covered users'
   * pending full syncs are extended, the others' older rows with the same key replaced, then the rare per-user
   * collapse and cap. Each step is one statement for all the users.
   */
  private async enqueueSendsAlike(tx: Tx, requests: SendRequest[]): Promise<void> {
    const db = tx.manager;
    const now = this.clock.now();
    const { type } = requests[0]!;
    const isCipher = CIPHER_PUSH_TYPES.includes(type);
    const foldable = isFoldable(type);
    const covering = isCipher ? FULL_SYNC_TYPES : foldable ? [UpdateType.SyncVault] : [];
    const covered = covering.length > 0
      ? await this.repo.extendFreePendingOfTypesForUsers(db, requests.map((r) => r.userId.toLowerCase()), covering, now, new Date(now.getTime() + HOUR))
      : new Set<string>();
    const fresh = requests.filter((r) => !covered.has(r.userId.toLowerCase()));
    if (fresh.length === 0) return;
    const userIds = fresh.map((r) => r.userId.toLowerCase());
    const dedupeKey = sendDedupeKey(fresh[0]!);
    await this.repo.deleteFreePendingByKeyForUsers(db, userIds, dedupeKey, now);
    const lifetime = type === UpdateType.LogOut ? 24 * HOUR : HOUR;
    await this.repo.insertMany(db, fresh.map((r) => ({
      kind: 'send' as const, userId: r.userId.toLowerCase(), deviceId: null, pushType: type, body: JSON.stringify(sendBody(r)), dedupeKey,
      nextAttemptAt: now, expiresAt: new Date(now.getTime() + lifetime), createdAt: now,
    })));
    this.wakeAfterCommit(tx);
    const byUser = new Map(fresh.map((r) => [r.userId.toLowerCase(), r]));
    if (isCipher) {
      const pending = await this.repo.countFreePendingOfTypesByUser(db, userIds, CIPHER_PUSH_TYPES, now);
      for (const [userId, count] of pending) if (count > CIPHER_COLLAPSE_THRESHOLD) await this.collapseCiphers(tx, byUser.get(userId)!, userId, now);
    }
    if (foldable) {
      const pending = await this.repo.countFreePendingOfTypesByUser(db, userIds, FOLDABLE_PUSH_TYPES, now);
      for (const [userId, count] of pending) if (count > this.config.push.userPendingMax) await this.enforceUserCap(tx, byUser.get(userId)!, userId, now);
    }
  }

  /** Queues registration of a mobile device that holds a push token; marks its registration pending. */
  async enqueueRegister(tx: Tx, deviceId: string): Promise<void> {
    const { installationId } = this.config.push;
    const device = await this.registrations.pushDevice(tx.manager, deviceId);
    if (!device || installationId === null) return;
    const body = registerBody({
      deviceId: device.id, pushToken: device.pushToken, userId: device.userId, type: device.type, identifier: device.identifier,
      organizationIds: [], installationId,
    });
    await this.insertDeviceRow(tx, 'register', device.userId, device.id, body);
    await this.registrations.markQueued(tx.manager, device.id);
  }

  /** Queues deletion of a device's relay registration. */
  async enqueueDelete(tx: Tx, userId: string, deviceId: string): Promise<void> {
    await this.insertDeviceRow(tx, 'delete', userId, deviceId, deleteBody(deviceId));
  }

  /** More than CIPHER_COLLAPSE_THRESHOLD pending cipher sends of the user collapse into one SyncCiphers. */
  private async collapseCiphers(tx: Tx, request: SendRequest, userId: string, now: Date): Promise<void> {
    const db = tx.manager;
    const pending = await this.repo.countFreePendingOfTypes(db, userId, CIPHER_PUSH_TYPES, now);
    if (pending <= CIPHER_COLLAPSE_THRESHOLD) return;
    await this.repo.deleteFreePendingOfTypes(db, userId, CIPHER_PUSH_TYPES, now);
    const date = (await this.revisions.get(db, request.userId)) ?? now;
    await this.insertSend(tx, {
      userId, type: UpdateType.SyncCiphers, payload: userPayload({ userId, date }),
      objectId: userId, deviceId: request.deviceId, identifier: null,
    }, now);
  }

  /**
   * More than PUSH_USER_PENDING_MAX free pending sends of the user that a SyncVault covers: they become one
   * SyncVault to every device of the user (no identifier), in the place of the oldest of them in the user's
   * queue. Rows a worker holds are left alone (they are being sent); when the oldest was taken meanwhile, the
   * SyncVault is a new row instead.
   */
  private async enforceUserCap(tx: Tx, request: SendRequest, userId: string, now: Date): Promise<void> {
    const db = tx.manager;
    const pending = await this.repo.countFreePendingOfTypes(db, userId, FOLDABLE_PUSH_TYPES, now);
    if (pending <= this.config.push.userPendingMax) return;
    const date = (await this.revisions.get(db, request.userId)) ?? now;
    const body = JSON.stringify(sendBody({ userId, type: UpdateType.SyncVault, payload: userPayload({ userId, date }), deviceId: null, identifier: null }));
    const dedupeKey = `${UpdateType.SyncVault}:${userId}`;
    const expiresAt = new Date(now.getTime() + HOUR);
    const keep = await this.repo.oldestFreePendingOfTypes(db, userId, FOLDABLE_PUSH_TYPES, now);
    await this.repo.deleteFreePendingOfTypes(db, userId, FOLDABLE_PUSH_TYPES, now, keep);
    const rewritten = keep !== null && (await this.repo.rewriteFreePending(db, keep, now, { pushType: UpdateType.SyncVault, body, dedupeKey, expiresAt }));
    if (!rewritten) {
      await this.repo.insert(db, { kind: 'send', userId, deviceId: null, pushType: UpdateType.SyncVault, body, dedupeKey, nextAttemptAt: now, expiresAt, createdAt: now });
      this.wakeAfterCommit(tx);
    }
    log.info({ userId, folded: pending, max: this.config.push.userPendingMax }, 'push.outbox_user_folded');
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
    const dedupeKey = sendDedupeKey(request);
    await this.repo.deleteFreePendingByKey(tx.manager, request.userId, dedupeKey, now);
    const lifetime = request.type === UpdateType.LogOut ? 24 * HOUR : HOUR;
    await this.repo.insert(tx.manager, {
      kind: 'send', userId: request.userId.toLowerCase(), deviceId: null, pushType: request.type,
      body: JSON.stringify(sendBody(request)), dedupeKey,
      nextAttemptAt: now, expiresAt: new Date(now.getTime() + lifetime), createdAt: now,
    });
    this.wakeAfterCommit(tx);
  }

  /**
   * Whether an AuthRequest push to `userId` was sent, or is being sent, within the pending window (a row with
   * the user's AuthRequest key that is done or leased). Issue 12: a flood of login requests is one push.
   */
  private async authRequestPushSent(db: EntityManager, userId: string, now: Date): Promise<boolean> {
    const count = await db.getRepository(PushOutboxEntity).createQueryBuilder('o')
      .where('o.user_id = :userId', { userId: userId.toLowerCase() })
      .andWhere('o.dedupe_key = :key', { key: authRequestDedupeKey(userId) })
      .andWhere('o.created_at >= :since', { since: storedTimestamp(new Date(now.getTime() - AUTH_REQUEST_TTL_MS)) })
      .andWhere(new Brackets((b) => b.where("o.status = 'done'").orWhere(new Brackets((c) => c.where("o.status = 'pending'").andWhere('o.claimed_until >= :now', { now: storedTimestamp(now) })))))
      .getCount();
    return count > 0;
  }

  private wakeAfterCommit(tx: Tx): void {
    if (this.kicked.has(tx)) return;
    this.kicked.add(tx);
    tx.afterCommit(() => this.signal.ring());
  }
}
