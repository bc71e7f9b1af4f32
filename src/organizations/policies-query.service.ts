import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { MasterPasswordPolicyOptions, MasterPasswordPolicySource } from '../accounts/master-password-policy';
import { TwoFactorStatus } from '../accounts/two-factor-status';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { MembershipStatus } from '../db/entities/membership.entity';
import { PoliciesRepository, PolicyDetails } from './policies.repository';
import { enforcedAgainst, parsePolicyData, PolicyType } from './policy-types';

/** A membership change a user's policies are checked for (official accept, confirm and restore commands). */
export type JoinAction = 'accept' | 'confirm' | 'restore';

/** The user who would join: id, and email (for invitations not yet linked, and for the messages). */
export interface Joiner { id: string; email: string }

const ACTIVE = [MembershipStatus.Accepted, MembershipStatus.Confirmed] as number[];

/** Official messages by action: [member of another organization, forbidden by another organization]. */
const SINGLE_ORG_MESSAGES: Record<JoinAction, (email: string) => [string, string]> = {
  accept: () => [
    'You cannot accept this invite until you leave all other organization vaults.',
    'You cannot accept this invite because you are a member of another organization vault which forbids it.',
  ],
  confirm: (email) => [
    `${email} cannot be confirmed until they leave all other organization vaults.`,
    `${email} cannot be confirmed because they are a member of another organization which forbids it.`,
  ],
  restore: (email) => [
    `${email} cannot be restored until they leave all other organization vaults.`,
    `${email} cannot be restored because they are a member of another organization which forbids it.`,
  ],
};

const refused = (message: string): VaultError => new VaultError(ErrorCode.MemberChangeRefused, message);

/**
 * Read side of organization policies that other features call to enforce them where the official server does
 * (bitwarden/server PolicyRequirements): which enabled policies bind a user, and the checks for joining an
 * organization, creating one, and saving items to the personal vault.
 */
@Injectable()
export class PoliciesQueryService implements MasterPasswordPolicySource {
  constructor(
    private readonly repo: PoliciesRepository,
    private readonly twoFactor: TwoFactorStatus,
  ) {}

  /**
   * Enabled `type` policies of enabled organizations that bind the user: the user's membership there is not
   * exempt for that type (owners and admins are for most types; invited and revoked members for most).
   * `email`: the user's address, so that invitations not yet accepted count where the type binds them.
   */
  async policiesApplyingTo(db: EntityManager, userId: string, type: PolicyType, email: string | null = null): Promise<PolicyDetails[]> {
    const details = await this.repo.details(db, type, userId, email);
    return details.filter((d) => enforcedAgainst(type, { type: d.membershipType, status: d.membershipStatus }));
  }

  /**
   * The MasterPassword policies (1) binding the user (every role; accepted, confirmed), combined as the official
   * MasterPasswordPolicyRequirement does: the highest minComplexity and minLength, each requireX and
   * enforceOnLogin when any policy has it (false otherwise). Null when none applies or none sets an option.
   */
  async masterPasswordPolicyFor(db: EntityManager, userId: string): Promise<MasterPasswordPolicyOptions | null> {
    const binding = await this.policiesApplyingTo(db, userId, PolicyType.MasterPassword);
    if (binding.length === 0) return null;
    const combined: MasterPasswordPolicyOptions = { requireLower: false, requireUpper: false, requireNumbers: false, requireSpecial: false, enforceOnLogin: false };
    for (const policy of binding) {
      const data = parsePolicyData(policy.data) ?? {};
      for (const key of ['minComplexity', 'minLength'] as const) {
        const value = data[key];
        if (typeof value === 'number' && (combined[key] === undefined || value > combined[key])) combined[key] = value;
      }
      for (const key of ['requireLower', 'requireUpper', 'requireNumbers', 'requireSpecial', 'enforceOnLogin'] as const) {
        if (data[key] === true) combined[key] = true;
      }
    }
    const anyOption = combined.minComplexity !== undefined || combined.minLength !== undefined || combined.requireLower || combined.requireUpper
      || combined.requireNumbers || combined.requireSpecial || combined.enforceOnLogin;
    return anyOption ? combined : null;
  }

  /** POST /api/ciphers and friends: a member bound by policy 5 may not create items in the personal vault. */
  async assertMayCreatePersonalItems(db: EntityManager, userId: string): Promise<void> {
    if ((await this.policiesApplyingTo(db, userId, PolicyType.OrganizationDataOwnership)).length > 0) throw new VaultError(ErrorCode.PersonalOwnershipPolicy);
  }

