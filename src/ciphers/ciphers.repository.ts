import { Injectable } from '@nestjs/common';
import { EntityManager, In, IsNull, LessThan, Not } from 'typeorm';
import { storedTimestamp } from '../db/columns';
import { CipherEntity, CollectionEntity, CollectionMemberEntity, FavoriteEntity, FolderCipherEntity, FolderEntity } from '../db/entities';
import { rawQuery, sqlBoolean } from '../db/raw-sql';
import { permissionsOf } from '../organizations/dto/organization-response.mapper';
import { CollectionGrant } from './cipher-access';
import { canEditAllItems } from './organization-rights';

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
/** `key` is a reserved word of MySQL: every column double-quoted (rawQuery quotes them for MySQL). */
const quoted = (column: string): string => `"${column}"`;
const COLUMN_LIST = COLUMNS.map(quoted).join(', ');

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

const SELECT_ONE = `SELECT ${COLUMN_LIST} FROM ciphers WHERE id = $1 AND user_id = $2`;
/** Every column by id: the service has checked, in the same transaction, that the caller may write it. */
const UPDATE_ONE = `UPDATE ciphers SET ${COLUMNS.slice(1).map((c, i) => `${quoted(c)} = $${i + 2}`).join(', ')} WHERE id = $1`;

/**
 * The caller's grants on organization ciphers, for confirmed members of enabled organizations: one row per
 * (cipher, collection the user is assigned to), and per (cipher, group grant on a collection) where the user has
 * no direct assignment to that collection (a direct assignment replaces the group grants on it, as in the
 * official UserCipherDetails). The best single row wins (cipher-access.ts). Callers may append `WHERE cc.…`.
 */
const GRANTS = `SELECT cc.cipher_id AS cipher_id, cc.collection_id AS collection_id, g.read_only AS read_only, g.hide_passwords AS hide_passwords, g.manage AS manage
  FROM collection_ciphers cc
  JOIN (
    SELECT cm.collection_id AS collection_id, cm.read_only AS read_only, cm.hide_passwords AS hide_passwords, cm.manage AS manage
      FROM collection_members cm
      JOIN memberships m ON m.id = cm.membership_id AND m.user_id = $1 AND m.status = 2
      JOIN organizations o ON o.id = m.organization_id AND o.enabled = TRUE
    UNION ALL
    SELECT cg.collection_id AS collection_id, cg.read_only AS read_only, cg.hide_passwords AS hide_passwords, cg.manage AS manage
      FROM group_members gm
      JOIN memberships m ON m.id = gm.membership_id AND m.user_id = $1 AND m.status = 2
      JOIN organizations o ON o.id = m.organization_id AND o.enabled = TRUE
      JOIN collection_groups cg ON cg.group_id = gm.group_id
      WHERE NOT EXISTS (SELECT 1 FROM collection_members d WHERE d.collection_id = cg.collection_id AND d.membership_id = m.id)
  ) g ON g.collection_id = cc.collection_id`;

/**
 * Every confirmed member of an enabled organization assigned to one of the collections, directly or through a
 * group (the recipients of a change), in one statement; the caller appends the parenthesised id list.
 */
const MEMBERS_OF_COLLECTIONS = `SELECT DISTINCT m.user_id AS user_id
  FROM (
    SELECT cm.collection_id AS collection_id, cm.membership_id AS membership_id FROM collection_members cm
    UNION ALL
    SELECT cg.collection_id AS collection_id, gm.membership_id AS membership_id FROM collection_groups cg JOIN group_members gm ON gm.group_id = cg.group_id
  ) a
  JOIN memberships m ON m.id = a.membership_id AND m.status = 2 AND m.user_id IS NOT NULL
  JOIN organizations o ON o.id = m.organization_id AND o.enabled = TRUE
  WHERE a.collection_id IN`;

