import { Injectable } from '@nestjs/common';
import { EntityManager, In, IsNull, LessThan, Not } from 'typeorm';
import { storedTimestamp } from '../db/columns';
import { CipherEntity, FavoriteEntity, FolderCipherEntity, FolderEntity } from '../db/entities';
import { rawQuery, sqlBoolean } from '../db/raw-sql';
import { CollectionGrant } from './cipher-access';

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
/** Every column by id: the service has checked, in the same transaction, that the caller may write it. */
const UPDATE_ONE = `UPDATE ciphers SET ${COLUMNS.slice(1).map((c, i) => `${c} = $${i + 2}`).join(', ')} WHERE id = $1`;

/**
 * The caller's grants on organization ciphers: one row per (cipher, collection the user is assigned to), for
 * confirmed members of enabled organizations. Groups are not built yet: direct assignments only.
 */
const GRANTS = `SELECT cc.cipher_id AS cipher_id, cc.collection_id AS collection_id, cm.read_only AS read_only, cm.hide_passwords AS hide_passwords, cm.manage AS manage
  FROM collection_ciphers cc
  JOIN collection_members cm ON cm.collection_id = cc.collection_id
  JOIN memberships m ON m.id = cm.membership_id AND m.user_id = $1 AND m.status = 2
  JOIN organizations o ON o.id = m.organization_id AND o.enabled = TRUE`;

/** Every confirmed member of an enabled organization assigned to one of the collections (the recipients of a change). */
const MEMBERS_OF_COLLECTIONS = `SELECT DISTINCT m.user_id AS user_id
  FROM collection_members cm
  JOIN memberships m ON m.id = cm.membership_id AND m.status = 2 AND m.user_id IS NOT NULL
  JOIN organizations o ON o.id = m.organization_id AND o.enabled = TRUE
  WHERE cm.collection_id IN`;

