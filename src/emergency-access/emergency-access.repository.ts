import { Injectable } from '@nestjs/common';
import { EntityManager, In, IsNull } from 'typeorm';
import { storedTimestamp } from '../db/columns';
import { MembershipEntity, UserEntity } from '../db/entities';
import { EmergencyAccessEntity, EmergencyAccessStatus } from '../db/entities/emergency-access.entity';
import { MembershipType } from '../db/entities/membership.entity';
import { rawQuery } from '../db/raw-sql';

/** The account fields the lists and mails show of the other party. */
export interface PartyRow { id: string; name: string | null; email: string; avatarColor: string | null }

/** What a takeover writes on the grantor's account. */
export interface GrantorPassword { passwordHash: string; passwordSalt: string; passwordIterations: number; userKey: string; securityStamp: string; updatedDate: Date }

const normalized = (row: EmergencyAccessEntity): EmergencyAccessEntity => {
  // smallint/integer come back as strings from some drivers
  row.type = Number(row.type);
  row.status = Number(row.status);
  row.waitTimeDays = Number(row.waitTimeDays);
  return row;
};

/** All SQL on `emergency_access` (and the two writes a takeover makes on the grantor's account, see below). */
@Injectable()
export class EmergencyAccessRepository {
  async findById(db: EntityManager, id: string): Promise<EmergencyAccessEntity | null> {
    const row = await db.getRepository(EmergencyAccessEntity).findOne({ where: { id } });
    return row ? normalized(row) : null;
  }

  async findByIdAndGrantor(db: EntityManager, id: string, grantorId: string): Promise<EmergencyAccessEntity | null> {
    const row = await db.getRepository(EmergencyAccessEntity).findOne({ where: { id, grantorId } });
    return row ? normalized(row) : null;
  }

  async findByIdAndGrantee(db: EntityManager, id: string, granteeId: string): Promise<EmergencyAccessEntity | null> {
    const row = await db.getRepository(EmergencyAccessEntity).findOne({ where: { id, granteeId } });
    return row ? normalized(row) : null;
  }

  /** The grantor's contacts, oldest first. */
  async listByGrantor(db: EntityManager, grantorId: string): Promise<EmergencyAccessEntity[]> {
    return (await db.getRepository(EmergencyAccessEntity).find({ where: { grantorId }, order: { creationDate: 'ASC', id: 'ASC' } })).map(normalized);
  }

  /** The grants the grantee has accepted (an invitation not yet accepted is not the grantee's yet). */
  async listAcceptedByGrantee(db: EntityManager, granteeId: string): Promise<EmergencyAccessEntity[]> {
    const rows = await db.getRepository(EmergencyAccessEntity).find({ where: { granteeId }, order: { creationDate: 'ASC', id: 'ASC' } });
    return rows.map(normalized).filter((row) => row.status !== EmergencyAccessStatus.Invited);
  }

  /** A grant of `grantorId` to this account or this address already exists. */
  async existsFor(db: EntityManager, grantorId: string, granteeId: string | null, email: string): Promise<boolean> {
    const [row] = await rawQuery<{ id: string }>(db,
      'SELECT id FROM emergency_access WHERE grantor_id = $1 AND (grantee_id = $2 OR email = $3) LIMIT 1', [grantorId, granteeId ?? '', email]);
    return row !== undefined;
  }

  async insert(db: EntityManager, row: EmergencyAccessEntity): Promise<void> {
    await db.getRepository(EmergencyAccessEntity).insert(row);
  }

  async update(db: EntityManager, row: EmergencyAccessEntity): Promise<void> {
    const { id, ...fields } = row;
    await db.getRepository(EmergencyAccessEntity).update({ id }, fields);
  }

  async delete(db: EntityManager, id: string): Promise<void> {
    await db.getRepository(EmergencyAccessEntity).delete({ id });
  }

