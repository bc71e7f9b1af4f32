import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { CipherEntity, CollectionEntity, CollectionMemberEntity, MembershipEntity, OrganizationEntity, PolicyEntity } from '../db/entities';
import { MembershipStatus, MembershipType } from '../db/entities/membership.entity';
import { rawQuery, sqlBoolean } from '../db/raw-sql';
import { combineGroupGrants } from './collection-rights';
import { CollectionAccess } from './dto/organization-response.mapper';

/** A confirmed membership with its organization (profile entries). */
export interface MembershipWithOrganization { membership: MembershipEntity; organization: OrganizationEntity }

/** A collection with the member's access to it (direct, or through their groups). */
export interface AssignedCollection { collection: CollectionEntity; access: CollectionAccess }

/** All SQL on organizations, memberships, collections, collection access and policies. */
@Injectable()
export class OrganizationsRepository {
  async insertOrganization(db: EntityManager, organization: OrganizationEntity): Promise<void> {
    await db.getRepository(OrganizationEntity).insert(organization);
  }

  findOrganization(db: EntityManager, id: string): Promise<OrganizationEntity | null> {
    return db.getRepository(OrganizationEntity).findOne({ where: { id } });
  }

  async saveOrganization(db: EntityManager, organization: OrganizationEntity): Promise<void> {
    await db.getRepository(OrganizationEntity).save(organization);
  }

  /**
   * Deletes the organization with its items: its ciphers (their collection links, folder links and favourites
   * go by cascade), then the organization (memberships, collections, access rows and policies by cascade).
   */
  async deleteOrganization(db: EntityManager, id: string): Promise<void> {
    await db.getRepository(CipherEntity).delete({ organizationId: id });
    await db.getRepository(OrganizationEntity).delete({ id });
  }

  async insertMembership(db: EntityManager, membership: MembershipEntity): Promise<void> {
    await db.getRepository(MembershipEntity).insert(membership);
  }

  findMembership(db: EntityManager, organizationId: string, userId: string): Promise<MembershipEntity | null> {
    return db.getRepository(MembershipEntity).findOne({ where: { organizationId, userId } });
  }

  async deleteMembership(db: EntityManager, id: string): Promise<void> {
    await db.getRepository(MembershipEntity).delete({ id });
  }

  countConfirmedOwners(db: EntityManager, organizationId: string): Promise<number> {
    return db.getRepository(MembershipEntity).count({ where: { organizationId, type: MembershipType.Owner, status: MembershipStatus.Confirmed } });
  }

  /** Every organization with its member and item counts, by name. */
  async overview(db: EntityManager): Promise<Array<{ id: string; name: string; billingEmail: string; enabled: boolean; members: number; items: number }>> {
    const rows = await rawQuery<{ id: string; name: string; billing_email: string; enabled: unknown; members: unknown; items: unknown }>(db, `SELECT o.id AS id, o.name AS name,
      o.billing_email AS billing_email, o.enabled AS enabled,
      (SELECT COUNT(*) FROM memberships m WHERE m.organization_id = o.id) AS members,
      (SELECT COUNT(*) FROM ciphers c WHERE c.organization_id = o.id) AS items
      FROM organizations o ORDER BY o.name, o.id`, []);
    return rows.map((r) => ({ id: r.id, name: r.name, billingEmail: r.billing_email, enabled: sqlBoolean(r.enabled), members: Number(r.members), items: Number(r.items) }));
  }

  /** Whether the user is the only confirmed owner of at least one organization. */
  async isSoleOwner(db: EntityManager, userId: string): Promise<boolean> {
    const rows = await rawQuery<{ organization_id: string }>(db, `SELECT m.organization_id AS organization_id FROM memberships m
      WHERE m.user_id = $1 AND m.type = $2 AND m.status = $3
        AND (SELECT COUNT(*) FROM memberships o WHERE o.organization_id = m.organization_id AND o.type = $2 AND o.status = $3) = 1`,
    [userId, MembershipType.Owner, MembershipStatus.Confirmed]);
    return rows.length > 0;
  }