export interface CipherGrant extends CollectionGrant { cipherId: string }
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

  /** Writes the owner, content and dates of a cipher (access checked by the caller, in the same transaction). */
  async update(db: EntityManager, cipher: CipherEntity): Promise<void> {
    await rawQuery(db, UPDATE_ONE, toValues(cipher));
  }

  async findById(db: EntityManager, id: string): Promise<CipherEntity | null> {
    const [row] = await rawQuery<CipherRow>(db, `SELECT ${COLUMNS.join(', ')} FROM ciphers WHERE id = $1`, [id]);
    return row ? fromRow(row) : null;
  }

  async findByIds(db: EntityManager, ids: string[]): Promise<CipherEntity[]> {
    const found: CipherEntity[] = [];
    for (const part of chunks([...new Set(ids)])) {
      const rows = await rawQuery<CipherRow>(db, `SELECT ${COLUMNS.join(', ')} FROM ciphers WHERE id IN (${part.map((_id, i) => `$${i + 1}`).join(', ')})`, part);
      found.push(...rows.map(fromRow));
    }
    return found;
  }

  /** The user's grants on organization ciphers (all of them, or those among `cipherIds`). */
  async grants(db: EntityManager, userId: string, cipherIds?: string[]): Promise<CipherGrant[]> {
    type Row = { cipher_id: string; collection_id: string; read_only: unknown; hide_passwords: unknown; manage: unknown };
    const toGrant = (r: Row): CipherGrant => ({ cipherId: r.cipher_id, collectionId: r.collection_id, readOnly: sqlBoolean(r.read_only), hidePasswords: sqlBoolean(r.hide_passwords), manage: sqlBoolean(r.manage) });
    if (!cipherIds) return (await rawQuery<Row>(db, GRANTS, [userId])).map(toGrant);
    const out: CipherGrant[] = [];
    for (const part of chunks([...new Set(cipherIds)])) {
      const rows = await rawQuery<Row>(db, `${GRANTS} WHERE cc.cipher_id IN (${part.map((_id, i) => `$${i + 2}`).join(', ')})`, [userId, ...part]);
      out.push(...rows.map(toGrant));
    }
    return out;
  }

  /** User ids of the confirmed members assigned to any of these collections. */
  async membersOfCollections(db: EntityManager, collectionIds: string[]): Promise<string[]> {
    const users = new Set<string>();
    for (const part of chunks([...new Set(collectionIds)])) {
      const rows = await rawQuery<{ user_id: string }>(db, `${MEMBERS_OF_COLLECTIONS} (${part.map((_id, i) => `$${i + 1}`).join(', ')})`, part);
      for (const row of rows) users.add(row.user_id);
    }
    return [...users];
  }

  /** The collections each cipher is in. */
  async collectionsOf(db: EntityManager, cipherId: string): Promise<string[]> {
    const rows = await rawQuery<{ collection_id: string }>(db, 'SELECT collection_id FROM collection_ciphers WHERE cipher_id = $1', [cipherId]);
    return rows.map((r) => r.collection_id);
  }

  /** Puts the cipher in exactly these collections. */
  async setCollections(db: EntityManager, cipherId: string, collectionIds: string[]): Promise<void> {
    await rawQuery(db, 'DELETE FROM collection_ciphers WHERE cipher_id = $1', [cipherId]);
    const unique = [...new Set(collectionIds)];
    if (unique.length > 0) await rawQuery(db, `INSERT INTO collection_ciphers (cipher_id, collection_id) VALUES ${unique.map((_id, i) => `($1, $${i + 2})`).join(', ')}`, [cipherId, ...unique]);
  }

  /**
   * For creating or moving a cipher into collections: each of `collectionIds` that belongs to `organizationId`,
   * and whether `userId` (a confirmed member of that enabled organization) may put items in it: owners and
   * admins may (`role`), others need an assignment that is not read-only.
   */
  async writableCollections(db: EntityManager, userId: string, organizationId: string, collectionIds: string[]): Promise<{ member: boolean; admin: boolean; writable: Set<string>; existing: Set<string> }> {
    const [membership] = await rawQuery<{ id: string; type: number }>(db,
      `SELECT m.id AS id, m.type AS type FROM memberships m JOIN organizations o ON o.id = m.organization_id AND o.enabled = TRUE
        WHERE m.organization_id = $1 AND m.user_id = $2 AND m.status = 2`, [organizationId, userId]);
    const unique = [...new Set(collectionIds)];
    const existing = new Set<string>();
    const writable = new Set<string>();
    if (!membership || unique.length === 0) return { member: !!membership, admin: false, writable, existing };
    const admin = Number(membership.type) === 0 || Number(membership.type) === 1;
    const list = unique.map((_id, i) => `$${i + 3}`).join(', ');
    const rows = await rawQuery<{ id: string; read_only: unknown; manage: unknown }>(db,
      `SELECT c.id AS id, cm.read_only AS read_only, cm.manage AS manage FROM collections c
        LEFT JOIN collection_members cm ON cm.collection_id = c.id AND cm.membership_id = $2
        WHERE c.organization_id = $1 AND c.id IN (${list})`, [organizationId, membership.id, ...unique]);
    for (const row of rows) {
      existing.add(row.id);
      if (admin || sqlBoolean(row.manage) || (row.read_only !== null && !sqlBoolean(row.read_only))) writable.add(row.id);
    }
    return { member: true, admin, writable, existing };
  }

  /** `limit_item_deletion` of each organization among `ids`. */
  async itemDeletionLimits(db: EntityManager, organizationIds: string[]): Promise<Map<string, boolean>> {
    const unique = [...new Set(organizationIds)];
    if (unique.length === 0) return new Map();
    const rows = await rawQuery<{ id: string; limit_item_deletion: unknown }>(db, `SELECT id, limit_item_deletion FROM organizations WHERE id IN (${unique.map((_id, i) => `$${i + 1}`).join(', ')})`, unique);
    return new Map(rows.map((r) => [r.id, sqlBoolean(r.limit_item_deletion)]));
  }

  /** Sets dates on ciphers by id (organization ciphers; access checked by the caller). */
  async setDatesById(db: EntityManager, ids: string[], dates: Partial<Pick<CipherEntity, 'revisionDate' | 'deletedDate' | 'archivedDate'>>): Promise<void> {
    for (const part of chunks(ids)) await db.getRepository(CipherEntity).update({ id: In(part) }, dates);
  }

  /** Hard delete by id; folder links, favourites and collection links go with them. */
  async deleteByIds(db: EntityManager, ids: string[]): Promise<void> {
    for (const part of chunks(ids)) {
      await db.getRepository(FolderCipherEntity).delete({ cipherId: In(part) });
      await db.getRepository(FavoriteEntity).delete({ cipherId: In(part) });
      await db.getRepository(CipherEntity).delete({ id: In(part) });
    }
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
