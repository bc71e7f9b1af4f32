import { Injectable } from '@nestjs/common';
import { Brackets, EntityManager, In, LessThan } from 'typeorm';
import { storedTimestamp } from '../db/columns';
import { MailOutboxEntity } from '../db/entities';
import { claimLease } from '../db/outbox-lease';

export interface NewMailRow {
  template: string;
  recipients: string[];
  subject: string;
  textBody: string;
  htmlBody: string;
  messageId: string;
  nextAttemptAt: Date;
  expiresAt: Date;
  createdAt: Date;
}

/** All SQL on mail_outbox. A row is "free" when it is pending and no worker holds a live lease on it. */
@Injectable()
export class MailOutboxRepository {
  async insert(db: EntityManager, row: NewMailRow): Promise<void> {
    await db.getRepository(MailOutboxEntity).insert({
      ...row, recipients: JSON.stringify(row.recipients), status: 'pending', attempts: 0, claimedUntil: null, lastError: null, completedAt: null,
    });
  }

  /** The oldest due, free row. */
  findNextDue(db: EntityManager, now: Date): Promise<MailOutboxEntity | null> {
    return this.free(db, now)
      .andWhere('m.next_attempt_at <= :now', { now: storedTimestamp(now) })
      .orderBy('m.next_attempt_at', 'ASC')
      .addOrderBy('m.id', 'ASC')
      .limit(1)
      .getOne();
  }

  /** When the next free row falls due (null when none is pending). */
  async nextDueAt(db: EntityManager, now: Date): Promise<Date | null> {
    const row = await this.free(db, now).orderBy('m.next_attempt_at', 'ASC').limit(1).getOne();
    return row?.nextAttemptAt ?? null;
  }

  /** Takes the lease on a row; false when another worker got it first. */
  claim(db: EntityManager, id: number, now: Date, until: Date): Promise<boolean> {
    return claimLease(db, MailOutboxEntity, id, now, until);
  }

  async markSent(db: EntityManager, id: number, attempts: number, now: Date): Promise<void> {
    await db.getRepository(MailOutboxEntity).update({ id }, { status: 'sent', attempts, claimedUntil: null, completedAt: now, lastError: null });
  }

  async markFailed(db: EntityManager, id: number, attempts: number, error: string, now: Date): Promise<void> {
    await db.getRepository(MailOutboxEntity).update({ id }, { status: 'failed', attempts, claimedUntil: null, completedAt: now, lastError: error });
  }

  /** Releases the lease and sets the next attempt. */
  async reschedule(db: EntityManager, id: number, nextAttemptAt: Date, attempts: number, lastError: string): Promise<void> {
    await db.getRepository(MailOutboxEntity).update({ id }, { nextAttemptAt, attempts, lastError, claimedUntil: null });
  }

  /** Free pending rows past their expiry, oldest first (at most `limit`). */
  findExpired(db: EntityManager, now: Date, limit: number): Promise<MailOutboxEntity[]> {
    return this.free(db, now).andWhere('m.expires_at < :now', { now: storedTimestamp(now) }).orderBy('m.id', 'ASC').limit(limit).getMany();
  }

  /** Sent and failed rows are kept a while for diagnostics, then removed. */
  async deleteCompletedBefore(db: EntityManager, before: Date): Promise<void> {
    await db.getRepository(MailOutboxEntity).delete({ status: In(['sent', 'failed']), completedAt: LessThan(before) });
  }

  async countByStatus(db: EntityManager): Promise<{ pending: number; sent: number; failed: number }> {
    const repo = db.getRepository(MailOutboxEntity);
    const [pending, sent, failed] = await Promise.all(['pending', 'sent', 'failed'].map((status) => repo.count({ where: { status: status as MailOutboxEntity['status'] } })));
    return { pending: pending!, sent: sent!, failed: failed! };
  }

  private free(db: EntityManager, now: Date) {
    return db.getRepository(MailOutboxEntity).createQueryBuilder('m')
      .where("m.status = 'pending'")
      .andWhere(new Brackets((b) => b.where('m.claimed_until IS NULL').orWhere('m.claimed_until < :now', { now: storedTimestamp(now) })));
  }
}
