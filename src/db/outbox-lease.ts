import { Brackets, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { storedTimestamp } from './columns';

// The lease protocol of the durable outboxes (push_outbox, mail_outbox): a row is "free" when it is pending and no
// worker holds a live lease on it (claimed_until unset or past); a worker takes the lease before it works on the row.

/**
 * Takes the lease on row `id` of `entity` until `until`; false when another worker got it first. The conditional
 * update is atomic on every database (PostgreSQL and MySQL re-check the condition after waiting for a competing
 * update's lock).
 */
export async function claimLease(db: EntityManager, entity: EntityTarget<ObjectLiteral>, id: number, now: Date, until: Date): Promise<boolean> {
  const result = await db.createQueryBuilder().update(entity)
    .set({ claimedUntil: until })
    .where('id = :id', { id })
    .andWhere("status = 'pending'")
    .andWhere(new Brackets((b) => b.where('claimed_until IS NULL').orWhere('claimed_until < :now', { now: storedTimestamp(now) })))
    .execute();
  return (result.affected ?? 0) === 1;
}
