import { Injectable } from '@nestjs/common';
import { Brackets, EntityManager, In } from 'typeorm';
import { storedTimestamp } from '../db/columns';
import { AuthRequestEntity, MembershipEntity, UserEntity } from '../db/entities';
import { MembershipStatus } from '../db/entities/membership.entity';

/** Auth request type 2: a login an organization admin approves (bitwarden/server AuthRequestType.AdminApproval). */
export const ADMIN_APPROVAL = 2;

/** An admin-approval request with what the organization's admins see of the requester. */
export interface OrganizationAdminRequest { request: AuthRequestEntity; email: string; memberId: string }

/** All SQL on auth_requests (query builder only: the same statements on SQLite, PostgreSQL and MySQL). */
@Injectable()
export class AuthRequestsRepository {
  findById(db: EntityManager, id: string): Promise<AuthRequestEntity | null> {
    return db.getRepository(AuthRequestEntity).findOne({ where: { id } });
  }

  findByIdAndUser(db: EntityManager, id: string, userId: string): Promise<AuthRequestEntity | null> {
    return db.getRepository(AuthRequestEntity).findOne({ where: { id, userId } });
  }

  /** Unanswered requests of `userId` created at or after `createdSince` (i.e. not expired), newest first, at most `limit`. */
  findPendingByUser(db: EntityManager, userId: string, createdSince: Date, limit: number): Promise<AuthRequestEntity[]> {
    return this.pending(db, userId, createdSince).orderBy('r.creationDate', 'DESC').addOrderBy('r.id', 'DESC').limit(limit).getMany();
  }

  /** How many unanswered, unexpired requests `userId` has from devices other than `exceptDevice`. */
  countPendingByUser(db: EntityManager, userId: string, createdSince: Date, exceptDevice: string): Promise<number> {
    return this.pending(db, userId, createdSince).andWhere('r.request_device_identifier <> :exceptDevice', { exceptDevice }).getCount();
  }

  /**
   * Deletes the unanswered requests of one requesting device (a newer request from it replaces them): its
   * admin-approval requests when `adminApproval`, else its login-with-device ones.
   */
  async deletePendingByDevice(db: EntityManager, userId: string, deviceIdentifier: string, adminApproval = false): Promise<number> {
    const result = await db.createQueryBuilder().delete().from(AuthRequestEntity)
      .where('user_id = :userId', { userId })
      .andWhere('request_device_identifier = :deviceIdentifier', { deviceIdentifier })
      .andWhere('approved IS NULL')
      .andWhere(adminApproval ? 'type = :admin' : 'type <> :admin', { admin: ADMIN_APPROVAL })
      .execute();
    return result.affected ?? 0;
  }

  /**
   * Serialises request creation per account inside `db`'s transaction (SELECT … FOR UPDATE on the user row), so
   * that concurrent requests cannot both pass the pending cap. SQLite needs nothing: the unit of work already
   * runs one transaction at a time there.
   */
  async lockUser(db: EntityManager, userId: string): Promise<void> {
    if (db.dataSource.options.type === 'better-sqlite3') return;
    await db.getRepository(UserEntity).createQueryBuilder('u').select('u.id').where('u.id = :userId', { userId }).setLock('pessimistic_write').getOne();
  }

  /**
   * Ids of requests the purge deletes. Login with device: created before `cut.createdBefore` (expired), or
   * answered before `cut.answeredBefore`. Admin approval (as bitwarden/server): unapproved ones created before
   * `cut.adminCreatedBefore`, approved ones approved before `cut.adminApprovedBefore`.
   */
  async findPurgeable(db: EntityManager, cut: PurgeCutoffs, limit: number): Promise<string[]> {
    const at = (date: Date): string => storedTimestamp(date);
    const rows = await db.getRepository(AuthRequestEntity).createQueryBuilder('r')
      .select('r.id', 'id')
      .where(new Brackets((device) => device.where('r.type <> :admin', { admin: ADMIN_APPROVAL }).andWhere(new Brackets((b) => b
        .where('r.creation_date < :createdBefore', { createdBefore: at(cut.createdBefore) })
        .orWhere(new Brackets((answered) => answered.where('r.approved IS NOT NULL').andWhere('r.response_date < :answeredBefore', { answeredBefore: at(cut.answeredBefore) })))))))
      .orWhere(new Brackets((admin) => admin.where('r.type = :admin', { admin: ADMIN_APPROVAL }).andWhere(new Brackets((b) => b
        .where(new Brackets((open) => open.where('(r.approved IS NULL OR r.approved = :no)', { no: false }).andWhere('r.creation_date < :adminCreatedBefore', { adminCreatedBefore: at(cut.adminCreatedBefore) })))
        .orWhere(new Brackets((approved) => approved.where('r.approved = :yes', { yes: true }).andWhere('r.response_date < :adminApprovedBefore', { adminApprovedBefore: at(cut.adminApprovedBefore) })))))))
      .orderBy('r.id', 'ASC')
      .limit(limit)
      .getRawMany<{ id: string }>();
    return rows.map((row) => row.id);
  }

