import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { CollectionEntity, CollectionGroupEntity, GroupEntity, GroupMemberEntity, MembershipEntity } from '../db/entities';

/** All SQL on organization groups: the groups, their members and their collection access rows. */
@Injectable()
export class GroupsRepository {
  findGroup(db: EntityManager, organizationId: string, id: string): Promise<GroupEntity | null> {
    return db.getRepository(GroupEntity).findOne({ where: { organizationId, id } });
  }

  /** The organization's groups among `ids` (all of them when `ids` is omitted), oldest first. */
  listGroups(db: EntityManager, organizationId: string, ids?: string[]): Promise<GroupEntity[]> {
    if (ids?.length === 0) return Promise.resolve([]);
    return db.getRepository(GroupEntity).find({ where: { organizationId, ...(ids ? { id: In(ids) } : {}) }, order: { creationDate: 'ASC', id: 'ASC' } });
  }

  async insert(db: EntityManager, group: GroupEntity): Promise<void> {
    await db.getRepository(GroupEntity).insert(group);
  }

  async save(db: EntityManager, group: GroupEntity): Promise<void> {
    await db.getRepository(GroupEntity).save(group);
  }

  /** Deletes groups; their member and collection rows go by cascade. */
  async delete(db: EntityManager, ids: string[]): Promise<void> {
    if (ids.length > 0) await db.getRepository(GroupEntity).delete({ id: In(ids) });
  }

  /** The collection access rows of these groups. */
  collectionAccess(db: EntityManager, groupIds: string[]): Promise<CollectionGroupEntity[]> {
    if (groupIds.length === 0) return Promise.resolve([]);
    return db.getRepository(CollectionGroupEntity).find({ where: { groupId: In(groupIds) } });
  }

  /** Replaces the group's collection access with `rows`. */
  async replaceCollectionAccess(db: EntityManager, groupId: string, rows: CollectionGroupEntity[]): Promise<void> {
    await db.getRepository(CollectionGroupEntity).delete({ groupId });
    if (rows.length > 0) await db.getRepository(CollectionGroupEntity).insert(rows);
  }

  /** Member rows of these groups (`groupIds`), or of these members (`membershipIds`). */
  memberRows(db: EntityManager, where: { groupIds?: string[]; membershipIds?: string[] }): Promise<GroupMemberEntity[]> {
    const { groupIds, membershipIds } = where;
    if (groupIds?.length === 0 || membershipIds?.length === 0) return Promise.resolve([]);
    return db.getRepository(GroupMemberEntity).find({
      where: { ...(groupIds ? { groupId: In(groupIds) } : {}), ...(membershipIds ? { membershipId: In(membershipIds) } : {}) },
    });
  }

  /** Makes exactly `membershipIds` the members of the group. */
  async replaceMembers(db: EntityManager, groupId: string, membershipIds: string[]): Promise<void> {
    await db.getRepository(GroupMemberEntity).delete({ groupId });
    if (membershipIds.length > 0) await db.getRepository(GroupMemberEntity).insert(membershipIds.map((membershipId) => ({ groupId, membershipId })));
  }

  /** Puts the member in exactly these groups. */
  async replaceGroupsOfMember(db: EntityManager, membershipId: string, groupIds: string[]): Promise<void> {
    await db.getRepository(GroupMemberEntity).delete({ membershipId });
    if (groupIds.length > 0) await db.getRepository(GroupMemberEntity).insert(groupIds.map((groupId) => ({ groupId, membershipId })));
  }

  async removeMember(db: EntityManager, groupId: string, membershipId: string): Promise<void> {
    await db.getRepository(GroupMemberEntity).delete({ groupId, membershipId });
  }

  /** The organization's memberships among `ids`. */
  membershipsOf(db: EntityManager, organizationId: string, ids: string[]): Promise<MembershipEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return db.getRepository(MembershipEntity).find({ where: { organizationId, id: In(ids) } });
  }

  /** The organization's collections among `ids`. */
  collectionsOf(db: EntityManager, organizationId: string, ids: string[]): Promise<CollectionEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return db.getRepository(CollectionEntity).find({ where: { organizationId, id: In(ids) } });
  }
}
