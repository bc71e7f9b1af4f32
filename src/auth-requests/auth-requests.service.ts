import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AccountsQueryService } from '../accounts/accounts-query.service';
import { normalizeEmail } from '../accounts/email';
import { AuthContext } from '../common/auth/auth-context';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { ListResponseDto, toListResponse } from '../common/http/list-response';
import { UnauthenticatedRateLimiter } from '../common/http/unauthenticated-rate-limiter';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { AuthRequestEntity, UserEntity } from '../db/entities';
import { Tx, UnitOfWork } from '../db/unit-of-work';
import { EventBus } from '../event-bus/event-bus.service';
import {
  AUTH_REQUEST_ANSWERED_RETENTION_MS, AUTH_REQUEST_TTL_MS, MAX_PENDING_AUTH_REQUESTS, TOO_MANY_PENDING_MESSAGE,
} from './auth-request-limits';
import { AuthRequestsRepository } from './auth-requests.repository';
import { DecoyAuthRequests } from './decoy-auth-requests';
import { AnswerAuthRequestDto, CreateAuthRequestDto } from './dto/auth-request.dto';
import { AuthRequestResponseDto } from './dto/auth-request-response.dto';
import { toAuthRequestResponse } from './dto/auth-request-response.mapper';

/** Requests expire after 15 minutes and can log in once. */
export { AUTH_REQUEST_TTL_MS };

const PURGE_BATCH = 500;

const hashCode = (code: string): string => createHash('sha256').update(code, 'utf8').digest('hex');
const notFound = (): VaultError => new VaultError(ErrorCode.NotFound, 'Auth request not found.');
const tooManyPending = (): VaultError => new VaultError(ErrorCode.BadRequest, TOO_MANY_PENDING_MESSAGE);

