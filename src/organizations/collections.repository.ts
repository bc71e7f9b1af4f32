import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { CollectionEntity, CollectionGroupEntity, CollectionMemberEntity, GroupEntity, GroupMemberEntity, MembershipEntity } from '../db/entities';
import { rawQuery } from '../db/raw-sql';

/** All SQL on collections and their member and group access rows. */
@Injectable()
export class CollectionsRepository {
  findCollection(db: EntityManager, organizationId: string, id: string): Promise<CollectionEntity | null> {
    return db.getRepository(CollectionEntity).findOne({ where: { organizationId, id } });
  }

  async insert(db: EntityManager, collection: CollectionEntity): Promise<void> {
    await db.getRepository(CollectionEntity).insert(collection);
  }

  async save(db: EntityManager, collection: CollectionEntity): Promise<void> {
    await db.getRepository(CollectionEntity).save(collection);
  }

  /** Deletes collections; their access rows and cipher links go by cascade. */
  async delete(db: EntityManager, ids: string[]): Promise<void> {
    if (ids.length > 0) await db.getRepository(CollectionEntity).delete({ id: In(ids) });
  }

  accessRows(db: EntityManager, collectionIds: string[]): Promise<CollectionMemberEntity[]> {
    if (collectionIds.length === 0) return Promise.resolve([]);
    return db.getRepository(CollectionMemberEntity).find({ where: { collectionId: In(collectionIds) } });
  }

  async replaceAccess(db: EntityManager, collectionId: string, rows: CollectionMemberEntity[]): Promise<void> {
    await db.getRepository(CollectionMemberEntity).delete({ collectionId });
    if (rows.length > 0) await db.getRepository(CollectionMemberEntity).insert(rows);
  }

  /** The organization's memberships among `ids`. */
  membershipsOf(db: EntityManager, organizationId: string, ids: string[]): Promise<MembershipEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return db.getRepository(MembershipEntity).find({ where: { organizationId, id: In(ids) } });
  }

  groupAccessRows(db: EntityManager, collectionIds: string[]): Promise<CollectionGroupEntity[]> {
    if (collectionIds.length === 0) return Promise.resolve([]);
    return db.getRepository(CollectionGroupEntity).find({ where: { collectionId: In(collectionIds) } });
  }

  async replaceGroupAccess(db: EntityManager, collectionId: string, rows: CollectionGroupEntity[]): Promise<void> {
    await db.getRepository(CollectionGroupEntity).delete({ collectionId });
    if (rows.length > 0) await db.getRepository(CollectionGroupEntity).insert(rows);
  }

  /** The organization's groups among `ids`. */
  groupsOf(db: EntityManager, organizationId: string, ids: string[]): Promise<GroupEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return db.getRepository(GroupEntity).find({ where: { organizationId, id: In(ids) } });
  }

  /** The groups the member is in. */
  async groupIdsOfMember(db: EntityManager, membershipId: string): Promise<Set<string>> {
    const rows = await db.getRepository(GroupMemberEntity).find({ where: { membershipId }, select: { groupId: true } });
    return new Set(rows.map((r) => r.groupId));
  }

  /**
   * User ids of the confirmed members among these membership ids or in these groups: the recipients of an
   * access change, in one statement.
   */
  async confirmedUserIdsOf(db: EntityManager, membershipIds: string[], groupIds: string[] = []): Promise<string[]> {
    const members = [...new Set(membershipIds)];
    const groups = [...new Set(groupIds)];
    if (members.length === 0 && groups.length === 0) return [];
    const list = (ids: string[], from: number): string => ids.map((_id, i) => `$${from + i + 1}`).join(', ');
    const paths = [
      ...(members.length > 0 ? [`m.id IN (${list(members, 0)})`] : []),
      ...(groups.length > 0 ? [`m.id IN (SELECT gm.membership_id FROM group_members gm WHERE gm.group_id IN (${list(groups, members.length)}))`] : []),
    ];
    const rows = await rawQuery<{ user_id: string }>(db,
      `SELECT DISTINCT m.user_id AS user_id FROM memberships m WHERE m.status = 2 AND m.user_id IS NOT NULL AND (${paths.join(' OR ')})`, [...members, ...groups]);
    return rows.map((r) => r.user_id);
  }
}
