import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AccountRevisionService } from '../accounts/account-revision.service';
import { AuthContext } from '../common/auth/auth-context';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { ListResponseDto, toListResponse } from '../common/http/list-response';
import { Clock } from '../common/time/clock';
import { CollectionEntity, CollectionMemberEntity, MembershipEntity, OrganizationEntity } from '../db/entities';
import { MembershipType } from '../db/entities/membership.entity';
import { Tx, UnitOfWork } from '../db/unit-of-work';
import { EventBus } from '../event-bus/event-bus.service';
import { CollectionsRepository } from './collections.repository';
import { CollectionRequestDto } from './dto/collection-request.dto';
import { CollectionAccessDetailsResponseDto, CollectionResponseDto } from './dto/organization-response.dto';
import { permissionsOf, toCollectionResponse } from './dto/organization-response.mapper';
import { OrganizationsQueryService } from './organizations-query.service';
import { OrganizationsRepository } from './organizations.repository';

interface Caller { organization: OrganizationEntity; membership: MembershipEntity }

const refused = (message: string): VaultError => new VaultError(ErrorCode.MemberChangeRefused, message);
const isAdmin = (m: MembershipEntity): boolean => m.type === MembershipType.Owner || m.type === MembershipType.Admin;

/**
 * Collection commands and reads of an organization (docs/organizations-plan.md §2, §3.3). Every change to who
 * may see a collection tells each confirmed member whose access changed (SyncCiphers, 4), computed from the
 * access rows before and after the change.
 */
