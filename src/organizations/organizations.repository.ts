import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { CipherEntity, CollectionEntity, CollectionMemberEntity, MembershipEntity, OrganizationEntity, PolicyEntity } from '../db/entities';
import { MembershipStatus, MembershipType } from '../db/entities/membership.entity';

/** A confirmed membership with its organization (profile entries). */
export interface MembershipWithOrganization { membership: MembershipEntity; organization: OrganizationEntity }

/** A collection with the member's direct access to it. */
export interface AssignedCollection { collection: CollectionEntity; access: CollectionMemberEntity }

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

  /** Collections directly assigned to any of `membershipIds`, with that access. */
  async assignedCollections(db: EntityManager, membershipIds: string[]): Promise<AssignedCollection[]> {
    if (membershipIds.length === 0) return [];
    const access = await db.getRepository(CollectionMemberEntity).find({ where: { membershipId: In(membershipIds) } });
    if (access.length === 0) return [];
    const collections = await db.getRepository(CollectionEntity).find({ where: { id: In(access.map((a) => a.collectionId)) }, order: { creationDate: 'ASC', id: 'ASC' } });
    const accessByCollection = new Map(access.map((a) => [a.collectionId, a]));
    return collections.map((collection) => ({ collection, access: accessByCollection.get(collection.id)! }));
  }

  policiesOf(db: EntityManager, organizationIds: string[]): Promise<PolicyEntity[]> {
    if (organizationIds.length === 0) return Promise.resolve([]);
    return db.getRepository(PolicyEntity).find({ where: { organizationId: In(organizationIds) }, order: { type: 'ASC' } });
  }
}
