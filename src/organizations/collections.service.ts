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
import { CollectionEntity, CollectionGroupEntity, CollectionMemberEntity } from '../db/entities';
import { Tx, UnitOfWork } from '../db/unit-of-work';
import { EventBus } from '../event-bus/event-bus.service';
import {
  Caller, CollectionAccessRows, effectiveAccess, isAdmin, mayDeleteCollection, mayEditCollection, mayReadCollection, NO_ACCESS_ROWS, unmanaged,
} from './collection-rights';
import { CollectionsRepository } from './collections.repository';
import { CollectionBulkAccessRequestDto, CollectionRequestDto } from './dto/collection-request.dto';
import { CollectionAccessDetailsResponseDto, CollectionResponseDto } from './dto/organization-response.dto';
import { permissionsOf, toCollectionResponse } from './dto/organization-response.mapper';
import { OrganizationsQueryService } from './organizations-query.service';
import { OrganizationsRepository } from './organizations.repository';

type Selection = { id: string; readOnly?: boolean; hidePasswords?: boolean; manage?: boolean };

const refused = (message: string): VaultError => new VaultError(ErrorCode.MemberChangeRefused, message);
const MANAGE_EXCLUSIVE = 'The Manage property is mutually exclusive and cannot be true while the ReadOnly or HidePasswords properties are also true.';

/**
 * Collection commands and reads of an organization (docs/organizations-plan.md §2, §3.3). Every change to who
 * may see a collection tells each confirmed member whose access changed (SyncCiphers, 4), computed from the
 * access rows before and after the change: members assigned directly and members of the groups assigned.
 * `groups` of a request are stored only while ORG_GROUPS_ENABLED is on (ignored otherwise, as Vaultwarden).
 */
