import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AccountsQueryService } from '../accounts/accounts-query.service';
import { AuthContext } from '../common/auth/auth-context';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { ListResponseDto, toListResponse } from '../common/http/list-response';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { AuthRequestEntity, UserEntity } from '../db/entities';
import { Tx, UnitOfWork } from '../db/unit-of-work';
import { EventBus } from '../event-bus/event-bus.service';
import { AuthRequestsRepository } from './auth-requests.repository';
import { AnswerAuthRequestDto, CreateAuthRequestDto } from './dto/auth-request.dto';
import { toAuthRequestResponse } from './dto/auth-request-response.mapper';

/** Requests expire after 15 minutes and can log in once. */
export const AUTH_REQUEST_TTL_MS = 15 * 60 * 1000;

const hashCode = (code: string): string => createHash('sha256').update(code, 'utf8').digest('hex');
const notFound = (): VaultError => new VaultError(ErrorCode.NotFound, 'Auth request not found.');

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
  ) {}

  private get origin(): string {
    return this.config.domain.origin;
  }

  private expired(request: AuthRequestEntity): boolean {
    return this.clock.now().getTime() - request.creationDate.getTime() > AUTH_REQUEST_TTL_MS;
  }

  /** Unauthenticated. An unknown email gets the same 404 as any missing request (no enumeration beyond it). */
  async create(dto: CreateAuthRequestDto, deviceType: number, ip: string): Promise<Record<string, unknown>> {
    if (dto.type === 2) throw new VaultError(ErrorCode.BadRequest, 'Admin approval requests are not supported.');
    return this.uow.run(async (tx) => {
      const user = await this.accounts.findByEmail(tx.manager, dto.email);
      if (!user || !user.enabled) throw new VaultError(ErrorCode.BadRequest, 'Auth request could not be created.');
      const now = this.clock.now();
      const request = Object.assign(new AuthRequestEntity(), {
        id: randomUUID(), userId: user.id, type: dto.type, requestDeviceIdentifier: dto.deviceIdentifier.toLowerCase(),
        requestDeviceType: deviceType, requestIp: ip, accessCodeHash: hashCode(dto.accessCode), publicKey: dto.publicKey,
        encKey: null, masterPasswordHash: null, approved: null, responseDeviceId: null,
        creationDate: now, responseDate: null, authenticationDate: null,
      });
      await this.repo.save(tx.manager, request);
      await this.bus.emit(tx, 'AuthRequestCreated', { authRequestId: request.id, userId: user.id, requestDeviceIdentifier: request.requestDeviceIdentifier });
      return toAuthRequestResponse(request, this.origin);
    });
  }

  async listPending(auth: AuthContext): Promise<ListResponseDto<Record<string, unknown>>> {
    const requests = await this.uow.read((db) => this.repo.findPendingByUser(db, auth.userId));
    const live = requests.filter((r) => !this.expired(r));
    return toListResponse(live.map((r) => toAuthRequestResponse(r, this.origin)));
  }

  async get(auth: AuthContext, id: string): Promise<Record<string, unknown>> {
    const request = await this.uow.read((db) => this.repo.findByIdAndUser(db, id, auth.userId));
    if (!request) throw notFound();
    return toAuthRequestResponse(request, this.origin);
  }

  /** Unauthenticated poll by the requesting device; the access code proves it is that device. */
  async response(id: string, code: string | undefined): Promise<Record<string, unknown>> {
    const request = await this.uow.read((db) => this.repo.findById(db, id));
    if (!request || !code || !this.codeMatches(request, code)) throw notFound();
    if (this.expired(request)) throw new VaultError(ErrorCode.BadRequest, 'Auth request has expired.');
    return toAuthRequestResponse(request, this.origin);
  }

  async answer(auth: AuthContext, id: string, dto: AnswerAuthRequestDto): Promise<Record<string, unknown>> {
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

  findUser(db: EntityManager, email: string): Promise<UserEntity | null> {
    return this.accounts.findByEmail(db, email);
  }

  private codeMatches(request: AuthRequestEntity, code: string): boolean {
    const given = Buffer.from(hashCode(code), 'hex');
    const stored = Buffer.from(request.accessCodeHash, 'hex');
    return given.length === stored.length && timingSafeEqual(given, stored);
  }
}
