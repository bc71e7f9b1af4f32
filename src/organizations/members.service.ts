import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AccountRevisionService } from '../accounts/account-revision.service';
import { AccountsQueryService } from '../accounts/accounts-query.service';
import { TwoFactorStatus } from '../accounts/two-factor-status';
import { AuthContext } from '../common/auth/auth-context';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { ListResponseDto, toListResponse } from '../common/http/list-response';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { CollectionMemberEntity, MembershipEntity } from '../db/entities';
import { MembershipStatus, MembershipType } from '../db/entities/membership.entity';
import { Tx, UnitOfWork } from '../db/unit-of-work';
import { DomainEventMap } from '../event-bus/domain-events';
import { EventBus } from '../event-bus/event-bus.service';
import { OnDomainEvent } from '../event-bus/on-domain-event.decorator';
import { CollectionSelectionDto, MemberBulkConfirmRequestDto, MemberInviteRequestDto, MemberUpdateRequestDto } from './dto/member-request.dto';
import { MemberBulkResponseDto, MemberDetailsResponseDto, MemberMiniDetailsResponseDto, MemberPublicKeyResponseDto } from './dto/member-response.dto';
import { toMemberDetails, toMemberMiniDetails } from './dto/member-response.mapper';
import { permissionsOf } from './dto/organization-response.mapper';
import { GroupsService } from './groups.service';
import { InvitationsService } from './invitations.service';
import { MembersRepository } from './members.repository';
import { OrganizationsQueryService } from './organizations-query.service';
import { OrganizationsRepository } from './organizations.repository';
import { JoinAction, PoliciesQueryService } from './policies-query.service';

type KeysReason = DomainEventMap['OrganizationKeysChanged']['reason'];

const refused = (message: string): VaultError => new VaultError(ErrorCode.MemberChangeRefused, message);

/** Owners, admins and custom users with manageUsers manage members (docs/organizations-plan.md §2). */
function managesUsers(membership: MembershipEntity): boolean {
  return membership.type === MembershipType.Owner || membership.type === MembershipType.Admin
    || (membership.type === MembershipType.Custom && permissionsOf(membership.permissions).manageUsers);
}

/** Stored permissions JSON for a custom member (only the known keys, only for type 4). */
function storedPermissions(type: number, permissions: Record<string, unknown> | null | undefined): string | null {
  if (type !== MembershipType.Custom || !permissions) return null;
  return JSON.stringify(permissionsOf(JSON.stringify(permissions)));
}

/** A member's direct collection access as comparable text (did an edit change it?). */
const accessKey = (rows: CollectionMemberEntity[]): string => rows.map((r) => `${r.collectionId}:${r.readOnly}:${r.hidePasswords}:${r.manage}`).sort().join(',');

/** The status a restored member returns to (official rule: from what the row holds). */
function restoredStatus(membership: MembershipEntity): number {
  if (membership.userId === null) return MembershipStatus.Invited;
  return membership.orgKey === null ? MembershipStatus.Accepted : MembershipStatus.Confirmed;
}

/**
 * Organization members: invite, confirm, edit, remove, revoke, restore, and the member lists. There is no mail
 * yet: an invitation to an existing account is accepted at once (as Vaultwarden does without SMTP), and an
 * invitation to an unknown email is accepted when that account is registered. Every change to who holds the
 * organization key sends SyncOrgKeys (6) to the member concerned (notifications.md §8.6).
 */