  /** User ids of the organization's confirmed members (the recipients of organization-wide key changes). */
  async confirmedUserIds(db: EntityManager, organizationId: string): Promise<string[]> {
    const rows = await db.getRepository(MembershipEntity).find({ where: { organizationId, status: MembershipStatus.Confirmed }, select: { userId: true } });
    return rows.map((row) => row.userId).filter((id): id is string => id !== null);
  }

  /** The user's confirmed memberships with their organizations, oldest first. */
  async confirmedMemberships(db: EntityManager, userId: string): Promise<MembershipWithOrganization[]> {
    const memberships = await db.getRepository(MembershipEntity).find({ where: { userId, status: MembershipStatus.Confirmed }, order: { creationDate: 'ASC', id: 'ASC' } });
    if (memberships.length === 0) return [];
    const organizations = await db.getRepository(OrganizationEntity).find({ where: { id: In(memberships.map((m) => m.organizationId)) } });
    const byId = new Map(organizations.map((o) => [o.id, o]));
    return memberships.flatMap((membership) => {
      const organization = byId.get(membership.organizationId);
      return organization ? [{ membership, organization }] : [];
    });
  }

  async insertCollection(db: EntityManager, collection: CollectionEntity): Promise<void> {
    await db.getRepository(CollectionEntity).insert(collection);
  }

  async insertCollectionMember(db: EntityManager, access: CollectionMemberEntity): Promise<void> {
    await db.getRepository(CollectionMemberEntity).insert(access);
  }

  listCollections(db: EntityManager, organizationId: string): Promise<CollectionEntity[]> {
    return db.getRepository(CollectionEntity).find({ where: { organizationId }, order: { creationDate: 'ASC', id: 'ASC' } });
  }

  /**
   * Collections assigned to any of `membershipIds` (one membership per organization), directly or through a group,
   * with that member's access: the direct assignment when there is one, else what the groups' grants give
   * together (§5.3).
   */
  async assignedCollections(db: EntityManager, membershipIds: string[]): Promise<AssignedCollection[]> {
    if (membershipIds.length === 0) return [];
    const list = membershipIds.map((_id, i) => `$${i + 1}`).join(', ');
    type Row = { collection_id: string; direct: unknown; read_only: unknown; hide_passwords: unknown; manage: unknown };
    const rows = await rawQuery<Row>(db,
      `SELECT cm.collection_id AS collection_id, 1 AS direct, cm.read_only AS read_only, cm.hide_passwords AS hide_passwords, cm.manage AS manage
         FROM collection_members cm WHERE cm.membership_id IN (${list})
       UNION ALL
       SELECT cg.collection_id AS collection_id, 0 AS direct, cg.read_only AS read_only, cg.hide_passwords AS hide_passwords, cg.manage AS manage
         FROM group_members gm JOIN collection_groups cg ON cg.group_id = gm.group_id WHERE gm.membership_id IN (${list})`, membershipIds);
    if (rows.length === 0) return [];
    const direct = new Map<string, CollectionAccess>();
    const viaGroups = new Map<string, CollectionAccess[]>();
    for (const row of rows) {
      const access = { readOnly: sqlBoolean(row.read_only), hidePasswords: sqlBoolean(row.hide_passwords), manage: sqlBoolean(row.manage) };
      if (Number(row.direct) === 1) direct.set(row.collection_id, access);
      else viaGroups.set(row.collection_id, [...(viaGroups.get(row.collection_id) ?? []), access]);
    }
    const ids = [...new Set(rows.map((r) => r.collection_id))];
    const collections = await db.getRepository(CollectionEntity).find({ where: { id: In(ids) }, order: { creationDate: 'ASC', id: 'ASC' } });
    return collections.map((collection) => ({ collection, access: direct.get(collection.id) ?? combineGroupGrants(viaGroups.get(collection.id)!) }));
  }

  policiesOf(db: EntityManager, organizationIds: string[]): Promise<PolicyEntity[]> {
    if (organizationIds.length === 0) return Promise.resolve([]);
    return db.getRepository(PolicyEntity).find({ where: { organizationId: In(organizationIds) }, order: { type: 'ASC' } });
  }
}