  async deleteByIds(db: EntityManager, ids: string[]): Promise<void> {
    if (ids.length > 0) await db.getRepository(AuthRequestEntity).delete({ id: In(ids) });
  }

  /** The organizations in which `userId` is an accepted or confirmed member (admin-approval requests go to each). */
  async findMemberOrganizationIds(db: EntityManager, userId: string): Promise<string[]> {
    const rows = await db.getRepository(MembershipEntity).createQueryBuilder('m')
      .select('m.organization_id', 'organizationId')
      .where('m.user_id = :userId', { userId })
      .andWhere('m.status IN (:...statuses)', { statuses: [MembershipStatus.Accepted, MembershipStatus.Confirmed] })
      .orderBy('m.organization_id', 'ASC')
      .getRawMany<{ organizationId: string }>();
    return rows.map((row) => row.organizationId);
  }

  /**
   * Unanswered admin-approval requests to `organizationId` created at or after `createdSince`, of users who are
   * (accepted or confirmed) members of it enrolled in account recovery; oldest first.
   */
  findPendingByOrganization(db: EntityManager, organizationId: string, createdSince: Date): Promise<OrganizationAdminRequest[]> {
    return this.organizationRequests(db, organizationId)
      .andWhere('r.approved IS NULL')
      .andWhere('r.creation_date >= :createdSince', { createdSince: storedTimestamp(createdSince) })
      .orderBy('r.creation_date', 'ASC').addOrderBy('r.id', 'ASC')
      .getRawAndEntities()
      .then(withRequester);
  }

  /** The admin-approval requests to `organizationId` among `ids` (any state), of members enrolled in account recovery. */
  async findOrganizationRequestsByIds(db: EntityManager, organizationId: string, ids: string[]): Promise<OrganizationAdminRequest[]> {
    if (ids.length === 0) return [];
    return this.organizationRequests(db, organizationId).andWhere('r.id IN (:...ids)', { ids }).orderBy('r.id', 'ASC').getRawAndEntities().then(withRequester);
  }

  async save(db: EntityManager, request: AuthRequestEntity): Promise<void> {
    await db.getRepository(AuthRequestEntity).save(request);
  }

  private organizationRequests(db: EntityManager, organizationId: string) {
    return db.getRepository(AuthRequestEntity).createQueryBuilder('r')
      .innerJoin(MembershipEntity, 'm', 'm.organization_id = r.organization_id AND m.user_id = r.user_id')
      .innerJoin(UserEntity, 'u', 'u.id = r.user_id')
      .addSelect('m.id', 'requester_member_id')
      .addSelect('u.email', 'requester_email')
      .where('r.organization_id = :organizationId', { organizationId })
      .andWhere('r.type = :admin', { admin: ADMIN_APPROVAL })
      .andWhere('m.status IN (:...statuses)', { statuses: [MembershipStatus.Accepted, MembershipStatus.Confirmed] })
      .andWhere('m.reset_password_key IS NOT NULL');
  }

  private pending(db: EntityManager, userId: string, createdSince: Date) {
    return db.getRepository(AuthRequestEntity).createQueryBuilder('r')
      .where('r.user_id = :userId', { userId })
      .andWhere('r.type <> :admin', { admin: ADMIN_APPROVAL })
      .andWhere('r.approved IS NULL')
      .andWhere('r.creation_date >= :createdSince', { createdSince: storedTimestamp(createdSince) });
  }
}

/** The instants before which the purge deletes (see AuthRequestsRepository.findPurgeable). */
export interface PurgeCutoffs { createdBefore: Date; answeredBefore: Date; adminCreatedBefore: Date; adminApprovedBefore: Date }

/** Pairs each entity with the requester columns of its raw row (one row per request: the joins are to-one). */
function withRequester({ entities, raw }: { entities: AuthRequestEntity[]; raw: Array<Record<string, unknown>> }): OrganizationAdminRequest[] {
  return entities.map((request, i) => {
    const row = raw[i] ?? {};
    return { request, email: String(row.requester_email), memberId: String(row.requester_member_id) };
  });
}
