import { Inject, Injectable } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { Readable } from 'node:stream';
import { EntityManager } from 'typeorm';
import { CipherAnnouncer } from '../ciphers/cipher-announcer';
import { CiphersQueryService } from '../ciphers/ciphers-query.service';
import { CipherMiniResponseDto, CipherResponseDto } from '../ciphers/dto/cipher-response.dto';
import { OrganizationCiphersService } from '../ciphers/organization-ciphers.service';
import { OrganizationsQueryService } from '../organizations/organizations-query.service';
import { AuthContext } from '../common/auth/auth-context';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { Clock } from '../common/time/clock';
import { isEncString } from '../common/validation/is-enc-string';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { AttachmentEntity, CipherEntity } from '../db/entities';
import { UnitOfWork } from '../db/unit-of-work';
import { ReceivedFile, TooManyBytesError } from '../common/fs/file-store';
import { ReceivedUpload, receiveUpload, UploadRequest } from '../common/http/multipart-upload';
import { ATTACHMENT_ID, AttachmentFiles } from './attachment-files';
import { AttachmentLinks, FRESH_LINK_SECONDS } from './attachment-links.service';
import { AttachmentsRepository } from './attachments.repository';
import { AttachmentRequestDto, MAX_ATTACHMENT_ENC_LENGTH } from './dto/attachment-request.dto';
import {
  AttachmentResponseDto, AttachmentUploadDataResponseDto, DeleteAttachmentResponseDto, toAttachmentResponse,
} from './dto/attachment-response.dto';

const MIB = 1024 * 1024;
/** The official per-file cap (its message says 500 MB; the check is at 501 MiB). */
export const MAX_FILE_BYTES = 501 * MIB;
/** The official request cap of the legacy single-request routes. */
export const LEGACY_MAX_BYTES = 101 * MIB;
/** How far the uploaded length may be from the length announced by the v2 call (official). */
export const SIZE_LEEWAY_BYTES = MIB;
/** How far `lastKnownRevisionDate` may be from the cipher's (official: one second). */
const REVISION_LEEWAY_MS = 1000;

/** Which rights a route checks: the member's own (collections), an organization admin's, or either. */
type Route = 'member' | 'admin' | 'either';

const notFound = (): VaultError => new VaultError(ErrorCode.AttachmentNotFound);

/** Official attachment ids: 32 characters of lowercase letters and digits. */
function newAttachmentId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let id = '';
  for (let i = 0; i < 32; i += 1) id += alphabet[randomInt(alphabet.length)];
  return id;
}

/** What an upload may still store: null when there is no limit. */
interface Room { limit: number; left: number }

/** A download the token allows: the bytes, their length, and the encrypted name to offer. */
export interface AttachmentDownload { stream: Readable; size: number; fileName: string }

/**
 * Files on ciphers (docs/attachments-plan.md). Each change that adds or removes one is a cipher change: the
 * cipher's revision date moves and everyone who sees it gets CipherUpdated, from the same transaction. Uploads
 * stream into a temporary file bounded by the announced size, the per-file cap and the owner's quota
 * (USER_ATTACHMENT_LIMIT / ORG_ATTACHMENT_LIMIT), and are renamed into place in the transaction that records
 * them: a refused or broken upload leaves neither a row nor a file.
 */
