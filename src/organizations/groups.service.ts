import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AccountRevisionService } from '../accounts/account-revision.service';
import { AuthContext } from '../common/auth/auth-context';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { ListResponseDto, toListResponse } from '../common/http/list-response';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { CollectionGroupEntity, GroupEntity, MembershipEntity } from '../db/entities';
import { MembershipType } from '../db/entities/membership.entity';
import { Tx, UnitOfWork } from '../db/unit-of-work';
import { EventBus } from '../event-bus/event-bus.service';
import { Caller, CollectionAccessRows, isAdmin, mayEditCollection } from './collection-rights';
import { CollectionsRepository } from './collections.repository';
import { GroupRequestDto } from './dto/group-request.dto';
import { GroupDetailsResponseDto, GroupResponseDto } from './dto/group-response.dto';
import { toGroupDetails, toGroupResponse } from './dto/group-response.mapper';
import { CollectionSelectionDto } from './dto/member-request.dto';
import { permissionsOf } from './dto/organization-response.mapper';
import { GroupsRepository } from './groups.repository';
import { OrganizationsQueryService } from './organizations-query.service';

const refused = (message: string): VaultError => new VaultError(ErrorCode.MemberChangeRefused, message);
const notFound = (): VaultError => new VaultError(ErrorCode.NotFound);

/** Owners, admins and custom users with manageGroups manage groups (official ManageGroups). */
export function managesGroups(membership: MembershipEntity): boolean {
  return isAdmin(membership) || (membership.type === MembershipType.Custom && permissionsOf(membership.permissions).manageGroups);
}

/** Who reads the groups' collection access (official ReadAllDetails): group managers and custom users with manageUsers. */
function readsGroupDetails(membership: MembershipEntity): boolean {
  return managesGroups(membership) || (membership.type === MembershipType.Custom && permissionsOf(membership.permissions).manageUsers);
}

const sameGrants = (a: CollectionGroupEntity[], b: CollectionGroupEntity[]): boolean => {
  const key = (r: CollectionGroupEntity): string => `${r.collectionId}:${r.readOnly}:${r.hidePasswords}:${r.manage}`;
  const left = new Set(a.map(key));
  return a.length === b.length && b.every((r) => left.has(key(r)));
};

/**
 * Organization groups (ORG_GROUPS_ENABLED): a group's members get the group's collection access, next to their
 * own. Every change to what a group gives tells each confirmed member whose access may have changed
 * (SyncCiphers, 4, through CollectionAccessChanged): everyone in the group before or after when its collection
 * access changed, else those who joined or left it. While groups are off, every group route answers 400
 * "Group support is disabled" except the two lists, which are empty (clients call them regardless).
 */
