import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AttachmentCleanup } from '../attachments/attachment-cleanup.service';
import { attachmentRenames } from '../attachments/attachment-renames';
import { AttachmentsRepository } from '../attachments/attachments.repository';
import { AuthContext } from '../common/auth/auth-context';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { ListResponseDto, toListResponse } from '../common/http/list-response';
import { Clock } from '../common/time/clock';
import { CipherEntity, MembershipEntity, OrganizationEntity } from '../db/entities';
import { Tx, UnitOfWork } from '../db/unit-of-work';
import { OrganizationsQueryService } from '../organizations/organizations-query.service';
import { accessFromGrants, CipherAccess, CollectionGrant } from './cipher-access';
import { CipherAnnouncer } from './cipher-announcer';
import { CiphersQueryService, VisibleCipher } from './ciphers-query.service';
import { CiphersRepository } from './ciphers.repository';
import { applyContent, newCipher } from './cipher-content';
import {
  CipherAdminIdsRequestDto, CipherBulkCollectionsRequestDto, CipherCollectionsRequestDto, CipherCreateRequestDto, CipherRequestDto,
} from './dto/cipher-request.dto';
import {
  CipherMiniDetailsResponseDto, CipherMiniResponseDto, CipherResponseDto, toCipherResponse,
} from './dto/cipher-response.dto';
import {
  AdminCipherState, adminMayDelete, adminMayEdit, canEditAllItems, canListAllItems, canViewAllCollections, isItemAdmin, mayReassign, OrganizationRole, roleOf,
} from './organization-rights';

interface Caller { organization: OrganizationEntity; membership: MembershipEntity; role: OrganizationRole }
type Rule = (role: OrganizationRole, cipher: AdminCipherState) => boolean;

const notFound = (): VaultError => new VaultError(ErrorCode.CipherNotFound);

/**
 * The Admin Console's side of organization items (docs/organizations-plan.md §3.4): the `-admin` cipher routes,
 * `organization-details` and `bulk-collections`. Rights come from the caller's role (organization-rights.ts), not
 * only from collection grants; whoever lacks them gets 404, as from bitwarden/server. Every change reaches the
 * members who see the item in sync (before and after for collection changes, before for deletes), like the
 * member routes; an item admin who is not assigned to the item is not among them (§11 Q10).
 */
