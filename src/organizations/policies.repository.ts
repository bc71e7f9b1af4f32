import { Injectable } from '@nestjs/common';
import { EntityManager, In, IsNull, Not } from 'typeorm';
import { MembershipEntity, PolicyEntity } from '../db/entities';
import { MembershipStatus } from '../db/entities/membership.entity';
import { rawQuery } from '../db/raw-sql';

/**
 * An enabled policy of an enabled organization together with the membership through which it may bind a user
 * (bitwarden/server's PolicyDetails). Whether it binds depends on the membership's role and status.
 */
export interface PolicyDetails {
  organizationId: string;
  policyType: number;
  /** The policy's data (JSON text) or null. */
  data: string | null;
  membershipId: string;
  membershipType: number;
  membershipStatus: number;
}

interface DetailsRow { organization_id: string; data: string | null; membership_id: string; membership_type: unknown; membership_status: unknown }

/**
 * Enabled policies of one type in enabled organizations, with the user's membership there: memberships linked to
 * the user, and invitations (no user yet) sent to the user's email. On the personal-cipher create path, so hand
 * written: one indexed lookup of the user's memberships.
 */
const DETAILS = `SELECT p.organization_id AS organization_id, p.data AS data, m.id AS membership_id, m.type AS membership_type, m.status AS membership_status
  FROM memberships m
  JOIN policies p ON p.organization_id = m.organization_id AND p.type = $1 AND p.enabled = TRUE
  JOIN organizations o ON o.id = m.organization_id AND o.enabled = TRUE
  WHERE m.user_id = $2 OR (m.user_id IS NULL AND m.status = ${MembershipStatus.Invited} AND m.email = $3)`;

/** All SQL on policies, and the membership reads that policy enforcement needs. */
@Injectable()
export class PoliciesRepository {
  listByOrganization(db: EntityManager, organizationId: string): Promise<PolicyEntity[]> {
    return db.getRepository(PolicyEntity).find({ where: { organizationId }, order: { type: 'ASC' } });
  }

  findByType(db: EntityManager, organizationId: string, type: number): Promise<PolicyEntity | null> {
    return db.getRepository(PolicyEntity).findOne({ where: { organizationId, type } });
  }

  async insert(db: EntityManager, policy: PolicyEntity): Promise<void> {
    await db.getRepository(PolicyEntity).insert(policy);
  }

  /**
   * Saves the organization's policy of `policy.type` whether or not a row exists, safe against a concurrent first
   * save of the same type (the unique index on organization and type): one insert-or-update statement (ON CONFLICT
   * … DO UPDATE on SQLite and PostgreSQL, ON DUPLICATE KEY UPDATE on MySQL, which waits for a concurrent insert to
   * commit and takes the row's write lock at once: an INSERT IGNORE then UPDATE deadlocks on InnoDB). Returns the
   * stored row (its id is the first saver's).
   */
  async upsert(db: EntityManager, policy: PolicyEntity): Promise<PolicyEntity> {
    await db.createQueryBuilder().insert().into(PolicyEntity).values(policy)
      .orUpdate(['enabled', 'data', 'revision_date'], ['organization_id', 'type'])
      .execute();
    const { organizationId, type } = policy;
    return db.getRepository(PolicyEntity).findOneOrFail({ where: { organizationId, type } });
  }

  async save(db: EntityManager, policy: PolicyEntity): Promise<void> {
    await db.getRepository(PolicyEntity).save(policy);
  }

  /** Enabled `type` policies that may bind the user (`email`: the user's address, for invitations not yet accepted). */
  async details(db: EntityManager, type: number, userId: string, email: string | null): Promise<PolicyDetails[]> {
    const rows = await rawQuery<DetailsRow>(db, DETAILS, [type, userId, email ?? '']);
    return rows.map((row) => ({
      organizationId: String(row.organization_id), policyType: type, data: row.data === null ? null : String(row.data),
      membershipId: String(row.membership_id), membershipType: Number(row.membership_type), membershipStatus: Number(row.membership_status),
    }));
  }

  /** Every membership linked to one of these users, in any organization and any status. */
  membershipsOfUsers(db: EntityManager, userIds: string[]): Promise<MembershipEntity[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    return db.getRepository(MembershipEntity).find({ where: { userId: In(userIds) } });
  }

  /** The organization's memberships in these statuses (linked to a user), oldest first. */
  membershipsInStatus(db: EntityManager, organizationId: string, statuses: number[]): Promise<MembershipEntity[]> {
    return db.getRepository(MembershipEntity).find({ where: { organizationId, status: In(statuses), userId: Not(IsNull()) }, order: { creationDate: 'ASC', id: 'ASC' } });
  }

  /** Revokes these memberships (they keep their key: restore returns them to their prior status). */
  async revoke(db: EntityManager, ids: string[], now: Date): Promise<void> {
    if (ids.length === 0) return;
    const repo = db.getRepository(MembershipEntity);
    for (const membership of await repo.find({ where: { id: In(ids) } })) {
      membership.status = MembershipStatus.Revoked;
      membership.revisionDate = now;
      await repo.save(membership);
    }
  }
}
