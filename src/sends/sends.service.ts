import { Inject, Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { randomInt, randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AccountRevisionService } from '../accounts/account-revision.service';
import { AuthContext } from '../common/auth/auth-context';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { ReceivedFile, TooManyBytesError } from '../common/fs/file-store';
import { ListResponseDto, toListResponse } from '../common/http/list-response';
import { receiveUpload, UploadRequest } from '../common/http/multipart-upload';
import { Clock } from '../common/time/clock';
import { isEncString } from '../common/validation/is-enc-string';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { SendEntity, SendType } from '../db/entities/send.entity';
import { Tx, UnitOfWork } from '../db/unit-of-work';
import { EventBus } from '../event-bus/event-bus.service';
import { PoliciesQueryService } from '../organizations/policies-query.service';
import { MAX_SEND_ENC_LENGTH, SendRequestDto } from './dto/send-request.dto';
import { SendFileUploadResponseDto, SendResponseDto, toSendResponse } from './dto/send-response.dto';
import { SEND_FILE_ID, SendFiles } from './send-files';
import { hashSendPassword, StoredSendPassword } from './send-password';
import { SendsRepository } from './sends.repository';

const MIB = 1024 * 1024;
/** The official per-file cap (its message says 500 MB). */
export const MAX_SEND_FILE_BYTES = 501 * MIB;
/** How far an upload may be from the announced length (official). */
const SIZE_LEEWAY_BYTES = MIB;
const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

type ChangeEvent = 'SendCreated' | 'SendUpdated' | 'SendDeleted';

/** What a user may still store in Send files: null when there is no limit. */
interface Room { limit: number; left: number }

function newFileId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let id = '';
  for (let i = 0; i < 32; i += 1) id += alphabet[randomInt(alphabet.length)];
  return id;
}

/**
 * The owner's side of Sends (docs/sends-plan.md §2 routes 1-11): every save checks SENDS_ALLOWED and the
 * organizations' Send policies, moves the Send's and the owner's revision dates and emits SendCreated /
 * SendUpdated / SendDeleted (12/13/14 to the owner's other devices) from the same transaction. File uploads stream
 * to SENDS_FOLDER under the announced size, the 500 MB cap and USER_SEND_LIMIT; a refused upload deletes the Send
 * (official) and leaves no file.
 */