/** Login with device: a new device asks, an already logged-in device of the account approves or denies. */
@Injectable()
export class AuthRequestsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: AuthRequestsRepository,
    private readonly accounts: AccountsQueryService,
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly bus: EventBus,
    private readonly limiter: UnauthenticatedRateLimiter,
    private readonly decoys: DecoyAuthRequests,
  ) {}

  private get origin(): string {
    return this.config.domain.origin;
  }

  private expired(request: AuthRequestEntity): boolean {
    return this.clock.now().getTime() - request.creationDate.getTime() > AUTH_REQUEST_TTL_MS;
  }

  /**
   * Unauthenticated: the new device asks. Limits (issue 12): UNAUTHENTICATED_RATELIMIT_* per client IP and per
   * email (429 with Retry-After); at most MAX_PENDING_AUTH_REQUESTS pending per account (400), a request from a
   * device that already has a pending one replacing it. An email without an (enabled) account gets exactly the
   * answer a real account would (a decoy: nothing stored, nothing pushed), so this endpoint tells nobody whether
   * an account exists.
   */
  async create(dto: CreateAuthRequestDto, deviceType: number, ip: string): Promise<AuthRequestResponseDto> {
    if (dto.type === 2) throw new VaultError(ErrorCode.BadRequest, 'Admin approval requests are not supported.');
    const emailKey = normalizeEmail(dto.email);
    this.rateLimit(this.limiter.hit(ip, 'auth-request'));
    this.rateLimit(this.limiter.hitKey('auth-request-email', emailKey));
    const now = this.clock.now();
    const request = Object.assign(new AuthRequestEntity(), {
      id: randomUUID(), userId: '', type: dto.type, requestDeviceIdentifier: dto.deviceIdentifier.toLowerCase(),
      requestDeviceType: deviceType, requestIp: ip, accessCodeHash: hashCode(dto.accessCode), publicKey: dto.publicKey,
      encKey: null, masterPasswordHash: null, approved: null, responseDeviceId: null,
      creationDate: now, responseDate: null, authenticationDate: null,
    });
    const stored = await this.uow.run(async (tx) => {
      const user = await this.accounts.findByEmail(tx.manager, emailKey);
      if (!user || !user.enabled) return false;
      await this.repo.lockUser(tx.manager, user.id);
      const since = this.pendingSince(now);
      if ((await this.repo.countPendingByUser(tx.manager, user.id, since, request.requestDeviceIdentifier)) >= MAX_PENDING_AUTH_REQUESTS) throw tooManyPending();
      await this.repo.deletePendingByDevice(tx.manager, user.id, request.requestDeviceIdentifier);
      request.userId = user.id;
      await this.repo.save(tx.manager, request);
      await this.bus.emit(tx, 'AuthRequestCreated', { authRequestId: request.id, userId: user.id, requestDeviceIdentifier: request.requestDeviceIdentifier });
      return true;
    });
    if (!stored) {
      if (this.decoys.pendingCount(emailKey, request.requestDeviceIdentifier, now) >= MAX_PENDING_AUTH_REQUESTS) throw tooManyPending();
      this.decoys.add(emailKey, request);
    }
    return toAuthRequestResponse(request, this.origin);
  }

  /** Unanswered, unexpired requests, newest first; the SQL filters on age and is limited to the cap. */
  async listPending(auth: AuthContext): Promise<ListResponseDto<AuthRequestResponseDto>> {
    const since = this.pendingSince(this.clock.now());
    const requests = await this.uow.read((db) => this.repo.findPendingByUser(db, auth.userId, since, MAX_PENDING_AUTH_REQUESTS));
    return toListResponse(requests.map((r) => toAuthRequestResponse(r, this.origin)));
  }

  async get(auth: AuthContext, id: string): Promise<AuthRequestResponseDto> {
    const request = await this.uow.read((db) => this.repo.findByIdAndUser(db, id, auth.userId));
    if (!request) throw notFound();
    return toAuthRequestResponse(request, this.origin);
  }

  /** Unauthenticated poll by the requesting device; the access code proves it is that device. */
  async response(id: string, code: string | undefined): Promise<AuthRequestResponseDto> {
    const request = (await this.uow.read((db) => this.repo.findById(db, id))) ?? this.decoys.find(id);
    if (!request || !code || !this.codeMatches(request, code)) throw notFound();
    if (this.expired(request)) throw new VaultError(ErrorCode.BadRequest, 'Auth request has expired.');
    return toAuthRequestResponse(request, this.origin);
  }

  async answer(auth: AuthContext, id: string, dto: AnswerAuthRequestDto): Promise<AuthRequestResponseDto> {
    return this.uow.run(async (tx) => {
      const request = await this.repo.findByIdAndUser(tx.manager, id, auth.userId);
      if (!request) throw notFound();
      if (this.expired(request)) throw new VaultError(ErrorCode.BadRequest, 'Auth request has expired.');
      if (request.approved !== null) throw new VaultError(ErrorCode.BadRequest, 'Auth request has already been answered.');
      request.responseDate = this.clock.now();
      request.responseDeviceId = auth.deviceId;
      if (dto.requestApproved) {
        if (!dto.key) throw new VaultError(ErrorCode.BadRequest, 'An approved request needs the encrypted key.');
        request.approved = true;
        request.encKey = dto.key;
        request.masterPasswordHash = dto.masterPasswordHash ?? null;
      } else {
        request.approved = false;
      }
      await this.repo.save(tx.manager, request);
      if (request.approved) await this.bus.emit(tx, 'AuthRequestApproved', { authRequestId: request.id, userId: auth.userId, actor: auth.actor });
      return toAuthRequestResponse(request, this.origin);
    });
  }

  /**
   * Password grant carrying `authRequest`: the request must belong to the user, be approved, unexpired and
   * unused, and `accessCode` must match. Marks it used in `tx`.
   */
  async consumeForLogin(tx: Tx, user: UserEntity, authRequestId: string, accessCode: string): Promise<boolean> {
    const request = await this.repo.findByIdAndUser(tx.manager, authRequestId, user.id);
    if (!request || request.approved !== true || request.authenticationDate !== null || this.expired(request)) return false;
    if (!this.codeMatches(request, accessCode)) return false;
    request.authenticationDate = this.clock.now();
    await this.repo.save(tx.manager, request);
    return true;
  }

  /** The checks of consumeForLogin without using the request up (the login must still pass its second factor). */
  async usableForLogin(db: EntityManager, user: UserEntity, authRequestId: string, accessCode: string): Promise<boolean> {
    const request = await this.repo.findByIdAndUser(db, authRequestId, user.id);
    if (!request || request.approved !== true || request.authenticationDate !== null || this.expired(request)) return false;
    return this.codeMatches(request, accessCode);
  }

  /**
   * Deletes expired requests (older than 15 minutes) and answered ones whose answer is older than
   * AUTH_REQUEST_ANSWERED_RETENTION_MS, in batches; drops expired decoys likewise. Returns the rows deleted.
   */
  async purgeExpired(): Promise<number> {
    const now = this.clock.now();
    const createdBefore = this.pendingSince(now);
    const answeredBefore = new Date(now.getTime() - AUTH_REQUEST_ANSWERED_RETENTION_MS);
    this.decoys.purge(now);
    let total = 0;
    for (;;) {
      const removed = await this.uow.run(async (tx) => {
        const ids = await this.repo.findPurgeable(tx.manager, createdBefore, answeredBefore, PURGE_BATCH);
        await this.repo.deleteByIds(tx.manager, ids);
        return ids.length;
      });
      total += removed;
      if (removed < PURGE_BATCH) return total;
    }
  }

  findUser(db: EntityManager, email: string): Promise<UserEntity | null> {
    return this.accounts.findByEmail(db, email);
  }

  /** Requests created before this instant have expired. */
  private pendingSince(now: Date): Date {
    return new Date(now.getTime() - AUTH_REQUEST_TTL_MS);
  }

  /** `wait`: the limiter's answer (0 = allowed, else seconds to wait). */
  private rateLimit(wait: number): void {
    if (wait > 0) throw new VaultError(ErrorCode.TooManyRequests, undefined, { headers: { 'Retry-After': String(wait) } });
  }

  private codeMatches(request: AuthRequestEntity, code: string): boolean {
    const given = Buffer.from(hashCode(code), 'hex');
    const stored = Buffer.from(request.accessCodeHash, 'hex');
    return given.length === stored.length && timingSafeEqual(given, stored);
  }
}
