import { Injectable } from '@nestjs/common';
import { AccountRevisionService } from '../accounts/account-revision.service';
import { AccountsQueryService } from '../accounts/accounts-query.service';
import { verifyMasterPasswordHash } from '../accounts/password-hasher';
import { AuthContext } from '../common/auth/auth-context';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { Clock } from '../common/time/clock';
import { MembershipEntity } from '../db/entities';
import { MembershipType } from '../db/entities/membership.entity';
import { UnitOfWork } from '../db/unit-of-work';
import { permissionsOf } from './dto/organization-response.mapper';
import { ResetPasswordDetailsResponseDto, ResetPasswordEnrollmentRequestDto } from './dto/policy.dto';
import { MembersRepository } from './members.repository';
import { OrganizationsQueryService } from './organizations-query.service';
import { OrganizationsRepository } from './organizations.repository';
import { PoliciesRepository } from './policies.repository';
import { parsePolicyData, PolicyType } from './policy-types';

const refused = (message: string): VaultError => new VaultError(ErrorCode.MemberChangeRefused, message);

/** The official RecoverAccountAuthorizationHandler: only someone of equal or higher role recovers a member's account. */
function mayRecover(actor: MembershipEntity, target: MembershipEntity): boolean {
  switch (target.type) {
    case MembershipType.Owner: return actor.type === MembershipType.Owner;
    case MembershipType.Admin: return actor.type === MembershipType.Owner || actor.type === MembershipType.Admin;
    default: return actor.type === MembershipType.Owner || actor.type === MembershipType.Admin
      || (actor.type === MembershipType.Custom && permissionsOf(actor.permissions).manageResetPassword);
  }
}

/**
 * Account recovery (policy 8, "ResetPassword"): a member enrolls by handing the organization their user key
 * wrapped to its public key, and withdraws with a null key (refused while the policy enrolls automatically);
 * admins read what they need to recover an account. The recovery itself is not built yet.
 */
@Injectable()
export class AccountRecoveryService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly members: MembersRepository,
    private readonly organizations: OrganizationsRepository,
    private readonly policies: PoliciesRepository,
    private readonly orgQuery: OrganizationsQueryService,
    private readonly accounts: AccountsQueryService,
    private readonly accountRevision: AccountRevisionService,
    private readonly clock: Clock,
  ) {}

  /** PUT /api/organizations/{id}/users/{userId}/reset-password-enrollment: `userId` must be the caller. */
  async enroll(auth: AuthContext, orgId: string, userId: string, dto: ResetPasswordEnrollmentRequestDto): Promise<void> {
    const key = dto.resetPasswordKey?.trim() ? dto.resetPasswordKey : null;
    if (key !== null) {
      const user = await this.uow.read((db) => this.accounts.requireUser(db, auth.userId));
      if (!(await verifyMasterPasswordHash(user, dto.masterPasswordHash ?? '', { priority: true }))) throw refused('Incorrect password');
    }
    await this.uow.run(async (tx) => {
      const membership = await this.organizations.findMembership(tx.manager, orgId, userId);
      if (!membership || membership.userId !== auth.userId) throw refused('User not valid.');
      const policy = await this.policies.findByType(tx.manager, orgId, PolicyType.ResetPassword);
      if (!policy?.enabled) throw refused('Organization does not have the password reset policy enabled.');
      const data = parsePolicyData(policy.data);
      const autoEnroll = Object.entries(data ?? {}).some(([name, value]) => name.toLowerCase() === 'autoenrollenabled' && value === true);
      if (key === null && autoEnroll) throw refused('Due to an Enterprise policy, you are not allowed to withdraw from account recovery.');
      membership.resetPasswordKey = key;
      membership.revisionDate = this.clock.now();
      await this.members.save(tx.manager, membership);
      await this.accountRevision.bump(tx, [auth.userId], membership.revisionDate);
    });
  }

  /** GET /api/organizations/{id}/users/{memberId}/reset-password-details: for members who may recover that account. */
  details(auth: AuthContext, orgId: string, memberId: string): Promise<ResetPasswordDetailsResponseDto> {
    return this.uow.read(async (db) => {
      const { organization, membership: actor } = await this.orgQuery.requireConfirmedMember(db, orgId, auth.userId);
      const managesRecovery = actor.type === MembershipType.Owner || actor.type === MembershipType.Admin
        || (actor.type === MembershipType.Custom && permissionsOf(actor.permissions).manageResetPassword);
      if (!managesRecovery) throw new VaultError(ErrorCode.OrganizationNotFound);
      const target = await this.members.findMembership(db, orgId, memberId);
      if (!target?.userId || !mayRecover(actor, target)) throw new VaultError(ErrorCode.NotFound);
      const user = await this.accounts.findById(db, target.userId);
      if (!user) throw new VaultError(ErrorCode.NotFound);
      return {
        organizationUserId: target.id, kdf: user.kdfType, kdfIterations: user.kdfIterations, kdfMemory: user.kdfMemory, kdfParallelism: user.kdfParallelism,
        masterPasswordSalt: user.email.trim().toLowerCase(), resetPasswordKey: target.resetPasswordKey, encryptedPrivateKey: organization.privateKey,
        object: 'organizationUserResetPasswordDetails',
      };
    });
  }
}