@Injectable()
export class OrganizationCiphersService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly repo: CiphersRepository,
    private readonly query: CiphersQueryService,
    private readonly organizations: OrganizationsQueryService,
    private readonly announcer: CipherAnnouncer,
    private readonly clock: Clock,
    private readonly attachmentFiles: AttachmentCleanup,
    private readonly attachments: AttachmentsRepository,
  ) {}

  // --- reads ---

  /** GET /api/ciphers/{id}/admin: `cipherMiniDetails` with every collection of the item. */
  getAdmin(auth: AuthContext, id: string): Promise<CipherMiniDetailsResponseDto> {
    return this.uow.read(async (db) => {
      const cipher = await this.repo.findById(db, id);
      if (!cipher?.organizationId) throw notFound();
      const { role } = await this.caller(db, auth, cipher.organizationId);
      if (!canViewAllCollections(role)) throw notFound();
      return (await this.query.miniDetails(db, [cipher], new Map([[cipher.id, await this.repo.collectionsOf(db, cipher.id)]])))[0] as CipherMiniDetailsResponseDto;
    });
  }

  /** GET /api/ciphers/organization-details: every item of the organization, trashed ones included, with all its collections. */
  organizationDetails(auth: AuthContext, organizationId: string): Promise<ListResponseDto<CipherMiniDetailsResponseDto>> {
    return this.uow.read(async (db) => {
      const { role } = await this.caller(db, auth, organizationId);
      if (!canListAllItems(role)) throw new VaultError(ErrorCode.OrganizationNotFound);
      const links = await this.repo.collectionLinksOfOrganization(db, organizationId);
      return toListResponse(await this.query.miniDetails(db, await this.repo.listByOrganization(db, organizationId), links));
    });
  }

  /**
   * GET /api/ciphers/organization-details/assigned: the organization's items the caller sees (`cipherDetails`, as in
   * sync), and for item admins also the unassigned ones, editable with passwords visible.
   */
  assigned(auth: AuthContext, organizationId: string): Promise<ListResponseDto<CipherResponseDto>> {
    return this.uow.read(async (db) => {
      const { role } = await this.caller(db, auth, organizationId);
      const grants = await this.repo.grants(db, auth.userId);
      const byCipher = new Map<string, CollectionGrant[]>();
      for (const grant of grants) byCipher.set(grant.cipherId, [...(byCipher.get(grant.cipherId) ?? []), grant]);
      const mine = grants.length === 0 ? [] : (await this.repo.findByIds(db, [...byCipher.keys()])).filter((c) => c.organizationId === organizationId);
      const visible: VisibleCipher[] = mine.map((cipher) => ({ cipher, access: accessFromGrants(byCipher.get(cipher.id) ?? []) }));
      if (isItemAdmin(role)) {
        const unassigned: CipherAccess = { edit: true, viewPassword: true, manage: false, collectionIds: [] };
        visible.push(...(await this.repo.listUnassignedByOrganization(db, organizationId)).map((cipher) => ({ cipher, access: unassigned })));
      }
      visible.sort((a, b) => a.cipher.creationDate.getTime() - b.cipher.creationDate.getTime() || a.cipher.id.localeCompare(b.cipher.id));
      return toListResponse((await this.query.views(db, auth.userId, visible)).map(toCipherResponse));
    });
  }

  // --- single-item writes ---

  /** POST /api/ciphers/admin: an item in collections of the organization, for those who may edit every item. */
  async createAdmin(auth: AuthContext, dto: CipherCreateRequestDto): Promise<CipherMiniResponseDto> {
    const organizationId = dto.cipher.organizationId;
    if (!organizationId) throw notFound();
    return this.uow.run(async (tx) => {
      const { role } = await this.caller(tx.manager, auth, organizationId);
      if (!canEditAllItems(role)) throw notFound();
      this.checkRequest(auth, dto.cipher, organizationId);
      const collectionIds = [...new Set(dto.collectionIds ?? [])];
      if (collectionIds.length === 0) throw new VaultError(ErrorCode.CollectionsRequired);
      const existing = await this.repo.collectionsOfOrganization(tx.manager, organizationId, collectionIds);
      if (collectionIds.some((id) => !existing.has(id))) throw new VaultError(ErrorCode.CollectionNotWritable);
      const now = this.clock.now();
      const cipher = Object.assign(newCipher(auth.userId, dto.cipher, now), { userId: null, organizationId });
      await this.repo.insert(tx.manager, [cipher]);
      await this.repo.setCollections(tx.manager, cipher.id, collectionIds);
      await this.announcer.announce(tx, 'CipherCreated', auth, cipher, now);
      return this.query.mini(tx.manager, cipher);
    });
  }

  /** PUT /api/ciphers/{id}/admin: edits an item the caller may edit as admin. */
  updateAdmin(auth: AuthContext, id: string, dto: CipherRequestDto): Promise<CipherMiniResponseDto> {
    return this.uow.run(async (tx) => {
      const { cipher } = await this.adminCipher(tx.manager, auth, id, adminMayEdit);
      this.checkRequest(auth, dto, cipher.organizationId as string);
      if (dto.lastKnownRevisionDate && new Date(dto.lastKnownRevisionDate).getTime() !== cipher.revisionDate.getTime()) throw new VaultError(ErrorCode.StaleCipher);
      const now = this.clock.now();
      applyContent(cipher, dto);
      await this.attachments.rename(tx.manager, cipher.id, attachmentRenames(dto));
      cipher.revisionDate = now;
      await this.repo.update(tx.manager, cipher);
      await this.announcer.announce(tx, 'CipherUpdated', auth, cipher, now);
      return this.query.mini(tx.manager, cipher);
    });
  }

  /**
   * PUT /api/ciphers/{id}/collections-admin: puts the item in exactly these collections (none is allowed: the item
   * becomes unassigned). Each must be one the caller may put items in; members who gain or lose it are told.
   */
  setCollectionsAdmin(auth: AuthContext, id: string, dto: CipherCollectionsRequestDto): Promise<CipherMiniDetailsResponseDto> {
    return this.uow.run(async (tx) => {
      const { cipher, caller } = await this.adminCipher(tx.manager, auth, id, adminMayEdit);
      const collectionIds = [...new Set(dto.collectionIds)];
      await this.requireItemCollections(tx.manager, auth, caller, collectionIds);
      const before = await this.announcer.audience(tx.manager, auth, cipher);
      const now = this.clock.now();
      cipher.revisionDate = now;
      await this.repo.update(tx.manager, cipher);
      await this.repo.setCollections(tx.manager, cipher.id, collectionIds);
      const after = await this.announcer.audience(tx.manager, auth, cipher);
      await this.announcer.announce(tx, 'CipherUpdated', auth, cipher, now, { recipients: [...new Set([...before.recipients, ...after.recipients])], collectionIds });
      return (await this.query.miniDetails(tx.manager, [cipher], new Map([[cipher.id, collectionIds]])))[0] as CipherMiniDetailsResponseDto;
    });
  }

  /** DELETE /api/ciphers/{id}/admin: hard delete; the members who saw it are computed before it goes. */
  deleteAdmin(auth: AuthContext, id: string): Promise<void> {
    return this.uow.run(async (tx) => {
      const { cipher } = await this.adminCipher(tx.manager, auth, id, adminMayDelete);
      const now = this.clock.now();
      const audience = await this.announcer.audience(tx.manager, auth, cipher);
      await this.attachmentFiles.forCiphers(tx, [cipher.id]);
      await this.repo.deleteByIds(tx.manager, [cipher.id]);
      await this.announcer.announce(tx, 'CipherDeleted', auth, cipher, now, audience);
    });
  }

  /** PUT /api/ciphers/{id}/delete-admin: to the trash (nothing to do when it is there already). */
  trashAdmin(auth: AuthContext, id: string): Promise<void> {
    return this.uow.run(async (tx) => {
      const { cipher } = await this.adminCipher(tx.manager, auth, id, adminMayDelete);
      if (!cipher.deletedDate) await this.changeTrash(tx, auth, cipher, true);
    });
  }

  /** PUT /api/ciphers/{id}/restore-admin: out of the trash; answers `cipherMini`. */
  restoreAdmin(auth: AuthContext, id: string): Promise<CipherMiniResponseDto> {
    return this.uow.run(async (tx) => {
      const { cipher } = await this.adminCipher(tx.manager, auth, id, adminMayDelete);
      if (cipher.deletedDate) await this.changeTrash(tx, auth, cipher, false);
      return this.query.mini(tx.manager, cipher);
    });
  }

  // --- multi-item writes: all or nothing on rights (404), then one CiphersBulkChanged ---

  /** DELETE /api/ciphers/admin: hard delete of items of `organizationId`, every one of which the caller may delete as admin. */
  bulkDeleteAdmin(auth: AuthContext, dto: CipherAdminIdsRequestDto): Promise<void> {
    return this.uow.run(async (tx) => {
      const ciphers = await this.adminCiphers(tx.manager, auth, dto, adminMayDelete);
      if (ciphers.length === 0) return;
      const members = await this.announcer.membersSeeing(tx.manager, ciphers);
      await this.attachmentFiles.forCiphers(tx, ciphers.map((c) => c.id));
      await this.repo.deleteByIds(tx.manager, ciphers.map((c) => c.id));
      await this.announcer.bulk(tx, auth, 'ciphers', 'bulk-delete', this.clock.now(), members);
    });
  }

  /** PUT /api/ciphers/delete-admin: to the trash (those already there are left as they are). */
  bulkTrashAdmin(auth: AuthContext, dto: CipherAdminIdsRequestDto): Promise<void> {
    return this.uow.run(async (tx) => {
      const ciphers = await this.adminCiphers(tx.manager, auth, dto, adminMayDelete);
      await this.bulkTrash(tx, auth, ciphers.filter((c) => !c.deletedDate), true);
    });
  }

  /** PUT /api/ciphers/restore-admin: out of the trash; answers every named item (`cipherMini`). */
  bulkRestoreAdmin(auth: AuthContext, dto: CipherAdminIdsRequestDto): Promise<ListResponseDto<CipherMiniResponseDto>> {
    return this.uow.run(async (tx) => {
      const ciphers = await this.adminCiphers(tx.manager, auth, dto, adminMayDelete);
      await this.bulkTrash(tx, auth, ciphers.filter((c) => c.deletedDate), false);
      return toListResponse(await this.query.minis(tx.manager, ciphers));
    });
  }

  /**
   * POST /api/ciphers/bulk-collections: adds the items to the collections, or takes them out (never replaces). The
   * caller must be able to reassign every item and put items in every collection (404 otherwise). One SyncCiphers
   * to the caller and every member who saw one of the items before or sees it after.
   */
  bulkCollections(auth: AuthContext, dto: CipherBulkCollectionsRequestDto): Promise<void> {
    return this.uow.run(async (tx) => {
      const caller = await this.caller(tx.manager, auth, dto.organizationId);
      const ciphers = await this.itemsOf(tx.manager, auth, caller, dto.cipherIds, mayReassign);
      const collectionIds = [...new Set(dto.collectionIds)];
      await this.requireItemCollections(tx.manager, auth, caller, collectionIds);
      if (ciphers.length === 0 || collectionIds.length === 0) return;
      const before = await this.announcer.membersSeeing(tx.manager, ciphers);
      if (dto.removeCollections === true) await this.repo.removeCollectionLinks(tx.manager, ciphers.map((c) => c.id), collectionIds);
      else await this.repo.addCollectionLinks(tx.manager, ciphers.flatMap((c) => collectionIds.map((collectionId) => ({ cipherId: c.id, collectionId }))));
      const after = await this.announcer.membersSeeing(tx.manager, ciphers);
      await this.announcer.bulk(tx, auth, 'ciphers', 'bulk-collections', this.clock.now(), [...before, ...after]);
    });
  }

  /** An organization item the caller may edit through their role (the `-admin` attachment routes); 404 otherwise. */
  async editableAsAdmin(db: EntityManager, auth: AuthContext, id: string): Promise<CipherEntity> {
    return (await this.adminCipher(db, auth, id, adminMayEdit)).cipher;
  }

  // --- helpers ---

  /** A confirmed member of the enabled organization, with their role; anyone else gets 404. */
  private async caller(db: EntityManager, auth: AuthContext, organizationId: string): Promise<Caller> {
    const { organization, membership } = await this.organizations.requireConfirmedMember(db, organizationId, auth.userId);
    if (!organization.enabled) throw new VaultError(ErrorCode.OrganizationNotFound);
    return { organization, membership, role: roleOf(organization, membership) };
  }

  /** An organization item the caller may act on under `rule`; 404 for anything else (personal items included). */
  private async adminCipher(db: EntityManager, auth: AuthContext, id: string, rule: Rule): Promise<{ cipher: CipherEntity; caller: Caller }> {
    const cipher = await this.repo.findById(db, id);
    if (!cipher?.organizationId) throw notFound();
    const caller = await this.caller(db, auth, cipher.organizationId);
    await this.itemsOf(db, auth, caller, [cipher.id], rule, [cipher]);
    return { cipher, caller };
  }

  /** The items of a multi-item `-admin` route: `organizationId` is required (404 without it, as upstream). */
  private async adminCiphers(db: EntityManager, auth: AuthContext, dto: CipherAdminIdsRequestDto, rule: Rule): Promise<CipherEntity[]> {
    if (!dto.organizationId) throw notFound();
    return this.itemsOf(db, auth, await this.caller(db, auth, dto.organizationId), dto.ids, rule);
  }

  /** The items among `ids`, each of the caller's organization and allowed by `rule`; one that is not makes the whole request 404. */
  private async itemsOf(db: EntityManager, auth: AuthContext, caller: Caller, ids: string[], rule: Rule, known?: CipherEntity[]): Promise<CipherEntity[]> {
    const unique = [...new Set(ids.map((id) => id.toLowerCase()))];
    if (unique.length === 0) return [];
    const ciphers = known ?? (await this.repo.findByIds(db, unique));
    if (ciphers.length !== unique.length || ciphers.some((c) => c.organizationId !== caller.organization.id)) throw notFound();
    const grants = new Map<string, CollectionGrant[]>();
    for (const grant of await this.repo.grants(db, auth.userId, unique)) grants.set(grant.cipherId, [...(grants.get(grant.cipherId) ?? []), grant]);
    const links = await this.repo.collectionLinks(db, unique);
    for (const cipher of ciphers) {
      const state: AdminCipherState = {
        access: accessFromGrants(grants.get(cipher.id) ?? []),
        unassigned: (links.get(cipher.id) ?? []).length === 0,
        limitItemDeletion: caller.organization.limitItemDeletion,
      };
      if (!rule(caller.role, state)) throw notFound();
    }
    return ciphers;
  }

  /**
   * Collections the caller may put items in (bitwarden/server `CanEditItemsInCollections`): any of the organization's
   * for those who may edit every item, else the writable ones; 404 otherwise.
   */
  private async requireItemCollections(db: EntityManager, auth: AuthContext, caller: Caller, collectionIds: string[]): Promise<void> {
    if (collectionIds.length === 0) return;
    const organizationId = caller.organization.id;
    if (canEditAllItems(caller.role)) {
      const existing = await this.repo.collectionsOfOrganization(db, organizationId, collectionIds);
      if (collectionIds.some((id) => !existing.has(id))) throw notFound();
      return;
    }
    const found = await this.repo.writableCollections(db, auth.userId, organizationId, collectionIds);
    if (collectionIds.some((id) => !found.existing.has(id) || !found.writable.has(id))) throw notFound();
  }

  /** A request may only name the item's own organization, and only be encrypted for the caller. */
  private checkRequest(auth: AuthContext, dto: CipherRequestDto, organizationId: string): void {
    if (dto.organizationId && dto.organizationId.toLowerCase() !== organizationId.toLowerCase()) throw new VaultError(ErrorCode.OrganizationMismatch);
    if (dto.encryptedFor && dto.encryptedFor.toLowerCase() !== auth.userId.toLowerCase()) throw new VaultError(ErrorCode.CipherNotEncryptedForUser);
  }

  /** Trash or restore of one item: the trash date and revision date are one instant; CipherUpdated to its members. */
  private async changeTrash(tx: Tx, auth: AuthContext, cipher: CipherEntity, trash: boolean): Promise<void> {
    const now = this.clock.now();
    Object.assign(cipher, { deletedDate: trash ? now : null, revisionDate: now });
    await this.repo.setDatesById(tx.manager, [cipher.id], { deletedDate: cipher.deletedDate, revisionDate: now });
    await this.announcer.announce(tx, 'CipherUpdated', auth, cipher, now);
  }

  private async bulkTrash(tx: Tx, auth: AuthContext, ciphers: CipherEntity[], trash: boolean): Promise<void> {
    if (ciphers.length === 0) return;
    const now = this.clock.now();
    for (const cipher of ciphers) Object.assign(cipher, { deletedDate: trash ? now : null, revisionDate: now });
    await this.repo.setDatesById(tx.manager, ciphers.map((c) => c.id), { deletedDate: trash ? now : null, revisionDate: now });
    await this.announcer.bulk(tx, auth, 'ciphers', trash ? 'bulk-trash' : 'bulk-restore', now, await this.announcer.membersSeeing(tx.manager, ciphers));
  }
}
