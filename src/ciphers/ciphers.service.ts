import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AccountRevisionService } from '../accounts/account-revision.service';
import { AccountsQueryService } from '../accounts/accounts-query.service';
import { AuthContext } from '../common/auth/auth-context';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { Clock } from '../common/time/clock';
import { CipherEntity } from '../db/entities';
import { Tx, UnitOfWork } from '../db/unit-of-work';
import { CipherChange, DomainEventMap } from '../event-bus/domain-events';
import { EventBus } from '../event-bus/event-bus.service';
import { ListResponseDto, toListResponse } from '../common/http/list-response';
import { FoldersQueryService } from '../folders/folders-query.service';
import { FoldersService } from '../folders/folders.service';
import { verifyMasterPasswordHash } from '../accounts/password-hasher';
import {
  CipherCollectionsRequestDto, CipherCreateRequestDto, CipherIdsRequestDto, CipherMoveRequestDto, CipherPartialRequestDto, CipherRequestDto,
  CipherShareRequestDto, PurgeRequestDto, TYPE_DATA_KEY,
} from './dto/cipher-request.dto';
import { CipherResponseDto, toCipherResponse } from './dto/cipher-response.dto';
import { ImportRequestDto } from './dto/import-request.dto';
import { deletePermission } from './cipher-access';
import { CiphersQueryService, VisibleCipher } from './ciphers-query.service';
import { CiphersRepository } from './ciphers.repository';

type BulkReason = DomainEventMap['CiphersBulkChanged']['reason'];
type CipherEventName = 'CipherCreated' | 'CipherUpdated' | 'CipherDeleted';

/** Who is told of a change to a cipher: its owner, or every confirmed member assigned to one of its collections. */
interface Audience { recipients: string[]; collectionIds: string[] | null }

/** Drops the `response` keys clients echo back from their own models; keeps everything else as sent. */
function withoutResponse(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutResponse);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([key]) => key !== 'response' && key !== '__proto__')
      .map(([key, inner]) => [key, withoutResponse(inner)]),
  );
}

/** Copies the content of a request onto a cipher row (not its dates, owner or per-user state). */
function applyContent(cipher: CipherEntity, dto: CipherRequestDto): void {
  cipher.type = dto.type;
  cipher.name = dto.name;
  cipher.notes = dto.notes ?? null;
  cipher.key = dto.key ?? null;
  cipher.reprompt = dto.reprompt ?? 0;
  cipher.data = JSON.stringify(withoutResponse(dto[TYPE_DATA_KEY[dto.type]] ?? {}));
  cipher.fields = dto.fields
    ? JSON.stringify(dto.fields.map((field) => ({ type: field.type, name: field.name ?? null, value: field.value ?? null, linkedId: field.linkedId ?? null })))
    : null;
  cipher.passwordHistory = dto.passwordHistory
    ? JSON.stringify(dto.passwordHistory.map((entry) => ({ lastUsedDate: entry.lastUsedDate, password: entry.password })))
    : null;
}

function newCipher(userId: string, dto: CipherRequestDto, now: Date): CipherEntity {
  const cipher = new CipherEntity();
  cipher.id = randomUUID();
  cipher.userId = userId;
  cipher.organizationId = null;
  applyContent(cipher, dto);
  cipher.creationDate = now;
  cipher.revisionDate = now;
  cipher.deletedDate = null;
  cipher.archivedDate = null;
  return cipher;
}