@Injectable()
export class CollectionsService {
  constructor(
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
      const rows = await this.accessRows(tx.manager, orgId, collection.id, users);
      await this.repo.replaceAccess(tx.manager, collection.id, rows);
      await this.accessChanged(tx, auth, orgId, collection.id, [], rows);
      return this.details(collection, rows, caller.membership);
    });
  }

  update(auth: AuthContext, orgId: string, collectionId: string, dto: CollectionRequestDto): Promise<CollectionAccessDetailsResponseDto> {
    return this.uow.run(async (tx) => {
      const caller = await this.caller(tx.manager, auth, orgId);
      const collection = await this.requireCollection(tx.manager, orgId, collectionId);
      const before = await this.repo.accessRows(tx.manager, [collectionId]);
      if (!this.mayEdit(caller, before)) throw new VaultError(ErrorCode.NotFound);
      collection.name = dto.name;
      collection.externalId = dto.externalId ?? null;
      collection.revisionDate = this.clock.now();
      await this.repo.save(tx.manager, collection);
      let after = before;
      if (dto.users) {
        after = await this.accessRows(tx.manager, orgId, collectionId, dto.users);
        await this.repo.replaceAccess(tx.manager, collectionId, after);
      }
      // A rename changes what every member with access sees; an access change, what those added or removed see.
      await this.accessChanged(tx, auth, orgId, collectionId, before, after);
      return this.details(collection, after, caller.membership);
    });
  }

  delete(auth: AuthContext, orgId: string, ids: string[]): Promise<void> {
    return this.uow.run(async (tx) => {
      const caller = await this.caller(tx.manager, auth, orgId);
      for (const id of [...new Set(ids)]) {
        await this.requireCollection(tx.manager, orgId, id);
        const before = await this.repo.accessRows(tx.manager, [id]);
        if (!this.mayDelete(caller, before)) throw new VaultError(ErrorCode.NotFound);
        await this.repo.delete(tx.manager, [id]);
        await this.accessChanged(tx, auth, orgId, id, before, []);
      }
    });
  }

  get(auth: AuthContext, orgId: string, collectionId: string): Promise<CollectionResponseDto> {
    return this.uow.read(async (db) => {
      const caller = await this.caller(db, auth, orgId);
      const collection = await this.requireCollection(db, orgId, collectionId);
      if (!this.mayRead(caller, await this.repo.accessRows(db, [collectionId]))) throw new VaultError(ErrorCode.NotFound);
      return toCollectionResponse(collection);
    });
  }

  detailsOf(auth: AuthContext, orgId: string, collectionId: string): Promise<CollectionAccessDetailsResponseDto> {
    return this.uow.read(async (db) => {
      const caller = await this.caller(db, auth, orgId);
      const collection = await this.requireCollection(db, orgId, collectionId);
      const rows = await this.repo.accessRows(db, [collectionId]);
      if (!this.mayRead(caller, rows)) throw new VaultError(ErrorCode.NotFound);
      return this.details(collection, rows, caller.membership);
    });
  }

  /** GET …/collections/details: every collection for admins, else those the caller manages. */
  listDetails(auth: AuthContext, orgId: string): Promise<ListResponseDto<CollectionAccessDetailsResponseDto>> {
    return this.uow.read(async (db) => {
      const caller = await this.caller(db, auth, orgId);
      const collections = await this.organizations.listCollections(db, orgId);
      const rows = await this.repo.accessRows(db, collections.map((c) => c.id));
      const out: CollectionAccessDetailsResponseDto[] = [];
      for (const collection of collections) {
        const mine = rows.filter((r) => r.collectionId === collection.id);
        if (this.mayEdit(caller, mine)) out.push(this.details(collection, mine, caller.membership));
      }
      return toListResponse(out);
    });
  }

  /** GET …/collections/{id}/users: a bare array (no list wrapper), as the official server answers. */
  users(auth: AuthContext, orgId: string, collectionId: string): Promise<Array<{ id: string; readOnly: boolean; hidePasswords: boolean; manage: boolean }>> {
    return this.detailsOf(auth, orgId, collectionId).then((d) => d.users);
  }

  private details(collection: CollectionEntity, rows: CollectionMemberEntity[], caller: MembershipEntity): CollectionAccessDetailsResponseDto {
    const mine = rows.find((r) => r.membershipId === caller.id);
    return {
      ...toCollectionResponse(collection),
      groups: [],
      users: rows.map((r) => ({ id: r.membershipId, readOnly: r.readOnly, hidePasswords: r.hidePasswords, manage: r.manage })),
      assigned: mine !== undefined,
      readOnly: mine?.readOnly ?? false,
      hidePasswords: mine?.hidePasswords ?? false,
      manage: mine?.manage ?? false,
      unmanaged: !rows.some((r) => r.manage),
      object: 'collectionAccessDetails',
    };
  }

  private mayRead(caller: Caller, rows: CollectionMemberEntity[]): boolean {
    const permissions = permissionsOf(caller.membership.permissions);
    return isAdmin(caller.membership) || permissions.editAnyCollection || permissions.deleteAnyCollection || rows.some((r) => r.membershipId === caller.membership.id);
  }

  private mayEdit(caller: Caller, rows: CollectionMemberEntity[]): boolean {
    if (permissionsOf(caller.membership.permissions).editAnyCollection) return true;
    if (isAdmin(caller.membership) && (caller.organization.allowAdminAccessToAllCollectionItems || !rows.some((r) => r.manage))) return true;
    return rows.some((r) => r.membershipId === caller.membership.id && r.manage);
  }

  private mayDelete(caller: Caller, rows: CollectionMemberEntity[]): boolean {
    if (permissionsOf(caller.membership.permissions).deleteAnyCollection) return true;
    if (isAdmin(caller.membership) && (caller.organization.allowAdminAccessToAllCollectionItems || !rows.some((r) => r.manage))) return true;
    const manages = rows.some((r) => r.membershipId === caller.membership.id && r.manage);
    return manages && (!caller.organization.limitCollectionDeletion || isAdmin(caller.membership));
  }

  private async accessRows(db: EntityManager, orgId: string, collectionId: string, users: Array<{ id: string; readOnly?: boolean; hidePasswords?: boolean; manage?: boolean }>): Promise<CollectionMemberEntity[]> {
    const unique = new Map(users.map((u) => [u.id, u]));
    const known = new Set((await this.repo.membershipsOf(db, orgId, [...unique.keys()])).map((m) => m.id));
    return [...unique.values()].map((u) => {
      if (!known.has(u.id)) throw refused('User not found.');
      if (u.manage && (u.readOnly || u.hidePasswords)) throw refused('The Manage property is mutually exclusive and cannot be true while the ReadOnly or HidePasswords properties are also true.');
      return Object.assign(new CollectionMemberEntity(), { collectionId, membershipId: u.id, readOnly: u.readOnly ?? false, hidePasswords: u.hidePasswords ?? false, manage: u.manage ?? false });
    });
  }

  private async requireCollection(db: EntityManager, orgId: string, id: string): Promise<CollectionEntity> {
    const collection = await this.repo.findCollection(db, orgId, id);
    if (!collection) throw new VaultError(ErrorCode.NotFound);
    return collection;
  }

  private async caller(db: EntityManager, auth: AuthContext, orgId: string): Promise<Caller> {
    const caller = await this.query.requireConfirmedMember(db, orgId, auth.userId);
    if (!caller.organization.enabled) throw new VaultError(ErrorCode.OrganizationNotFound);
    return caller;
  }

  /** Tells every confirmed member with access before or after (the collection's name or contents changed for them). */
  private async accessChanged(tx: Tx, auth: AuthContext, orgId: string, collectionId: string, before: CollectionMemberEntity[], after: CollectionMemberEntity[]): Promise<void> {
    const userIds = await this.repo.confirmedUserIdsOf(tx.manager, [...new Set([...before, ...after].map((r) => r.membershipId))]);
    if (userIds.length === 0) return;
    await this.accountRevision.bump(tx, userIds, this.clock.now());
    await this.bus.emit(tx, 'CollectionAccessChanged', { organizationId: orgId, collectionId, userIds, actor: auth.actor });
  }
}