@Injectable()
export class AttachmentsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly uow: UnitOfWork,
    private readonly repo: AttachmentsRepository,
    private readonly files: AttachmentFiles,
    private readonly links: AttachmentLinks,
    private readonly ciphers: CiphersQueryService,
    private readonly admin: OrganizationCiphersService,
    private readonly announcer: CipherAnnouncer,
    private readonly clock: Clock,
    private readonly organizations: OrganizationsQueryService,
  ) {}

  // --- v2: metadata first, then the file ---

  /** POST /api/ciphers/{id}/attachment/v2: records the attachment (pending), moves the cipher's revision date, tells everyone who sees it. */
  createUpload(auth: AuthContext, cipherId: string, dto: AttachmentRequestDto): Promise<AttachmentUploadDataResponseDto> {
    const asAdmin = dto.adminRequest === true;
    return this.uow.run(async (tx) => {
      const cipher = await this.editable(tx.manager, auth, cipherId, asAdmin ? 'admin' : 'member');
      if (dto.fileSize > MAX_FILE_BYTES) throw new VaultError(ErrorCode.AttachmentTooLarge);
      this.checkRevision(cipher, dto.lastKnownRevisionDate);
      if (dto.fileSize < 1) throw new VaultError(ErrorCode.AttachmentEmpty);
      requireRoom(await this.room(tx.manager, cipher), dto.fileSize);
      const now = this.clock.now();
      const row = newRow(cipher.id, dto.fileName, dto.key, dto.fileSize, false, now);
      await this.repo.insert(tx.manager, row);
      await this.announcer.touched(tx, auth, cipher, now);
      return {
        object: 'attachment-fileUpload',
        attachmentId: row.id,
        url: `${cipher.id}/attachment/${row.id}`,
        fileUploadType: 0,
        cipherResponse: asAdmin ? null : await this.ciphers.requireForUser(tx.manager, auth.userId, cipher.id),
        cipherMiniResponse: asAdmin ? await this.ciphers.mini(tx.manager, cipher) : null,
      };
    });
  }

  /** GET /api/ciphers/{id}/attachment/{attachmentId}/renew: the upload target again, while the file has not arrived. */
  renewUpload(auth: AuthContext, cipherId: string, attachmentId: string): Promise<AttachmentUploadDataResponseDto> {
    return this.uow.read(async (db) => {
      const cipher = await this.editable(db, auth, cipherId, 'either');
      const row = await this.requireRow(db, cipher.id, attachmentId);
      if (row.validated) throw notFound();
      return { object: 'attachment-fileUpload', attachmentId: null, url: `${cipher.id}/attachment/${row.id}`, fileUploadType: 0, cipherResponse: null, cipherMiniResponse: null };
    });
  }

  /**
   * POST /api/ciphers/{id}/attachment/{attachmentId}: the file of a pending attachment. A body longer than
   * announced (beyond the leeway), than the cap or than the quota allows is cut off while streaming; it and a
   * body much shorter than announced delete the pending attachment (a cipher change, as official), and the
   * answer is a 400. No revision change on success: the v2 call made it.
   */
  async upload(auth: AuthContext, cipherId: string, attachmentId: string, request: UploadRequest): Promise<void> {
    const { cipher, row, room } = await this.uow.read(async (db) => {
      const cipher = await this.editable(db, auth, cipherId, 'either');
      const row = await this.requireRow(db, cipher.id, attachmentId);
      if (row.validated) throw new VaultError(ErrorCode.AttachmentAlreadyUploaded);
      return { cipher, row, room: await this.room(db, cipher) };
    });
    // This attachment's announced size is already counted as used.
    const quota = room ? room.left + row.fileSize : Number.POSITIVE_INFINITY;
    const limit = Math.min(row.fileSize + SIZE_LEEWAY_BYTES, MAX_FILE_BYTES, quota);
    let file: ReceivedFile;
    try {
      file = (await receiveUpload(request, this.files, limit)).file;
    } catch (error) {
      if (!(error instanceof TooManyBytesError)) throw error;
      await this.dropPending(auth, cipher.id, row.id);
      throw new VaultError(limit === quota ? ErrorCode.AttachmentLimitExceeded : limit === MAX_FILE_BYTES ? ErrorCode.AttachmentTooLarge : ErrorCode.AttachmentSizeMismatch);
    }
    if (file.size === 0 || Math.abs(file.size - row.fileSize) > SIZE_LEEWAY_BYTES) {
      await this.files.discard(file);
      await this.dropPending(auth, cipher.id, row.id);
      throw new VaultError(file.size === 0 ? ErrorCode.AttachmentEmpty : ErrorCode.AttachmentSizeMismatch);
    }
    let overQuota = false;
    try {
      await this.uow.run(async (tx) => {
        // The quota again, now that the size is known: other uploads of the same owner may have landed meanwhile.
        const now = await this.room(tx.manager, cipher);
        if (now && file.size > now.left + row.fileSize) {
          overQuota = true;
          return;
        }
        // Marked first, so of two uploads racing for the same attachment only one ever moves its file into place.
        if (!(await this.repo.markUploaded(tx.manager, cipher.id, row.id, file.size))) {
          throw new VaultError((await this.repo.find(tx.manager, cipher.id, row.id)) ? ErrorCode.AttachmentAlreadyUploaded : ErrorCode.AttachmentNotFound);
        }
        await this.files.place(file, cipher.id, row.id);
      });
    } finally {
      await this.files.discard(file);
    }
    if (overQuota) {
      await this.dropPending(auth, cipher.id, row.id);
      throw new VaultError(ErrorCode.AttachmentLimitExceeded);
    }
  }

  // --- the legacy single request ---

  /**
   * POST /api/ciphers/{id}/attachment (and `-admin`): key and file in one multipart request, fields in any
   * order. The row is written only once the whole file is on disk.
   */
  async uploadLegacy(auth: AuthContext, cipherId: string, request: UploadRequest, asAdmin: boolean): Promise<CipherResponseDto | CipherMiniResponseDto> {
    const route: Route = asAdmin ? 'admin' : 'member';
    const room = await this.uow.read(async (db) => this.room(db, await this.editable(db, auth, cipherId, route)));
    if (room) requireRoom(room, 1);
    const quota = room ? room.left : Number.POSITIVE_INFINITY;
    const limit = Math.min(LEGACY_MAX_BYTES, quota);
    const { fields, file, key } = await this.receiveKeyed(request, limit, limit === quota ? ErrorCode.AttachmentLimitExceeded : ErrorCode.AttachmentTooLarge);
    try {
      const lastKnown = fields.get('lastKnownRevisionDate');
      if (lastKnown !== undefined && Number.isNaN(Date.parse(lastKnown))) throw new VaultError(ErrorCode.AttachmentRevisionDateInvalid);
      return await this.uow.run(async (tx) => {
        const cipher = await this.editable(tx.manager, auth, cipherId, route);
        this.checkRevision(cipher, lastKnown);
        requireRoom(await this.room(tx.manager, cipher), file.size);
        const now = this.clock.now();
        const row = newRow(cipher.id, file.fileName, key, file.size, true, now);
        await this.repo.insert(tx.manager, row);
        await this.files.place(file, cipher.id, row.id);
        await this.announcer.touched(tx, auth, cipher, now);
        return asAdmin ? this.ciphers.mini(tx.manager, cipher) : this.ciphers.requireForUser(tx.manager, auth.userId, cipher.id);
      });
    } finally {
      await this.files.discard(file);
    }
  }

  // --- share staging ---

  /**
   * POST /api/ciphers/{id}/attachment/{attachmentId}/share?organizationId=: a copy of an attachment of the caller's
   * personal cipher, re-encrypted for the organization the cipher is about to be shared into (attachments without
   * a key cannot be re-keyed in place). Staged beside the file; `PUT /api/ciphers/{id}/share` swaps it in. No
   * change to the cipher yet, so no announcement.
   */
  async stageShare(auth: AuthContext, cipherId: string, attachmentId: string, organizationId: string, request: UploadRequest): Promise<void> {
    const check = async (db: EntityManager): Promise<CipherEntity> => {
      const visible = await this.ciphers.findVisible(db, auth.userId, cipherId);
      if (!visible) throw notFound();
      if (visible.cipher.organizationId) throw new VaultError(ErrorCode.CipherAlreadyShared);
      await this.organizations.requireConfirmedMember(db, organizationId, auth.userId);
      const row = ATTACHMENT_ID.test(attachmentId) ? await this.repo.find(db, visible.cipher.id, attachmentId) : null;
      if (!row) throw new VaultError(ErrorCode.AttachmentNotOnCipher);
      return visible.cipher;
    };
    await this.uow.read(check);
    const { file, key } = await this.receiveKeyed(request, LEGACY_MAX_BYTES, ErrorCode.AttachmentTooLarge);
    try {
      await this.uow.run(async (tx) => {
        const cipher = await check(tx.manager);
        await this.repo.stageShare(tx.manager, cipher.id, attachmentId, { fileName: file.fileName, key, size: file.size });
        await this.files.stage(file, cipher.id, attachmentId);
      });
    } finally {
      await this.files.discard(file);
    }
  }

  // --- reads ---

  /** GET /api/ciphers/{id}/attachment/{attachmentId} (and `/admin`): the metadata with a fresh one-minute download link. */
  get(auth: AuthContext, cipherId: string, attachmentId: string, asAdmin: boolean): Promise<AttachmentResponseDto> {
    return this.uow.read(async (db) => {
      const cipher = asAdmin ? await this.admin.editableAsAdmin(db, auth, cipherId) : await this.visible(db, auth, cipherId);
      const row = await this.requireRow(db, cipher.id, attachmentId);
      return toAttachmentResponse(row, this.links.url(cipher.id, row.id, FRESH_LINK_SECONDS));
    });
  }

  /**
   * GET /attachments/{cipherId}/{attachmentId}?token= (and the official `/api/ciphers/attachment/download?token=`):
   * the bytes, for a valid unexpired token issued for exactly this attachment of this cipher. Anything else is
   * the same 404, with nothing served.
   */
  download(token: string | undefined, cipherId?: string, attachmentId?: string): Promise<AttachmentDownload> {
    return this.uow.read(async (db) => {
      const claims = token ? this.links.verify(token) : null;
      if (!claims) throw notFound();
      if (cipherId !== undefined && cipherId.toLowerCase() !== claims.cipherId) throw notFound();
      if (attachmentId !== undefined && attachmentId !== claims.attachmentId) throw notFound();
      const row = ATTACHMENT_ID.test(claims.attachmentId) ? await this.repo.find(db, claims.cipherId, claims.attachmentId) : null;
      if (!row || !row.validated) throw notFound();
      const stored = await this.files.open(row.cipherId, row.id);
      if (!stored) throw notFound();
      return { stream: stored.stream, size: stored.size, fileName: row.fileName };
    });
  }

  // --- delete ---

  /** DELETE /api/ciphers/{id}/attachment/{attachmentId} (and `/admin`, and the POST …/delete aliases). Also the clients' rollback of a failed upload. */
  delete(auth: AuthContext, cipherId: string, attachmentId: string, asAdmin: boolean): Promise<DeleteAttachmentResponseDto> {
    return this.uow.run(async (tx) => {
      const cipher = await this.editable(tx.manager, auth, cipherId, asAdmin ? 'admin' : 'member', ErrorCode.AttachmentCannotDelete);
      const row = await this.requireRow(tx.manager, cipher.id, attachmentId);
      await this.repo.delete(tx.manager, cipher.id, row.id);
      await this.announcer.touched(tx, auth, cipher, this.clock.now());
      tx.afterCommit(() => this.files.remove(cipher.id, row.id));
      return { object: 'deleteAttachment', cipher: await this.ciphers.mini(tx.manager, cipher) };
    });
  }

  // --- helpers ---

  /**
   * The body of the single-request routes (legacy upload, share staging): the file (its part's name is the encrypted
   * file name) and an optional `key` field, both EncStrings, the file not empty. Past `limit` bytes: `overLimit`.
   * On success the caller owns the temporary file; on any refusal it is already gone.
   */
  private async receiveKeyed(request: UploadRequest, limit: number, overLimit: ErrorCode): Promise<ReceivedUpload & { key: string | null }> {
    let upload: ReceivedUpload;
    try {
      upload = await receiveUpload(request, this.files, limit);
    } catch (error) {
      if (error instanceof TooManyBytesError) throw new VaultError(overLimit);
      throw error;
    }
    const key = upload.fields.get('key') ?? null;
    const refusal = upload.file.size === 0 ? ErrorCode.AttachmentEmpty
      : !validEncString(upload.file.fileName) || (key !== null && !validEncString(key)) ? ErrorCode.InvalidUploadContent : null;
    if (refusal !== null) {
      await this.files.discard(upload.file);
      throw new VaultError(refusal);
    }
    return { ...upload, key };
  }

  /** Removes a pending attachment whose upload was refused: a cipher change like a delete. */
  private async dropPending(auth: AuthContext, cipherId: string, attachmentId: string): Promise<void> {
    await this.uow.run(async (tx) => {
      const cipher = await this.editable(tx.manager, auth, cipherId, 'either').catch(() => null);
      if (!cipher) return;
      const row = await this.repo.find(tx.manager, cipher.id, attachmentId);
      if (!row || row.validated) return;
      await this.repo.delete(tx.manager, cipher.id, attachmentId);
      await this.announcer.touched(tx, auth, cipher, this.clock.now());
    });
  }

  /** A cipher the caller sees (any access); 404 otherwise. */
  private async visible(db: EntityManager, auth: AuthContext, cipherId: string): Promise<CipherEntity> {
    const visible = await this.ciphers.findVisible(db, auth.userId, cipherId);
    if (!visible) throw notFound();
    return visible.cipher;
  }

  /**
   * A cipher the caller may change attachments of: their own, an organization cipher they may edit through a
   * collection (`member`), or one their organization role lets them edit (`admin`); `either` accepts both (the
   * upload after a v2 call, which may have been an admin's). Not visible: 404; visible read-only: 400.
   */
  private async editable(db: EntityManager, auth: AuthContext, cipherId: string, route: Route, denied = ErrorCode.CipherReadOnly): Promise<CipherEntity> {
    if (route === 'admin') return this.admin.editableAsAdmin(db, auth, cipherId);
    const visible = await this.ciphers.findVisible(db, auth.userId, cipherId);
    if (visible && (!visible.access || visible.access.edit)) return visible.cipher;
    if (route === 'either' && visible?.cipher.organizationId) {
      const asAdmin = await this.admin.editableAsAdmin(db, auth, cipherId).catch(() => null);
      if (asAdmin) return asAdmin;
    }
    if (!visible) {
      if (route === 'either') return this.admin.editableAsAdmin(db, auth, cipherId);
      throw notFound();
    }
    throw new VaultError(denied);
  }

  private async requireRow(db: EntityManager, cipherId: string, attachmentId: string): Promise<AttachmentEntity> {
    const row = ATTACHMENT_ID.test(attachmentId) ? await this.repo.find(db, cipherId, attachmentId) : null;
    if (!row) throw notFound();
    return row;
  }

  /** The stale-copy check of the clients' `lastKnownRevisionDate` (official: more than a second apart is stale). */
  private checkRevision(cipher: CipherEntity, lastKnown: string | null | undefined): void {
    if (!lastKnown) return;
    const known = Date.parse(lastKnown);
    if (Number.isNaN(known)) throw new VaultError(ErrorCode.AttachmentRevisionDateInvalid);
    if (Math.abs(known - cipher.revisionDate.getTime()) > REVISION_LEEWAY_MS) throw new VaultError(ErrorCode.StaleCipher);
  }

  /** The quota of the cipher's owner (the user, or the organization) and what is left of it; null without a limit. */
  private async room(db: EntityManager, cipher: CipherEntity): Promise<Room | null> {
    const { userLimitBytes, orgLimitBytes } = this.config.attachments;
    if (cipher.organizationId) {
      if (orgLimitBytes === null) return null;
      return { limit: orgLimitBytes, left: orgLimitBytes - (await this.repo.usedByOrganization(db, cipher.organizationId)) };
    }
    if (userLimitBytes === null) return null;
    return { limit: userLimitBytes, left: userLimitBytes - (await this.repo.usedByUser(db, cipher.userId as string)) };
  }
}

/** Vaultwarden's quota answers: disabled, full, or not enough left for this file. */
function requireRoom(room: Room | null, size: number): void {
  if (!room) return;
  if (room.limit === 0) throw new VaultError(ErrorCode.AttachmentsDisabled);
  if (room.left <= 0) throw new VaultError(ErrorCode.AttachmentLimitReached);
  if (size > room.left) throw new VaultError(ErrorCode.AttachmentLimitExceeded);
}

function validEncString(value: string): boolean {
  return value.length > 0 && value.length <= MAX_ATTACHMENT_ENC_LENGTH && isEncString(value);
}

function newRow(cipherId: string, fileName: string, key: string | null, size: number, validated: boolean, now: Date): AttachmentEntity {
  const row = new AttachmentEntity();
  row.cipherId = cipherId;
  row.id = newAttachmentId();
  row.fileName = fileName;
  row.key = key;
  row.fileSize = size;
  row.validated = validated;
  row.createdAt = now;
  row.shareFileName = null;
  row.shareKey = null;
  row.shareFileSize = null;
  return row;
}
