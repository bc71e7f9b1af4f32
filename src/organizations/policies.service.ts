import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AccountRevisionService } from '../accounts/account-revision.service';
import { TwoFactorStatus } from '../accounts/two-factor-status';
import { AuthContext } from '../common/auth/auth-context';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { ListResponseDto, toListResponse } from '../common/http/list-response';
import { Clock } from '../common/time/clock';
import { MembershipEntity, PolicyEntity } from '../db/entities';
import { MembershipStatus, MembershipType } from '../db/entities/membership.entity';
import { Tx, UnitOfWork } from '../db/unit-of-work';
import { EventBus } from '../event-bus/event-bus.service';
import { PolicyResponseDto } from './dto/organization-response.dto';
import { permissionsOf, toPolicyResponse } from './dto/organization-response.mapper';
import { PolicySaveRequestDto, PolicyStatusResponseDto, PolicyTokenQueryDto } from './dto/policy.dto';
import { InviteTokenVerifier } from './invite-token-verifier';
import { MembersRepository } from './members.repository';
import { OrganizationsQueryService } from './organizations-query.service';
import { OrganizationsRepository } from './organizations.repository';
import { PoliciesRepository } from './policies.repository';
import {
  dependencyViolation, fillAssistViolation, isPolicyType, parsePolicyData, PolicyDataError, PolicyType, serializePolicyData,
} from './policy-types';

const refused = (message: string): VaultError => new VaultError(ErrorCode.PolicyChangeRefused, message);

/** Owners, admins and custom users with managePolicies manage policies (official ManagePoliciesRequirement). */
function managesPolicies(membership: MembershipEntity): boolean {
  return membership.type === MembershipType.Owner || membership.type === MembershipType.Admin
    || (membership.type === MembershipType.Custom && permissionsOf(membership.permissions).managePolicies);
}

/** The Admin Console's view of a policy: defaults (off, no data) for a type never saved. */
function toPolicyStatus(organizationId: string, type: number, policy: PolicyEntity | null): PolicyStatusResponseDto {
  return { organizationId, type, data: parsePolicyData(policy?.data ?? null) ?? {}, enabled: policy?.enabled ?? false, canToggleState: true, object: 'policy' };
}

/** A route's `{type}`: a known PolicyType number, else the model-binding 400 of the official server. */
function policyType(raw: string): PolicyType {
  const value = /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
  if (!isPolicyType(value)) throw new VaultError(ErrorCode.ValidationFailed, undefined, { validationErrors: { type: [`The value '${raw}' is not valid.`] } });
  return value;
}

/** The `{enabled, data}` of either request shape (docs: PolicySaveRequestDto). */
function policyPart(dto: PolicySaveRequestDto): { enabled: boolean; data: Record<string, unknown> | null } {
  if (dto.policy) return { enabled: dto.policy.enabled, data: dto.policy.data ?? null };
  if (dto.enabled === undefined) throw new VaultError(ErrorCode.ValidationFailed, undefined, { validationErrors: { policy: ['The Policy field is required.'] } });
  return { enabled: dto.enabled, data: dto.data ?? null };
}

/**
 * Organization policies: the Admin Console's reads and saves (bitwarden/server PoliciesController and
 * SavePolicyCommand), the invited user's view by invitation token, and the master password policy of a member.
 * A save checks the data against the type's model and the dependency rules; turning Single organization or
 * Require two-step login on revokes the members who do not comply (SyncOrgKeys, 6, to each). Members pick the
 * policies up from their next sync: every save moves the account revision date of the organization's members
 * (official Policy_Update). The official PolicyChanged push (25) is not sent: notifications.md §8.6.
 */