  /**
   * Invitations to `email` not linked to an account yet get the account that now has the address, so that they
   * go with it (foreign key) and its owner sees them.
   */
  async linkInvitations(db: EntityManager, userId: string, email: string, now: Date): Promise<EmergencyAccessEntity[]> {
    const rows = await db.getRepository(EmergencyAccessEntity).find({ where: { email, granteeId: IsNull(), status: EmergencyAccessStatus.Invited } });
    if (rows.length === 0) return [];
    await db.getRepository(EmergencyAccessEntity).update({ id: In(rows.map((r) => r.id)) }, { granteeId: userId, revisionDate: now });
    return rows.map((row) => normalized(Object.assign(row, { granteeId: userId, revisionDate: now })));
  }

  /** Grants waiting out their wait time (status RecoveryInitiated), oldest request first. */
  async recoveriesInitiated(db: EntityManager, limit: number): Promise<EmergencyAccessEntity[]> {
    const rows = await rawQuery<{ id: string }>(db,
      `SELECT id FROM emergency_access WHERE status = $1 AND recovery_initiated_at IS NOT NULL ORDER BY recovery_initiated_at LIMIT ${Math.trunc(limit)}`,
      [EmergencyAccessStatus.RecoveryInitiated]);
    if (rows.length === 0) return [];
    return (await db.getRepository(EmergencyAccessEntity).find({ where: { id: In(rows.map((r) => r.id)) } })).map(normalized);
  }

  /**
   * RecoveryInitiated → RecoveryApproved, only if the row is still RecoveryInitiated: of several instances (or a
   * grantor answering at the same moment) exactly one moves it. True when this call did.
   */
  async approveIfInitiated(db: EntityManager, id: string, now: Date): Promise<boolean> {
    const result = await db.createQueryBuilder().update(EmergencyAccessEntity)
      .set({ status: EmergencyAccessStatus.RecoveryApproved, revisionDate: now })
      .where('id = :id', { id })
      .andWhere('status = :initiated', { initiated: EmergencyAccessStatus.RecoveryInitiated })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Claims the reminder of a still-pending request last reminded before `remindedBefore` (or never): true for the one claimant. */
  async claimReminder(db: EntityManager, id: string, now: Date, remindedBefore: Date): Promise<boolean> {
    const result = await db.createQueryBuilder().update(EmergencyAccessEntity)
      .set({ lastNotificationAt: now })
      .where('id = :id', { id })
      .andWhere('status = :initiated', { initiated: EmergencyAccessStatus.RecoveryInitiated })
      .andWhere('(last_notification_at IS NULL OR last_notification_at <= :before)', { before: storedTimestamp(remindedBefore) })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** The accounts of these ids, for the lists (one query). */
  async parties(db: EntityManager, userIds: string[]): Promise<Map<string, PartyRow>> {
    const out = new Map<string, PartyRow>();
    if (userIds.length === 0) return out;
    const users = await db.getRepository(UserEntity).find({ select: { id: true, name: true, email: true, avatarColor: true }, where: { id: In([...new Set(userIds)]) } });
    for (const user of users) out.set(user.id, { id: user.id, name: user.name, email: user.email, avatarColor: user.avatarColor });
    return out;
  }

  // --- the takeover's writes on the grantor's account (bitwarden/server EmergencyAccessService.PasswordAsync) ---

  /** New master password (slow hash), new wrapped user key, new security stamp on the grantor's account. */
  async setGrantorPassword(db: EntityManager, grantorId: string, password: GrantorPassword): Promise<void> {
    await db.getRepository(UserEntity).update({ id: grantorId }, password);
  }

  /** Removes the grantor from every organization where they are not an owner (any status); the organizations left. */
  async removeNonOwnerMemberships(db: EntityManager, grantorId: string): Promise<string[]> {
    const memberships = await db.getRepository(MembershipEntity).find({ select: { id: true, organizationId: true, type: true }, where: { userId: grantorId } });
    const removed = memberships.filter((m) => Number(m.type) !== MembershipType.Owner);
    if (removed.length > 0) await db.getRepository(MembershipEntity).delete({ id: In(removed.map((m) => m.id)) });
    return removed.map((m) => m.organizationId);
  }
}