@Injectable()
export class GroupsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly uow: UnitOfWork,
    private readonly repo: GroupsRepository,
    private readonly collections: CollectionsRepository,
    private readonly query: OrganizationsQueryService,
    private readonly accountRevision: AccountRevisionService,
    private readonly bus: EventBus,
    private readonly clock: Clock,
  ) {}

  /** GET …/groups: any confirmed member lists the groups (official ReadAll); their collection access only for those who may read it. */
  list(auth: AuthContext, orgId: string): Promise<ListResponseDto<GroupDetailsResponseDto>> {
    return this.uow.read(async (db) => {
      const caller = await this.caller(db, auth, orgId);
      if (!this.config.orgGroupsEnabled) return toListResponse([]);
      return toListResponse(await this.detailsOf(db, orgId, readsGroupDetails(caller.membership)));
    });
  }

  /** GET …/groups/details: every group with its collection access. */
  listDetails(auth: AuthContext, orgId: string): Promise<ListResponseDto<GroupDetailsResponseDto>> {
    return this.uow.read(async (db) => {
      const caller = await this.caller(db, auth, orgId);
      if (!readsGroupDetails(caller.membership)) throw new VaultError(ErrorCode.OrganizationNotFound);
      if (!this.config.orgGroupsEnabled) return toListResponse([]);
      return toListResponse(await this.detailsOf(db, orgId, true));
    });
  }

  get(auth: AuthContext, orgId: string, groupId: string): Promise<GroupResponseDto> {
    return this.read(auth, orgId, async (db) => toGroupResponse(await this.requireGroup(db, orgId, groupId)));
  }

  details(auth: AuthContext, orgId: string, groupId: string): Promise<GroupDetailsResponseDto> {
    return this.read(auth, orgId, async (db) => toGroupDetails(await this.requireGroup(db, orgId, groupId), await this.repo.collectionAccess(db, [groupId])));
  }

  /** GET …/groups/{groupId}/users: the member ids, as a bare array. */
  users(auth: AuthContext, orgId: string, groupId: string): Promise<string[]> {
    return this.read(auth, orgId, async (db) => {
      await this.requireGroup(db, orgId, groupId);
      return (await this.repo.memberRows(db, { groupIds: [groupId] })).map((r) => r.membershipId);
    });
  }

  create(auth: AuthContext, orgId: string, dto: GroupRequestDto): Promise<GroupResponseDto> {
    return this.write(auth, orgId, async (tx, caller) => {
      const now = this.clock.now();
      const group = Object.assign(new GroupEntity(), { id: randomUUID(), organizationId: orgId, name: dto.name, externalId: dto.externalId ?? null, creationDate: now, revisionDate: now });
      const access = await this.accessRows(tx.manager, caller, group.id, dto.collections ?? [], []);
      const members = await this.memberIds(tx.manager, orgId, dto.users ?? []);
      await this.repo.insert(tx.manager, group);
      await this.repo.replaceCollectionAccess(tx.manager, group.id, access);
      await this.repo.replaceMembers(tx.manager, group.id, members);
      await this.accessChanged(tx, auth, orgId, access.length > 0 ? members : []);
      return toGroupResponse(group);
    });
  }

  /**
   * PUT …/groups/{groupId}: name, collection access and members (null: unchanged). Collections the caller may not
   * change keep the group's access as it was (the web vault sends only those it can edit, as in the official server).
   */
  update(auth: AuthContext, orgId: string, groupId: string, dto: GroupRequestDto): Promise<GroupResponseDto> {
    return this.write(auth, orgId, async (tx, caller) => {
      const group = await this.requireGroup(tx.manager, orgId, groupId);
      const before = await this.stateOf(tx.manager, groupId);
      const access = dto.collections ? await this.accessRows(tx.manager, caller, groupId, dto.collections, before.access) : before.access;
      const members = dto.users ? await this.memberIds(tx.manager, orgId, dto.users) : before.members;
      this.checkNotAddingSelf(caller, before.members, members);
      group.name = dto.name;
      if (dto.externalId !== undefined) group.externalId = dto.externalId;
      group.revisionDate = this.clock.now();
      await this.repo.save(tx.manager, group);
      if (dto.collections) await this.repo.replaceCollectionAccess(tx.manager, groupId, access);
      if (dto.users) await this.repo.replaceMembers(tx.manager, groupId, members);
      await this.accessChanged(tx, auth, orgId, this.affected(before, { access, members }));
      return toGroupResponse(group);
    });
  }

  /** PUT …/groups/{groupId}/users (Vaultwarden): exactly these members. */
  setUsers(auth: AuthContext, orgId: string, groupId: string, memberIds: string[]): Promise<void> {
    return this.write(auth, orgId, async (tx, caller) => {
      await this.requireGroup(tx.manager, orgId, groupId);
      const before = await this.stateOf(tx.manager, groupId);
      const members = await this.memberIds(tx.manager, orgId, memberIds);
      this.checkNotAddingSelf(caller, before.members, members);
      await this.repo.replaceMembers(tx.manager, groupId, members);
      await this.accessChanged(tx, auth, orgId, this.affected(before, { access: before.access, members }));
    });
  }

  /** DELETE …/groups/{groupId}/user/{memberId}. */
  removeUser(auth: AuthContext, orgId: string, groupId: string, memberId: string): Promise<void> {
    return this.write(auth, orgId, async (tx) => {
      await this.requireGroup(tx.manager, orgId, groupId);
      if ((await this.repo.membershipsOf(tx.manager, orgId, [memberId])).length === 0) throw notFound();
      const before = await this.stateOf(tx.manager, groupId);
      if (!before.members.includes(memberId)) return;
      await this.repo.removeMember(tx.manager, groupId, memberId);
      await this.accessChanged(tx, auth, orgId, before.access.length > 0 ? [memberId] : []);
    });
  }

  /** DELETE …/groups/{groupId} and the bulk delete: ids of other organizations or unknown are skipped, as in the official server. */
  delete(auth: AuthContext, orgId: string, ids: string[]): Promise<void> {
    return this.write(auth, orgId, async (tx) => {
      const groups = await this.repo.listGroups(tx.manager, orgId, [...new Set(ids)]);
      if (ids.length === 1 && groups.length === 0) throw notFound();
      const groupIds = groups.map((g) => g.id);
      const withAccess = new Set((await this.repo.collectionAccess(tx.manager, groupIds)).map((a) => a.groupId));
      const members = (await this.repo.memberRows(tx.manager, { groupIds: [...withAccess] })).map((r) => r.membershipId);
      // Told before the rows go (the event carries user ids; delivery follows the commit).
      await this.accessChanged(tx, auth, orgId, members);
      await this.repo.delete(tx.manager, groupIds);
    });
  }

  /** GET …/users/{memberId}/groups: the member's group ids (group managers and member managers). */
  async groupsOfMember(auth: AuthContext, orgId: string, memberId: string): Promise<string[]> {
    this.requireEnabled();
    return this.uow.read(async (db) => {
      await this.memberManager(db, auth, orgId);
      if ((await this.repo.membershipsOf(db, orgId, [memberId])).length === 0) throw notFound();
      return (await this.repo.memberRows(db, { membershipIds: [memberId] })).map((r) => r.groupId);
    });
  }

  /** PUT …/users/{memberId}/groups (Vaultwarden): puts the member in exactly these groups. */
  async setGroupsOfMember(auth: AuthContext, orgId: string, memberId: string, groupIds: string[]): Promise<void> {
    this.requireEnabled();
    return this.uow.run(async (tx) => {
      await this.memberManager(tx.manager, auth, orgId);
      if ((await this.repo.membershipsOf(tx.manager, orgId, [memberId])).length === 0) throw notFound();
      if (await this.replaceGroupsOfMember(tx.manager, orgId, memberId, groupIds)) await this.accessChanged(tx, auth, orgId, [memberId]);
    });
  }

  /**
   * Puts a member in exactly `groupIds` (groups of the organization, else 404); also for member invite and edit.
   * True when that may change what the member sees (a group with collection access was joined or left); telling
   * the member is the caller's part.
   */
  async replaceGroupsOfMember(db: EntityManager, orgId: string, memberId: string, groupIds: string[]): Promise<boolean> {
    const wanted = [...new Set(groupIds)];
    if ((await this.repo.listGroups(db, orgId, wanted)).length !== wanted.length) throw notFound();
    const current = (await this.repo.memberRows(db, { membershipIds: [memberId] })).map((r) => r.groupId);
    const changed = current.filter((g) => !wanted.includes(g)).concat(wanted.filter((g) => !current.includes(g)));
    if (changed.length === 0) return false;
    await this.repo.replaceGroupsOfMember(db, memberId, wanted);
    return (await this.repo.collectionAccess(db, changed)).length > 0;
  }

  /** The group ids of each of these members (member lists with includeGroups). */
  async groupIdsOfMembers(db: EntityManager, membershipIds: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const row of await this.repo.memberRows(db, { membershipIds })) out.set(row.membershipId, [...(out.get(row.membershipId) ?? []), row.groupId]);
    return out;
  }

  private async detailsOf(db: EntityManager, orgId: string, withAccess: boolean): Promise<GroupDetailsResponseDto[]> {
    const groups = await this.repo.listGroups(db, orgId);
    const access = withAccess ? await this.repo.collectionAccess(db, groups.map((g) => g.id)) : [];
    return groups.map((g) => toGroupDetails(g, access.filter((a) => a.groupId === g.id)));
  }

  private async stateOf(db: EntityManager, groupId: string): Promise<{ access: CollectionGroupEntity[]; members: string[] }> {
    return {
      access: await this.repo.collectionAccess(db, [groupId]),
      members: (await this.repo.memberRows(db, { groupIds: [groupId] })).map((r) => r.membershipId),
    };
  }

  /** Members whose access the change may have changed: all of them when the grants changed, else those who joined or left. */
  private affected(before: { access: CollectionGroupEntity[]; members: string[] }, after: { access: CollectionGroupEntity[]; members: string[] }): string[] {
    if (!sameGrants(before.access, after.access)) return [...new Set([...before.members, ...after.members])];
    if (after.access.length === 0) return [];
    const left = before.members.filter((m) => !after.members.includes(m));
    return left.concat(after.members.filter((m) => !before.members.includes(m)));
  }

  /** Official rule: unless admins reach every collection, a manager cannot put themselves in a group. */
  private checkNotAddingSelf(caller: Caller, before: string[], after: string[]): void {
    if (caller.organization.allowAdminAccessToAllCollectionItems) return;
    if (!before.includes(caller.membership.id) && after.includes(caller.membership.id)) throw refused('You cannot add yourself to groups.');
  }

  /**
   * The group's access rows for `selections`: collections of the organization (else 404) whose group access the
   * caller may change (else 404, official ModifyGroupAccess), plus the rows of `current` the caller may not change.
   */
  private async accessRows(db: EntityManager, caller: Caller, groupId: string, selections: CollectionSelectionDto[], current: CollectionGroupEntity[]): Promise<CollectionGroupEntity[]> {
    const unique = new Map(selections.map((s) => [s.id, s]));
    for (const s of unique.values()) {
      if (s.manage && (s.readOnly || s.hidePasswords)) throw refused('The Manage property is mutually exclusive and cannot be true while the ReadOnly or HidePasswords properties are also true.');
    }
    const ids = [...new Set([...unique.keys(), ...current.map((c) => c.collectionId)])];
    const known = new Set((await this.repo.collectionsOf(db, caller.organization.id, ids)).map((c) => c.id));
    if ([...unique.keys()].some((id) => !known.has(id))) throw notFound();
    const [users, groups] = [await this.collections.accessRows(db, ids), await this.collections.groupAccessRows(db, ids)];
    const rowsOf = (id: string): CollectionAccessRows => ({ users: users.filter((r) => r.collectionId === id), groups: groups.filter((r) => r.collectionId === id) });
    if ([...unique.keys()].some((id) => !mayEditCollection(caller, rowsOf(id)))) throw notFound();
    const kept = current.filter((c) => !unique.has(c.collectionId) && !mayEditCollection(caller, rowsOf(c.collectionId)));
    return [...unique.values()].map((s) => Object.assign(new CollectionGroupEntity(), {
      collectionId: s.id, groupId, readOnly: s.readOnly ?? false, hidePasswords: s.hidePasswords ?? false, manage: s.manage ?? false,
    })).concat(kept);
  }

  /** The member ids, each a member of the organization (else 404, as the official server). */
  private async memberIds(db: EntityManager, orgId: string, ids: string[]): Promise<string[]> {
    const unique = [...new Set(ids)];
    if ((await this.repo.membershipsOf(db, orgId, unique)).length !== unique.length) throw notFound();
    return unique;
  }

  private async requireGroup(db: EntityManager, orgId: string, groupId: string): Promise<GroupEntity> {
    const group = await this.repo.findGroup(db, orgId, groupId);
    if (!group) throw notFound();
    return group;
  }

  private requireEnabled(): void {
    if (!this.config.orgGroupsEnabled) throw new VaultError(ErrorCode.GroupsDisabled);
  }

  private async read<T>(auth: AuthContext, orgId: string, work: (db: EntityManager) => Promise<T>): Promise<T> {
    this.requireEnabled();
    return this.uow.read(async (db) => {
      await this.manager(db, auth, orgId);
      return work(db);
    });
  }

  private async write<T>(auth: AuthContext, orgId: string, work: (tx: Tx, caller: Caller) => Promise<T>): Promise<T> {
    this.requireEnabled();
    return this.uow.run(async (tx) => work(tx, await this.manager(tx.manager, auth, orgId)));
  }

  private async caller(db: EntityManager, auth: AuthContext, orgId: string): Promise<Caller> {
    const { organization, membership } = await this.query.requireConfirmedMember(db, orgId, auth.userId);
    if (!organization.enabled) throw new VaultError(ErrorCode.OrganizationNotFound);
    return { organization, membership, groupIds: await this.collections.groupIdsOfMember(db, membership.id) };
  }

  private async manager(db: EntityManager, auth: AuthContext, orgId: string): Promise<Caller> {
    const caller = await this.caller(db, auth, orgId);
    if (!managesGroups(caller.membership)) throw new VaultError(ErrorCode.OrganizationNotFound);
    return caller;
  }

  /** Group managers, or member managers (official: ManageGroups or ManageUsers). */
  private async memberManager(db: EntityManager, auth: AuthContext, orgId: string): Promise<Caller> {
    const caller = await this.caller(db, auth, orgId);
    const m = caller.membership;
    if (!managesGroups(m) && !(m.type === MembershipType.Custom && permissionsOf(m.permissions).manageUsers)) throw new VaultError(ErrorCode.OrganizationNotFound);
    return caller;
  }

  /** SyncCiphers (4) to the confirmed members among `membershipIds`, in one recipient query. */
  private async accessChanged(tx: Tx, auth: AuthContext, orgId: string, membershipIds: string[]): Promise<void> {
    if (membershipIds.length === 0) return;
    const userIds = await this.collections.confirmedUserIdsOf(tx.manager, membershipIds);
    if (userIds.length === 0) return;
    await this.accountRevision.bump(tx, userIds, this.clock.now());
    await this.bus.emit(tx, 'CollectionAccessChanged', { organizationId: orgId, collectionId: null, userIds, actor: auth.actor });
  }
}