  /** POST /api/ciphers/import into the personal vault: refused to members bound by policy 5. */
  async assertMayImportPersonalItems(db: EntityManager, userId: string): Promise<void> {
    if ((await this.policiesApplyingTo(db, userId, PolicyType.OrganizationDataOwnership)).length > 0) throw new VaultError(ErrorCode.PersonalImportPolicy);
  }

  /**
   * Saving a Send (create, edit, upload, password removal; deleting is always allowed): refused to accepted or
   * confirmed members bound by Remove Send (6), and with `hideEmail` to those bound by Send options (7) with
   * disableHideEmail.
   */
  async assertMaySaveSend(db: EntityManager, userId: string, hideEmail: boolean): Promise<void> {
    const disabled = await this.policiesApplyingTo(db, userId, PolicyType.DisableSend);
    if (disabled.some((d) => ACTIVE.includes(d.membershipStatus))) throw new VaultError(ErrorCode.SendsDisabledByPolicy);
    if (!hideEmail) return;
    const options = await this.policiesApplyingTo(db, userId, PolicyType.SendOptions);
    if (options.some((d) => ACTIVE.includes(d.membershipStatus) && parsePolicyData(d.data)?.disableHideEmail === true)) throw new VaultError(ErrorCode.SendHideEmailByPolicy);
  }

  /** POST /api/organizations: refused to accepted or confirmed members bound by Single organization. */
  async assertMayCreateOrganization(db: EntityManager, userId: string): Promise<void> {
    const singleOrg = await this.policiesApplyingTo(db, userId, PolicyType.SingleOrg);
    if (singleOrg.some((d) => ACTIVE.includes(d.membershipStatus))) throw new VaultError(ErrorCode.SingleOrgPolicyForbidsCreation);
  }

  /**
   * Whether `user` may accept, be confirmed or be restored into `organizationId` under Single organization and
   * Require two-step login (official AcceptOrgUserCommand, ConfirmOrganizationUserCommand,
   * RestoreOrganizationUserCommand, with their messages). Throws MemberChangeRefused when not.
   */
  async assertMayJoin(db: EntityManager, action: JoinAction, organizationId: string, user: Joiner): Promise<void> {
    const singleOrg = await this.singleOrgRefusal(db, organizationId, user);
    const twoFactorMissing = await this.twoFactorMissing(db, organizationId, user);
    const [memberOfAnother, forbiddenByOther] = SINGLE_ORG_MESSAGES[action](user.email);
    const singleOrgMessage = singleOrg === 'member-of-another' ? memberOfAnother : singleOrg === 'forbidden-by-other' ? forbiddenByOther : null;
    switch (action) {
      case 'accept':
        if (singleOrgMessage) throw refused(singleOrgMessage);
        if (twoFactorMissing) throw refused('You cannot join this organization vault until you enable two-step login on your user account.');
        return;
      case 'confirm':
        if (twoFactorMissing) throw refused('User does not have two-step login enabled.');
        if (singleOrgMessage) throw refused(singleOrgMessage);
        return;
      case 'restore':
        if (singleOrgMessage && twoFactorMissing) throw refused(`${user.email} is not compliant with the single organization membership and two-step login policy.`);
        if (singleOrgMessage) throw refused(singleOrgMessage);
        if (twoFactorMissing) throw refused(`${user.email} is not compliant with the two-step login policy.`);
        return;
    }
  }

  /**
   * Official SingleOrganizationPolicyRequirement.CanJoinOrganization: the target organization has the policy
   * for this member and the user belongs to another organization (any status), or another organization where
   * the user is accepted or confirmed has it.
   */
  private async singleOrgRefusal(db: EntityManager, organizationId: string, user: Joiner): Promise<'member-of-another' | 'forbidden-by-other' | null> {
    const binding = await this.policiesApplyingTo(db, user.id, PolicyType.SingleOrg, user.email);
    if (binding.some((d) => d.organizationId === organizationId)) {
      const memberships = await this.repo.membershipsOfUsers(db, [user.id]);
      if (memberships.some((m) => m.organizationId !== organizationId)) return 'member-of-another';
    }
    if (binding.some((d) => d.organizationId !== organizationId && ACTIVE.includes(d.membershipStatus))) return 'forbidden-by-other';
    return null;
  }

  private async twoFactorMissing(db: EntityManager, organizationId: string, user: Joiner): Promise<boolean> {
    const binding = await this.policiesApplyingTo(db, user.id, PolicyType.TwoFactorAuthentication, user.email);
    if (!binding.some((d) => d.organizationId === organizationId)) return false;
    return !(await this.twoFactor.isEnabled(db, user.id));
  }
}
