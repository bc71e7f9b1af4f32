import { Injectable } from '@nestjs/common';
import { Brackets, EntityManager, In } from 'typeorm';
import { storedTimestamp } from '../db/columns';
import { AuthRequestEntity, UserEntity } from '../db/entities';

/** All SQL on auth_requests (query builder only: the same statements on SQLite, PostgreSQL and MySQL). */
@Injectable()
export class AuthRequestsRepository {
  findById(db: EntityManager, id: string): Promise<AuthRequestEntity | null> {
    return db.getRepository(AuthRequestEntity).findOne({ where: { id } });
  }

  findByIdAndUser(db: EntityManager, id: string, userId: string): Promise<AuthRequestEntity | null> {
    return db.getRepository(AuthRequestEntity).findOne({ where: { id, userId } });
  }

  /** Unanswered requests of `userId` created at or after `createdSince` (i.e. not expired), newest first, at most `limit`. */
  findPendingByUser(db: EntityManager, userId: string, createdSince: Date, limit: number): Promise<AuthRequestEntity[]> {
    return this.pending(db, userId, createdSince).orderBy('r.creationDate', 'DESC').addOrderBy('r.id', 'DESC').limit(limit).getMany();
  }

  /** How many unanswered, unexpired requests `userId` has from devices other than `exceptDevice`. */
  countPendingByUser(db: EntityManager, userId: string, createdSince: Date, exceptDevice: string): Promise<number> {
    return this.pending(db, userId, createdSince).andWhere('r.request_device_identifier <> :exceptDevice', { exceptDevice }).getCount();
  }

  /** Deletes the unanswered requests of one requesting device (a newer request from it replaces them). */
  async deletePendingByDevice(db: EntityManager, userId: string, deviceIdentifier: string): Promise<number> {
    const result = await db.createQueryBuilder().delete().from(AuthRequestEntity)
      .where('user_id = :userId', { userId })
      .andWhere('request_device_identifier = :deviceIdentifier', { deviceIdentifier })
      .andWhere('approved IS NULL')
      .execute();
    return result.affected ?? 0;
  }

  /**
   * Serialises request creation per account inside `db`'s transaction (SELECT … FOR UPDATE on the user row), so
   * that concurrent requests cannot both pass the pending cap. SQLite needs nothing: the unit of work already
   * runs one transaction at a time there.
   */
  async lockUser(db: EntityManager, userId: string): Promise<void> {
    if (db.dataSource.options.type === 'better-sqlite3') return;
    await db.getRepository(UserEntity).createQueryBuilder('u').select('u.id').where('u.id = :userId', { userId }).setLock('pessimistic_write').getOne();
  }

  /** Ids of requests the purge deletes: created before `createdBefore` (expired), or answered before `answeredBefore`. */
  async findPurgeable(db: EntityManager, createdBefore: Date, answeredBefore: Date, limit: number): Promise<string[]> {
    const rows = await db.getRepository(AuthRequestEntity).createQueryBuilder('r')
      .select('r.id', 'id')
      .where('r.creation_date < :createdBefore', { createdBefore: storedTimestamp(createdBefore) })
      .orWhere(new Brackets((b) => b.where('r.approved IS NOT NULL').andWhere('r.response_date < :answeredBefore', { answeredBefore: storedTimestamp(answeredBefore) })))
      .orderBy('r.id', 'ASC')
      .limit(limit)
      .getRawMany<{ id: string }>();
    return rows.map((row) => row.id);
  }

  async deleteByIds(db: EntityManager, ids: string[]): Promise<void> {
    if (ids.length > 0) await db.getRepository(AuthRequestEntity).delete({ id: In(ids) });
  }

  async save(db: EntityManager, request: AuthRequestEntity): Promise<void> {
    await db.getRepository(AuthRequestEntity).save(request);
  }

  private pending(db: EntityManager, userId: string, createdSince: Date) {
    return db.getRepository(AuthRequestEntity).createQueryBuilder('r')
      .where('r.user_id = :userId', { userId })
      .andWhere('r.approved IS NULL')
      .andWhere('r.creation_date >= :createdSince', { createdSince: storedTimestamp(createdSince) });
  }
}
