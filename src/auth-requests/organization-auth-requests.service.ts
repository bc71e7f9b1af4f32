import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuthContext } from '../common/auth/auth-context';
import { deviceTypeName } from '../common/auth/device-type';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { ListResponseDto, toListResponse } from '../common/http/list-response';
import { Clock, toApiDate } from '../common/time/clock';
import { MembershipType } from '../db/entities/membership.entity';
import { Tx, UnitOfWork } from '../db/unit-of-work';
import { EventBus } from '../event-bus/event-bus.service';
import { permissionsOf } from '../organizations/dto/organization-response.mapper';
import { OrganizationsQueryService } from '../organizations/organizations-query.service';
import { ADMIN_AUTH_REQUEST_TTL_MS } from './auth-request-limits';
import { AuthRequestsRepository, OrganizationAdminRequest } from './auth-requests.repository';
import { authRequestExpired } from './auth-requests.service';
import { OrganizationAuthRequestUpdateManyItemDto, PendingOrganizationAuthRequestResponseDto } from './dto/organization-auth-request.dto';

/** One admin answer: approve with the requester's user key encrypted to the request's public key, or deny. */
export interface AdminAnswer { approved: boolean; key?: string | null }

const notFound = (): VaultError => new VaultError(ErrorCode.NotFound, 'Auth request not found.');

/**
 * Admin approval of logins (bitwarden/server OrganizationAuthRequestsController and UpdateOrganizationAuthRequestCommand):
 * a member's new device asks (AuthRequestsService.createAdminRequest, one request per organization); owners,
 * admins and custom users with "manage account recovery" of THAT organization list the pending requests of its
 * members enrolled in account recovery, and approve (storing the user key they re-encrypted to the request's
 * public key from the member's reset-password key) or deny. Anyone else gets 404, whether the organization
 * exists or not (as this server's other organization routes; bitwarden/server answers 401), and a request of
 * another organization, or of a member not enrolled, is 404 too.
 */
@Injectable()
export class OrganizationAuthRequestsService {
  constructor(
    private readonly repo: AuthRequestsRepository,
    private readonly orgQuery: OrganizationsQueryService,
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly bus: EventBus,
  ) {}

  /** GET /api/organizations/{orgId}/auth-requests: unanswered, unexpired requests, oldest first. */
  async listPending(auth: AuthContext, orgId: string): Promise<ListResponseDto<PendingOrganizationAuthRequestResponseDto>> {
    const since = new Date(this.clock.now().getTime() - ADMIN_AUTH_REQUEST_TTL_MS);
    const rows = await this.uow.read(async (db) => {
      await this.requireRecoveryManager(db, orgId, auth.userId);
      return this.repo.findPendingByOrganization(db, orgId, since);
    });
    return toListResponse(rows.map(toPendingResponse));
  }

  /**
   * POST /api/organizations/{orgId}/auth-requests/{requestId}: 404 for an unknown, foreign or expired request,
   * 400 when it was already answered or an approval carries no key.
   */
  async answer(auth: AuthContext, orgId: string, requestId: string, answer: AdminAnswer): Promise<void> {
    await this.uow.run(async (tx) => {
      await this.requireRecoveryManager(tx.manager, orgId, auth.userId);
      const [found] = await this.repo.findOrganizationRequestsByIds(tx.manager, orgId, [requestId]);
      if (!found) throw notFound();
      const { request } = found;
      if (request.approved !== null) throw new VaultError(ErrorCode.BadRequest, 'Auth request has already been answered.');
      if (authRequestExpired(request, this.clock.now())) throw notFound();
      if (answer.approved && !answer.key?.trim()) throw new VaultError(ErrorCode.BadRequest, 'An approved request needs the encrypted key.');
      await this.apply(tx, auth, found, answer);
    });
  }

  /**
   * POST /api/organizations/{orgId}/auth-requests/deny: denies those of `ids` that are this organization's,
   * unanswered and unexpired; the others are skipped. Returns the ids denied.
   */
  async denyMany(auth: AuthContext, orgId: string, ids: string[]): Promise<string[]> {
    return this.updateMany(auth, orgId, ids.map((id) => ({ id, approved: false })));
  }

  /**
   * POST /api/organizations/{orgId}/auth-requests (bulk, bitwarden/server UpdateManyAsync): each item approves
   * (with its key) or denies; items for foreign, answered or expired requests, and approvals without a key, are
   * skipped. Returns the ids answered.
   */
  async updateMany(auth: AuthContext, orgId: string, items: Array<Pick<OrganizationAuthRequestUpdateManyItemDto, 'id' | 'approved' | 'key'>>): Promise<string[]> {
    const byId = new Map(items.map((item) => [item.id.toLowerCase(), item]));
    return this.uow.run(async (tx) => {
      await this.requireRecoveryManager(tx.manager, orgId, auth.userId);
      const found = await this.repo.findOrganizationRequestsByIds(tx.manager, orgId, [...byId.keys()]);
      const now = this.clock.now();
      const answered: string[] = [];
      for (const row of found) {
        const item = byId.get(row.request.id.toLowerCase());
        if (!item || row.request.approved !== null || row.request.authenticationDate !== null || authRequestExpired(row.request, now)) continue;
        if (item.approved && !item.key?.trim()) continue;
        await this.apply(tx, auth, row, { approved: item.approved, key: item.key });
        answered.push(row.request.id);
      }
      return answered;
    });
  }

  /** Stores the answer; an approval emits AuthRequestApproved (the waiting device's anonymous hub, the member's devices). */
  private async apply(tx: Tx, auth: AuthContext, { request }: OrganizationAdminRequest, answer: AdminAnswer): Promise<void> {
    request.responseDate = this.clock.now();
    request.approved = answer.approved;
    if (answer.approved) request.encKey = answer.key ?? null;
    await this.repo.save(tx.manager, request);
    if (answer.approved) await this.bus.emit(tx, 'AuthRequestApproved', { authRequestId: request.id, userId: request.userId, actor: auth.actor });
  }

  /** Owners, admins and custom users with manageResetPassword (bitwarden/server ManageResetPassword); else 404. */
  private async requireRecoveryManager(db: EntityManager, orgId: string, userId: string): Promise<void> {
    const { membership } = await this.orgQuery.requireConfirmedMember(db, orgId, userId);
    if (!managesAccountRecovery(membership.type, membership.permissions)) throw new VaultError(ErrorCode.OrganizationNotFound);
  }
}

/** Whether a member of `type` (with custom `permissions`) may answer admin-approval requests. */
export function managesAccountRecovery(type: number, permissions: string | null): boolean {
  return type === MembershipType.Owner || type === MembershipType.Admin
    || (type === MembershipType.Custom && permissionsOf(permissions).manageResetPassword);
}

function toPendingResponse({ request, email, memberId }: OrganizationAdminRequest): PendingOrganizationAuthRequestResponseDto {
  return {
    id: request.id,
    userId: request.userId,
    organizationUserId: memberId,
    email,
    publicKey: request.publicKey,
    requestDeviceIdentifier: request.requestDeviceIdentifier,
    requestDeviceType: deviceTypeName(request.requestDeviceType),
    requestIpAddress: request.requestIp,
    requestCountryName: null,
    creationDate: toApiDate(request.creationDate),
    object: 'pending-org-auth-request',
  };
}