@Injectable()
export class CollectionsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly uow: UnitOfWork,
    private readonly repo: CollectionsRepository,
    private readonly organizations: OrganizationsRepository,
    private readonly query: OrganizationsQueryService,
    private readonly accountRevision: AccountRevisionService,
    private readonly bus: EventBus,
    private readonly clock: Clock,
  ) {}

  create(auth: AuthContext, orgId: string, dto: CollectionRequestDto): Promise<CollectionAccessDetailsResponseDto> {
    return this.uow.run(async (tx) => {
      const caller = await this.caller(tx.manager, auth, orgId);
      const permissions = permissionsOf(caller.membership.permissions);
      const mayCreate = isAdmin(caller.membership) || permissions.createNewCollections || !caller.organization.limitCollectionCreation;
      if (!mayCreate) throw new VaultError(ErrorCode.OrganizationNotFound);
      const now = this.clock.now();
      const collection = Object.assign(new CollectionEntity(), { id: randomUUID(), organizationId: orgId, name: dto.name, externalId: dto.externalId ?? null, creationDate: now, revisionDate: now });
      await this.repo.insert(tx.manager, collection);
      const users = dto.users ?? [{ id: caller.membership.id, readOnly: false, hidePasswords: false, manage: true }];
      const rows: CollectionAccessRows = {
        users: await this.accessRows(tx.manager, orgId, collection.id, users),
        groups: this.config.orgGroupsEnabled ? await this.groupRows(tx.manager, orgId, collection.id, dto.groups ?? []) : [],
      };
      await this.repo.replaceAccess(tx.manager, collection.id, rows.users);
      await this.repo.replaceGroupAccess(tx.manager, collection.id, rows.groups);
      await this.accessChanged(tx, auth, orgId, collection.id, NO_ACCESS_ROWS, rows);
      return this.details(collection, rows, caller);
    });
  }

  update(auth: AuthContext, orgId: string, collectionId: string, dto: CollectionRequestDto): Promise<CollectionAccessDetailsResponseDto> {
    return this.uow.run(async (tx) => {
      const caller = await this.caller(tx.manager, auth, orgId);
      const collection = await this.requireCollection(tx.manager, orgId, collectionId);
      const before = await this.rowsOf(tx.manager, collectionId);
      if (!mayEditCollection(caller, before)) throw new VaultError(ErrorCode.NotFound);
      collection.name = dto.name;
      collection.externalId = dto.externalId ?? null;
      collection.revisionDate = this.clock.now();
      await this.repo.save(tx.manager, collection);
      const after = { ...before };
      if (dto.users) {
        after.users = await this.accessRows(tx.manager, orgId, collectionId, dto.users);
        await this.repo.replaceAccess(tx.manager, collectionId, after.users);
      }
      if (dto.groups && this.config.orgGroupsEnabled) {
        after.groups = await this.groupRows(tx.manager, orgId, collectionId, dto.groups);
        await this.repo.replaceGroupAccess(tx.manager, collectionId, after.groups);
      }
      // A rename changes what every member with access sees; an access change, what those added or removed see.
      await this.accessChanged(tx, auth, orgId, collectionId, before, after);
      return this.details(collection, after, caller);
    });
  }

  /**
   * Adds (or updates) the access of the listed members and groups on each collection, leaving the rest (official
   * BulkAddCollectionAccessCommand). Every collection must be one the caller may edit, else nothing changes (404).
   * The members whose access changed are told once (SyncCiphers), whatever the number of collections.
   */
  bulkAccess(auth: AuthContext, orgId: string, dto: CollectionBulkAccessRequestDto): Promise<void> {
    return this.uow.run(async (tx) => {
      const caller = await this.caller(tx.manager, auth, orgId);
      const changed: CollectionAccessRows = { users: [], groups: [] };
      for (const id of [...new Set(dto.collectionIds)]) {
        await this.requireCollection(tx.manager, orgId, id);
        const before = await this.rowsOf(tx.manager, id);
        if (!mayEditCollection(caller, before)) throw new VaultError(ErrorCode.NotFound);
        const users = await this.accessRows(tx.manager, orgId, id, dto.users ?? []);
        const groups = this.config.orgGroupsEnabled ? await this.groupRows(tx.manager, orgId, id, dto.groups ?? []) : [];
        const listedUsers = new Set(users.map((r) => r.membershipId));
        const listedGroups = new Set(groups.map((r) => r.groupId));
        await this.repo.replaceAccess(tx.manager, id, [...before.users.filter((r) => !listedUsers.has(r.membershipId)), ...users]);
        await this.repo.replaceGroupAccess(tx.manager, id, [...before.groups.filter((r) => !listedGroups.has(r.groupId)), ...groups]);
        changed.users.push(...users);
        changed.groups.push(...groups);
      }
      await this.accessChanged(tx, auth, orgId, null, NO_ACCESS_ROWS, changed);
    });
  }

  delete(auth: AuthContext, orgId: string, ids: string[]): Promise<void> {
    return this.uow.run(async (tx) => {
      const caller = await this.caller(tx.manager, auth, orgId);
      for (const id of [...new Set(ids)]) {
        await this.requireCollection(tx.manager, orgId, id);
        const before = await this.rowsOf(tx.manager, id);
        if (!mayDeleteCollection(caller, before)) throw new VaultError(ErrorCode.NotFound);
        await this.repo.delete(tx.manager, [id]);
        await this.accessChanged(tx, auth, orgId, id, before, NO_ACCESS_ROWS);
      }
    });
  }

  get(auth: AuthContext, orgId: string, collectionId: string): Promise<CollectionResponseDto> {
    return this.uow.read(async (db) => {
      const caller = await this.caller(db, auth, orgId);
      const collection = await this.requireCollection(db, orgId, collectionId);
      if (!mayReadCollection(caller, await this.rowsOf(db, collectionId))) throw new VaultError(ErrorCode.NotFound);
      return toCollectionResponse(collection);
    });
  }

  detailsOf(auth: AuthContext, orgId: string, collectionId: string): Promise<CollectionAccessDetailsResponseDto> {
    return this.uow.read(async (db) => {
      const caller = await this.caller(db, auth, orgId);
      const collection = await this.requireCollection(db, orgId, collectionId);
      const rows = await this.rowsOf(db, collectionId);
      if (!mayReadCollection(caller, rows)) throw new VaultError(ErrorCode.NotFound);
      return this.details(collection, rows, caller);
    });
  }

  /** GET …/collections/details: every collection for admins, else those the caller manages. */
  listDetails(auth: AuthContext, orgId: string): Promise<ListResponseDto<CollectionAccessDetailsResponseDto>> {
    return this.uow.read(async (db) => {
      const caller = await this.caller(db, auth, orgId);
      const collections = await this.organizations.listCollections(db, orgId);
      const ids = collections.map((c) => c.id);
      const [users, groups] = [await this.repo.accessRows(db, ids), await this.repo.groupAccessRows(db, ids)];
      const out: CollectionAccessDetailsResponseDto[] = [];
      for (const collection of collections) {
        const mine = { users: users.filter((r) => r.collectionId === collection.id), groups: groups.filter((r) => r.collectionId === collection.id) };
        if (mayEditCollection(caller, mine)) out.push(this.details(collection, mine, caller));
      }
      return toListResponse(out);
    });
  }

  /** GET …/collections/{id}/users: a bare array (no list wrapper), as the official server answers. */
  users(auth: AuthContext, orgId: string, collectionId: string): Promise<Array<{ id: string; readOnly: boolean; hidePasswords: boolean; manage: boolean }>> {
    return this.detailsOf(auth, orgId, collectionId).then((d) => d.users);
  }

  /** `collectionAccessDetails`: `assigned` and the caller's flags from their direct or group access (§5.3). */
  private details(collection: CollectionEntity, rows: CollectionAccessRows, caller: Caller): CollectionAccessDetailsResponseDto {
    const mine = effectiveAccess(caller.membership.id, caller.groupIds, rows);
    const selection = (id: string, r: { readOnly: boolean; hidePasswords: boolean; manage: boolean }) => ({ id, readOnly: r.readOnly, hidePasswords: r.hidePasswords, manage: r.manage });
    return {
      ...toCollectionResponse(collection),
      groups: rows.groups.map((r) => selection(r.groupId, r)),
      users: rows.users.map((r) => selection(r.membershipId, r)),
      assigned: mine !== null,
      readOnly: mine?.readOnly ?? false,
      hidePasswords: mine?.hidePasswords ?? false,
      manage: mine?.manage ?? false,
      unmanaged: unmanaged(rows),
      object: 'collectionAccessDetails',
    };
  }

  private async rowsOf(db: EntityManager, collectionId: string): Promise<CollectionAccessRows> {
    return { users: await this.repo.accessRows(db, [collectionId]), groups: await this.repo.groupAccessRows(db, [collectionId]) };
  }

  private async accessRows(db: EntityManager, orgId: string, collectionId: string, users: Selection[]): Promise<CollectionMemberEntity[]> {
    const unique = new Map(users.map((u) => [u.id, u]));
    const known = new Set((await this.repo.membershipsOf(db, orgId, [...unique.keys()])).map((m) => m.id));
    return [...unique.values()].map((u) => {
      if (!known.has(u.id)) throw refused('User not found.');
      if (u.manage && (u.readOnly || u.hidePasswords)) throw refused(MANAGE_EXCLUSIVE);
      return Object.assign(new CollectionMemberEntity(), { collectionId, membershipId: u.id, readOnly: u.readOnly ?? false, hidePasswords: u.hidePasswords ?? false, manage: u.manage ?? false });
    });
  }

  /** The collection's group rows for `groups` (id = group id, a group of the organization). */
  private async groupRows(db: EntityManager, orgId: string, collectionId: string, groups: Selection[]): Promise<CollectionGroupEntity[]> {
    const unique = new Map(groups.map((g) => [g.id, g]));
    const known = new Set((await this.repo.groupsOf(db, orgId, [...unique.keys()])).map((g) => g.id));
    return [...unique.values()].map((g) => {
      if (!known.has(g.id)) throw refused('Group not found.');
      if (g.manage && (g.readOnly || g.hidePasswords)) throw refused(MANAGE_EXCLUSIVE);
      return Object.assign(new CollectionGroupEntity(), { collectionId, groupId: g.id, readOnly: g.readOnly ?? false, hidePasswords: g.hidePasswords ?? false, manage: g.manage ?? false });
    });
  }

  private async requireCollection(db: EntityManager, orgId: string, id: string): Promise<CollectionEntity> {
    const collection = await this.repo.findCollection(db, orgId, id);
    if (!collection) throw new VaultError(ErrorCode.NotFound);
    return collection;
  }

  private async caller(db: EntityManager, auth: AuthContext, orgId: string): Promise<Caller> {
    const { organization, membership } = await this.query.requireConfirmedMember(db, orgId, auth.userId);
    if (!organization.enabled) throw new VaultError(ErrorCode.OrganizationNotFound);
    return { organization, membership, groupIds: await this.repo.groupIdsOfMember(db, membership.id) };
  }

  /**
   * Tells every confirmed member with access before or after, directly or through a group (the collection's name
   * or contents changed for them): one recipient query.
   */
  private async accessChanged(tx: Tx, auth: AuthContext, orgId: string, collectionId: string | null, before: CollectionAccessRows, after: CollectionAccessRows): Promise<void> {
    const members = [...before.users, ...after.users].map((r) => r.membershipId);
    const groups = [...before.groups, ...after.groups].map((r) => r.groupId);
    const userIds = await this.repo.confirmedUserIdsOf(tx.manager, members, groups);
    if (userIds.length === 0) return;
    await this.accountRevision.bump(tx, userIds, this.clock.now());
    await this.bus.emit(tx, 'CollectionAccessChanged', { organizationId: orgId, collectionId, userIds, actor: auth.actor });
  }
}