/**
 * Cipher commands. Each is one unit of work that checks ownership, writes, sets the cipher's revision date,
 * bumps the owner's account revision date and emits the domain event of the trigger table
 * (notifications.md §8.1). Only personal ciphers exist so far: organization ids are refused.
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
    private readonly bus: EventBus,
    private readonly clock: Clock,
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
      applyContent(cipher, dto.cipher);
      cipher.userId = null;
      cipher.organizationId = organizationId;
      cipher.revisionDate = now;
      await this.repo.update(tx.manager, cipher);
      await this.repo.setCollections(tx.manager, cipher.id, collectionIds);
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

  archive(auth: AuthContext, id: string): Promise<CipherResponseDto> {
    return this.uow.run(async (tx) => {
      const cipher = await this.requireOwned(tx.manager, auth, id);
      if (!cipher.archivedDate) await this.changeDates(tx, auth, cipher, 'archivedDate', true);
      return this.respond(tx.manager, auth, cipher);
    });
  }

  unarchive(auth: AuthContext, id: string): Promise<CipherResponseDto> {
    return this.uow.run(async (tx) => {
      const cipher = await this.requireOwned(tx.manager, auth, id);
      if (cipher.archivedDate) await this.changeDates(tx, auth, cipher, 'archivedDate', false);
      return this.respond(tx.manager, auth, cipher);
    });
  }

  /** Hard delete. The event carries the time of deletion; recipients are known before the row goes. */
  delete(auth: AuthContext, id: string): Promise<void> {
    return this.uow.run(async (tx) => {
      const cipher = await this.requireDeletable(tx.manager, auth, id);
      const now = this.clock.now();
      // Who could see it, computed before it goes: a shared cipher's hard delete reaches every member.
      const audience = await this.audience(tx.manager, auth, cipher);
      if (cipher.organizationId) await this.repo.deleteByIds(tx.manager, [cipher.id]);
      else await this.repo.deleteByIdsAndUser(tx.manager, [cipher.id], auth.userId);
      await this.announce(tx, 'CipherDeleted', auth, cipher, now, audience);
    });
  }

  // --- multi-item writes: one CiphersBulkChanged, nothing per item, nothing when nothing changed ---

  bulkDelete(auth: AuthContext, dto: CipherIdsRequestDto): Promise<void> {
    return this.uow.run(async (tx) => {
      const ciphers = await this.repo.findByIdsAndUser(tx.manager, dto.ids, auth.userId);
      if (ciphers.length === 0) return;
      await this.repo.deleteByIdsAndUser(tx.manager, ciphers.map((c) => c.id), auth.userId);
      await this.finishBulk(tx, auth, 'ciphers', 'bulk-delete', this.clock.now());
    });
  }

  bulkTrash(auth: AuthContext, dto: CipherIdsRequestDto): Promise<void> {
    return this.uow.run(async (tx) => {
      const now = this.clock.now();
      await this.bulkDates(tx, auth, dto.ids, (c) => !c.deletedDate, { deletedDate: now }, 'bulk-trash', now);
    });
  }

  bulkRestore(auth: AuthContext, dto: CipherIdsRequestDto): Promise<ListResponseDto<CipherResponseDto>> {
    return this.uow.run(async (tx) => {
      const changed = await this.bulkDates(tx, auth, dto.ids, (c) => !!c.deletedDate, { deletedDate: null }, 'bulk-restore', this.clock.now());
      return toListResponse((await this.query.views(tx.manager, auth.userId, changed)).map(toCipherResponse));
    });
  }

  bulkArchive(auth: AuthContext, dto: CipherIdsRequestDto): Promise<ListResponseDto<CipherResponseDto>> {
    return this.uow.run(async (tx) => {
      const now = this.clock.now();
      const changed = await this.bulkDates(tx, auth, dto.ids, (c) => !c.archivedDate, { archivedDate: now }, 'bulk-archive', now);
      return toListResponse((await this.query.views(tx.manager, auth.userId, changed)).map(toCipherResponse));
    });
  }

  bulkUnarchive(auth: AuthContext, dto: CipherIdsRequestDto): Promise<ListResponseDto<CipherResponseDto>> {
    return this.uow.run(async (tx) => {
      const changed = await this.bulkDates(tx, auth, dto.ids, (c) => !!c.archivedDate, { archivedDate: null }, 'bulk-unarchive', this.clock.now());
      return toListResponse((await this.query.views(tx.manager, auth.userId, changed)).map(toCipherResponse));
    });
  }

  /**
   * Puts ciphers in a folder (or none) for the caller. Folder assignment is per user, so the ciphers' own
   * revision dates stay; exactly one id → CipherUpdated with the cipher's current revision date, else bulk.
   */
  move(auth: AuthContext, dto: CipherMoveRequestDto): Promise<void> {
    return this.uow.run(async (tx) => {
      const folderId = dto.folderId ?? null;
      if (folderId) await this.folders.requireOwned(tx.manager, auth.userId, folderId);
      const ciphers = await this.repo.findByIdsAndUser(tx.manager, dto.ids, auth.userId);
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
      const toCreate = folderRequests.filter((f) => !(f.id && owned.has(f.id)));
      const created = await this.folderCommands.createInTx(tx, auth.userId, toCreate.map((f) => f.name), now);
      let next = 0;
      const folderIdAt = folderRequests.map((f) => (f.id && owned.has(f.id) ? f.id : (created[next++] as { id: string }).id));

      const ciphers = dto.ciphers.map((c) => newCipher(auth.userId, c, now));
      await this.repo.insert(tx.manager, ciphers);
      const folderOf = new Map<number, string>();
      dto.ciphers.forEach((c, index) => {
        if (c.folderId) folderOf.set(index, c.folderId);
      });
      for (const { key, value } of relationships) folderOf.set(key, folderIdAt[value] as string);
      const byFolder = new Map<string, string[]>();
      for (const [index, folderId] of folderOf) byFolder.set(folderId, [...(byFolder.get(folderId) ?? []), (ciphers[index] as CipherEntity).id]);
      for (const [folderId, ids] of byFolder) await this.repo.setFolder(tx.manager, auth.userId, ids, folderId);
      const favorites = ciphers.filter((_, index) => dto.ciphers[index]?.favorite === true).map((c) => c.id);
      if (favorites.length > 0) await this.repo.setFavorite(tx.manager, auth.userId, favorites, true);

      await this.finishBulk(tx, auth, 'vault', 'import', now);
    });
  }

  /** Deletes every personal cipher and folder of the caller, after checking the master password hash. */
  async purge(auth: AuthContext, dto: PurgeRequestDto, organizationId: string | undefined): Promise<void> {
    if (organizationId) throw new VaultError(ErrorCode.OrganizationsUnsupported);
    const user = await this.uow.read((db) => this.accounts.requireUser(db, auth.userId));
    if (!(await verifyMasterPasswordHash(user, dto.masterPasswordHash, { priority: true }))) throw new VaultError(ErrorCode.InvalidPassword);
    await this.uow.run(async (tx) => {
      await this.repo.deleteAllByUser(tx.manager, auth.userId);
      await this.folderCommands.deleteAllInTx(tx, auth.userId);
      await this.finishBulk(tx, auth, 'vault', 'purge', this.clock.now());
    });
  }

  /**
   * Scheduled trash purge: hard-deletes ciphers trashed before `cutoff`, in batches. No event
   * (notifications.md §8.1: picked up at the next sync), but the owners' revision dates move.
   */
  async purgeTrashedBefore(cutoff: Date, batchSize = 500): Promise<number> {
    let total = 0;
    for (;;) {
      const removed = await this.uow.run(async (tx) => {
        const rows = await this.repo.findTrashedBefore(tx.manager, cutoff, batchSize);
        if (rows.length === 0) return 0;
        await this.repo.deleteTrashedByIds(tx.manager, rows.map((row) => row.id));
        await this.accountRevision.bump(tx, rows.map((row) => row.userId), this.clock.now());
        return rows.length;
      });
      total += removed;
      if (removed < batchSize) return total;
    }
  }

  // --- helpers ---

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
  private async audience(db: EntityManager, auth: AuthContext, cipher: CipherEntity): Promise<Audience> {
    if (!cipher.organizationId) return { recipients: [auth.userId], collectionIds: null };
    const collectionIds = await this.repo.collectionsOf(db, cipher.id);
    return { recipients: await this.repo.membersOfCollections(db, collectionIds), collectionIds };
  }

  /** Moves the revision dates of everyone told and emits the change (one event, fanned out by the wire table). */
  private async announce(tx: Tx, name: CipherEventName, auth: AuthContext, cipher: CipherEntity, revisionDate: Date, known?: Audience): Promise<void> {
    const audience = known ?? (await this.audience(tx.manager, auth, cipher));
    if (audience.recipients.length > 0) await this.accountRevision.bump(tx, audience.recipients, revisionDate);
    await this.emitCipher(tx, name, auth, cipher, revisionDate, audience);
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
      return toCipherResponse({ cipher, folderId: known.folderId, favorite: known.favorite });
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
  ): Promise<CipherEntity[]> {
    const changed = (await this.repo.findByIdsAndUser(tx.manager, ids, auth.userId)).filter(applies);
    if (changed.length === 0) return [];
    for (const cipher of changed) Object.assign(cipher, dates, { revisionDate: now });
    await this.repo.setDates(tx.manager, changed.map((c) => c.id), auth.userId, { ...dates, revisionDate: now });
    await this.finishBulk(tx, auth, 'ciphers', reason, now);
    return changed;
  }

  private async finishBulk(tx: Tx, auth: AuthContext, kind: 'ciphers' | 'vault', reason: BulkReason, now: Date): Promise<void> {
    await this.accountRevision.bump(tx, [auth.userId], now);
    await this.bus.emit(tx, 'CiphersBulkChanged', { userIds: [auth.userId], kind, reason, actor: auth.actor });
  }

  private emitCipher(tx: Tx, name: CipherEventName, auth: AuthContext, cipher: CipherEntity, revisionDate: Date, audience: Audience): Promise<void> {
    const change: CipherChange = {
      cipherId: cipher.id,
      userId: cipher.organizationId ? null : auth.userId,
      organizationId: cipher.organizationId,
      collectionIds: audience.collectionIds,
      revisionDate,
      recipients: audience.recipients,
      actor: auth.actor,
    };
    return this.bus.emit(tx, name, change);
  }
}