export interface CipherGrant extends CollectionGrant { cipherId: string }
const insertRows = (rows: number): string =>
  `INSERT INTO ciphers (${COLUMN_LIST}) VALUES ${Array.from({ length: rows }, (_, r) => `(${COLUMNS.map((_c, i) => `$${r * COLUMNS.length + i + 1}`).join(', ')})`).join(', ')}`;

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
    const [row] = await rawQuery<CipherRow>(db, `SELECT ${COLUMN_LIST} FROM ciphers WHERE id = $1`, [id]);
    return row ? fromRow(row) : null;
  }

  async findByIds(db: EntityManager, ids: string[]): Promise<CipherEntity[]> {
    const found: CipherEntity[] = [];
    for (const part of chunks([...new Set(ids)])) {
      const rows = await rawQuery<CipherRow>(db, `SELECT ${COLUMN_LIST} FROM ciphers WHERE id IN (${part.map((_id, i) => `$${i + 1}`).join(', ')})`, part);
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
   * and whether `userId` (a confirmed member of that enabled organization) may put items in it: those who may
   * edit every item may (`admin`: custom users with editAnyCollection, owners and admins while the organization
   * allows admins all items, official CanEditAllCiphersAsync); others, restricted owners and admins included,
   * need an assignment that is not read-only: their direct one, or when they have none, one of their groups'
   * grants (official CanEditItemsInCollections and CollectionCipher_UpdateCollections).
   */
  async writableCollections(db: EntityManager, userId: string, organizationId: string, collectionIds: string[]): Promise<{ member: boolean; admin: boolean; writable: Set<string>; existing: Set<string> }> {
    const [membership] = await rawQuery<{ id: string; type: unknown; permissions: string | null; allow_admin_access: unknown }>(db,
      `SELECT m.id AS id, m.type AS type, m.permissions AS permissions, o.allow_admin_access_to_all_collection_items AS allow_admin_access
        FROM memberships m JOIN organizations o ON o.id = m.organization_id AND o.enabled = TRUE
        WHERE m.organization_id = $1 AND m.user_id = $2 AND m.status = 2`, [organizationId, userId]);
    const unique = [...new Set(collectionIds)];
    const existing = new Set<string>();
    const writable = new Set<string>();
    if (!membership || unique.length === 0) return { member: !!membership, admin: false, writable, existing };
    const admin = canEditAllItems({
      type: Number(membership.type), permissions: permissionsOf(membership.permissions === null ? null : String(membership.permissions)),
      allowAdminAccessToAllCollectionItems: sqlBoolean(membership.allow_admin_access), limitCollectionCreation: true,
    });
    const list = unique.map((_id, i) => `$${i + 3}`).join(', ');
    const rows = await rawQuery<{ id: string; read_only: unknown; manage: unknown }>(db,
      `SELECT c.id AS id, cm.read_only AS read_only, cm.manage AS manage FROM collections c
        LEFT JOIN collection_members cm ON cm.collection_id = c.id AND cm.membership_id = $2
        WHERE c.organization_id = $1 AND c.id IN (${list})
      UNION ALL
      SELECT c.id AS id, cg.read_only AS read_only, cg.manage AS manage FROM collections c
        JOIN collection_groups cg ON cg.collection_id = c.id
        JOIN group_members gm ON gm.group_id = cg.group_id AND gm.membership_id = $2
        WHERE c.organization_id = $1 AND c.id IN (${list})
          AND NOT EXISTS (SELECT 1 FROM collection_members d WHERE d.collection_id = c.id AND d.membership_id = $2)`, [organizationId, membership.id, ...unique]);
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

  /** Trashed ciphers whose deleted date is before `cutoff`, oldest first (trash auto-purge): personal (owner set) and organization ones (owner null). */
  async findTrashedBefore(db: EntityManager, cutoff: Date, limit: number): Promise<Array<{ id: string; userId: string | null }>> {
    const rows = await db.getRepository(CipherEntity).find({
      // stored timestamps are fixed-width UTC text, so text order is time order
      where: { deletedDate: LessThan(storedTimestamp(cutoff) as unknown as Date) },
      select: { id: true, userId: true },
      order: { deletedDate: 'ASC' },
      take: limit,
    });
    return rows.map(({ id, userId }) => ({ id, userId }));
  }

  /** Hard delete of ciphers that are (still) in the trash, whoever owns them (trash auto-purge). */
  async deleteTrashedByIds(db: EntityManager, ids: string[]): Promise<void> {
    for (const part of chunks(ids)) {
      await db.getRepository(FolderCipherEntity).delete({ cipherId: In(part) });
      await db.getRepository(FavoriteEntity).delete({ cipherId: In(part) });
      await db.getRepository(CipherEntity).delete({ id: In(part), deletedDate: Not(IsNull()) });
    }
  }

  // --- organization items as a whole (Admin Console, bulk collection changes, import, purge) ---

  /** cipher id → the collections it is in, for each of `cipherIds` that is in any. */
  async collectionLinks(db: EntityManager, cipherIds: string[]): Promise<Map<string, string[]>> {
    const links = new Map<string, string[]>();
    for (const part of chunks([...new Set(cipherIds)])) {
      const rows = await rawQuery<{ cipher_id: string; collection_id: string }>(db,
        `SELECT cipher_id, collection_id FROM collection_ciphers WHERE cipher_id IN (${part.map((_id, i) => `$${i + 1}`).join(', ')})`, part);
      for (const row of rows) links.set(row.cipher_id, [...(links.get(row.cipher_id) ?? []), row.collection_id]);
    }
    return links;
  }

  /** Every cipher of the organization, trashed ones included, oldest first. */
  async listByOrganization(db: EntityManager, organizationId: string): Promise<CipherEntity[]> {
    const rows = await rawQuery<CipherRow>(db, `SELECT ${COLUMN_LIST} FROM ciphers WHERE organization_id = $1 ORDER BY creation_date, id`, [organizationId]);
    return rows.map(fromRow);
  }

  /** The organization's ciphers that are in no collection (only item admins reach them). */
  async listUnassignedByOrganization(db: EntityManager, organizationId: string): Promise<CipherEntity[]> {
    const rows = await rawQuery<CipherRow>(db,
      `SELECT ${COLUMN_LIST} FROM ciphers c WHERE c.organization_id = $1
        AND NOT EXISTS (SELECT 1 FROM collection_ciphers cc WHERE cc.cipher_id = c.id) ORDER BY c.creation_date, c.id`, [organizationId]);
    return rows.map(fromRow);
  }

  /** cipher id → collections, for every cipher of the organization that is in any. */
  async collectionLinksOfOrganization(db: EntityManager, organizationId: string): Promise<Map<string, string[]>> {
    const rows = await rawQuery<{ cipher_id: string; collection_id: string }>(db,
      'SELECT cc.cipher_id AS cipher_id, cc.collection_id AS collection_id FROM collection_ciphers cc JOIN ciphers c ON c.id = cc.cipher_id WHERE c.organization_id = $1',
      [organizationId]);
    const links = new Map<string, string[]>();
    for (const row of rows) links.set(row.cipher_id, [...(links.get(row.cipher_id) ?? []), row.collection_id]);
    return links;
  }

  /** Those of `collectionIds` that are collections of the organization. */
  async collectionsOfOrganization(db: EntityManager, organizationId: string, collectionIds: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const part of chunks([...new Set(collectionIds)])) {
      const rows = await rawQuery<{ id: string }>(db,
        `SELECT id FROM collections WHERE organization_id = $1 AND id IN (${part.map((_id, i) => `$${i + 2}`).join(', ')})`, [organizationId, ...part]);
      for (const row of rows) found.add(row.id);
    }
    return found;
  }

  /**
   * For each of `collectionIds`: whether `membershipId` manages it (its direct assignment, or when it has none its
   * groups' grants, as §5.3), and whether any member or group does (bitwarden/server's "orphaned" collections).
   */
  async collectionManagement(db: EntityManager, collectionIds: string[], membershipId: string): Promise<Map<string, { managedByCaller: boolean; managedByAnyone: boolean }>> {
    const anyone = new Set<string>();
    const direct = new Map<string, boolean>();
    const throughGroups = new Set<string>();
    for (const part of chunks([...new Set(collectionIds)])) {
      const list = part.map((_id, i) => `$${i + 2}`).join(', ');
      const rows = await rawQuery<{ collection_id: string; membership_id: string | null; manage: unknown; direct: unknown }>(db,
        `SELECT cm.collection_id AS collection_id, cm.membership_id AS membership_id, cm.manage AS manage, 1 AS direct
           FROM collection_members cm WHERE cm.collection_id IN (${list})
         UNION ALL
         SELECT cg.collection_id AS collection_id, gm.membership_id AS membership_id, cg.manage AS manage, 0 AS direct
           FROM collection_groups cg LEFT JOIN group_members gm ON gm.group_id = cg.group_id AND gm.membership_id = $1
           WHERE cg.collection_id IN (${list})`, [membershipId, ...part]);
      for (const row of rows) {
        const manage = sqlBoolean(row.manage);
        if (manage) anyone.add(row.collection_id);
        if (row.membership_id !== membershipId) continue;
        if (sqlBoolean(row.direct)) direct.set(row.collection_id, manage);
        else if (manage) throughGroups.add(row.collection_id);
      }
    }
    return new Map(collectionIds.map((id) => [id, {
      managedByCaller: direct.has(id) ? direct.get(id) === true : throughGroups.has(id),
      managedByAnyone: anyone.has(id),
    }]));
  }

  /** New collections, each managed by `membershipId` (the importing member), as bitwarden/server's import does. */
  async insertCollections(db: EntityManager, collections: CollectionEntity[], membershipId: string): Promise<void> {
    for (const part of chunks(collections)) {
      await db.getRepository(CollectionEntity).insert(part);
      await db.getRepository(CollectionMemberEntity).insert(part.map((c) => Object.assign(new CollectionMemberEntity(), {
        collectionId: c.id, membershipId, readOnly: false, hidePasswords: false, manage: true,
      })));
    }
  }

  /** Adds (cipher, collection) links that are not there yet. */
  async addCollectionLinks(db: EntityManager, pairs: Array<{ cipherId: string; collectionId: string }>): Promise<void> {
    const existing = await this.collectionLinks(db, pairs.map((p) => p.cipherId));
    const seen = new Set<string>();
    const missing = pairs.filter(({ cipherId, collectionId }) => {
      const key = `${cipherId}/${collectionId}`;
      if (seen.has(key) || existing.get(cipherId)?.includes(collectionId)) return false;
      seen.add(key);
      return true;
    });
    for (const part of chunks(missing)) {
      await rawQuery(db, `INSERT INTO collection_ciphers (cipher_id, collection_id) VALUES ${part.map((_p, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(', ')}`,
        part.flatMap((p) => [p.cipherId, p.collectionId]));
    }
  }

  /** Takes the ciphers out of these collections (other links stay). */
  async removeCollectionLinks(db: EntityManager, cipherIds: string[], collectionIds: string[]): Promise<void> {
    for (const collections of chunks([...new Set(collectionIds)])) {
      for (const part of chunks([...new Set(cipherIds)])) {
        const c = collections.map((_id, i) => `$${i + 1}`).join(', ');
        const p = part.map((_id, i) => `$${collections.length + i + 1}`).join(', ');
        await rawQuery(db, `DELETE FROM collection_ciphers WHERE collection_id IN (${c}) AND cipher_id IN (${p})`, [...collections, ...part]);
      }
    }
  }

  /** cipher id → the user's archive date, for organization ciphers (all the user's marks, or those among `cipherIds`). */
  async archiveDates(db: EntityManager, userId: string, cipherIds?: string[]): Promise<Map<string, Date>> {
    type Row = { cipher_id: string; archived_date: string };
    const rows: Row[] = [];
    if (!cipherIds) rows.push(...(await rawQuery<Row>(db, 'SELECT cipher_id, archived_date FROM cipher_archives WHERE user_id = $1', [userId])));
    else {
      for (const part of chunks([...new Set(cipherIds)])) {
        rows.push(...(await rawQuery<Row>(db,
          `SELECT cipher_id, archived_date FROM cipher_archives WHERE user_id = $1 AND cipher_id IN (${part.map((_id, i) => `$${i + 2}`).join(', ')})`, [userId, ...part])));
      }
    }
    return new Map(rows.map((r) => [r.cipher_id, new Date(String(r.archived_date))]));
  }

  /** Sets (`date`) or clears (null) the user's archive mark on organization ciphers. */
  async setArchived(db: EntityManager, userId: string, cipherIds: string[], date: Date | null): Promise<void> {
    for (const part of chunks([...new Set(cipherIds)])) {
      await rawQuery(db, `DELETE FROM cipher_archives WHERE user_id = $1 AND cipher_id IN (${part.map((_id, i) => `$${i + 2}`).join(', ')})`, [userId, ...part]);
      if (date) {
        await rawQuery(db, `INSERT INTO cipher_archives (user_id, cipher_id, archived_date) VALUES ${part.map((_id, i) => `($1, $${i + 3}, $2)`).join(', ')}`,
          [userId, storedTimestamp(date), ...part]);
      }
    }
  }

  /** Ids of every cipher of the organization. */
  async idsByOrganization(db: EntityManager, organizationId: string): Promise<string[]> {
    return (await rawQuery<{ id: string }>(db, 'SELECT id FROM ciphers WHERE organization_id = $1', [organizationId])).map((r) => r.id);
  }
}
