import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AccountRevisionService } from '../accounts/account-revision.service';
import { AccountsQueryService } from '../accounts/accounts-query.service';
import { AttachmentCleanup } from '../attachments/attachment-cleanup.service';
import { AttachmentLinks } from '../attachments/attachment-links.service';
import { AttachmentShares } from '../attachments/attachment-shares.service';
import { attachmentRenames } from '../attachments/attachment-renames';
import { AttachmentsRepository } from '../attachments/attachments.repository';
import { AuthContext } from '../common/auth/auth-context';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { Clock } from '../common/time/clock';
import { CipherEntity, CollectionEntity } from '../db/entities';
import { Tx, UnitOfWork } from '../db/unit-of-work';
import { ListResponseDto, toListResponse } from '../common/http/list-response';
import { FoldersQueryService } from '../folders/folders-query.service';
import { FoldersService } from '../folders/folders.service';
import { verifyMasterPasswordHash } from '../accounts/password-hasher';
import { OrganizationsQueryService } from '../organizations/organizations-query.service';
import { PoliciesQueryService } from '../organizations/policies-query.service';
import {
  CipherBulkShareRequestDto, CipherCollectionsRequestDto, CipherCreateRequestDto, CipherIdsRequestDto, CipherMoveRequestDto, CipherPartialRequestDto, CipherRequestDto,
  CipherShareRequestDto, PurgeRequestDto,
} from './dto/cipher-request.dto';
import { CipherMiniResponseDto, CipherResponseDto, toCipherResponse } from './dto/cipher-response.dto';
import { FolderRelationshipDto, ImportFolderDto, ImportOrganizationRequestDto, ImportRequestDto } from './dto/import-request.dto';
import { accessFromGrants, CollectionGrant, deletePermission } from './cipher-access';
import { Audience, BulkReason, CipherAnnouncer, CipherEventName } from './cipher-announcer';
import { CiphersQueryService, VisibleCipher } from './ciphers-query.service';
import { CiphersRepository } from './ciphers.repository';
import { canCreateCollections, canImportAnywhere, canPurgeItems, canUpdateCollection, roleOf } from './organization-rights';
import { applyContent, newCipher } from './cipher-content';

/**
 * Cipher commands. Each is one unit of work that checks ownership, writes, sets the cipher's revision date,
 * bumps the owner's account revision date and emits the domain event of the trigger table
 * (notifications.md §8.1): the owner of a personal cipher, every member who sees an organization cipher.
 * The Admin Console's routes are in OrganizationCiphersService.
 */