@Injectable()
export class SendsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly uow: UnitOfWork,
    private readonly repo: SendsRepository,
    private readonly files: SendFiles,
    private readonly policies: PoliciesQueryService,
    private readonly accountRevision: AccountRevisionService,
    private readonly bus: EventBus,
    private readonly clock: Clock,
  ) {}

  // --- reads ---

  list(auth: AuthContext): Promise<ListResponseDto<SendResponseDto>> {
    return this.uow.read(async (db) => toListResponse((await this.repo.listByUser(db, auth.userId)).map(toSendResponse)));
  }

  get(auth: AuthContext, id: string): Promise<SendResponseDto> {
    return this.uow.read(async (db) => toSendResponse(await this.requireOwned(db, auth, id)));
  }

  // --- text Sends and edits ---

  /** POST /api/sends: a text Send (files go through the v2 flow). */
  async create(auth: AuthContext, dto: SendRequestDto): Promise<SendResponseDto> {
    if (dto.type === SendType.File) throw new VaultError(ErrorCode.SendFileNeedsV2);
    if (!dto.text) throw new VaultError(ErrorCode.SendTextRequired);
    const password = await passwordOf(dto);
    return this.uow.run(async (tx) => {
      const now = this.clock.now();
      await this.checkSave(tx.manager, auth, dto.hideEmail === true);
      this.checkRequest(dto, now, 'create');
      const send = this.newSend(auth, dto, now, password);
      send.text = dto.text?.text ?? null;
      send.textHidden = dto.text?.hidden === true;
      await this.repo.insert(tx.manager, send);
      await this.changed(tx, auth, 'SendCreated', send, now);
      return toSendResponse(send);
    });
  }

  /** PUT /api/sends/{id}: everything but the type and the file; the password follows the official rules (§4.4). */
  async update(auth: AuthContext, id: string, dto: SendRequestDto): Promise<SendResponseDto> {
    const password = await passwordOf(dto);
    return this.uow.run(async (tx) => {
      const send = await this.requireOwned(tx.manager, auth, id);
      const now = this.clock.now();
      await this.checkSave(tx.manager, auth, dto.hideEmail === true);
      if (dto.type !== send.type) throw new VaultError(ErrorCode.SendTypeChange);
      this.checkRequest(dto, now, 'edit');
      send.name = dto.name;
      send.notes = dto.notes ?? null;
      send.key = dto.key;
      send.maxAccessCount = dto.maxAccessCount ?? null;
      send.expirationDate = dto.expirationDate ? new Date(dto.expirationDate) : null;
      send.deletionDate = new Date(dto.deletionDate);
      send.disabled = dto.disabled === true;
      send.hideEmail = dto.hideEmail === true;
      if (send.type === SendType.Text && dto.text) {
        send.text = dto.text.text ?? null;
        send.textHidden = dto.text.hidden === true;
      }
      applyPassword(send, dto, password);
      await this.changed(tx, auth, 'SendUpdated', send, now);
      return toSendResponse(send);
    });
  }

  /** PUT /api/sends/{id}/remove-password (and the official remove-auth). */
  removePassword(auth: AuthContext, id: string): Promise<SendResponseDto> {
    return this.uow.run(async (tx) => {
      const send = await this.requireOwned(tx.manager, auth, id);
      await this.checkSave(tx.manager, auth, send.hideEmail);
      Object.assign(send, { passwordHash: null, passwordSalt: null, passwordIterations: null });
      await this.changed(tx, auth, 'SendUpdated', send, this.clock.now());
      return toSendResponse(send);
    });
  }

  /** DELETE /api/sends/{id}: always allowed (policies only stop saving); the file goes once committed. */
  delete(auth: AuthContext, id: string): Promise<void> {
    return this.uow.run(async (tx) => {
      const send = await this.requireOwned(tx.manager, auth, id);
      await this.remove(tx, auth, send);
    });
  }

  // --- file Sends ---

  /** POST /api/sends/file/v2: the Send with its file announced (pending until the upload); 12 at once, as official. */
  async createFileUpload(auth: AuthContext, dto: SendRequestDto): Promise<SendFileUploadResponseDto> {
    if (dto.type !== SendType.File) throw new VaultError(ErrorCode.InvalidUploadContent);
    if (dto.fileLength === null || dto.fileLength === undefined) throw new VaultError(ErrorCode.SendFileSizeHintRequired);
    if (!dto.file?.fileName) throw new VaultError(ErrorCode.SendFileMetadataRequired);
    if (dto.fileLength > MAX_SEND_FILE_BYTES) throw new VaultError(ErrorCode.AttachmentTooLarge);
    if (dto.fileLength < 1) throw new VaultError(ErrorCode.SendNoFileData);
    const fileLength = dto.fileLength;
    const fileName = dto.file.fileName;
    const password = await passwordOf(dto);
    return this.uow.run(async (tx) => {
      const now = this.clock.now();
      await this.checkSave(tx.manager, auth, dto.hideEmail === true);
      this.checkRequest(dto, now, 'create');
      requireRoom(await this.room(tx.manager, auth.userId), fileLength);
      const send = this.newSend(auth, dto, now, password);
      Object.assign(send, { fileId: newFileId(), fileName, fileSize: fileLength, fileValidated: false });
      await this.repo.insert(tx.manager, send);
      await this.changed(tx, auth, 'SendCreated', send, now);
      return { object: 'send-fileUpload', url: `/sends/${send.id}/file/${send.fileId}`, fileUploadType: 0, sendResponse: toSendResponse(send) };
    });
  }

  /** GET /api/sends/{id}/file/{fileId}: the upload target again, while the file has not arrived. */
  renewFileUpload(auth: AuthContext, id: string, fileId: string): Promise<SendFileUploadResponseDto> {
    return this.uow.read(async (db) => {
      const send = await this.requireOwned(db, auth, id);
      if (send.type !== SendType.File || send.fileId !== fileId || send.fileValidated) throw new VaultError(ErrorCode.SendNotFound);
      return { object: 'send-fileUpload', url: `/sends/${send.id}/file/${send.fileId}`, fileUploadType: 0, sendResponse: toSendResponse(send) };
    });
  }

  /**
   * POST /api/sends/{id}/file/{fileId}: the file of a pending file Send, within a MiB of the announced length.
   * Refused (too long, too short, over the quota): the Send is deleted (14), as official, and nothing stays on disk.
   * Accepted: 13 with the new revision date.
   */
  async upload(auth: AuthContext, id: string, fileId: string, request: UploadRequest): Promise<void> {
    const { send, room } = await this.uow.read(async (db) => {
      const send = await this.requireOwned(db, auth, id);
      // An upload is a save: refused under SENDS_ALLOWED=false and the Send policies like any other.
      await this.checkSave(db, auth, send.hideEmail);
      if (send.type !== SendType.File) throw new VaultError(ErrorCode.SendNotFileType);
      if (!SEND_FILE_ID.test(fileId) || send.fileId !== fileId) throw new VaultError(ErrorCode.SendNotFound);
      if (send.fileValidated) throw new VaultError(ErrorCode.SendFileAlreadyUploaded);
      return { send, room: await this.room(db, auth.userId) };
    });
    const declared = Number(send.fileSize);
    const quota = room ? room.left + declared : Number.POSITIVE_INFINITY;
    const limit = Math.min(declared + SIZE_LEEWAY_BYTES, MAX_SEND_FILE_BYTES, quota);
    let file: ReceivedFile;
    try {
      file = (await receiveUpload(request, this.files, limit)).file;
    } catch (error) {
      if (!(error instanceof TooManyBytesError)) throw error;
      await this.dropPending(auth, send.id);
      throw new VaultError(limit === quota ? ErrorCode.SendLimitExceeded : limit === MAX_SEND_FILE_BYTES ? ErrorCode.AttachmentTooLarge : ErrorCode.AttachmentSizeMismatch);
    }
    let refused: ErrorCode | null = file.size <= declared - SIZE_LEEWAY_BYTES || file.size === 0 ? ErrorCode.AttachmentSizeMismatch : null;
    try {
      if (refused === null) {
        await this.uow.run(async (tx) => {
          const now = this.clock.now();
          const current = await this.room(tx.manager, auth.userId);
          if (current && file.size > current.left + declared) {
            refused = ErrorCode.SendLimitExceeded;
            return;
          }
          if (!(await this.repo.markUploaded(tx.manager, send.id, file.size, now))) {
            throw new VaultError((await this.repo.findById(tx.manager, send.id)) ? ErrorCode.SendFileAlreadyUploaded : ErrorCode.SendNotFound);
          }
          await this.files.place(file, send.id, fileId);
          await this.emit(tx, auth, 'SendUpdated', send, now);
        });
      }
    } finally {
      await this.files.discard(file);
    }
    if (refused !== null) {
      await this.dropPending(auth, send.id);
      throw new VaultError(refused);
    }
  }

  /**
   * POST /api/sends/file (Vaultwarden's single request; the official server dropped it): `model` (the Send as JSON)
   * and `data` (the file) in one multipart body, fields in any order. The Send is written once the file is whole.
   */
  async uploadLegacy(auth: AuthContext, request: UploadRequest): Promise<SendResponseDto> {
    const room = await this.uow.read((db) => this.room(db, auth.userId));
    if (room) requireRoom(room, 1);
    const quota = room ? room.left : Number.POSITIVE_INFINITY;
    const limit = Math.min(MAX_SEND_FILE_BYTES, quota);
    let upload;
    try {
      upload = await receiveUpload(request, this.files, limit);
    } catch (error) {
      if (error instanceof TooManyBytesError) throw new VaultError(limit === quota ? ErrorCode.SendLimitExceeded : ErrorCode.AttachmentTooLarge);
      throw error;
    }
    const { fields, file } = upload;
    try {
      const dto = parseModel(fields.get('model'));
      if (dto.type !== SendType.File) throw new VaultError(ErrorCode.InvalidUploadContent);
      if (file.size === 0) throw new VaultError(ErrorCode.SendNoFileData);
      const fileName = dto.file?.fileName ?? file.fileName;
      if (!fileName || fileName.length > MAX_SEND_ENC_LENGTH || !isEncString(fileName)) throw new VaultError(ErrorCode.SendFileMetadataRequired);
      const password = await passwordOf(dto);
      return await this.uow.run(async (tx) => {
        const now = this.clock.now();
        await this.checkSave(tx.manager, auth, dto.hideEmail === true);
        this.checkRequest(dto, now, 'create');
        requireRoom(await this.room(tx.manager, auth.userId), file.size);
        const send = this.newSend(auth, dto, now, password);
        Object.assign(send, { fileId: newFileId(), fileName, fileSize: file.size, fileValidated: true });
        await this.repo.insert(tx.manager, send);
        await this.files.place(file, send.id, send.fileId as string);
        await this.changed(tx, auth, 'SendCreated', send, now);
        return toSendResponse(send);
      });
    } finally {
      await this.files.discard(file);
    }
  }

  // --- helpers ---

  private async requireOwned(db: EntityManager, auth: AuthContext, id: string): Promise<SendEntity> {
    const send = await this.repo.findById(db, id.toLowerCase());
    if (!send || send.userId !== auth.userId) throw new VaultError(ErrorCode.SendNotFound);
    return send;
  }

  /** SENDS_ALLOWED and the organizations' Send policies: saving is refused, deleting never is. */
  private async checkSave(db: EntityManager, auth: AuthContext, hideEmail: boolean): Promise<void> {
    if (!this.config.sends.allowed) throw new VaultError(ErrorCode.SendsDisabledByPolicy);
    await this.policies.assertMaySaveSend(db, auth.userId, hideEmail);
  }

  /** The official date rules (§6.1, one minute of clock skew allowed) and the unsupported email verification. */
  private checkRequest(dto: SendRequestDto, now: Date, action: 'create' | 'edit'): void {
    if ((dto.emails && dto.emails.trim() !== '') || dto.authType === 0) throw new VaultError(ErrorCode.SendEmailsUnsupported);
    const soon = now.getTime() + MINUTE_MS;
    const deletion = Date.parse(dto.deletionDate);
    const expiration = dto.expirationDate ? Date.parse(dto.expirationDate) : null;
    if (expiration !== null && expiration <= soon) throw new VaultError(action === 'create' ? ErrorCode.SendAlreadyExpired : ErrorCode.SendExpirationInPast);
    if (deletion <= soon) throw new VaultError(ErrorCode.SendDeletionInPast);
    if (deletion > now.getTime() + 31 * DAY_MS) throw new VaultError(ErrorCode.SendDeletionTooFar);
    if (expiration !== null && expiration > deletion) throw new VaultError(ErrorCode.SendExpirationAfterDeletion);
  }

  private newSend(auth: AuthContext, dto: SendRequestDto, now: Date, password: StoredSendPassword | null): SendEntity {
    const send = new SendEntity();
    Object.assign(send, {
      id: randomUUID(), userId: auth.userId, type: dto.type, name: dto.name, notes: dto.notes ?? null, key: dto.key,
      text: null, textHidden: null, fileId: null, fileName: null, fileSize: null, fileValidated: true,
      passwordHash: null, passwordSalt: null, passwordIterations: null,
      maxAccessCount: dto.maxAccessCount ?? null, accessCount: 0, creationDate: now, revisionDate: now,
      expirationDate: dto.expirationDate ? new Date(dto.expirationDate) : null, deletionDate: new Date(dto.deletionDate),
      disabled: dto.disabled === true, hideEmail: dto.hideEmail === true,
    });
    if (password) setPassword(send, password);
    return send;
  }

  /** Writes the Send with `now` as its revision date (create: already inserted), then tells the owner's devices. */
  private async changed(tx: Tx, auth: AuthContext, event: ChangeEvent, send: SendEntity, now: Date): Promise<void> {
    send.revisionDate = now;
    if (event !== 'SendCreated') await this.repo.update(tx.manager, send);
    await this.emit(tx, auth, event, send, now);
  }

  private async emit(tx: Tx, auth: AuthContext | null, event: ChangeEvent, send: SendEntity, now: Date): Promise<void> {
    await this.accountRevision.bump(tx, [send.userId], now);
    await this.bus.emit(tx, event, { sendId: send.id, userId: send.userId, revisionDate: now, actor: auth?.actor ?? null });
  }

  private async remove(tx: Tx, auth: AuthContext, send: SendEntity): Promise<void> {
    await this.repo.delete(tx.manager, send.id);
    if (send.type === SendType.File) tx.afterCommit(() => this.files.removeOwners([send.id]));
    await this.emit(tx, auth, 'SendDeleted', send, this.clock.now());
  }

  /** Deletes a file Send whose upload was refused (official: the whole Send goes), if it is still pending. */
  private async dropPending(auth: AuthContext, id: string): Promise<void> {
    await this.uow.run(async (tx) => {
      const send = await this.repo.findById(tx.manager, id);
      if (send && !send.fileValidated && send.userId === auth.userId) await this.remove(tx, auth, send);
    });
  }

  private async room(db: EntityManager, userId: string): Promise<Room | null> {
    const limit = this.config.sends.userLimitBytes;
    if (limit === null) return null;
    return { limit, left: limit - (await this.repo.fileBytesOfUser(db, userId)) };
  }
}

