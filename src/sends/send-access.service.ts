import { Inject, Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { EntityManager } from 'typeorm';
import { AccountRevisionService } from '../accounts/account-revision.service';
import { AccountsQueryService } from '../accounts/accounts-query.service';
import { TokenService } from '../common/auth/token.service';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { UnauthenticatedRateLimiter } from '../common/http/unauthenticated-rate-limiter';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { SendEntity, SendType } from '../db/entities/send.entity';
import { Tx, UnitOfWork } from '../db/unit-of-work';
import { EventBus } from '../event-bus/event-bus.service';
import { sendIdsOf, toAccessId } from './access-id';
import { SendAccessResponseDto, SendFileDownloadResponseDto, toSendAccessResponse } from './dto/send-response.dto';
import { SEND_FILE_ID, SendFiles } from './send-files';
import { verifySendPassword } from './send-password';
import { SendsRepository } from './sends.repository';

/** The purpose of send-access tokens: never accepted as a user's token, and a user's token never as one of these. */
export const SEND_ACCESS_PURPOSE = 'send_access';
const DOWNLOAD_PURPOSE = 'send_download';
/** Official send-access token lifetime. */
const ACCESS_TOKEN_SECONDS = 5 * 60;
/** Vaultwarden's download link lifetime. */
const DOWNLOAD_LINK_SECONDS = 2 * 60;
const SCOPE = 'api.send.access';

/** The token answer of the `send_access` grant (what the SDK requires: all four keys). */
export interface SendAccessTokenResponseDto { access_token: string; expires_in: number; token_type: 'Bearer'; scope: string }

/** The form fields of the grant this service reads. */
export interface SendAccessGrantForm { clientId?: string; scope?: string; sendId?: string; passwordHashB64?: string }

/** A file download the link allows. */
export interface SendDownload { stream: Readable; size: number }

type GrantErrorType = 'send_id_required' | 'send_id_malformed' | 'send_id_invalid' | 'password_hash_b64_required' | 'password_hash_b64_invalid';

/** The grant's refusals as the clients match them: always 400, `error` + `send_access_error_type` (docs/sends-plan.md §5.3). */
const GRANT_ERRORS: Record<GrantErrorType, [error: string, description: string, type?: string]> = {
  send_id_required: ['invalid_request', 'send_id is required.'],
  send_id_malformed: ['invalid_grant', 'send_id is invalid.', 'send_id_invalid'],
  send_id_invalid: ['invalid_grant', 'send_id_invalid'],
  password_hash_b64_required: ['invalid_request', 'password_hash_b64 is required.'],
  password_hash_b64_invalid: ['invalid_grant', 'password_hash_b64 is invalid.'],
};

function grantError(type: GrantErrorType): VaultError {
  const [error, description, wireType] = GRANT_ERRORS[type];
  return new VaultError(ErrorCode.SendAccessGrantRefused, description, { oauth: { error, error_description: description, customResponse: { send_access_error_type: wireType ?? type } } });
}

/** Official `SendCanBeAccessed`: enabled, under its maximum, not expired, before its deletion date. */
export function accessible(send: SendEntity, now: Date): boolean {
  if (send.disabled) return false;
  if (send.maxAccessCount !== null && send.accessCount >= send.maxAccessCount) return false;
  if (send.expirationDate !== null && send.expirationDate.getTime() < now.getTime()) return false;
  return send.deletionDate.getTime() > now.getTime();
}

/**
 * Anonymous access to Sends (§5, §6.2, §6.3): the `send_access` grant and the routes its token opens, the legacy
 * password routes, and the tokened download link. Every anonymous attempt spends from a per-address budget
 * (UNAUTHENTICATED_RATELIMIT_*), attempts on protected Sends from a second one, before passwords are checked in
 * constant time off the event loop. An access that counts is one atomic increment bounded by the maximum, moves the
 * Send's and the owner's revision dates and emits SendAccessed (13 to the owner, no ContextId).
 */
@Injectable()
export class SendAccessService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly uow: UnitOfWork,
    private readonly repo: SendsRepository,
    private readonly files: SendFiles,
    private readonly accounts: AccountsQueryService,
    private readonly accountRevision: AccountRevisionService,
    private readonly tokens: TokenService,
    private readonly limiter: UnauthenticatedRateLimiter,
    private readonly bus: EventBus,
    private readonly clock: Clock,
  ) {}

  // --- the current flow: a grant, then the token ---

  /** `grant_type=send_access` at /identity/connect/token. Counts no access (official). */
  async grant(form: SendAccessGrantForm, ip: string): Promise<SendAccessTokenResponseDto> {
    if (form.clientId !== 'send') throw new VaultError(ErrorCode.InvalidClient, 'invalid_client', { oauth: { error: 'invalid_client' } });
    if (form.scope !== undefined && !form.scope.split(' ').includes(SCOPE)) throw new VaultError(ErrorCode.BadRequest, 'invalid_scope', { oauth: { error: 'invalid_scope' } });
    if (!form.sendId) throw grantError('send_id_required');
    this.spendBudget(ip, 'send-access');
    const ids = sendIdsOf(form.sendId);
    if (ids.length === 0) throw grantError('send_id_malformed');
    const send = await this.uow.read((db) => this.repo.findFirst(db, ids));
    if (!send) throw this.unknownSend(form);
    if (!accessible(send, this.clock.now())) throw grantError('send_id_invalid');
    if (send.passwordHash) {
      this.spendBudget(ip, 'send-password');
      if (!form.passwordHashB64) throw grantError('password_hash_b64_required');
      if (!(await this.passwordMatches(send, form.passwordHashB64))) throw grantError('password_hash_b64_invalid');
    }
    const token = this.tokens.signPurposeToken(SEND_ACCESS_PURPOSE, send.id, { send_id: send.id, type: 'Send', scope: SCOPE, client_id: 'send' }, ACCESS_TOKEN_SECONDS);
    return { access_token: token, expires_in: ACCESS_TOKEN_SECONDS, token_type: 'Bearer', scope: SCOPE };
  }

  /** The Send a send-access token was issued for, or null (any other token, a user's included). */
  sendOfToken(token: string): string | null {
    const claims = this.tokens.verifyPurposeToken(SEND_ACCESS_PURPOSE, token);
    return claims && claims.scope === SCOPE && typeof claims.send_id === 'string' ? claims.send_id : null;
  }

  /** POST /api/sends/access with a send-access token: the Send; a text Send's read counts. */
  async access(sendId: string): Promise<SendAccessResponseDto> {
    return this.uow.run(async (tx) => {
      const now = this.clock.now();
      const send = await this.repo.findById(tx.manager, sendId);
      if (!send) throw new VaultError(ErrorCode.SendCouldNotLocate);
      if (!accessible(send, now)) throw new VaultError(ErrorCode.SendNotFound);
      if (send.type === SendType.Text) await this.count(tx, send, now);
      return toSendAccessResponse(send, await this.ownerEmail(tx.manager, send));
    });
  }

  /** POST /api/sends/access/file/{fileId} with a send-access token: a download link; it counts. */
  async accessFile(sendId: string, fileId: string): Promise<SendFileDownloadResponseDto> {
    return this.uow.run(async (tx) => {
      const now = this.clock.now();
      const send = await this.repo.findById(tx.manager, sendId);
      if (!send) throw new VaultError(ErrorCode.SendCouldNotLocate);
      if (send.type !== SendType.File) throw new VaultError(ErrorCode.SendNotDownloadable);
      if (send.fileId !== fileId || !send.fileValidated || !accessible(send, now)) throw new VaultError(ErrorCode.SendNotFound);
      await this.count(tx, send, now);
      return this.downloadResponse(send);
    });
  }

  // --- the legacy routes (older clients): the password in the body ---

  /** POST /api/sends/access/{accessId}. */
  async accessLegacy(accessId: string, password: string | null | undefined, ip: string): Promise<SendAccessResponseDto> {
    const send = await this.uow.read((db) => this.repo.findFirst(db, sendIdsOf(accessId)));
    await this.checkLegacy(send, password, ip);
    return this.access((send as SendEntity).id);
  }

  /** POST /api/sends/{id}/access/file/{fileId}: `{id}` is the access id (official) or the Send id (Vaultwarden). */
  async accessFileLegacy(id: string, fileId: string, password: string | null | undefined, ip: string): Promise<SendFileDownloadResponseDto> {
    const ids = /^[0-9a-f-]{36}$/i.test(id) ? [id.toLowerCase()] : sendIdsOf(id);
    const send = await this.uow.read((db) => this.repo.findFirst(db, ids));
    await this.checkLegacy(send, password, ip);
    return this.accessFile((send as SendEntity).id, fileId);
  }

  // --- the bytes ---

  /** GET /api/sends/{id}/{fileId}?t=: the file, for a valid unexpired link of exactly this file. Counts nothing. */
  download(sendId: string, fileId: string, token: string | undefined): Promise<SendDownload> {
    return this.uow.read(async (db) => {
      const claims = token ? this.tokens.verifyLinkToken(DOWNLOAD_PURPOSE, token) : null;
      if (!claims || claims.sub !== sendId.toLowerCase() || claims.file_id !== fileId || !SEND_FILE_ID.test(fileId)) throw new VaultError(ErrorCode.SendNotFound);
      const send = await this.repo.findById(db, claims.sub);
      if (!send || send.fileId !== fileId || !send.fileValidated) throw new VaultError(ErrorCode.SendNotFound);
      const stored = await this.files.open(send.id, fileId);
      if (!stored) throw new VaultError(ErrorCode.SendNotFound);
      return stored;
    });
  }

  // --- helpers ---

  private async checkLegacy(send: SendEntity | null, password: string | null | undefined, ip: string): Promise<void> {
    this.spendBudget(ip, 'send-access');
    if (!send || !accessible(send, this.clock.now())) throw new VaultError(ErrorCode.SendNotFound);
    if (!send.passwordHash) return;
    this.spendBudget(ip, 'send-password');
    if (!password) throw new VaultError(ErrorCode.SendPasswordRequired);
    if (!(await this.passwordMatches(send, password))) throw new VaultError(ErrorCode.SendPasswordInvalid);
  }

  private async count(tx: Tx, send: SendEntity, now: Date): Promise<void> {
    if (!(await this.repo.countAccess(tx.manager, send.id, now))) throw new VaultError(ErrorCode.SendNotFound);
    send.accessCount += 1;
    send.revisionDate = now;
    await this.accountRevision.bump(tx, [send.userId], now);
    await this.bus.emit(tx, 'SendAccessed', { sendId: send.id, userId: send.userId, revisionDate: now, actor: null });
  }

  private downloadResponse(send: SendEntity): SendFileDownloadResponseDto {
    const fileId = send.fileId as string;
    const token = this.tokens.signLinkToken(DOWNLOAD_PURPOSE, send.id, { file_id: fileId }, DOWNLOAD_LINK_SECONDS);
    return { object: 'send-fileDownload', id: fileId, url: `${this.config.publicUrl}/api/sends/${send.id}/${fileId}?t=${encodeURIComponent(token)}` };
  }

  private async ownerEmail(db: EntityManager, send: SendEntity): Promise<string | null> {
    if (send.hideEmail) return null;
    return (await this.accounts.findById(db, send.userId))?.email ?? null;
  }

  private passwordMatches(send: SendEntity, clientHash: string): Promise<boolean> {
    return verifySendPassword(clientHash, { hash: send.passwordHash as string, salt: send.passwordSalt ?? '', iterations: send.passwordIterations ?? 100_000 });
  }

  /**
   * UNAUTHENTICATED_RATELIMIT_* per address, as Vaultwarden limits these routes: every anonymous attempt spends
   * from one budget, and every attempt on a protected Send also from a second one, before any hashing.
   */
  private spendBudget(ip: string, scope: 'send-access' | 'send-password'): void {
    const wait = this.limiter.hit(ip, scope);
    if (wait > 0) throw new VaultError(ErrorCode.TooManyRequests, undefined, { headers: { 'Retry-After': String(wait) } });
  }

  /**
   * An access id that names no Send gets one of the answers an existing Send could give, the same every time for
   * that id (official enumeration protection): "invalid", or as if it needed a password.
   */
  private unknownSend(form: SendAccessGrantForm): VaultError {
    const pick = this.tokens.keyedDigest('send-unknown', toAccessIdKey(form.sendId as string))[0] as number;
    if (pick % 2 === 0) return grantError('send_id_invalid');
    return grantError(form.passwordHashB64 ? 'password_hash_b64_invalid' : 'password_hash_b64_required');
  }
}

/** Both byte orders of one access id name the same unknown Send: the digest is over the id in one form. */
function toAccessIdKey(accessId: string): string {
  const [first] = sendIdsOf(accessId);
  return first ? toAccessId(first) : accessId;
}