@Injectable()
export class CiphersService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly repo: CiphersRepository,
    private readonly query: CiphersQueryService,
    private readonly folders: FoldersQueryService,
    private readonly folderCommands: FoldersService,
    private readonly accounts: AccountsQueryService,
    private readonly accountRevision: AccountRevisionService,
    private readonly clock: Clock,
    private readonly announcer: CipherAnnouncer,
    private readonly organizations: OrganizationsQueryService,
    private readonly policies: PoliciesQueryService,
    private readonly attachmentFiles: AttachmentCleanup,
    private readonly attachments: AttachmentsRepository,
    private readonly attachmentLinks: AttachmentLinks,
    private readonly attachmentShares: AttachmentShares,
  ) {}

  // --- reads ---

  list(auth: AuthContext): Promise<ListResponseDto<CipherResponseDto>> {
    return this.uow.read(async (db) => toListResponse(await this.query.listForUser(db, auth.userId)));
  }

  get(auth: AuthContext, id: string): Promise<CipherResponseDto> {
    return this.uow.read((db) => this.query.requireForUser(db, auth.userId, id));
  }

  // --- single-item writes ---

  create(auth: AuthContext, dto: CipherRequestDto): Promise<CipherResponseDto> {
    return this.uow.run(async (tx) => {
      await this.checkRequest(tx.manager, auth, dto);
      await this.policies.assertMayCreatePersonalItems(tx.manager, auth.userId);
      const now = this.clock.now();
      const cipher = newCipher(auth.userId, dto, now);
      await this.repo.insert(tx.manager, [cipher]);
      const folderId = dto.folderId ?? null;
      const favorite = dto.favorite === true;
      if (folderId) await this.repo.setFolder(tx.manager, auth.userId, [cipher.id], folderId);
      if (favorite) await this.repo.setFavorite(tx.manager, auth.userId, [cipher.id], true);
      await this.announce(tx, 'CipherCreated', auth, cipher, now);
      return toCipherResponse({ cipher, folderId, favorite });
    });
  }

  /**
   * POST /api/ciphers/create: a personal cipher, or an organization cipher in the given collections (at least
   * one, each writable by the caller). Every member assigned to one of them is told (1).
   */
  async createWithCollections(auth: AuthContext, dto: CipherCreateRequestDto): Promise<CipherResponseDto> {
    const organizationId = dto.cipher.organizationId;
    if (!organizationId) {
      if ((dto.collectionIds?.length ?? 0) > 0) throw new VaultError(ErrorCode.CollectionsNeedOrganization);
      return this.create(auth, dto.cipher);
    }
    return this.uow.run(async (tx) => {
      await this.checkRequest(tx.manager, auth, dto.cipher, true, organizationId);
      const collectionIds = await this.requireWritableCollections(tx.manager, auth, organizationId, dto.collectionIds ?? []);
      const now = this.clock.now();
      const cipher = newCipher(auth.userId, dto.cipher, now);
      cipher.userId = null;
      cipher.organizationId = organizationId;
      await this.repo.insert(tx.manager, [cipher]);
      await this.repo.setCollections(tx.manager, cipher.id, collectionIds);
      const folderId = dto.cipher.folderId ?? null;
      const favorite = dto.cipher.favorite === true;
      if (folderId) await this.repo.setFolder(tx.manager, auth.userId, [cipher.id], folderId);
      if (favorite) await this.repo.setFavorite(tx.manager, auth.userId, [cipher.id], true);
      await this.announce(tx, 'CipherCreated', auth, cipher, now);
      return this.respond(tx.manager, auth, cipher);
    });
  }

  /**
   * PUT /api/ciphers/{id}/share: the caller's personal cipher, re-encrypted with the organization key, moves
   * into the organization's collections. Its folder and favourite stay the caller's.
   */
  share(auth: AuthContext, id: string, dto: CipherShareRequestDto): Promise<CipherResponseDto> {
    const organizationId = dto.cipher.organizationId;
    if (!organizationId) throw new VaultError(ErrorCode.CollectionsNeedOrganization);
    return this.uow.run(async (tx) => {
      const cipher = await this.requireOwned(tx.manager, auth, id);
      await this.checkRequest(tx.manager, auth, dto.cipher, false, organizationId);
      const collectionIds = await this.requireWritableCollections(tx.manager, auth, organizationId, dto.collectionIds);
      const now = this.clock.now();
      await this.keepArchiveMark(tx.manager, auth, cipher);
      applyContent(cipher, dto.cipher);
      await this.attachments.rename(tx.manager, cipher.id, attachmentRenames(dto.cipher));
      cipher.userId = null;
      cipher.organizationId = organizationId;
      cipher.revisionDate = now;
      await this.repo.update(tx.manager, cipher);
      await this.repo.setCollections(tx.manager, cipher.id, collectionIds);
      await this.attachmentShares.apply(tx, [cipher.id]);
      // The owner's other devices drop the personal copy and fetch the shared one (the caller is a member too).
      const audience = await this.audience(tx.manager, auth, cipher);
      await this.announce(tx, 'CipherUpdated', auth, cipher, now, { ...audience, recipients: [...new Set([...audience.recipients, auth.userId])] });
      return this.respond(tx.manager, auth, cipher);
    });
  }

  /**
   * PUT /api/ciphers/{id}/collections_v2: puts an organization cipher in exactly these collections (each
   * writable by the caller, who must be able to edit the cipher). Members who gain or lose it are told.
   */
  setCollections(auth: AuthContext, id: string, dto: CipherCollectionsRequestDto): Promise<{ cipher: CipherResponseDto | null; unavailable: boolean }> {
    return this.uow.run(async (tx) => {
      const { cipher } = await this.requireWritable(tx.manager, auth, id);
      if (!cipher.organizationId) throw new VaultError(ErrorCode.CollectionsNeedOrganization);
      const collectionIds = await this.requireWritableCollections(tx.manager, auth, cipher.organizationId, dto.collectionIds);
      const before = await this.audience(tx.manager, auth, cipher);
      const now = this.clock.now();
      cipher.revisionDate = now;
      await this.repo.update(tx.manager, cipher);
      await this.repo.setCollections(tx.manager, cipher.id, collectionIds);
      const after = await this.audience(tx.manager, auth, cipher);
      await this.announce(tx, 'CipherUpdated', auth, cipher, now, { recipients: [...new Set([...before.recipients, ...after.recipients])], collectionIds });
      const visible = await this.query.findVisible(tx.manager, auth.userId, cipher.id);
      return { cipher: visible ? await this.respond(tx.manager, auth, cipher, { visible }) : null, unavailable: !visible };
    });
  }

  update(auth: AuthContext, id: string, dto: CipherRequestDto): Promise<CipherResponseDto> {
    return this.uow.run(async (tx) => {
      const visible = await this.requireWritable(tx.manager, auth, id);
      const { cipher } = visible;
      await this.checkRequest(tx.manager, auth, dto, true, cipher.organizationId);
      if (dto.lastKnownRevisionDate && new Date(dto.lastKnownRevisionDate).getTime() !== cipher.revisionDate.getTime()) {
        throw new VaultError(ErrorCode.StaleCipher);
      }
      const now = this.clock.now();
      applyContent(cipher, dto);
      await this.attachments.rename(tx.manager, cipher.id, attachmentRenames(dto));
      cipher.revisionDate = now;
      await this.repo.update(tx.manager, cipher);
      const folderId = dto.folderId ?? null;
      const favorite = dto.favorite === true;
      await this.repo.setFolder(tx.manager, auth.userId, [cipher.id], folderId);
      await this.repo.setFavorite(tx.manager, auth.userId, [cipher.id], favorite);
      await this.announce(tx, 'CipherUpdated', auth, cipher, now);
      return this.respond(tx.manager, auth, cipher, { visible, folderId, favorite });
    });
  }

  /** Folder and favourite only: per-user state, so no event; the account revision date still moves. */
  partial(auth: AuthContext, id: string, dto: CipherPartialRequestDto): Promise<CipherResponseDto> {
    return this.uow.run(async (tx) => {
      const visible = await this.query.findVisible(tx.manager, auth.userId, id);
      if (!visible) throw new VaultError(ErrorCode.CipherNotFound);
      const { cipher } = visible;
      const folderId = dto.folderId ?? null;
      const favorite = dto.favorite === true;
      if (folderId) await this.folders.requireOwned(tx.manager, auth.userId, folderId);
      await this.repo.setFolder(tx.manager, auth.userId, [cipher.id], folderId);
      await this.repo.setFavorite(tx.manager, auth.userId, [cipher.id], favorite);
      await this.accountRevision.bump(tx, [auth.userId], this.clock.now());
      return this.respond(tx.manager, auth, cipher, { visible, folderId, favorite });
    });
  }

  /** Moves the cipher to the trash (soft delete). Already in the trash: nothing to do. */
  trash(auth: AuthContext, id: string): Promise<void> {
    return this.uow.run(async (tx) => {
      const cipher = await this.requireDeletable(tx.manager, auth, id);
      if (cipher.deletedDate) return;
      await this.changeDates(tx, auth, cipher, 'deletedDate', true);
    });
  }

  restore(auth: AuthContext, id: string): Promise<CipherResponseDto> {
    return this.uow.run(async (tx) => {
      const cipher = await this.requireDeletable(tx.manager, auth, id);
      if (cipher.deletedDate) await this.changeDates(tx, auth, cipher, 'deletedDate', false);
      return this.respond(tx.manager, auth, cipher);
    });
  }

  /** Archives the caller's cipher, or an organization cipher they see: that one only for the caller (per-user mark). */
  archive(auth: AuthContext, id: string): Promise<CipherResponseDto> {
    return this.setArchive(auth, id, true);
  }

  unarchive(auth: AuthContext, id: string): Promise<CipherResponseDto> {
    return this.setArchive(auth, id, false);
  }

  /** Hard delete. The event carries the time of deletion; recipients are known before the row goes. */
  delete(auth: AuthContext, id: string): Promise<void> {
    return this.uow.run(async (tx) => {
      const cipher = await this.requireDeletable(tx.manager, auth, id);
      const now = this.clock.now();
      // Who could see it, computed before it goes: a shared cipher's hard delete reaches every member.
      const audience = await this.audience(tx.manager, auth, cipher);
      await this.attachmentFiles.forCiphers(tx, [cipher.id]);
      if (cipher.organizationId) await this.repo.deleteByIds(tx.manager, [cipher.id]);
      else await this.repo.deleteByIdsAndUser(tx.manager, [cipher.id], auth.userId);
      await this.announce(tx, 'CipherDeleted', auth, cipher, now, audience);
    });
  }

  // --- multi-item writes: one CiphersBulkChanged, nothing per item, nothing when nothing changed ---

  /**
   * Hard delete of the caller's ciphers and of the organization ciphers their access lets them delete; the others
   * among the ids are skipped (as bitwarden/server does). Members who could see a deleted item are told too,
   * computed before the rows go.
   */
  bulkDelete(auth: AuthContext, dto: CipherIdsRequestDto): Promise<void> {
    return this.uow.run(async (tx) => {
      const ciphers = (await this.actionable(tx.manager, auth, dto.ids, 'delete')).map((v) => v.cipher);
      if (ciphers.length === 0) return;
      const members = await this.announcer.membersSeeing(tx.manager, ciphers);
      const own = ciphers.filter((c) => !c.organizationId).map((c) => c.id);
      const shared = ciphers.filter((c) => c.organizationId).map((c) => c.id);
      await this.attachmentFiles.forCiphers(tx, [...own, ...shared]);
      if (own.length > 0) await this.repo.deleteByIdsAndUser(tx.manager, own, auth.userId);
      if (shared.length > 0) await this.repo.deleteByIds(tx.manager, shared);
      await this.finishBulk(tx, auth, 'ciphers', 'bulk-delete', this.clock.now(), members);
    });
  }

  bulkTrash(auth: AuthContext, dto: CipherIdsRequestDto): Promise<void> {
    return this.uow.run(async (tx) => {
      const now = this.clock.now();
      await this.bulkDates(tx, auth, dto.ids, (c) => !c.deletedDate, { deletedDate: now }, 'bulk-trash', now, 'delete');
    });
  }

  bulkRestore(auth: AuthContext, dto: CipherIdsRequestDto): Promise<ListResponseDto<CipherResponseDto>> {
    return this.uow.run(async (tx) => {
      const changed = await this.bulkDates(tx, auth, dto.ids, (c) => !!c.deletedDate, { deletedDate: null }, 'bulk-restore', this.clock.now(), 'delete');
      return toListResponse((await this.query.views(tx.manager, auth.userId, changed)).map(toCipherResponse));
    });
  }

  bulkArchive(auth: AuthContext, dto: CipherIdsRequestDto): Promise<ListResponseDto<CipherResponseDto>> {
    return this.uow.run(async (tx) => {
      const changed = await this.bulkArchiveMarks(tx, auth, dto.ids, true);
      return toListResponse((await this.query.views(tx.manager, auth.userId, changed)).map(toCipherResponse));
    });
  }

  bulkUnarchive(auth: AuthContext, dto: CipherIdsRequestDto): Promise<ListResponseDto<CipherResponseDto>> {
    return this.uow.run(async (tx) => {
      const changed = await this.bulkArchiveMarks(tx, auth, dto.ids, false);
      return toListResponse((await this.query.views(tx.manager, auth.userId, changed)).map(toCipherResponse));
    });
  }

  /**
   * Puts ciphers in a folder (or none) for the caller: their own, and organization ciphers they see. Folder
   * assignment is per user, so the ciphers' own revision dates stay and nobody else is told; exactly one id →
   * CipherUpdated with the cipher's current revision date, else bulk.
   */
  move(auth: AuthContext, dto: CipherMoveRequestDto): Promise<void> {
    return this.uow.run(async (tx) => {
      const folderId = dto.folderId ?? null;
      if (folderId) await this.folders.requireOwned(tx.manager, auth.userId, folderId);
      const ciphers = (await this.actionable(tx.manager, auth, dto.ids, 'see')).map((v) => v.cipher);
      if (ciphers.length === 0) return;
      const now = this.clock.now();
      await this.repo.setFolder(tx.manager, auth.userId, ciphers.map((c) => c.id), folderId);
      const [only] = ciphers;
      if (new Set(dto.ids).size === 1 && only) {
        await this.accountRevision.bump(tx, [auth.userId], now);
        await this.emitCipher(tx, 'CipherUpdated', auth, only, only.revisionDate, { recipients: [auth.userId], collectionIds: null });
      } else {
        await this.finishBulk(tx, auth, 'ciphers', 'bulk-move', now);
      }
    });
  }

  /** Vault import: folders, ciphers and their folder relationships in one transaction; one SyncVault. */
  import(auth: AuthContext, dto: ImportRequestDto): Promise<void> {
    return this.uow.run(async (tx) => {
      await this.policies.assertMayImportPersonalItems(tx.manager, auth.userId);
      const folderRequests = dto.folders ?? [];
      const relationships = dto.folderRelationships ?? [];
      for (const cipher of dto.ciphers) await this.checkRequest(tx.manager, auth, cipher, false);
      for (const { key, value } of relationships) {
        if (key >= dto.ciphers.length || value >= folderRequests.length) throw new VaultError(ErrorCode.InvalidFolderRelationship);
      }
      const directFolderIds = dto.ciphers.map((c) => c.folderId).filter((id): id is string => !!id);
      const requestedIds = folderRequests.map((f) => f.id).filter((id): id is string => !!id);
      const owned = await this.folders.ownedIds(tx.manager, auth.userId, [...directFolderIds, ...requestedIds]);
      if (directFolderIds.some((id) => !owned.has(id))) throw new VaultError(ErrorCode.FolderNotFound);
      if (dto.ciphers.length === 0 && folderRequests.every((f) => f.id && owned.has(f.id))) return;

      const now = this.clock.now();
      const ciphers = dto.ciphers.map((c) => newCipher(auth.userId, c, now));
      await this.repo.insert(tx.manager, ciphers);
      const direct = new Map<number, string>();
      dto.ciphers.forEach((c, index) => {
        if (c.folderId) direct.set(index, c.folderId);
      });
      await this.placeInImportedFolders(tx, auth, { folderRequests, relationships, owned, direct }, ciphers, now);
      const favorites = ciphers.filter((_, index) => dto.ciphers[index]?.favorite === true).map((c) => c.id);
      if (favorites.length > 0) await this.repo.setFavorite(tx.manager, auth.userId, favorites, true);

      await this.finishBulk(tx, auth, 'vault', 'import', now);
    });
  }

  /**
   * POST /api/ciphers/import-organization: items of the organization in one transaction, in collections of the
   * import (an existing collection of the organization is reused by id, the others are created, managed by the
   * importer) and, for the importer, in folders. Who may (bitwarden/server ImportCiphersController): owners,
   * admins and custom users with accessImportExport anywhere; others only into collections they may create or
   * update, and not without collections (400 otherwise). The importer and every member who sees an imported item
   * get one SyncVault. Relationships pointing outside the lists are refused (400), as for personal imports.
   */
  importOrganization(auth: AuthContext, organizationId: string, dto: ImportOrganizationRequestDto): Promise<void> {
    return this.uow.run(async (tx) => {
      const { organization, membership } = await this.organizations.requireConfirmedMember(tx.manager, organizationId, auth.userId);
      if (!organization.enabled) throw new VaultError(ErrorCode.OrganizationNotFound);
      const role = roleOf(organization, membership);
      const collections = dto.collections ?? [];
      const links = dto.collectionRelationships ?? [];
      const folderRequests = dto.folders ?? [];
      const relationships = dto.folderRelationships ?? [];
      for (const { key, value } of links) {
        if (key >= dto.ciphers.length || value >= collections.length) throw new VaultError(ErrorCode.InvalidCollectionRelationship);
      }
      for (const { key, value } of relationships) {
        if (key >= dto.ciphers.length || value >= folderRequests.length) throw new VaultError(ErrorCode.InvalidFolderRelationship);
      }
      for (const cipher of dto.ciphers) await this.checkRequest(tx.manager, auth, cipher, false, organizationId);

      const existing = await this.repo.collectionsOfOrganization(tx.manager, organizationId, collections.map((c) => c.id).filter((id): id is string => !!id));
      const reused = [...new Set(collections.map((c) => c.id).filter((id): id is string => !!id && existing.has(id)))];
      const creates = collections.filter((c) => !(c.id && existing.has(c.id)));
      if (!canImportAnywhere(role)) {
        const management = await this.repo.collectionManagement(tx.manager, reused, membership.id);
        const allowed = collections.length > 0
          && (creates.length === 0 || canCreateCollections(role))
          && reused.every((id) => canUpdateCollection(role, management.get(id) ?? { managedByCaller: false, managedByAnyone: false }));
        if (!allowed) throw new VaultError(ErrorCode.OrganizationImportRefused);
      }
      if (dto.ciphers.length === 0 && creates.length === 0) return;

      const now = this.clock.now();
      const created = creates.map((c) => Object.assign(new CollectionEntity(), {
        id: randomUUID(), organizationId, name: c.name, externalId: c.externalId ?? null, creationDate: now, revisionDate: now,
      }));
      await this.repo.insertCollections(tx.manager, created, membership.id);
      let next = 0;
      const collectionIdAt = collections.map((c) => (c.id && existing.has(c.id) ? c.id : (created[next++] as CollectionEntity).id));
      const ciphers = dto.ciphers.map((c) => Object.assign(newCipher(auth.userId, c, now), { userId: null, organizationId }));
      await this.repo.insert(tx.manager, ciphers);
      const pairs = links.map(({ key, value }) => ({ cipherId: (ciphers[key] as CipherEntity).id, collectionId: collectionIdAt[value] as string }));
      await this.repo.addCollectionLinks(tx.manager, pairs);
      // Folders are the importer's; like bitwarden/server, only the relationships place items in them.
      const owned = await this.folders.ownedIds(tx.manager, auth.userId, folderRequests.map((f) => f.id).filter((id): id is string => !!id));
      await this.placeInImportedFolders(tx, auth, { folderRequests, relationships, owned, direct: new Map() }, ciphers, now);

      const members = await this.repo.membersOfCollections(tx.manager, [...new Set([...pairs.map((p) => p.collectionId), ...created.map((c) => c.id)])]);
      await this.finishBulk(tx, auth, 'vault', 'import', now, members);
    });
  }

  /**
   * PUT /api/ciphers/share: several of the caller's personal ciphers, re-encrypted with the organization key, move
   * into the same collections (each writable by the caller). One SyncCiphers to the caller and every member of
   * those collections; the answer lists the shared ciphers (`cipherMini`).
   */
  async shareMany(auth: AuthContext, dto: CipherBulkShareRequestDto): Promise<ListResponseDto<CipherMiniResponseDto>> {
    const organizationIds = new Set(dto.ciphers.map((c) => c.organizationId?.toLowerCase() ?? null));
    const [organizationId] = [...organizationIds];
    if (!organizationId) throw new VaultError(ErrorCode.CollectionsNeedOrganization);
    if (organizationIds.size > 1) throw new VaultError(ErrorCode.OrganizationMismatch);
    return this.uow.run(async (tx) => {
      const collectionIds = await this.requireWritableCollections(tx.manager, auth, organizationId, dto.collectionIds);
      const owned = new Map((await this.repo.findByIdsAndUser(tx.manager, dto.ciphers.map((c) => c.id), auth.userId)).map((c) => [c.id, c]));
      const now = this.clock.now();
      const shared = new Map<string, CipherEntity>();
      for (const request of dto.ciphers) {
        const cipher = owned.get(request.id);
        if (!cipher) throw new VaultError(ErrorCode.CipherNotOwned);
        await this.checkRequest(tx.manager, auth, request, false, organizationId);
        if (request.lastKnownRevisionDate && new Date(request.lastKnownRevisionDate).getTime() !== cipher.revisionDate.getTime()) {
          throw new VaultError(ErrorCode.StaleCipher);
        }
        applyContent(cipher, request);
        await this.attachments.rename(tx.manager, cipher.id, attachmentRenames(request));
        Object.assign(cipher, { userId: null, organizationId, revisionDate: now });
        shared.set(cipher.id, cipher);
      }
      for (const cipher of shared.values()) {
        await this.keepArchiveMark(tx.manager, auth, cipher);
        await this.repo.update(tx.manager, cipher);
        await this.repo.setCollections(tx.manager, cipher.id, collectionIds);
      }
      await this.attachmentShares.apply(tx, [...shared.keys()]);
      await this.finishBulk(tx, auth, 'ciphers', 'bulk-share', now, await this.repo.membersOfCollections(tx.manager, collectionIds));
      return toListResponse(await this.query.minis(tx.manager, [...shared.values()]));
    });
  }

  /**
   * Deletes every personal cipher and folder of the caller, after checking the master password hash. With an
   * organization id: every item of that organization instead, for owners, admins and custom users with
   * editAnyCollection (bitwarden/server; others 404, checked after the password as upstream does); the caller and
   * every member who saw one of them get one SyncVault.
   */
  async purge(auth: AuthContext, dto: PurgeRequestDto, organizationId: string | undefined): Promise<void> {
    const user = await this.uow.read((db) => this.accounts.requireUser(db, auth.userId));
    if (!(await verifyMasterPasswordHash(user, dto.masterPasswordHash, { priority: true }))) throw new VaultError(ErrorCode.InvalidPassword);
    if (organizationId) return this.purgeOrganization(auth, organizationId);
    await this.uow.run(async (tx) => {
      await this.attachmentFiles.forUser(tx, auth.userId);
      await this.repo.deleteAllByUser(tx.manager, auth.userId);
      await this.folderCommands.deleteAllInTx(tx, auth.userId);
      await this.finishBulk(tx, auth, 'vault', 'purge', this.clock.now());
    });
  }

  /**
   * Scheduled trash purge: hard-deletes ciphers trashed before `cutoff`, in batches. No event
   * (notifications.md §8.1: picked up at the next sync), but the revision dates of the owners, and of the members
   * who saw a purged organization item (computed before it goes), move.
   */
  async purgeTrashedBefore(cutoff: Date, batchSize = 500): Promise<number> {
    let total = 0;
    for (;;) {
      const removed = await this.uow.run(async (tx) => {
        const rows = await this.repo.findTrashedBefore(tx.manager, cutoff, batchSize);
        if (rows.length === 0) return 0;
        const shared = rows.filter((row) => row.userId === null).map((row) => row.id);
        const members = shared.length === 0 ? [] : await this.repo.membersOfCollections(tx.manager, [...(await this.repo.collectionLinks(tx.manager, shared)).values()].flat());
        await this.attachmentFiles.forCiphers(tx, rows.map((row) => row.id));
        await this.repo.deleteTrashedByIds(tx.manager, rows.map((row) => row.id));
        const owners = rows.map((row) => row.userId).filter((id): id is string => id !== null);
        await this.accountRevision.bump(tx, [...new Set([...owners, ...members])], this.clock.now());
        return rows.length;
      });
      total += removed;
      if (removed < batchSize) return total;
    }
  }

  // --- helpers ---

  /**
   * Archive state of one cipher for the caller. A personal cipher: its archive and revision dates, CipherUpdated.
   * An organization cipher the caller sees (read-only too, as upstream): the caller's own mark only; the shared row
   * and the other members are untouched, so only the caller is told, with the cipher's current revision date.
   */
  private setArchive(auth: AuthContext, id: string, archive: boolean): Promise<CipherResponseDto> {
    return this.uow.run(async (tx) => {
      const visible = await this.query.findVisible(tx.manager, auth.userId, id);
      if (!visible) throw new VaultError(ErrorCode.CipherNotFound);
      const { cipher } = visible;
      if (!cipher.organizationId) {
        if (!!cipher.archivedDate !== archive) await this.changeDates(tx, auth, cipher, 'archivedDate', archive);
        return this.respond(tx.manager, auth, cipher);
      }
      const marked = (await this.repo.archiveDates(tx.manager, auth.userId, [cipher.id])).has(cipher.id);
      if (marked !== archive) {
        const now = this.clock.now();
        await this.repo.setArchived(tx.manager, auth.userId, [cipher.id], archive ? now : null);
        await this.accountRevision.bump(tx, [auth.userId], now);
        await this.emitCipher(tx, 'CipherUpdated', auth, cipher, cipher.revisionDate, { recipients: [auth.userId], collectionIds: null });
      }
      return this.respond(tx.manager, auth, cipher, { visible });
    });
  }

  /** Archive or unarchive, for the caller, their ciphers and the organization ciphers they see among `ids`; one bulk event to the caller. */
  private async bulkArchiveMarks(tx: Tx, auth: AuthContext, ids: string[], archive: boolean): Promise<VisibleCipher[]> {
    const candidates = await this.actionable(tx.manager, auth, ids, 'see');
    const sharedIds = candidates.filter((v) => v.cipher.organizationId).map((v) => v.cipher.id);
    const marks = sharedIds.length === 0 ? new Map<string, Date>() : await this.repo.archiveDates(tx.manager, auth.userId, sharedIds);
    const archived = (c: CipherEntity): boolean => (c.organizationId ? marks.has(c.id) : !!c.archivedDate);
    const changed = candidates.filter((v) => archived(v.cipher) !== archive);
    if (changed.length === 0) return [];
    const now = this.clock.now();
    const own = changed.filter((v) => !v.cipher.organizationId).map((v) => v.cipher);
    const shared = changed.filter((v) => v.cipher.organizationId).map((v) => v.cipher.id);
    for (const cipher of own) Object.assign(cipher, { archivedDate: archive ? now : null, revisionDate: now });
    if (own.length > 0) await this.repo.setDates(tx.manager, own.map((c) => c.id), auth.userId, { archivedDate: archive ? now : null, revisionDate: now });
    if (shared.length > 0) await this.repo.setArchived(tx.manager, auth.userId, shared, archive ? now : null);
    await this.finishBulk(tx, auth, 'ciphers', archive ? 'bulk-archive' : 'bulk-unarchive', now);
    return changed;
  }

  private purgeOrganization(auth: AuthContext, organizationId: string): Promise<void> {
    return this.uow.run(async (tx) => {
      const { organization, membership } = await this.organizations.requireConfirmedMember(tx.manager, organizationId, auth.userId);
      if (!organization.enabled || !canPurgeItems(roleOf(organization, membership))) throw new VaultError(ErrorCode.OrganizationNotFound);
      const links = await this.repo.collectionLinksOfOrganization(tx.manager, organizationId);
      const members = await this.repo.membersOfCollections(tx.manager, [...new Set([...links.values()].flat())]);
      await this.attachmentFiles.forOrganization(tx, organizationId);
      await this.repo.deleteByIds(tx.manager, await this.repo.idsByOrganization(tx.manager, organizationId));
      await this.finishBulk(tx, auth, 'vault', 'purge', this.clock.now(), members);
    });
  }

  /** A personal cipher about to be shared: its archive date becomes the sharer's own mark (the other members see it unarchived). */
  private async keepArchiveMark(db: EntityManager, auth: AuthContext, cipher: CipherEntity): Promise<void> {
    if (!cipher.archivedDate) return;
    await this.repo.setArchived(db, auth.userId, [cipher.id], cipher.archivedDate);
    cipher.archivedDate = null;
  }

  /**
   * The ciphers among `ids` the caller may act on, with their access: their own, and organization ciphers their
   * access allows (`delete`: trash, restore and hard delete as `permissions.delete` says; `see`: per-user state such
   * as folders). Others are skipped silently, as bitwarden/server's multi-item operations do.
   */
  private async actionable(db: EntityManager, auth: AuthContext, ids: string[], right: 'delete' | 'see'): Promise<VisibleCipher[]> {
    const own: VisibleCipher[] = (await this.repo.findByIdsAndUser(db, ids, auth.userId)).map((cipher) => ({ cipher, access: null }));
    const ownIds = new Set(own.map((v) => v.cipher.id));
    const rest = [...new Set(ids)].filter((id) => !ownIds.has(id));
    const grants = rest.length === 0 ? [] : await this.repo.grants(db, auth.userId, rest);
    if (grants.length === 0) return own;
    const byCipher = new Map<string, CollectionGrant[]>();
    for (const grant of grants) byCipher.set(grant.cipherId, [...(byCipher.get(grant.cipherId) ?? []), grant]);
    const shared = (await this.repo.findByIds(db, [...byCipher.keys()])).filter((c) => c.organizationId !== null);
    const limits = right === 'delete' ? await this.repo.itemDeletionLimits(db, shared.map((c) => c.organizationId as string)) : new Map<string, boolean>();
    const allowed = shared.flatMap((cipher): VisibleCipher[] => {
      const access = accessFromGrants(byCipher.get(cipher.id) ?? []);
      if (!access) return [];
      if (right === 'delete' && !deletePermission(access, limits.get(cipher.organizationId as string) ?? false)) return [];
      return [{ cipher, access }];
    });
    return [...own, ...allowed];
  }

  /**
   * Creates an import's new folders for the caller (their own folders are reused by id) and puts the imported
   * ciphers in them: `direct` (cipher index → one of the caller's folders), then the relationships.
   */
  private async placeInImportedFolders(
    tx: Tx, auth: AuthContext,
    plan: { folderRequests: ImportFolderDto[]; relationships: FolderRelationshipDto[]; owned: Set<string>; direct: Map<number, string> },
    ciphers: CipherEntity[], now: Date,
  ): Promise<void> {
    const { folderRequests, relationships, owned, direct } = plan;
    const toCreate = folderRequests.filter((f) => !(f.id && owned.has(f.id)));
    const created = await this.folderCommands.createInTx(tx, auth.userId, toCreate.map((f) => f.name), now);
    let next = 0;
    const folderIdAt = folderRequests.map((f) => (f.id && owned.has(f.id) ? f.id : (created[next++] as { id: string }).id));
    const folderOf = new Map<number, string>(direct);
    for (const { key, value } of relationships) folderOf.set(key, folderIdAt[value] as string);
    const byFolder = new Map<string, string[]>();
    for (const [index, folderId] of folderOf) byFolder.set(folderId, [...(byFolder.get(folderId) ?? []), (ciphers[index] as CipherEntity).id]);
    for (const [folderId, ids] of byFolder) await this.repo.setFolder(tx.manager, auth.userId, ids, folderId);
  }

  private async requireOwned(db: EntityManager, auth: AuthContext, id: string): Promise<CipherEntity> {
    const cipher = await this.repo.findByIdAndUser(db, id, auth.userId);
    if (!cipher) throw new VaultError(ErrorCode.CipherNotFound);
    return cipher;
  }

  /** The caller's own cipher, or an organization cipher they may edit (404 when not visible, 400 when read-only). */
  private async requireWritable(db: EntityManager, auth: AuthContext, id: string): Promise<VisibleCipher> {
    const visible = await this.query.findVisible(db, auth.userId, id);
    if (!visible) throw new VaultError(ErrorCode.CipherNotFound);
    if (visible.access && !visible.access.edit) throw new VaultError(ErrorCode.CipherReadOnly);
    return visible;
  }

  /** The caller's own cipher, or an organization cipher whose permissions allow them to delete and restore it. */
  private async requireDeletable(db: EntityManager, auth: AuthContext, id: string): Promise<CipherEntity> {
    const visible = await this.query.findVisible(db, auth.userId, id);
    if (!visible) throw new VaultError(ErrorCode.CipherNotFound);
    if (visible.access && visible.cipher.organizationId) {
      const limits = await this.repo.itemDeletionLimits(db, [visible.cipher.organizationId]);
      if (!deletePermission(visible.access, limits.get(visible.cipher.organizationId) ?? false)) throw new VaultError(ErrorCode.CipherReadOnly);
    }
    return visible.cipher;
  }

  /** The collection ids, each in the organization and writable by the caller; at least one. */
  private async requireWritableCollections(db: EntityManager, auth: AuthContext, organizationId: string, ids: string[]): Promise<string[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) throw new VaultError(ErrorCode.CollectionsRequired);
    const found = await this.repo.writableCollections(db, auth.userId, organizationId, unique);
    if (!found.member) throw new VaultError(ErrorCode.CipherNotFound);
    if (unique.some((id) => !found.existing.has(id) || !found.writable.has(id))) throw new VaultError(ErrorCode.CollectionNotWritable);
    return unique;
  }

  /** Who is told of a change to `cipher`: the caller for a personal cipher, the members of its collections for a shared one. */
  private audience(db: EntityManager, auth: AuthContext, cipher: CipherEntity): Promise<Audience> {
    return this.announcer.audience(db, auth, cipher);
  }

  /** Moves the revision dates of everyone told and emits the change (one event, fanned out by the wire table). */
  private announce(tx: Tx, name: CipherEventName, auth: AuthContext, cipher: CipherEntity, revisionDate: Date, known?: Audience): Promise<void> {
    return this.announcer.announce(tx, name, auth, cipher, revisionDate, known);
  }

  /**
   * Rules every create/edit body must meet before anything is written. `organizationId`: the organization the
   * cipher is (or goes) in; a body naming another one, or naming one for a personal cipher, is refused.
   */
  private async checkRequest(db: EntityManager, auth: AuthContext, dto: CipherRequestDto, checkFolder = true, organizationId: string | null = null): Promise<void> {
    const named = dto.organizationId ?? null;
    if (named !== null && organizationId === null) throw new VaultError(ErrorCode.CollectionsRequired);
    if (named !== null && named.toLowerCase() !== organizationId?.toLowerCase()) throw new VaultError(ErrorCode.OrganizationMismatch);
    if (dto.encryptedFor && dto.encryptedFor.toLowerCase() !== auth.userId.toLowerCase()) throw new VaultError(ErrorCode.CipherNotEncryptedForUser);
    if (checkFolder && dto.folderId) await this.folders.requireOwned(db, auth.userId, dto.folderId);
  }

  /**
   * `cipher` as the caller sees it. A personal cipher whose folder and favourite the caller has just written
   * needs no query (the edit path); otherwise they are read, with an organization cipher's access (`visible`
   * when the caller already has it).
   */
  private async respond(
    db: EntityManager, auth: AuthContext, cipher: CipherEntity, known: { visible?: VisibleCipher; folderId?: string | null; favorite?: boolean } = {},
  ): Promise<CipherResponseDto> {
    if (!cipher.organizationId && known.folderId !== undefined && known.favorite !== undefined) {
      return toCipherResponse({ cipher, folderId: known.folderId, favorite: known.favorite, attachments: await this.attachmentLinks.forCipher(db, cipher.id) });
    }
    const visible = cipher.organizationId ? known.visible ?? (await this.query.findVisible(db, auth.userId, cipher.id)) : null;
    const [view] = await this.query.views(db, auth.userId, [visible ? { cipher, access: visible.access } : cipher]);
    return toCipherResponse(view ?? { cipher, folderId: null, favorite: false });
  }

  /** Trash, restore, archive, unarchive of one cipher: new dates, revision bump, CipherUpdated. */
  /** One clock read: the trash/archive date and the revision date are the same instant. */
  private async changeDates(tx: Tx, auth: AuthContext, cipher: CipherEntity, field: 'deletedDate' | 'archivedDate', set: boolean): Promise<void> {
    const now = this.clock.now();
    const dates = { [field]: set ? now : null };
    Object.assign(cipher, dates, { revisionDate: now });
    if (cipher.organizationId) await this.repo.setDatesById(tx.manager, [cipher.id], { ...dates, revisionDate: now });
    else await this.repo.setDates(tx.manager, [cipher.id], auth.userId, { ...dates, revisionDate: now });
    await this.announce(tx, 'CipherUpdated', auth, cipher, now);
  }

  /** The same date change on every owned cipher among `ids` that `applies`; returns the changed ciphers. */
  private async bulkDates(
    tx: Tx,
    auth: AuthContext,
    ids: string[],
    applies: (cipher: CipherEntity) => boolean,
    dates: Partial<Pick<CipherEntity, 'deletedDate' | 'archivedDate'>>,
    reason: BulkReason,
    now: Date,
    organizationRight: 'delete' | null = null,
  ): Promise<VisibleCipher[]> {
    const candidates = organizationRight
      ? await this.actionable(tx.manager, auth, ids, organizationRight)
      : (await this.repo.findByIdsAndUser(tx.manager, ids, auth.userId)).map((cipher) => ({ cipher, access: null }));
    const changed = candidates.filter((v) => applies(v.cipher));
    if (changed.length === 0) return [];
    for (const { cipher } of changed) Object.assign(cipher, dates, { revisionDate: now });
    const own = changed.filter((v) => !v.cipher.organizationId).map((v) => v.cipher.id);
    const shared = changed.filter((v) => v.cipher.organizationId).map((v) => v.cipher.id);
    if (own.length > 0) await this.repo.setDates(tx.manager, own, auth.userId, { ...dates, revisionDate: now });
    if (shared.length > 0) await this.repo.setDatesById(tx.manager, shared, { ...dates, revisionDate: now });
    await this.finishBulk(tx, auth, 'ciphers', reason, now, await this.announcer.membersSeeing(tx.manager, changed.map((v) => v.cipher)));
    return changed;
  }

  /** One CiphersBulkChanged to the caller and to `others` (members who saw organization items that changed). */
  private finishBulk(tx: Tx, auth: AuthContext, kind: 'ciphers' | 'vault', reason: BulkReason, now: Date, others: string[] = []): Promise<void> {
    return this.announcer.bulk(tx, auth, kind, reason, now, others);
  }

  private emitCipher(tx: Tx, name: CipherEventName, auth: AuthContext, cipher: CipherEntity, revisionDate: Date, audience: Audience): Promise<void> {
    return this.announcer.emitCipher(tx, name, auth, cipher, revisionDate, audience);
  }
}