/**
 * The server hash of the request's password, when the request sets one (`authType` 2 never does). Computed before
 * the transaction: 100,000 PBKDF2 rounds must not hold the database (SQLite runs one unit of work at a time).
 */
function passwordOf(dto: SendRequestDto): Promise<StoredSendPassword | null> {
  return dto.password && dto.authType !== 2 ? hashSendPassword(dto.password) : Promise.resolve(null);
}

/**
 * The official edit rules: `authType` 2 removes the password; `authType` 1 on a protected Send keeps the stored
 * one; otherwise a password in the request (already hashed) sets it.
 */
function applyPassword(send: SendEntity, dto: SendRequestDto, password: StoredSendPassword | null): void {
  if (dto.authType === 2) {
    Object.assign(send, { passwordHash: null, passwordSalt: null, passwordIterations: null });
    return;
  }
  if (dto.authType === 1 && send.passwordHash) return;
  if (password) setPassword(send, password);
}

function setPassword(send: SendEntity, stored: StoredSendPassword): void {
  Object.assign(send, { passwordHash: stored.hash, passwordSalt: stored.salt, passwordIterations: stored.iterations });
}

/** Vaultwarden's quota answers: file Sends disabled, the quota full, or not enough left for this file. */
function requireRoom(room: Room | null, size: number): void {
  if (!room) return;
  if (room.limit === 0) throw new VaultError(ErrorCode.SendFilesDisabled);
  if (room.left <= 0) throw new VaultError(ErrorCode.SendLimitReached);
  if (size > room.left) throw new VaultError(ErrorCode.SendLimitExceeded);
}

/** The legacy upload's `model` field: the same validation as a JSON body. */
function parseModel(text: string | undefined): SendRequestDto {
  let plain: unknown;
  try {
    plain = JSON.parse(text ?? '');
  } catch {
    throw new VaultError(ErrorCode.InvalidUploadContent);
  }
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) throw new VaultError(ErrorCode.InvalidUploadContent);
  const dto = plainToInstance(SendRequestDto, plain);
  const errors = validateSync(dto, { whitelist: true });
  if (errors.length > 0) throw new VaultError(ErrorCode.ValidationFailed, undefined, { validationErrors: { model: errors.flatMap((e) => Object.values(e.constraints ?? {})) } });
  return dto;
}
