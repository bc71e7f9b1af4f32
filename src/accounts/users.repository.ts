import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { storedTimestamp } from '../db/columns';
import { UserEntity } from '../db/entities';
import { rawQuery } from '../db/raw-sql';

/** All SQL on users. */
@Injectable()
export class UsersRepository {
  findById(db: EntityManager, id: string): Promise<UserEntity | null> {
    return db.getRepository(UserEntity).findOne({ where: { id } });
  }

  findByEmail(db: EntityManager, email: string): Promise<UserEntity | null> {
    return db.getRepository(UserEntity).findOne({ where: { email } });
  }

  async insert(db: EntityManager, user: UserEntity): Promise<void> {
    await db.getRepository(UserEntity).insert(user);
  }

  async save(db: EntityManager, user: UserEntity): Promise<void> {
    await db.getRepository(UserEntity).save(user);
  }

  async delete(db: EntityManager, id: string): Promise<void> {
    await db.getRepository(UserEntity).delete({ id });
  }

  /** Moves the account revision date of each user to `date` (never backwards). On every write: plain SQL. */
  async bumpRevisionDates(db: EntityManager, userIds: string[], date: Date): Promise<void> {
    if (userIds.length === 0) return;
    const ids = userIds.map((_id, i) => `$${i + 2}`).join(', ');
    await rawQuery(db, `UPDATE users SET revision_date = $1 WHERE id IN (${ids}) AND revision_date < $1`, [storedTimestamp(date), ...userIds]);
  }

  /**
   * Counts one more verification mail re-sent at a refused login, when the last one was sent before `sentBefore`
   * (or never) and fewer than `limit` were (0 = no limit). Atomic: of concurrent logins one wins. True when counted.
   */
  async claimVerificationResend(db: EntityManager, userId: string, now: Date, sentBefore: Date, limit: number): Promise<boolean> {
    const query = db.createQueryBuilder().update(UserEntity)
      .set({ lastVerifyingAt: now, loginVerifyCount: () => 'login_verify_count + 1' })
      .where('id = :userId', { userId })
      .andWhere('(last_verifying_at IS NULL OR last_verifying_at < :sentBefore)', { sentBefore: storedTimestamp(sentBefore) });
    if (limit > 0) query.andWhere('login_verify_count < :limit', { limit });
    const result = await query.execute();
    return (result.affected ?? 0) > 0;
  }

  /** The address is verified: the resend bookkeeping starts over. */
  async markEmailVerified(db: EntityManager, userId: string): Promise<void> {
    await db.getRepository(UserEntity).update({ id: userId }, { emailVerified: true, lastVerifyingAt: null, loginVerifyCount: 0 });
  }

  async revisionDate(db: EntityManager, userId: string): Promise<Date | null> {
    const [row] = await rawQuery<{ revision_date: string }>(db, 'SELECT revision_date FROM users WHERE id = $1', [userId]);
    return row ? new Date(row.revision_date) : null;
  }
}
