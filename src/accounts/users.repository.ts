import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { storedTimestamp } from '../db/columns';
import { UserEntity } from '../db/entities';

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

  /** Moves the account revision date of each user to `date` (never backwards). */
  async bumpRevisionDates(db: EntityManager, userIds: string[], date: Date): Promise<void> {
    if (userIds.length === 0) return;
    await db
      .createQueryBuilder()
      .update(UserEntity)
      .set({ revisionDate: date })
      .where({ id: In(userIds) })
      .andWhere('revision_date < :date', { date: storedTimestamp(date) })
      .execute();
  }

  async revisionDate(db: EntityManager, userId: string): Promise<Date | null> {
    const row = await db.getRepository(UserEntity).findOne({ where: { id: userId }, select: { id: true, revisionDate: true } });
    return row?.revisionDate ?? null;
  }
}
