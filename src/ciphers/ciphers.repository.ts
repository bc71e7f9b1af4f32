import { Injectable } from '@nestjs/common';
import { EntityManager, In, IsNull, LessThan, Not } from 'typeorm';
import { storedTimestamp } from '../db/columns';
import { CipherEntity, FavoriteEntity, FolderCipherEntity, FolderEntity } from '../db/entities';
import { rawQuery } from '../db/raw-sql';

/** Rows per multi-row statement: well below every driver's bound-parameter limit. */
const CHUNK = 200;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/**
 * The columns of `ciphers`, in the order of the hand-written statements below. Single-cipher reads and writes
 * are on every create and edit: written as SQL, they cost a fraction of what building them through TypeORM
 * did. The bulk and rare paths stay with TypeORM.
 */
const COLUMNS = ['id', 'user_id', 'organization_id', 'type', 'name', 'notes', 'key', 'reprompt', 'data', 'fields', 'password_history', 'creation_date', 'revision_date', 'deleted_date', 'archived_date'] as const;
type CipherRow = Record<(typeof COLUMNS)[number], unknown>;

const stored = (date: Date | null): string | null => (date ? storedTimestamp(date) : null);
const text = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

function toValues(cipher: CipherEntity): unknown[] {
  return [
    cipher.id, cipher.userId, cipher.organizationId, cipher.type, cipher.name, cipher.notes, cipher.key, cipher.reprompt, cipher.data,
    cipher.fields, cipher.passwordHistory, stored(cipher.creationDate), stored(cipher.revisionDate), stored(cipher.deletedDate), stored(cipher.archivedDate),
  ];
}

function fromRow(row: CipherRow): CipherEntity {
  const cipher = new CipherEntity();
  cipher.id = String(row.id);
  cipher.userId = text(row.user_id);
  cipher.organizationId = text(row.organization_id);
  cipher.type = Number(row.type);
  cipher.name = String(row.name);
  cipher.notes = text(row.notes);
  cipher.key = text(row.key);
  cipher.reprompt = Number(row.reprompt);
  cipher.data = String(row.data);
  cipher.fields = text(row.fields);
  cipher.passwordHistory = text(row.password_history);
  cipher.creationDate = new Date(String(row.creation_date));
  cipher.revisionDate = new Date(String(row.revision_date));
  cipher.deletedDate = row.deleted_date === null ? null : new Date(String(row.deleted_date));
  cipher.archivedDate = row.archived_date === null ? null : new Date(String(row.archived_date));
  return cipher;
}

const SELECT_ONE = `SELECT ${COLUMNS.join(', ')} FROM ciphers WHERE id = $1 AND user_id = $2`;
const UPDATE_ONE = `UPDATE ciphers SET ${COLUMNS.slice(2).map((c, i) => `${c} = $${i + 3}`).join(', ')} WHERE id = $1 AND user_id = $2`;
const insertRows = (rows: number): string =>
  `INSERT INTO ciphers (${COLUMNS.join(', ')}) VALUES ${Array.from({ length: rows }, (_, r) => `(${COLUMNS.map((_c, i) => `$${r * COLUMNS.length + i + 1}`).join(', ')})`).join(', ')}`;

/** All SQL on ciphers and on the per-user state attached to them (folder links, favourites). */
@Injectable()
export class CiphersRepository {
  async findByIdAndUser(db: EntityManager, id: string, userId: string): Promise<CipherEntity | null> {
    const [row] = await rawQuery<CipherRow>(db, SELECT_ONE, [id, userId]);
    return row ? fromRow(row) : null;
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

  /** Inserts as given (every column written; nothing read back). */
  async insert(db: EntityManager, ciphers: CipherEntity[]): Promise<void> {
    for (const part of chunks(ciphers)) await rawQuery(db, insertRows(part.length), part.flatMap(toValues));
  }

  /** Writes the content and dates of a cipher the user owns. */
  async update(db: EntityManager, cipher: CipherEntity): Promise<void> {
    if (cipher.userId === null) throw new Error('CiphersRepository.update: only personal ciphers exist so far');
    await rawQuery(db, UPDATE_ONE, toValues(cipher));
  }

  /** Sets dates on several of the user's ciphers at once (trash, restore, archive). */
  async setDates(db: EntityManager, ids: string[], userId: string, dates: Partial<Pick<CipherEntity, 'revisionDate' | 'deletedDate' | 'archivedDate'>>): Promise<void> {
    for (const part of chunks(ids)) await db.getRepository(CipherEntity).update({ id: In(part), userId }, dates);
  }

  /** Puts the ciphers in `folderId` (a folder of `userId`, checked by the caller) or in no folder, for that user. */
  async setFolder(db: EntityManager, userId: string, cipherIds: string[], folderId: string | null): Promise<void> {
    for (const part of chunks(cipherIds)) {
      const ids = part.map((_id, i) => `$${i + 2}`).join(', ');
      await rawQuery(db, `DELETE FROM folder_ciphers WHERE cipher_id IN (${ids}) AND folder_id IN (SELECT id FROM folders WHERE user_id = $1)`, [userId, ...part]);
      if (folderId) {
        const rows = part.map((_id, i) => `($${i + 2}, $1)`).join(', ');
        await rawQuery(db, `INSERT INTO folder_ciphers (cipher_id, folder_id) VALUES ${rows}`, [folderId, ...part]);
      }
    }
  }

  async setFavorite(db: EntityManager, userId: string, cipherIds: string[], favorite: boolean): Promise<void> {
    for (const part of chunks(cipherIds)) {
      const ids = part.map((_id, i) => `$${i + 2}`).join(', ');
      await rawQuery(db, `DELETE FROM favorites WHERE user_id = $1 AND cipher_id IN (${ids})`, [userId, ...part]);
      if (favorite) {
        const rows = part.map((_id, i) => `($1, $${i + 2})`).join(', ');
        await rawQuery(db, `INSERT INTO favorites (user_id, cipher_id) VALUES ${rows}`, [userId, ...part]);
      }
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
