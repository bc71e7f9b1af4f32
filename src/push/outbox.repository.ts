import { Injectable } from '@nestjs/common';
import { Brackets, EntityManager, In, LessThan } from 'typeorm';
import { UpdateType } from '../wire/update-type';
import { storedTimestamp } from '../db/columns';
import { PushOutboxEntity } from '../db/entities';
import { claimLease } from '../db/outbox-lease';
import { PushOutboxKind } from '../db/entities/push-outbox.entity';

export interface NewOutboxRow {
  kind: PushOutboxKind;
  userId: string;
  deviceId: string | null;
  pushType: number | null;
  body: string;
  dedupeKey: string | null;
  nextAttemptAt: Date;
  expiresAt: Date;
  createdAt: Date;
}

/** Cipher update types (0, 1, 2) whose pending rows collapse into one SyncCiphers. */
export const CIPHER_PUSH_TYPES = [0, 1, 2];

/** All SQL on push_outbox. A row is "free" when it is pending and no worker holds a live lease on it. */
@Injectable()
export class OutboxRepository {
  async insert(db: EntityManager, row: NewOutboxRow): Promise<void> {
    await db.getRepository(PushOutboxEntity).insert({ ...row, status: 'pending', attempts: 0, claimedUntil: null, lastError: null, completedAt: null });
  }

