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
  ADMIN_AUTH_REQUEST_APPROVED_TTL_MS, ADMIN_AUTH_REQUEST_TTL_MS, AUTH_REQUEST_ANSWERED_RETENTION_MS, AUTH_REQUEST_TTL_MS, MAX_PENDING_AUTH_REQUESTS,
  TOO_MANY_PENDING_MESSAGE,
} from './auth-request-limits';
import { ADMIN_APPROVAL, AuthRequestsRepository } from './auth-requests.repository';
import { DecoyAuthRequests } from './decoy-auth-requests';
import { AnswerAuthRequestDto, CreateAuthRequestDto } from './dto/auth-request.dto';
import { AuthRequestResponseDto } from './dto/auth-request-response.dto';
import { toAuthRequestResponse } from './dto/auth-request-response.mapper';

/** Requests expire after 15 minutes and can log in once. */
export { AUTH_REQUEST_TTL_MS };

const PURGE_BATCH = 500;

/** Whether `request` can no longer be answered or used at `now` (see AuthRequestsService.expired). */
export function authRequestExpired(request: AuthRequestEntity, now: Date): boolean {
  const age = (since: Date): number => now.getTime() - since.getTime();
  if (request.type !== ADMIN_APPROVAL) return age(request.creationDate) > AUTH_REQUEST_TTL_MS;
  if (request.approved === true && request.responseDate) return age(request.responseDate) > ADMIN_AUTH_REQUEST_APPROVED_TTL_MS;
  return age(request.creationDate) > ADMIN_AUTH_REQUEST_TTL_MS;
}

const hashAccessCode = (code: string): string => createHash('sha256').update(code, 'utf8').digest('hex');
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

  /**
   * Login with device: 15 minutes after creation. Admin approval (bitwarden/server): 7 days after creation, and
   * once approved 12 hours after the approval.
   */
  private expired(request: AuthRequestEntity): boolean {
    return authRequestExpired(request, this.clock.now());
  }

  /**
   * Unauthenticated: the new device asks. Limits (issue 12): UNAUTHENTICATED_RATELIMIT_* per client IP and per
   * email (429 with Retry-After); at most MAX_PENDING_AUTH_REQUESTS pending per account (400), a request from a
   * device that already has a pending one replacing it. An email without an (enabled) account gets exactly the
   * answer a real account would (a decoy: nothing stored, nothing pushed), so this endpoint tells nobody whether
   * an account exists.
   */
  async create(dto: CreateAuthRequestDto, deviceType: number, ip: string): Promise<AuthRequestResponseDto> {
    if (dto.type === ADMIN_APPROVAL) throw new VaultError(ErrorCode.BadRequest, 'You must be authenticated to create a request of that type.');
    const emailKey = normalizeEmail(dto.email);
    this.rateLimit(this.limiter.hit(ip, 'auth-request'));
    this.rateLimit(this.limiter.hitKey('auth-request-email', emailKey));
    const now = this.clock.now();
    const request = Object.assign(new AuthRequestEntity(), {
      id: randomUUID(), userId: '', organizationId: null, type: dto.type, requestDeviceIdentifier: dto.deviceIdentifier.toLowerCase(),
      requestDeviceType: deviceType, requestIp: ip, accessCodeHash: hashAccessCode(dto.accessCode), publicKey: dto.publicKey,
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

  /**
   * POST /api/auth-requests/admin-request (authenticated, as bitwarden/server): the new device of a logged-in
   * member asks the admins of the organizations it belongs to for its user key. One request per organization
   * (accepted or confirmed membership); the first is returned. `dto.email` must be the caller's (else the
   * anonymous route's 400). A device asking again replaces its own unanswered admin requests. Nothing is pushed
   * to the user (the admins answer, not the user's devices).
   */
  async createAdminRequest(auth: AuthContext, dto: CreateAuthRequestDto, deviceType: number, ip: string): Promise<AuthRequestResponseDto> {
    const now = this.clock.now();
    const deviceIdentifier = dto.deviceIdentifier.toLowerCase();
    const created = await this.uow.run(async (tx) => {
      const user = await this.accounts.findByEmail(tx.manager, normalizeEmail(dto.email));
      if (!user || !user.enabled || user.id !== auth.userId) throw new VaultError(ErrorCode.BadRequest, 'User or known device not found.');
      const organizationIds = await this.repo.findMemberOrganizationIds(tx.manager, user.id);
      if (organizationIds.length === 0) throw new VaultError(ErrorCode.BadRequest, 'User does not belong to any organizations.');
      await this.repo.lockUser(tx.manager, user.id);
      await this.repo.deletePendingByDevice(tx.manager, user.id, deviceIdentifier, true);
      const requests = organizationIds.map((organizationId) => Object.assign(new AuthRequestEntity(), {
        id: randomUUID(), userId: user.id, organizationId, type: ADMIN_APPROVAL, requestDeviceIdentifier: deviceIdentifier,
        requestDeviceType: deviceType, requestIp: ip, accessCodeHash: hashAccessCode(dto.accessCode), publicKey: dto.publicKey,
        encKey: null, masterPasswordHash: null, approved: null, responseDeviceId: null,
        creationDate: now, responseDate: null, authenticationDate: null,
      }));
      for (const request of requests) await this.repo.save(tx.manager, request);
      return requests[0] as AuthRequestEntity;
    });
    return toAuthRequestResponse(created, this.origin);
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
   * AUTH_REQUEST_ANSWERED_RETENTION_MS, in batches; drops expired decoys likewise. Admin-approval requests: once
   * 7 days old unless approved, approved ones 12 hours after the approval. Returns the rows deleted.
   */
  async purgeExpired(): Promise<number> {
    const now = this.clock.now();
    const before = (ms: number): Date => new Date(now.getTime() - ms);
    const cutoffs = {
      createdBefore: this.pendingSince(now), answeredBefore: before(AUTH_REQUEST_ANSWERED_RETENTION_MS),
      adminCreatedBefore: before(ADMIN_AUTH_REQUEST_TTL_MS), adminApprovedBefore: before(ADMIN_AUTH_REQUEST_APPROVED_TTL_MS),
    };
    this.decoys.purge(now);
    let total = 0;
    for (;;) {
      const removed = await this.uow.run(async (tx) => {
        const ids = await this.repo.findPurgeable(tx.manager, cutoffs, PURGE_BATCH);
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
    const given = Buffer.from(hashAccessCode(code), 'hex');
    const stored = Buffer.from(request.accessCodeHash, 'hex');
    return given.length === stored.length && timingSafeEqual(given, stored);
  }
}
