import { Injectable } from '@nestjs/common';
import { EntityManager, In, IsNull } from 'typeorm';
import { CollectionEntity, CollectionMemberEntity, MembershipEntity, UserEntity } from '../db/entities';
import { MembershipStatus, MembershipType } from '../db/entities/membership.entity';
import { rawQuery } from '../db/raw-sql';

/** A membership with its user, when it has one (invited members have only an email). */
export interface MemberRow { membership: MembershipEntity; user: UserEntity | null }

/** All SQL on memberships as members (lists, invitations, access rows). */
@Injectable()
export class MembersRepository {
  async listMembers(db: EntityManager, organizationId: string): Promise<MemberRow[]> {
    const memberships = await db.getRepository(MembershipEntity).find({ where: { organizationId }, order: { creationDate: 'ASC', id: 'ASC' } });
    return this.withUsers(db, memberships);
  }

  async findMembers(db: EntityManager, organizationId: string, ids: string[]): Promise<MemberRow[]> {
    if (ids.length === 0) return [];
    return this.withUsers(db, await db.getRepository(MembershipEntity).find({ where: { organizationId, id: In(ids) } }));
  }

  findMembership(db: EntityManager, organizationId: string, id: string): Promise<MembershipEntity | null> {
    return db.getRepository(MembershipEntity).findOne({ where: { organizationId, id } });
  }

  /** A membership of the organization for this user id or this (invited) email. */
  async findByUserOrEmail(db: EntityManager, organizationId: string, userId: string | null, email: string): Promise<MembershipEntity | null> {
    const repo = db.getRepository(MembershipEntity);
    return (userId ? await repo.findOne({ where: { organizationId, userId } }) : null) ?? repo.findOne({ where: { organizationId, email } });
  }

  async save(db: EntityManager, membership: MembershipEntity): Promise<void> {
    await db.getRepository(MembershipEntity).save(membership);
  }

  async insert(db: EntityManager, membership: MembershipEntity): Promise<void> {
    await db.getRepository(MembershipEntity).insert(membership);
  }

  async delete(db: EntityManager, id: string): Promise<void> {
    await db.getRepository(MembershipEntity).delete({ id });
  }

  /** Invitations to `email` (in any organization) that have no user yet. */
  pendingInvitations(db: EntityManager, email: string): Promise<MembershipEntity[]> {
    return db.getRepository(MembershipEntity).find({ where: { email, userId: IsNull(), status: MembershipStatus.Invited } });
  }

  /** Addresses of the organization's confirmed owners and admins (official OrganizationUser_ReadByMinimumRole, Admin). */
  async adminEmails(db: EntityManager, organizationId: string): Promise<string[]> {
    const rows = await rawQuery<{ email: string }>(db,
      `SELECT DISTINCT u.email AS email FROM memberships m JOIN users u ON u.id = m.user_id
        WHERE m.organization_id = $1 AND m.status = ${MembershipStatus.Confirmed} AND m.type IN (${MembershipType.Owner}, ${MembershipType.Admin})`, [organizationId]);
    return rows.map((row) => String(row.email));
  }

  /** The collection ids among `ids` that belong to the organization. */
  async collectionIdsOf(db: EntityManager, organizationId: string, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await db.getRepository(CollectionEntity).find({ where: { organizationId, id: In(ids) }, select: { id: true } });
    return new Set(rows.map((row) => row.id));
  }

  accessOf(db: EntityManager, membershipIds: string[]): Promise<CollectionMemberEntity[]> {
    if (membershipIds.length === 0) return Promise.resolve([]);
    return db.getRepository(CollectionMemberEntity).find({ where: { membershipId: In(membershipIds) } });
  }

  /** Replaces the member's direct collection access with `rows`. */
  async setAccess(db: EntityManager, membershipId: string, rows: CollectionMemberEntity[]): Promise<void> {
    await db.getRepository(CollectionMemberEntity).delete({ membershipId });
    if (rows.length > 0) await db.getRepository(CollectionMemberEntity).insert(rows);
  }

  private async withUsers(db: EntityManager, memberships: MembershipEntity[]): Promise<MemberRow[]> {
    const userIds = memberships.map((m) => m.userId).filter((id): id is string => id !== null);
    const users = userIds.length === 0 ? [] : await db.getRepository(UserEntity).find({ where: { id: In(userIds) } });
    const byId = new Map(users.map((u) => [u.id, u]));
    return memberships.map((membership) => ({ membership, user: membership.userId ? byId.get(membership.userId) ?? null : null }));
  }
}
