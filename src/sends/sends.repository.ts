import { Injectable } from '@nestjs/common';
import { EntityManager, In, LessThanOrEqual } from 'typeorm';
import { storedTimestamp } from '../db/columns';
import { SendEntity } from '../db/entities';
import { SendType } from '../db/entities/send.entity';
import { rawQuery, sqlBoolean } from '../db/raw-sql';

/** BIGINT comes back as a string from PostgreSQL and MySQL; booleans as 0/1 from SQLite and MySQL. */
function normalized(send: SendEntity): SendEntity {
  send.fileSize = send.fileSize === null ? null : Number(send.fileSize);
  send.fileValidated = sqlBoolean(send.fileValidated);
  send.disabled = sqlBoolean(send.disabled);
  send.hideEmail = sqlBoolean(send.hideEmail);
  send.textHidden = send.textHidden === null ? null : sqlBoolean(send.textHidden);
  return send;
}

/** All SQL on `sends`. */
@Injectable()
export class SendsRepository {
  async listByUser(db: EntityManager, userId: string): Promise<SendEntity[]> {
    return (await db.getRepository(SendEntity).find({ where: { userId }, order: { creationDate: 'ASC', id: 'ASC' } })).map(normalized);
  }

  async findById(db: EntityManager, id: string): Promise<SendEntity | null> {
    const send = await db.getRepository(SendEntity).findOne({ where: { id } });
    return send ? normalized(send) : null;
  }

  /** The first of these ids that exists (an access id may name two, §3.2). */
  async findFirst(db: EntityManager, ids: string[]): Promise<SendEntity | null> {
    if (ids.length === 0) return null;
    const found = await db.getRepository(SendEntity).find({ where: { id: In(ids) } });
    const send = ids.map((id) => found.find((s) => s.id === id)).find((s) => s !== undefined);
    return send ? normalized(send) : null;
  }

  async insert(db: EntityManager, send: SendEntity): Promise<void> {
    await db.getRepository(SendEntity).insert(send);
  }

  async update(db: EntityManager, send: SendEntity): Promise<void> {
    const { id, ...fields } = send;
    await db.getRepository(SendEntity).update({ id }, fields);
  }

  async delete(db: EntityManager, id: string): Promise<void> {
    await db.getRepository(SendEntity).delete({ id });
  }

  /**
   * Counts one access, unless the Send has reached its maximum: one statement, so concurrent recipients can never
   * read it more often than allowed. The revision date moves with it (the owner's devices refresh the count).
   */
  async countAccess(db: EntityManager, id: string, now: Date): Promise<boolean> {
    const result = await db.createQueryBuilder().update(SendEntity)
      .set({ accessCount: () => 'access_count + 1', revisionDate: now })
      .where('id = :id', { id })
      .andWhere('(max_access_count IS NULL OR access_count < max_access_count)')
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Marks a pending file uploaded with its real size; false when it is gone or was already uploaded. */
  async markUploaded(db: EntityManager, id: string, size: number, now: Date): Promise<boolean> {
    const result = await db.getRepository(SendEntity).update({ id, fileValidated: false }, { fileValidated: true, fileSize: size, revisionDate: now });
    return (result.affected ?? 0) > 0;
  }

  /** Bytes of the user's Send files (pending uploads counted at their announced size). */
  async fileBytesOfUser(db: EntityManager, userId: string): Promise<number> {
    const [row] = await rawQuery<{ used: unknown }>(db, 'SELECT COALESCE(SUM(file_size), 0) AS used FROM sends WHERE user_id = $1 AND atype = $2', [userId, SendType.File]);
    return Number(row?.used ?? 0);
  }

  /** The user's file Sends (their folders go when the account goes). */
  async fileSendIdsOfUser(db: EntityManager, userId: string): Promise<string[]> {
    return (await db.getRepository(SendEntity).find({ select: { id: true }, where: { userId, type: SendType.File } })).map((s) => s.id);
  }

  /** Sends whose deletion date has come, oldest first. */
  async dueForDeletion(db: EntityManager, now: Date, limit: number): Promise<SendEntity[]> {
    const rows = await db.getRepository(SendEntity).find({
      // stored timestamps are fixed-width UTC text, so text order is time order
      where: { deletionDate: LessThanOrEqual(storedTimestamp(now) as unknown as Date) }, order: { deletionDate: 'ASC' }, take: limit,
    });
    return rows.map(normalized);
  }

  /** File Sends announced before `cutoff` whose file never arrived. */
  async pendingFilesBefore(db: EntityManager, cutoff: Date, limit: number): Promise<SendEntity[]> {
    const rows = await rawQuery<{ id: string }>(db, `SELECT id FROM sends WHERE file_validated = FALSE AND creation_date < $1 ORDER BY creation_date LIMIT ${Math.trunc(limit)}`, [storedTimestamp(cutoff)]);
    if (rows.length === 0) return [];
    return (await db.getRepository(SendEntity).find({ where: { id: In(rows.map((r) => r.id)) } })).map(normalized);
  }

  /** Which of these ids are Sends. */
  async existing(db: EntityManager, ids: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < ids.length; i += 500) {
      for (const row of await db.getRepository(SendEntity).find({ select: { id: true }, where: { id: In(ids.slice(i, i + 500)) } })) found.add(row.id);
    }
    return found;
  }
}
