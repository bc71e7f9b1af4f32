import { Injectable } from '@nestjs/common';
import { EntityManager, In, IsNull, LessThan, Not } from 'typeorm';
import { storedTimestamp } from '../db/columns';
import { CipherEntity, FavoriteEntity, FolderCipherEntity, FolderEntity } from '../db/entities';

/** Rows per multi-row statement: well below every driver's bound-parameter limit. */
const CHUNK = 200;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** All SQL on ciphers and on the per-user state attached to them (folder links, favourites). */
@Injectable()
export class CiphersRepository {
  findByIdAndUser(db: EntityManager, id: string, userId: string): Promise<CipherEntity | null> {
    return db.getRepository(CipherEntity).findOne({ where: { id, userId } });
  }

  async findByIdsAndUser(db: EntityManager, ids: string[], userId: string): Promise<CipherEntity[]> {
    const unique = [...new Set(ids)];
    const found: CipherEntity[] = [];
    for (const part of chunks(unique)) found.push(...(await db.getRepository(CipherEntity).find({ where: { id: In(part), userId } })));
    return found;
  }

  listByUser(db: EntityManager, userId: string): Promise<CipherEntity[]> {
    return db.getRepository(CipherEntity).find({ where: { userId }, order: { creationDate: 'ASC', id: 'ASC' } });
  }

  /** The user's favourite marks, in one query (optionally only for some ciphers). */
  async favoriteIds(db: EntityManager, userId: string, cipherIds?: string[]): Promise<Set<string>> {
    const where = cipherIds ? { userId, cipherId: In(cipherIds) } : { userId };
    const rows = await db.getRepository(FavoriteEntity).find({ where });
    return new Set(rows.map((row) => row.cipherId));
  }

  /** cipher id → folder id for the user's folders, in one query (optionally only for some ciphers). */
  async folderLinks(db: EntityManager, userId: string, cipherIds?: string[]): Promise<Map<string, string>> {
    const query = db
      .getRepository(FolderCipherEntity)
      .createQueryBuilder('fc')
      .innerJoin(FolderEntity, 'f', 'f.id = fc.folderId')
      .where('f.userId = :userId', { userId });
    if (cipherIds) query.andWhere({ cipherId: In(cipherIds) });
    const rows = await query.getMany();
    return new Map(rows.map((row) => [row.cipherId, row.folderId]));
  }

  /**
   * Inserts as given. `updateEntity(false)`: without RETURNING (SQLite, MySQL) TypeORM would re-read columns
   * with defaults and merge the rows back by position, and that read is unordered: ids could be swapped
   * between the objects of a multi-row insert.
   */
  async insert(db: EntityManager, ciphers: CipherEntity[]): Promise<void> {
    for (const part of chunks(ciphers)) await db.createQueryBuilder().insert().into(CipherEntity).values(part).updateEntity(false).execute();
  }

  /** Writes the content and dates of a cipher the user owns. */
  async update(db: EntityManager, cipher: CipherEntity): Promise<void> {
    const { id, userId, ...changes } = cipher;
    await db.getRepository(CipherEntity).update({ id, userId: userId ?? IsNull() }, changes);
  }

  /** Sets dates on several of the user's ciphers at once (trash, restore, archive). */
  async setDates(db: EntityManager, ids: string[], userId: string, dates: Partial<Pick<CipherEntity, 'revisionDate' | 'deletedDate' | 'archivedDate'>>): Promise<void> {
    for (const part of chunks(ids)) await db.getRepository(CipherEntity).update({ id: In(part), userId }, dates);
  }

  /** Puts the ciphers in `folderId` (a folder of `userId`, checked by the caller) or in no folder, for that user. */
  async setFolder(db: EntityManager, userId: string, cipherIds: string[], folderId: string | null): Promise<void> {
    for (const part of chunks(cipherIds)) {
      await db
        .createQueryBuilder()
        .delete()
        .from(FolderCipherEntity)
        .where({ cipherId: In(part) })
        .andWhere('folder_id IN (SELECT id FROM folders WHERE user_id = :userId)', { userId })
        .execute();
      if (folderId) await db.getRepository(FolderCipherEntity).insert(part.map((cipherId) => ({ cipherId, folderId })));
    }
  }

  async setFavorite(db: EntityManager, userId: string, cipherIds: string[], favorite: boolean): Promise<void> {
    for (const part of chunks(cipherIds)) {
      await db.getRepository(FavoriteEntity).delete({ userId, cipherId: In(part) });
      if (favorite) await db.getRepository(FavoriteEntity).insert(part.map((cipherId) => ({ userId, cipherId })));
    }
  }

  /** Hard delete of the user's ciphers; folder links and favourites go with them. */
  async deleteByIdsAndUser(db: EntityManager, ids: string[], userId: string): Promise<void> {
    for (const part of chunks(ids)) {
      await db.getRepository(FolderCipherEntity).delete({ cipherId: In(part) });
      await db.getRepository(FavoriteEntity).delete({ cipherId: In(part) });
      await db.getRepository(CipherEntity).delete({ id: In(part), userId });
    }
  }

  /** Every personal cipher of the user, with its folder links and favourites (vault purge). */
  async deleteAllByUser(db: EntityManager, userId: string): Promise<void> {
    const ids = (await db.getRepository(CipherEntity).find({ where: { userId }, select: { id: true } })).map((row) => row.id);
    await this.deleteByIdsAndUser(db, ids, userId);
  }

  /** Trashed ciphers whose deleted date is before `cutoff`, oldest first (trash auto-purge). */
  async findTrashedBefore(db: EntityManager, cutoff: Date, limit: number): Promise<Array<{ id: string; userId: string }>> {
    const rows = await db.getRepository(CipherEntity).find({
      // stored timestamps are fixed-width UTC text, so text order is time order
      where: { deletedDate: LessThan(storedTimestamp(cutoff) as unknown as Date) },
      select: { id: true, userId: true },
      order: { deletedDate: 'ASC' },
      take: limit,
    });
    return rows.filter((row): row is CipherEntity & { userId: string } => row.userId !== null).map(({ id, userId }) => ({ id, userId }));
  }

  /** Hard delete of ciphers that are (still) in the trash, whoever owns them (trash auto-purge). */
  async deleteTrashedByIds(db: EntityManager, ids: string[]): Promise<void> {
    for (const part of chunks(ids)) {
      await db.getRepository(FolderCipherEntity).delete({ cipherId: In(part) });
      await db.getRepository(FavoriteEntity).delete({ cipherId: In(part) });
      await db.getRepository(CipherEntity).delete({ id: In(part), deletedDate: Not(IsNull()) });
    }
  }
}