@Injectable()
export class MembersService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly uow: UnitOfWork,
    private readonly members: MembersRepository,
    private readonly organizations: OrganizationsRepository,
    private readonly query: OrganizationsQueryService,
    private readonly accounts: AccountsQueryService,
    private readonly accountRevision: AccountRevisionService,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly invitations: InvitationsService,
    private readonly groups: GroupsService,
    private readonly policies: PoliciesQueryService,
    private readonly twoFactor: TwoFactorStatus,
  ) {}

  list(auth: AuthContext, orgId: string, includeCollections: boolean, includeGroups = false): Promise<ListResponseDto<MemberDetailsResponseDto>> {
    return this.uow.read(async (db) => {
      await this.requireManager(db, auth, orgId);
      const rows = await this.members.listMembers(db, orgId);
      const access = includeCollections ? await this.members.accessOf(db, rows.map((r) => r.membership.id)) : [];
      const groups = includeGroups && this.config.orgGroupsEnabled ? await this.groups.groupIdsOfMembers(db, rows.map((r) => r.membership.id)) : new Map<string, string[]>();
      const withTwoFactor = await this.twoFactor.enabledAmong(db, rows.flatMap((r) => (r.membership.userId ? [r.membership.userId] : [])));
      return toListResponse(rows.map((row) => toMemberDetails(row, access.filter((a) => a.membershipId === row.membership.id), 'organizationUserUserDetails',
        groups.get(row.membership.id) ?? [], row.membership.userId !== null && withTwoFactor.has(row.membership.userId))));
    });
  }

  miniDetails(auth: AuthContext, orgId: string): Promise<ListResponseDto<MemberMiniDetailsResponseDto>> {
    return this.uow.read(async (db) => {
      await this.requireConfirmed(db, auth, orgId);
      return toListResponse((await this.members.listMembers(db, orgId)).map(toMemberMiniDetails));
    });
  }

  get(auth: AuthContext, orgId: string, memberId: string, includeGroups = false): Promise<MemberDetailsResponseDto> {
    return this.uow.read(async (db) => {
      await this.requireManager(db, auth, orgId);
      const [row] = await this.members.findMembers(db, orgId, [memberId]);
      if (!row) throw new VaultError(ErrorCode.NotFound);
      const groups = includeGroups && this.config.orgGroupsEnabled ? (await this.groups.groupIdsOfMembers(db, [memberId])).get(memberId) ?? [] : [];
      const twoFactorEnabled = row.membership.userId !== null && (await this.twoFactor.enabledAmong(db, [row.membership.userId])).size > 0;
      return toMemberDetails(row, await this.members.accessOf(db, [memberId]), 'organizationUserDetails', groups, twoFactorEnabled);
    });
  }

  /** Invites each email: existing accounts join as accepted, unknown emails wait for their registration. */
  invite(auth: AuthContext, orgId: string, dto: MemberInviteRequestDto): Promise<void> {
    if (!this.config.invitationsAllowed) throw new VaultError(ErrorCode.InvitationsNotAllowed);
    return this.uow.run(async (tx) => {
      const actor = await this.requireManager(tx.manager, auth, orgId);
      this.checkMayAssign(actor, dto.type);
      const now = this.clock.now();
      for (const raw of [...new Set(dto.emails.map((e) => e.trim().toLowerCase()))]) {
        const user = await this.accounts.findByEmail(tx.manager, raw);
        if (await this.members.findByUserOrEmail(tx.manager, orgId, user?.id ?? null, raw)) throw refused(`User already invited: ${raw}`);
        const membership = Object.assign(new MembershipEntity(), {
          id: randomUUID(), organizationId: orgId, userId: null, email: raw, orgKey: null, resetPasswordKey: null,
          status: MembershipStatus.Invited, type: dto.type, permissions: storedPermissions(dto.type, dto.permissions),
          externalId: null, invitedByUserId: auth.userId, creationDate: now, revisionDate: now,
        });
        await this.members.insert(tx.manager, membership);
        await this.members.setAccess(tx.manager, membership.id, await this.accessRows(tx.manager, orgId, membership.id, dto.collections ?? []));
        if (this.config.orgGroupsEnabled && dto.groups?.length) await this.groups.replaceGroupsOfMember(tx.manager, orgId, membership.id, dto.groups);
        // Without mail an existing account joins as accepted at once, when the policies let it accept (else the
        // invitation waits, as with mail every invitation waits for its token).
        const joined = user !== null && !this.invitations.byMail && await this.invitations.acceptIfAllowed(tx, membership, user);
        if (!joined) await this.invitations.send(tx, membership, user !== null);
      }
    });
  }

  /** Sends the invitation again (a fresh token). Without mail there is nothing to send: the member must exist. */
  reinvite(auth: AuthContext, orgId: string, memberId: string): Promise<void> {
    return this.uow.run(async (tx) => {
      await this.requireManager(tx.manager, auth, orgId);
      await this.reinviteOne(tx, orgId, memberId);
    });
  }

  bulkReinvite(auth: AuthContext, orgId: string, ids: string[]): Promise<ListResponseDto<MemberBulkResponseDto>> {
    return this.bulk(auth, orgId, ids, (tx, _actor, memberId) => this.reinviteOne(tx, orgId, memberId));
  }

  publicKeys(auth: AuthContext, orgId: string, ids: string[]): Promise<ListResponseDto<MemberPublicKeyResponseDto>> {
    return this.uow.read(async (db) => {
      await this.requireManager(db, auth, orgId);
      const rows = await this.members.findMembers(db, orgId, ids);
      return toListResponse(rows.filter((r) => r.user).map((r) => ({ id: r.membership.id, userId: r.user!.id, key: r.user!.publicKey, object: 'organizationUserPublicKeyResponseModel' as const })));
    });
  }

  confirm(auth: AuthContext, orgId: string, memberId: string, key: string): Promise<void> {
    return this.uow.run(async (tx) => {
      const actor = await this.requireManager(tx.manager, auth, orgId);
      await this.confirmOne(tx, auth, actor, orgId, memberId, key);
    });
  }

  async bulkConfirm(auth: AuthContext, orgId: string, dto: MemberBulkConfirmRequestDto): Promise<ListResponseDto<MemberBulkResponseDto>> {
    return this.bulk(auth, orgId, dto.keys.map((k) => k.id), (tx, actor, memberId) => this.confirmOne(tx, auth, actor, orgId, memberId, dto.keys.find((k) => k.id === memberId)!.key));
  }

  update(auth: AuthContext, orgId: string, memberId: string, dto: MemberUpdateRequestDto): Promise<void> {
    return this.uow.run(async (tx) => {
      const actor = await this.requireManager(tx.manager, auth, orgId);
      const target = await this.requireTarget(tx.manager, actor, orgId, memberId);
      this.checkMayAssign(actor, dto.type);
      if (target.type === MembershipType.Owner && dto.type !== MembershipType.Owner) await this.checkNotLastOwner(tx.manager, orgId, target);
      target.type = dto.type;
      target.permissions = storedPermissions(dto.type, dto.permissions);
      target.revisionDate = this.clock.now();
      await this.members.save(tx.manager, target);
      let accessChanged = false;
      if (dto.collections) {
        const rows = await this.accessRows(tx.manager, orgId, target.id, dto.collections);
        accessChanged = accessKey(rows) !== accessKey(await this.members.accessOf(tx.manager, [target.id]));
        await this.members.setAccess(tx.manager, target.id, rows);
      }
      // Groups: null leaves them unchanged; ignored while groups are off.
      if (dto.groups && this.config.orgGroupsEnabled) accessChanged = (await this.groups.replaceGroupsOfMember(tx.manager, orgId, target.id, dto.groups)) || accessChanged;
      if (target.userId && target.status === MembershipStatus.Confirmed) {
        await this.accountRevision.bump(tx, [target.userId], target.revisionDate);
        // What the member sees changed: SyncCiphers (4), as for collection access changes.
        if (accessChanged) await this.bus.emit(tx, 'CollectionAccessChanged', { organizationId: orgId, collectionId: null, userIds: [target.userId], actor: auth.actor });
      }
    });
  }

  remove(auth: AuthContext, orgId: string, memberId: string): Promise<void> {
    return this.uow.run(async (tx) => {
      const actor = await this.requireManager(tx.manager, auth, orgId);
      await this.removeOne(tx, auth, actor, orgId, memberId);
    });
  }

  bulkRemove(auth: AuthContext, orgId: string, ids: string[]): Promise<ListResponseDto<MemberBulkResponseDto>> {
    return this.bulk(auth, orgId, ids, (tx, actor, memberId) => this.removeOne(tx, auth, actor, orgId, memberId));
  }

  revoke(auth: AuthContext, orgId: string, memberId: string): Promise<void> {
    return this.uow.run(async (tx) => {
      const actor = await this.requireManager(tx.manager, auth, orgId);
      await this.revokeOne(tx, auth, actor, orgId, memberId);
    });
  }

  bulkRevoke(auth: AuthContext, orgId: string, ids: string[]): Promise<ListResponseDto<MemberBulkResponseDto>> {
    return this.bulk(auth, orgId, ids, (tx, actor, memberId) => this.revokeOne(tx, auth, actor, orgId, memberId));
  }

  restore(auth: AuthContext, orgId: string, memberId: string): Promise<void> {
    return this.uow.run(async (tx) => {
      const actor = await this.requireManager(tx.manager, auth, orgId);
      await this.restoreOne(tx, auth, actor, orgId, memberId);
    });
  }

  bulkRestore(auth: AuthContext, orgId: string, ids: string[]): Promise<ListResponseDto<MemberBulkResponseDto>> {
    return this.bulk(auth, orgId, ids, (tx, actor, memberId) => this.restoreOne(tx, auth, actor, orgId, memberId));
  }

  /**
   * A new account takes up the invitations waiting for its email, as accepted members, where Single organization
   * and Require two-step login let it accept (official AcceptOrgUserCommand checks them on the accept that follows
   * the registration); an invitation they refuse stays Invited, to be accepted with its token once compliant.
   */
  @OnDomainEvent('UserRegistered', { phase: 'inTransaction' })
  async onUserRegistered(event: DomainEventMap['UserRegistered'], tx: Tx): Promise<void> {
    for (const membership of await this.members.pendingInvitations(tx.manager, event.email)) {
      // With mail, an invitation is taken up with its token: the one the registration carried (checked by accounts).
      if (this.invitations.byMail && membership.id !== event.inviteMemberId) continue;
      await this.invitations.acceptIfAllowed(tx, membership, { id: event.userId, email: event.email });
    }
  }

  private async reinviteOne(tx: Tx, orgId: string, memberId: string): Promise<void> {
    const target = await this.members.findMembership(tx.manager, orgId, memberId);
    if (!target) throw new VaultError(ErrorCode.NotFound);
    const invited = target.status === MembershipStatus.Invited && target.userId === null && target.email !== null;
    if (!this.invitations.byMail) {
      if (invited) await this.invitations.send(tx, target, false);
      return;
    }
    if (!invited) throw refused('User invalid.');
    await this.invitations.send(tx, target, (await this.accounts.findByEmail(tx.manager, target.email!)) !== null);
  }

  private async confirmOne(tx: Tx, auth: AuthContext, actor: MembershipEntity, orgId: string, memberId: string, key: string): Promise<void> {
    const target = await this.requireTarget(tx.manager, actor, orgId, memberId);
    if (target.status !== MembershipStatus.Accepted || target.userId === null) throw refused('User invalid.');
    await this.checkPolicies(tx.manager, 'confirm', orgId, target.userId);
    target.orgKey = key;
    target.status = MembershipStatus.Confirmed;
    target.revisionDate = this.clock.now();
    await this.members.save(tx.manager, target);
    await this.keysChanged(tx, orgId, target.userId, 'confirmed', auth);
  }

  private async removeOne(tx: Tx, auth: AuthContext, actor: MembershipEntity, orgId: string, memberId: string): Promise<void> {
    const target = await this.requireTarget(tx.manager, actor, orgId, memberId);
    if (target.id === actor.id) throw refused('You cannot remove yourself.');
    await this.checkNotLastOwner(tx.manager, orgId, target);
    // Told before the row goes (the event carries the user id; delivery follows the commit).
    if (target.userId) await this.keysChanged(tx, orgId, target.userId, 'removed', auth);
    await this.members.delete(tx.manager, target.id);
  }

  private async revokeOne(tx: Tx, auth: AuthContext, actor: MembershipEntity, orgId: string, memberId: string): Promise<void> {
    const target = await this.requireTarget(tx.manager, actor, orgId, memberId);
    if (target.id === actor.id) throw refused('You cannot revoke yourself.');
    if (target.status === MembershipStatus.Revoked) throw refused('User is already revoked.');
    await this.checkNotLastOwner(tx.manager, orgId, target);
    target.status = MembershipStatus.Revoked;
    target.revisionDate = this.clock.now();
    await this.members.save(tx.manager, target);
    if (target.userId) await this.keysChanged(tx, orgId, target.userId, 'revoked', auth);
  }

  private async restoreOne(tx: Tx, auth: AuthContext, actor: MembershipEntity, orgId: string, memberId: string): Promise<void> {
    const target = await this.requireTarget(tx.manager, actor, orgId, memberId);
    if (target.id === actor.id) throw refused('You cannot restore yourself.');
    if (target.status !== MembershipStatus.Revoked) throw refused('User is not revoked.');
    // An invitation not yet accepted meets the policies when it is accepted.
    if (target.userId) await this.checkPolicies(tx.manager, 'restore', orgId, target.userId);
    target.status = restoredStatus(target);
    target.revisionDate = this.clock.now();
    await this.members.save(tx.manager, target);
    if (target.userId) await this.keysChanged(tx, orgId, target.userId, 'restored', auth);
  }

  /** Single organization and Require two-step login may refuse the user this membership (PoliciesQueryService). */
  private async checkPolicies(db: EntityManager, action: JoinAction, orgId: string, userId: string): Promise<void> {
    const user = await this.accounts.requireUser(db, userId);
    await this.policies.assertMayJoin(db, action, orgId, { id: user.id, email: user.email });
  }

  /** Runs `one` for each id in its own transaction; each entry says whether it worked. */
  private async bulk(auth: AuthContext, orgId: string, ids: string[], one: (tx: Tx, actor: MembershipEntity, memberId: string) => Promise<void>): Promise<ListResponseDto<MemberBulkResponseDto>> {
    await this.uow.read((db) => this.requireManager(db, auth, orgId));
    const results: MemberBulkResponseDto[] = [];
    for (const memberId of [...new Set(ids)]) {
      try {
        await this.uow.run(async (tx) => one(tx, await this.requireManager(tx.manager, auth, orgId), memberId));
        results.push({ id: memberId, error: '', object: 'OrganizationBulkConfirmResponseModel' });
      } catch (error) {
        if (!(error instanceof VaultError) || error.status >= 500) throw error;
        results.push({ id: memberId, error: error.message, object: 'OrganizationBulkConfirmResponseModel' });
      }
    }
    return toListResponse(results);
  }

  private async accessRows(db: EntityManager, orgId: string, membershipId: string, selections: CollectionSelectionDto[]): Promise<CollectionMemberEntity[]> {
    const known = await this.members.collectionIdsOf(db, orgId, selections.map((s) => s.id));
    const unique = new Map(selections.map((s) => [s.id, s]));
    for (const id of unique.keys()) if (!known.has(id)) throw refused('Collection not found.');
    return [...unique.values()].map((s) => {
      if (s.manage && (s.readOnly || s.hidePasswords)) throw refused('The Manage property is mutually exclusive and cannot be true while the ReadOnly or HidePasswords properties are also true.');
      return Object.assign(new CollectionMemberEntity(), { collectionId: s.id, membershipId, readOnly: s.readOnly ?? false, hidePasswords: s.hidePasswords ?? false, manage: s.manage ?? false });
    });
  }

  /** Owners alone give or change the owner role; custom users cannot touch admins or owners. */
  private checkMayAssign(actor: MembershipEntity, type: number): void {
    if (type === MembershipType.Owner && actor.type !== MembershipType.Owner) throw refused('Only an Owner can configure another Owner\'s account.');
    if (actor.type === MembershipType.Custom && (type === MembershipType.Owner || type === MembershipType.Admin)) throw refused('Custom users can not manage Admins or Owners.');
  }

  private async requireTarget(db: EntityManager, actor: MembershipEntity, orgId: string, memberId: string): Promise<MembershipEntity> {
    const target = await this.members.findMembership(db, orgId, memberId);
    if (!target) throw new VaultError(ErrorCode.NotFound);
    if (target.type === MembershipType.Owner && actor.type !== MembershipType.Owner) throw refused('Only an Owner can configure another Owner\'s account.');
    if (actor.type === MembershipType.Custom && target.type === MembershipType.Admin) throw refused('Custom users can not manage Admins or Owners.');
    return target;
  }

  private async checkNotLastOwner(db: EntityManager, orgId: string, target: MembershipEntity): Promise<void> {
    if (target.type !== MembershipType.Owner || target.status !== MembershipStatus.Confirmed) return;
    if ((await this.organizations.countConfirmedOwners(db, orgId)) <= 1) throw new VaultError(ErrorCode.LastOwner);
  }

  private async requireConfirmed(db: EntityManager, auth: AuthContext, orgId: string): Promise<MembershipEntity> {
    return (await this.query.requireConfirmedMember(db, orgId, auth.userId)).membership;
  }

  private async requireManager(db: EntityManager, auth: AuthContext, orgId: string): Promise<MembershipEntity> {
    const membership = await this.requireConfirmed(db, auth, orgId);
    if (!managesUsers(membership)) throw new VaultError(ErrorCode.OrganizationNotFound);
    return membership;
  }

  private async keysChanged(tx: Tx, organizationId: string, userId: string, reason: KeysReason, auth: AuthContext): Promise<void> {
    await this.accountRevision.bump(tx, [userId], this.clock.now());
    await this.bus.emit(tx, 'OrganizationKeysChanged', { organizationId, userIds: [userId], reason, actor: auth.actor });
  }
}