  /** Inserts several rows in one statement per 100 (a fanout's expansion). */
  async insertMany(db: EntityManager, rows: NewOutboxRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 100) {
      await db.getRepository(PushOutboxEntity).insert(rows.slice(i, i + 100).map((row) => ({ ...row, status: 'pending' as const, attempts: 0, claimedUntil: null, lastError: null, completedAt: null })));
    }
  }

  /**
   * Of `userIds`, those with free pending sends among `types`, whose lives are extended to `expiresAt` (as
   * extendFreePendingOfTypes, for many users: one read and one update).
   */
  async extendFreePendingOfTypesForUsers(db: EntityManager, userIds: string[], types: readonly number[], now: Date, expiresAt: Date): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const rows = await db.getRepository(PushOutboxEntity).createQueryBuilder('o')
      .select('DISTINCT o.user_id', 'user_id')
      .where('o.user_id IN (:...userIds)', { userIds })
      .andWhere("o.status = 'pending'")
      .andWhere('o.kind = :kind', { kind: 'send' })
      .andWhere('o.push_type IN (:...types)', { types })
      .andWhere(new Brackets((b) => b.where('o.claimed_until IS NULL').orWhere('o.claimed_until < :now', { now: storedTimestamp(now) })))
      .getRawMany<{ user_id: string }>();
    const covered = new Set(rows.map((r) => r.user_id));
    if (covered.size === 0) return covered;
    await db.createQueryBuilder().update(PushOutboxEntity)
      .set({ expiresAt })
      .where('user_id IN (:...userIds)', { userIds: [...covered] })
      .andWhere("status = 'pending'")
      .andWhere('kind = :kind', { kind: 'send' })
      .andWhere('push_type IN (:...types)', { types })
      .andWhere(new Brackets((b) => b.where('claimed_until IS NULL').orWhere('claimed_until < :now', { now: storedTimestamp(now) })))
      .execute();
    return covered;
  }

  /** Removes the free pending rows with `dedupeKey` of every user among `userIds` (as deleteFreePendingByKey, for many). */
  async deleteFreePendingByKeyForUsers(db: EntityManager, userIds: string[], dedupeKey: string, now: Date): Promise<void> {
    if (userIds.length === 0) return;
    await db.createQueryBuilder().delete().from(PushOutboxEntity)
      .where('user_id IN (:...userIds)', { userIds })
      .andWhere("status = 'pending'")
      .andWhere(new Brackets((b) => b.where('claimed_until IS NULL').orWhere('claimed_until < :now', { now: storedTimestamp(now) })))
      .andWhere('dedupe_key = :dedupeKey', { dedupeKey })
      .execute();
  }

  /** Per user among `userIds`: how many free pending sends among `types` (users with none are left out). */
  async countFreePendingOfTypesByUser(db: EntityManager, userIds: string[], types: readonly number[], now: Date): Promise<Map<string, number>> {
    if (userIds.length === 0) return new Map();
    const rows = await db.getRepository(PushOutboxEntity).createQueryBuilder('o')
      .select('o.user_id', 'user_id')
      .addSelect('COUNT(*)', 'pending')
      .where('o.user_id IN (:...userIds)', { userIds })
      .andWhere("o.status = 'pending'")
      .andWhere('o.kind = :kind', { kind: 'send' })
      .andWhere('o.push_type IN (:...types)', { types })
      .andWhere(new Brackets((b) => b.where('o.claimed_until IS NULL').orWhere('o.claimed_until < :now', { now: storedTimestamp(now) })))
      .groupBy('o.user_id')
      .getRawMany<{ user_id: string; pending: number | string }>();
    return new Map(rows.map((r) => [r.user_id, Number(r.pending)]));
  }

  /** Removes free pending rows of `userId` with `dedupeKey` (they collapse into the row about to be written). */
  async deleteFreePendingByKey(db: EntityManager, userId: string, dedupeKey: string, now: Date): Promise<number> {
    const result = await this.deleteFreePending(db, userId, now).andWhere('dedupe_key = :dedupeKey', { dedupeKey }).execute();
    return result.affected ?? 0;
  }

  countFreePendingOfTypes(db: EntityManager, userId: string, types: readonly number[], now: Date): Promise<number> {
    return db.getRepository(PushOutboxEntity).createQueryBuilder('o')
      .where('o.user_id = :userId', { userId })
      .andWhere("o.status = 'pending'")
      .andWhere('o.kind = :kind', { kind: 'send' })
      .andWhere('o.push_type IN (:...types)', { types })
      .andWhere(new Brackets((b) => b.where('o.claimed_until IS NULL').orWhere('o.claimed_until < :now', { now: storedTimestamp(now) })))
      .getCount();
  }

  /**
   * Extends the life of the free pending sends of `userId` among `types` to `expiresAt`; returns how many.
   * Used for "already covered": the update locks those rows until the caller's transaction ends, so a worker
   * cannot take one and send it before the change it now covers has committed.
   */
  async extendFreePendingOfTypes(db: EntityManager, userId: string, types: readonly number[], now: Date, expiresAt: Date): Promise<number> {
    const result = await db.createQueryBuilder().update(PushOutboxEntity)
      .set({ expiresAt })
      .where('user_id = :userId', { userId })
      .andWhere("status = 'pending'")
      .andWhere('kind = :kind', { kind: 'send' })
      .andWhere('push_type IN (:...types)', { types })
      .andWhere(new Brackets((b) => b.where('claimed_until IS NULL').orWhere('claimed_until < :now', { now: storedTimestamp(now) })))
      .execute();
    return result.affected ?? 0;
  }

  /** Removes free pending sends of `userId` among `types`, except the row `keepId`; returns how many. */
  async deleteFreePendingOfTypes(db: EntityManager, userId: string, types: readonly number[], now: Date, keepId: number | null = null): Promise<number> {
    const query = this.deleteFreePending(db, userId, now)
      .andWhere('kind = :kind', { kind: 'send' })
      .andWhere('push_type IN (:...types)', { types });
    if (keepId !== null) query.andWhere('id <> :keepId', { keepId });
    const result = await query.execute();
    return result.affected ?? 0;
  }

  /** Id of the oldest free pending send of `userId` among `types`, or null. */
  async oldestFreePendingOfTypes(db: EntityManager, userId: string, types: readonly number[], now: Date): Promise<number | null> {
    const row = await db.getRepository(PushOutboxEntity).createQueryBuilder('o')
      .select('o.id', 'id')
      .where('o.user_id = :userId', { userId })
      .andWhere("o.status = 'pending'")
      .andWhere('o.kind = :kind', { kind: 'send' })
      .andWhere('o.push_type IN (:...types)', { types })
      .andWhere(new Brackets((b) => b.where('o.claimed_until IS NULL').orWhere('o.claimed_until < :now', { now: storedTimestamp(now) })))
      .orderBy('o.id', 'ASC')
      .limit(1)
      .getRawOne<{ id: number | string }>();
    return row ? Number(row.id) : null;
  }

  /**
   * Turns the free pending send `id` into another send (same place in its user's queue, same attempts and
   * schedule); false when the row is no longer free (a worker took it meanwhile).
   */
  async rewriteFreePending(db: EntityManager, id: number, now: Date, values: { pushType: number; body: string; dedupeKey: string; expiresAt: Date }): Promise<boolean> {
    const result = await db.createQueryBuilder().update(PushOutboxEntity)
      .set(values)
      .where('id = :id', { id })
      .andWhere("status = 'pending'")
      .andWhere(new Brackets((b) => b.where('claimed_until IS NULL').orWhere('claimed_until < :now', { now: storedTimestamp(now) })))
      .execute();
    return (result.affected ?? 0) === 1;
  }

  /** Drops pending rows past their expiry; returns how many. */
  async deleteExpired(db: EntityManager, now: Date): Promise<number> {
    const result = await db.createQueryBuilder().delete().from(PushOutboxEntity)
      .where("status = 'pending'")
      .andWhere('expires_at < :now', { now: storedTimestamp(now) })
      .andWhere(new Brackets((b) => b.where('claimed_until IS NULL').orWhere('claimed_until < :now', { now: storedTimestamp(now) })))
      .execute();
    return result.affected ?? 0;
  }

  async deleteById(db: EntityManager, id: number): Promise<void> {
    await db.getRepository(PushOutboxEntity).delete({ id });
  }

  /** Completed rows are kept a while for diagnostics, then removed. */
  async deleteCompletedBefore(db: EntityManager, before: Date): Promise<void> {
    await db.getRepository(PushOutboxEntity).delete({ status: In(['done', 'failed']), completedAt: LessThan(before) });
  }

  /**
   * The next row to send (`pickNext` in delivery-policy.ts): among due, free rows at the head of their user's
   * queue, rows past their lifetime and fanout rows first, then LogOut, then the user whose latest relay call completed
   * longest ago (round-robin across users), then the oldest.
   */
  findNextDue(db: EntityManager, now: Date): Promise<PushOutboxEntity | null> {
    return this.heads(db, now)
      .andWhere('o.next_attempt_at <= :now', { now: storedTimestamp(now) })
      .orderBy(`CASE WHEN o.expires_at < :now OR o.kind = 'fanout' THEN 0 WHEN o.push_type = ${UpdateType.LogOut} THEN 1 ELSE 2 END`, 'ASC')
      .addOrderBy("COALESCE((SELECT MAX(d.completed_at) FROM push_outbox d WHERE d.user_id = o.user_id AND d.status IN ('done', 'failed')), '')", 'ASC')
      .addOrderBy('o.id', 'ASC')
      .limit(1)
      .getOne();
  }

  /** When the next head row falls due (null when there is none). */
  async nextDueAt(db: EntityManager, now: Date): Promise<Date | null> {
    const row = await this.heads(db, now).orderBy('o.next_attempt_at', 'ASC').getOne();
    return row?.nextAttemptAt ?? null;
  }

  /** Takes the lease on a row; false when another worker got it first. */
  claim(db: EntityManager, id: number, now: Date, until: Date): Promise<boolean> {
    return claimLease(db, PushOutboxEntity, id, now, until);
  }

  async markDone(db: EntityManager, id: number, attempts: number, now: Date): Promise<void> {
    await db.getRepository(PushOutboxEntity).update({ id }, { status: 'done', attempts, claimedUntil: null, completedAt: now, lastError: null });
  }

  async markFailed(db: EntityManager, id: number, attempts: number, error: string, now: Date): Promise<void> {
    await db.getRepository(PushOutboxEntity).update({ id }, { status: 'failed', attempts, claimedUntil: null, completedAt: now, lastError: error });
  }

  /** Releases the lease and sets the next attempt (attempts and last error as given). */
  async reschedule(db: EntityManager, id: number, nextAttemptAt: Date, attempts: number, lastError: string | null): Promise<void> {
    await db.getRepository(PushOutboxEntity).update({ id }, { nextAttemptAt, attempts, lastError, claimedUntil: null });
  }

  async release(db: EntityManager, id: number): Promise<void> {
    await db.getRepository(PushOutboxEntity).update({ id }, { claimedUntil: null });
  }

  async countByStatus(db: EntityManager): Promise<{ pending: number; failed: number }> {
    const repo = db.getRepository(PushOutboxEntity);
    const [pending, failed] = await Promise.all([repo.count({ where: { status: 'pending' } }), repo.count({ where: { status: 'failed' } })]);
    return { pending, failed };
  }

  /** When the oldest pending row was written (null: none waits). */
  async oldestPendingAt(db: EntityManager): Promise<Date | null> {
    const row = await db.getRepository(PushOutboxEntity).findOne({ where: { status: 'pending' }, order: { createdAt: 'ASC' }, select: { id: true, createdAt: true } });
    return row?.createdAt ?? null;
  }

  private deleteFreePending(db: EntityManager, userId: string, now: Date) {
    return db.createQueryBuilder().delete().from(PushOutboxEntity)
      .where('user_id = :userId', { userId })
      .andWhere("status = 'pending'")
      .andWhere(new Brackets((b) => b.where('claimed_until IS NULL').orWhere('claimed_until < :now', { now: storedTimestamp(now) })));
  }

  /**
   * Free pending rows at the head of their user's queue: no earlier pending row of the user (leased or not),
   * except that a LogOut only waits for earlier register/delete rows and earlier LogOuts (`waitsFor`).
   * Only sends carry a push type, so COALESCE(push_type, -1) <> 11 means "not a LogOut".
   */
  private heads(db: EntityManager, now: Date) {
    const logOut = UpdateType.LogOut;
    return db.getRepository(PushOutboxEntity).createQueryBuilder('o')
      .where("o.status = 'pending'")
      .andWhere(new Brackets((b) => b.where('o.claimed_until IS NULL').orWhere('o.claimed_until < :now', { now: storedTimestamp(now) })))
      .andWhere(`NOT EXISTS (SELECT 1 FROM push_outbox p WHERE p.user_id = o.user_id AND p.status = 'pending' AND p.id < o.id
        AND (COALESCE(o.push_type, -1) <> ${logOut} OR p.kind <> 'send' OR p.push_type = ${logOut}))`);
  }
}