@Injectable()
export class PoliciesService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly repo: PoliciesRepository,
    private readonly organizations: OrganizationsRepository,
    private readonly members: MembersRepository,
    private readonly orgQuery: OrganizationsQueryService,
    private readonly twoFactor: TwoFactorStatus,
    private readonly inviteTokens: InviteTokenVerifier,
    private readonly accountRevision: AccountRevisionService,
    private readonly bus: EventBus,
    private readonly clock: Clock,
  ) {}

  /** GET /api/organizations/{id}/policies: every saved policy, for policy managers. */
  list(auth: AuthContext, orgId: string): Promise<ListResponseDto<PolicyStatusResponseDto>> {
    return this.uow.read(async (db) => {
      await this.requireManager(db, auth, orgId);
      return toListResponse((await this.repo.listByOrganization(db, orgId)).map((p) => toPolicyStatus(orgId, p.type, p)));
    });
  }

  /** GET /api/organizations/{id}/policies/{type}: the saved policy, or its defaults. */
  get(auth: AuthContext, orgId: string, rawType: string): Promise<PolicyStatusResponseDto> {
    return this.uow.read(async (db) => {
      await this.requireManager(db, auth, orgId);
      const type = policyType(rawType);
      return toPolicyStatus(orgId, type, await this.repo.findByType(db, orgId, type));
    });
  }

  /** PUT /api/organizations/{id}/policies/{type} (and …/vnext). */
  save(auth: AuthContext, orgId: string, rawType: string, dto: PolicySaveRequestDto): Promise<PolicyResponseDto> {
    return this.uow.run(async (tx) => {
      await this.requireManager(tx.manager, auth, orgId);
      const type = policyType(rawType);
      const request = policyPart(dto);
      let data: string | null;
      try {
        data = serializePolicyData(type, request.data);
      } catch (error) {
        if (error instanceof PolicyDataError) throw refused(error.message);
        throw error;
      }
      const saved = await this.repo.listByOrganization(tx.manager, orgId);
      const current = saved.find((p) => p.type === type) ?? null;
      const violation = dependencyViolation(type, request.enabled, new Set(saved.filter((p) => p.enabled).map((p) => p.type)));
      if (violation) throw refused(violation);
      const turningOn = request.enabled && !current?.enabled;
      await this.validate(tx.manager, orgId, type, request.enabled, turningOn, parsePolicyData(data));

      const revoked = turningOn ? await this.revokeNonCompliant(tx, orgId, type, auth) : [];
      const now = this.clock.now();
      let policy = current ?? Object.assign(new PolicyEntity(), { id: randomUUID(), organizationId: orgId, type, creationDate: now });
      policy.enabled = request.enabled;
      policy.data = data;
      policy.revisionDate = now;
      // A first save may race another first save of the type: insert-or-update, never a unique violation (500).
      if (current) await this.repo.save(tx.manager, policy);
      else policy = await this.repo.upsert(tx.manager, policy);

      await this.accountRevision.bump(tx, [...(await this.organizations.confirmedUserIds(tx.manager, orgId)), ...revoked], now);
      if (revoked.length > 0) await this.bus.emit(tx, 'OrganizationKeysChanged', { organizationId: orgId, userIds: revoked, reason: 'revoked', actor: auth.actor });
      return toPolicyResponse(policy);
    });
  }

  /**
   * GET /api/organizations/{id}/policies/token (anonymous): the enabled policies an invited user must meet,
   * for a valid invitation token to a membership of this organization; 404 otherwise, as the official server.
   */
  byToken(orgId: string, query: PolicyTokenQueryDto): Promise<ListResponseDto<PolicyResponseDto>> {
    return this.uow.read(async (db) => {
      if (!(await this.organizations.findOrganization(db, orgId))) throw new VaultError(ErrorCode.NotFound);
      const valid = await this.inviteTokens.isValid(query.token, { organizationUserId: query.organizationUserId, email: query.email });
      if (!valid) throw new VaultError(ErrorCode.NotFound);
      if (!(await this.members.findMembership(db, orgId, query.organizationUserId))) throw new VaultError(ErrorCode.NotFound);
      return toListResponse((await this.repo.listByOrganization(db, orgId)).filter((p) => p.enabled).map(toPolicyResponse));
    });
  }

  /** GET /api/organizations/{id}/policies/master-password: for any member linked to the caller; 404 unless the policy is on. */
  masterPassword(auth: AuthContext, orgId: string): Promise<PolicyResponseDto> {
    return this.uow.read(async (db) => {
      if (!(await this.organizations.findMembership(db, orgId, auth.userId))) throw new VaultError(ErrorCode.NotFound);
      const policy = await this.repo.findByType(db, orgId, PolicyType.MasterPassword);
      if (!policy?.enabled) throw new VaultError(ErrorCode.NotFound);
      return toPolicyResponse(policy);
    });
  }

  /** Per-type checks of the official policy validators that apply to this server (no SSO, claimed domains or providers). */
  private async validate(db: EntityManager, orgId: string, type: PolicyType, enabled: boolean, turningOn: boolean, data: Record<string, unknown> | null): Promise<void> {
    if (type === PolicyType.FillAssist && enabled) {
      const violation = fillAssistViolation(data);
      if (violation) throw refused(violation);
    }
    // Turning it on needs a claimed domain; this server has no organization domains.
    if (type === PolicyType.BlockClaimedDomainAccountCreation && enabled) throw refused('You must claim at least one domain to turn on this policy');
    if (type === PolicyType.AutomaticUserConfirmation && turningOn) {
      const linked = await this.repo.membershipsInStatus(db, orgId, [MembershipStatus.Accepted, MembershipStatus.Confirmed, MembershipStatus.Revoked]);
      if ((await this.otherActiveMemberships(db, orgId, linked)).size > 0) {
        throw refused('All members must be compliant with the single organization membership policy before you can enable the automatically confirm invited users policy. Remove members who belong to multiple organization vaults.');
      }
    }
  }

  /**
   * Turning Single organization or Require two-step login on revokes the accepted and confirmed members it
   * binds (not owners, admins or the caller) who do not comply: members of another organization, or without
   * two-step login. Returns their user ids.
   */
  private async revokeNonCompliant(tx: Tx, orgId: string, type: PolicyType, auth: AuthContext): Promise<string[]> {
    if (type !== PolicyType.SingleOrg && type !== PolicyType.TwoFactorAuthentication) return [];
    const candidates = (await this.repo.membershipsInStatus(tx.manager, orgId, [MembershipStatus.Accepted, MembershipStatus.Confirmed]))
      .filter((m) => m.type !== MembershipType.Owner && m.type !== MembershipType.Admin && m.userId !== auth.userId);
    if (candidates.length === 0) return [];
    let nonCompliant: MembershipEntity[];
    if (type === PolicyType.SingleOrg) {
      const elsewhere = await this.otherActiveMemberships(tx.manager, orgId, candidates);
      nonCompliant = candidates.filter((m) => elsewhere.has(m.userId!));
    } else {
      const withTwoFactor = await this.twoFactor.enabledAmong(tx.manager, candidates.map((m) => m.userId!));
      nonCompliant = candidates.filter((m) => !withTwoFactor.has(m.userId!));
    }
    await this.repo.revoke(tx.manager, nonCompliant.map((m) => m.id), this.clock.now());
    return nonCompliant.map((m) => m.userId!);
  }

  /** The users among these memberships' who are accepted, confirmed or revoked in another organization. */
  private async otherActiveMemberships(db: EntityManager, orgId: string, memberships: MembershipEntity[]): Promise<Set<string>> {
    const userIds = memberships.map((m) => m.userId).filter((id): id is string => id !== null);
    const others = await this.repo.membershipsOfUsers(db, userIds);
    const counted = [MembershipStatus.Accepted, MembershipStatus.Confirmed, MembershipStatus.Revoked] as number[];
    return new Set(others.filter((o) => o.organizationId !== orgId && counted.includes(o.status)).map((o) => o.userId!));
  }

  private async requireManager(db: EntityManager, auth: AuthContext, orgId: string): Promise<MembershipEntity> {
    const { membership } = await this.orgQuery.requireConfirmedMember(db, orgId, auth.userId);
    if (!managesPolicies(membership)) throw new VaultError(ErrorCode.OrganizationNotFound);
    return membership;
  }
}
