import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AccountRevisionService } from '../accounts/account-revision.service';
import { AccountsQueryService } from '../accounts/accounts-query.service';
import { AccountsService } from '../accounts/accounts.service';
import { normalizeEmail } from '../accounts/email';
import { hashMasterPasswordHash } from '../accounts/password-hasher';
import { AttachmentLinks, FRESH_LINK_SECONDS } from '../attachments/attachment-links.service';
import { AttachmentsRepository } from '../attachments/attachments.repository';
import { AttachmentResponseDto, toAttachmentResponse } from '../attachments/dto/attachment-response.dto';
import { CiphersQueryService } from '../ciphers/ciphers-query.service';
import { AuthContext } from '../common/auth/auth-context';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { ListResponseDto, toListResponse } from '../common/http/list-response';
import { getLogger } from '../common/logging/logger';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { UserEntity } from '../db/entities';
import { EmergencyAccessEntity, EmergencyAccessStatus, EmergencyAccessType } from '../db/entities/emergency-access.entity';
import { MembershipType } from '../db/entities/membership.entity';
import { Tx, UnitOfWork } from '../db/unit-of-work';
import { DevicesService } from '../devices/devices.service';
import { DomainEventMap } from '../event-bus/domain-events';
import { EventBus } from '../event-bus/event-bus.service';
import { OnDomainEvent } from '../event-bus/on-domain-event.decorator';
import { MailService } from '../mail/mail.service';
import { EmergencyAccessKind, MailTemplateName, MailTemplateParams } from '../mail/templates';
import { OrganizationsQueryService } from '../organizations/organizations-query.service';
import { PolicyResponseDto } from '../organizations/dto/organization-response.dto';
import { TwoFactorService } from '../two-factor/two-factor.service';
import {
  EmergencyAccessAcceptRequestDto, EmergencyAccessConfirmRequestDto, EmergencyAccessInviteRequestDto, EmergencyAccessPasswordRequestDto, EmergencyAccessUpdateRequestDto,
} from './dto/emergency-access-request.dto';
import {
  EmergencyAccessGranteeDetailsResponseDto, EmergencyAccessGrantorDetailsResponseDto, EmergencyAccessResponseDto, EmergencyAccessTakeoverResponseDto,
  EmergencyAccessViewResponseDto, toEmergencyAccessResponse, toGranteeDetails, toGrantorDetails,
} from './dto/emergency-access-response.dto';
import { EmergencyAccessRepository } from './emergency-access.repository';
import { EmergencyInviteTokens } from './emergency-invite-tokens';

const log = getLogger('EmergencyAccessService');

/** A refusal with Vaultwarden's message (400). */
const refused = (message?: string): VaultError => new VaultError(ErrorCode.EmergencyAccessRefused, message);

/** Vaultwarden's EmergencyAccessType::from_str: the number or its name, as a number or a string. */
export function parseEmergencyAccessType(value: unknown): EmergencyAccessType {
  switch (typeof value === 'number' ? String(value) : value) {
    case '0': case 'View': return EmergencyAccessType.View;
    case '1': case 'Takeover': return EmergencyAccessType.Takeover;
    default: throw refused('Invalid emergency access type.');
  }
}

export const kindOf = (type: EmergencyAccessType): EmergencyAccessKind => (type === EmergencyAccessType.View ? 'View' : 'Takeover');
/** How mails name a user: their name, else their address. */
export const displayName = (user: Pick<UserEntity, 'name' | 'email'>): string => user.name?.trim() || user.email;

/**
 * Emergency access (bitwarden/server EmergencyAccessService, Vaultwarden src/api/core/emergency_access.rs): a
 * grantor invites a trusted contact, who accepts (with the mailed token, or at once without mail) and is
 * confirmed with the grantor's user key wrapped to their public key; the contact may then ask for access, which
 * the grantor approves or rejects, or which is approved by EmergencyAccessJobs once the wait time has passed.
 * Approved, the contact views the grantor's own items (View) or sets a new master password for the account
 * (Takeover). Every refusal is Vaultwarden's 400 and message; nothing is pushed to clients (official), except the
 * LogOut of the grantor's devices after a takeover.
 */
@Injectable()
export class EmergencyAccessService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly uow: UnitOfWork,
    private readonly repo: EmergencyAccessRepository,
    private readonly users: AccountsQueryService,
    private readonly accounts: AccountsService,
    private readonly accountRevision: AccountRevisionService,
    private readonly devices: DevicesService,
    private readonly twoFactor: TwoFactorService,
    private readonly ciphers: CiphersQueryService,
    private readonly organizations: OrganizationsQueryService,
    private readonly mail: MailService,
    private readonly inviteTokens: EmergencyInviteTokens,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly attachmentLinks: AttachmentLinks,
    private readonly attachments: AttachmentsRepository,
  ) {}

  // --- lists and reads ---

  /** GET trusted: the grantor's contacts (empty while EMERGENCY_ACCESS_ALLOWED is off, as Vaultwarden). */
  trusted(auth: AuthContext): Promise<ListResponseDto<EmergencyAccessGranteeDetailsResponseDto>> {
    if (!this.config.emergencyAccess.allowed) return Promise.resolve(toListResponse([]));
    return this.uow.read(async (db) => {
      const rows = await this.repo.listByGrantor(db, auth.userId);
      const parties = await this.repo.parties(db, rows.flatMap((r) => (r.granteeId ? [r.granteeId] : [])));
      return toListResponse(rows.map((row) => toGranteeDetails(row, row.granteeId ? parties.get(row.granteeId) ?? null : null)));
    });
  }

  /** GET granted: the grants the caller has accepted (empty while EMERGENCY_ACCESS_ALLOWED is off). */
  granted(auth: AuthContext): Promise<ListResponseDto<EmergencyAccessGrantorDetailsResponseDto>> {
    if (!this.config.emergencyAccess.allowed) return Promise.resolve(toListResponse([]));
    return this.uow.read(async (db) => {
      const rows = await this.repo.listAcceptedByGrantee(db, auth.userId);
      const parties = await this.repo.parties(db, rows.map((r) => r.grantorId));
      return toListResponse(rows.flatMap((row) => {
        const grantor = parties.get(row.grantorId);
        return grantor ? [toGrantorDetails(row, grantor)] : [];
      }));
    });
  }

  /** GET {id}: one of the caller's contacts. */
  async get(auth: AuthContext, id: string): Promise<EmergencyAccessGranteeDetailsResponseDto> {
    this.requireAllowed();
    return this.uow.read(async (db) => {
      const row = await this.repo.findByIdAndGrantor(db, id, auth.userId);
      if (!row) throw refused();
      const parties = await this.repo.parties(db, row.granteeId ? [row.granteeId] : []);
      return toGranteeDetails(row, row.granteeId ? parties.get(row.granteeId) ?? null : null);
    });
  }

  // --- the grantor manages contacts ---

  /** PUT/POST {id}: new type and wait time, and (key rotation) a new wrapped key. */
  async update(auth: AuthContext, id: string, dto: EmergencyAccessUpdateRequestDto): Promise<EmergencyAccessResponseDto> {
    this.requireAllowed();
    const type = parseEmergencyAccessType(dto.type);
    return this.uow.run(async (tx) => {
      const row = await this.repo.findByIdAndGrantor(tx.manager, id, auth.userId);
      if (!row) throw refused();
      row.type = type;
      row.waitTimeDays = dto.waitTimeDays;
      if (dto.keyEncrypted) row.keyEncrypted = dto.keyEncrypted;
      await this.save(tx, row);
      return toEmergencyAccessResponse(row);
    });
  }

  /** DELETE {id} and POST {id}/delete: the grantor removes a contact, or the grantee gives up a grant. */
  async delete(auth: AuthContext, id: string): Promise<void> {
    this.requireAllowed();
    return this.uow.run(async (tx) => {
      const row = await this.repo.findById(tx.manager, id);
      const side = row?.grantorId === auth.userId ? 'grantor' : row?.granteeId === auth.userId ? 'grantee' : null;
      if (!row || !side) throw refused();
      await this.repo.delete(tx.manager, id);
      await this.bumpParties(tx, row, this.clock.now());
      log.info({ emergencyAccessId: id, by: side }, 'emergency_access.deleted');
    });
  }

  /**
   * POST invite. With mail the address gets the accept link; without mail an existing account accepts at once and
   * an address without one is invited to register (as Vaultwarden does). Refused: oneself, a second grant to the
   * same contact, an unknown address while INVITATIONS_ALLOWED is off or outside SIGNUPS_DOMAINS_WHITELIST.
   */
  async invite(auth: AuthContext, dto: EmergencyAccessInviteRequestDto): Promise<void> {
    this.requireAllowed();
    const type = parseEmergencyAccessType(dto.type);
    const email = normalizeEmail(dto.email);
    const inviteToRegister = await this.uow.run(async (tx) => {
      const grantor = await this.users.requireUser(tx.manager, auth.userId);
      if (email === grantor.email) throw refused('You can not set yourself as an emergency contact.');
      const grantee = await this.users.findByEmail(tx.manager, email);
      if (!grantee) this.checkInvitable(email);
      if (await this.repo.existsFor(tx.manager, grantor.id, grantee?.id ?? null, email)) throw refused(`Grantee user already invited: ${email}`);
      const now = this.clock.now();
      const row = Object.assign(new EmergencyAccessEntity(), {
        id: randomUUID(), grantorId: grantor.id, granteeId: grantee?.id ?? null, email, keyEncrypted: null, type, status: EmergencyAccessStatus.Invited,
        waitTimeDays: dto.waitTimeDays, recoveryInitiatedAt: null, lastNotificationAt: null, creationDate: now, revisionDate: now,
      });
      await this.repo.insert(tx.manager, row);
      await this.bumpParties(tx, row, now);
      if (this.mail.enabled) await this.sendInvite(tx, row, grantor);
      else if (grantee) await this.acceptRow(tx, row, grantee);
      return !this.mail.enabled && !grantee;
    });
    if (inviteToRegister) await this.accounts.inviteByAdmin(email);
  }

  /** POST {id}/reinvite: the invitation again (mail), or what inviting does without mail. */
  async reinvite(auth: AuthContext, id: string): Promise<void> {
    this.requireAllowed();
    const inviteToRegister = await this.uow.run(async (tx) => {
      const row = await this.repo.findByIdAndGrantor(tx.manager, id, auth.userId);
      if (!row) throw refused();
      if (row.status !== EmergencyAccessStatus.Invited) throw refused('The grantee user is already accepted or confirmed to the organization');
      if (!row.email) throw refused('Email not valid.');
      const grantee = row.granteeId ? await this.users.findById(tx.manager, row.granteeId) : await this.users.findByEmail(tx.manager, row.email);
      if (this.mail.enabled) {
        await this.sendInvite(tx, row, await this.users.requireUser(tx.manager, auth.userId));
        return false;
      }
      if (grantee) {
        await this.acceptRow(tx, row, grantee);
        return false;
      }
      this.checkInvitable(row.email);
      return true;
    });
    const row = inviteToRegister ? await this.uow.read((db) => this.repo.findById(db, id)) : null;
    if (row?.email) await this.accounts.inviteByAdmin(row.email);
  }

  /** POST {id}/confirm: the grantor hands the accepted contact its user key, wrapped to the contact's public key. */
  async confirm(auth: AuthContext, id: string, dto: EmergencyAccessConfirmRequestDto): Promise<EmergencyAccessResponseDto> {
    this.requireAllowed();
    return this.uow.run(async (tx) => {
      const row = await this.repo.findByIdAndGrantor(tx.manager, id, auth.userId);
      if (!row || row.status !== EmergencyAccessStatus.Accepted) throw refused();
      const grantor = await this.users.requireUser(tx.manager, auth.userId);
      const grantee = row.granteeId ? await this.users.findById(tx.manager, row.granteeId) : null;
      if (!grantee) throw refused('Grantee user not found.');
      row.status = EmergencyAccessStatus.Confirmed;
      row.keyEncrypted = dto.key;
      row.email = null;
      await this.save(tx, row);
      await this.mailIf(tx, grantee.email, 'emergency-access-confirmed', { grantorName: displayName(grantor) });
      return toEmergencyAccessResponse(row);
    });
  }

  // --- the grantee accepts and asks ---

  /** POST {id}/accept: the invited account takes the invitation with the token of the mailed link. */
  async accept(auth: AuthContext, id: string, dto: EmergencyAccessAcceptRequestDto): Promise<void> {
    this.requireAllowed();
    const claims = this.inviteTokens.decode(dto.token);
    if (!claims) throw refused('Invalid claim');
    return this.uow.run(async (tx) => {
      const grantee = await this.users.requireUser(tx.manager, auth.userId);
      // Someone who signed up with another address: nothing is done with the invitation (as Vaultwarden).
      if (claims.email !== grantee.email) throw refused('Claim email does not match current users email');
      const row = await this.repo.findById(tx.manager, id);
      const mine = row !== null && row.status === EmergencyAccessStatus.Invited
        && (row.granteeId === grantee.id || (row.granteeId === null && row.email === grantee.email));
      if (!row || !mine) throw refused();
      const grantor = await this.users.findById(tx.manager, row.grantorId);
      if (!grantor) throw refused('Grantor user not found.');
      if (claims.emergencyAccessId !== row.id || claims.grantorId !== grantor.id) throw refused('Emergency access invitation error.');
      await this.acceptRow(tx, row, grantee);
      await this.mailIf(tx, grantor.email, 'emergency-access-accepted', { granteeEmail: grantee.email });
    });
  }

  /** POST {id}/initiate: the confirmed contact asks for access; the wait time starts. */
  async initiate(auth: AuthContext, id: string): Promise<EmergencyAccessResponseDto> {
    this.requireAllowed();
    return this.uow.run(async (tx) => {
      const row = await this.repo.findByIdAndGrantee(tx.manager, id, auth.userId);
      if (!row || row.status !== EmergencyAccessStatus.Confirmed) throw refused();
      const grantor = await this.users.findById(tx.manager, row.grantorId);
      if (!grantor) throw refused('Grantor user not found.');
      const grantee = await this.users.requireUser(tx.manager, auth.userId);
      const now = this.clock.now();
      row.status = EmergencyAccessStatus.RecoveryInitiated;
      row.recoveryInitiatedAt = now;
      row.lastNotificationAt = now;
      await this.save(tx, row, now);
      await this.mailIf(tx, grantor.email, 'emergency-access-recovery-initiated', { granteeName: displayName(grantee), kind: kindOf(row.type), waitTimeDays: row.waitTimeDays });
      log.info({ emergencyAccessId: id, grantorId: grantor.id, granteeId: grantee.id }, 'emergency_access.recovery_initiated');
      return toEmergencyAccessResponse(row);
    });
  }

  /** POST {id}/approve: the grantor grants the pending request before the wait time is over. */
  async approve(auth: AuthContext, id: string): Promise<EmergencyAccessResponseDto> {
    this.requireAllowed();
    return this.uow.run(async (tx) => {
      const row = await this.repo.findByIdAndGrantor(tx.manager, id, auth.userId);
      if (!row || row.status !== EmergencyAccessStatus.RecoveryInitiated) throw refused();
      const grantor = await this.users.requireUser(tx.manager, auth.userId);
      const grantee = row.granteeId ? await this.users.findById(tx.manager, row.granteeId) : null;
      if (!grantee) throw refused('Grantee user not found.');
      const now = this.clock.now();
      // Conditional: the timeout job of another instance may have approved it a moment ago.
      if (!(await this.repo.approveIfInitiated(tx.manager, row.id, now))) throw refused();
      row.status = EmergencyAccessStatus.RecoveryApproved;
      row.revisionDate = now;
      await this.bumpParties(tx, row, now);
      await this.mailIf(tx, grantee.email, 'emergency-access-recovery-approved', { grantorName: displayName(grantor) });
      return toEmergencyAccessResponse(row);
    });
  }

  /** POST {id}/reject: the grantor refuses a pending or approved request; the grant is back to Confirmed. */
  async reject(auth: AuthContext, id: string): Promise<EmergencyAccessResponseDto> {
    this.requireAllowed();
    return this.uow.run(async (tx) => {
      const row = await this.repo.findByIdAndGrantor(tx.manager, id, auth.userId);
      if (!row || (row.status !== EmergencyAccessStatus.RecoveryInitiated && row.status !== EmergencyAccessStatus.RecoveryApproved)) throw refused();
      const grantor = await this.users.requireUser(tx.manager, auth.userId);
      const grantee = row.granteeId ? await this.users.findById(tx.manager, row.granteeId) : null;
      if (!grantee) throw refused('Grantee user not found.');
      row.status = EmergencyAccessStatus.Confirmed;
      await this.save(tx, row);
      await this.mailIf(tx, grantee.email, 'emergency-access-recovery-rejected', { grantorName: displayName(grantor) });
      return toEmergencyAccessResponse(row);
    });
  }

  // --- the approved grantee acts ---

  /** POST {id}/view: the grantor's own items (not organization items), with the key to open them. */
  async view(auth: AuthContext, id: string): Promise<EmergencyAccessViewResponseDto> {
    this.requireAllowed();
    return this.uow.read(async (db) => {
      const row = await this.requireApproved(db, auth, id, EmergencyAccessType.View);
      const ciphers = (await this.ciphers.listForUser(db, row.grantorId)).filter((cipher) => cipher.organizationId === null);
      return { keyEncrypted: row.keyEncrypted, ciphers, object: 'emergencyAccessView' };
    });
  }

  /**
   * GET {id}/{cipherId}/attachment/{attachmentId} (official GetAttachmentDownloadAsync): one attachment of one of
   * the grantor's own items, with a fresh one-minute download link. The grant must be the caller's approved View
   * grant (else 400, as {id}/view); an organization item, another user's item or an unknown attachment is 404.
   */
  async attachment(auth: AuthContext, id: string, cipherId: string, attachmentId: string): Promise<AttachmentResponseDto> {
    this.requireAllowed();
    return this.uow.read(async (db) => {
      const row = await this.requireApproved(db, auth, id, EmergencyAccessType.View);
      const visible = await this.ciphers.findVisible(db, row.grantorId, cipherId);
      if (!visible || visible.cipher.organizationId !== null) throw new VaultError(ErrorCode.CipherNotFound);
      const attachment = await this.attachments.find(db, visible.cipher.id, attachmentId);
      if (!attachment) throw new VaultError(ErrorCode.AttachmentNotFound);
      return toAttachmentResponse(attachment, this.attachmentLinks.url(visible.cipher.id, attachment.id, FRESH_LINK_SECONDS));
    });
  }

  /** POST {id}/takeover: the grantor's KDF settings and the wrapped user key, to derive and wrap a new master key. */
  async takeover(auth: AuthContext, id: string): Promise<EmergencyAccessTakeoverResponseDto> {
    this.requireAllowed();
    return this.uow.read(async (db) => {
      const row = await this.requireApproved(db, auth, id, EmergencyAccessType.Takeover);
      const grantor = await this.users.findById(db, row.grantorId);
      if (!grantor) throw refused('Grantor user not found.');
      return {
        keyEncrypted: row.keyEncrypted, kdf: grantor.kdfType, kdfIterations: grantor.kdfIterations, kdfMemory: grantor.kdfMemory,
        kdfParallelism: grantor.kdfParallelism, object: 'emergencyAccessTakeover',
      };
    });
  }

  /**
   * POST {id}/password: the new master password of the grantor's account (bitwarden/server PasswordAsync,
   * Vaultwarden password_emergency_access): new slow hash and wrapped user key, new security stamp, two-step
   * login turned off (it would block the login), every organization membership but ownerships removed, every
   * refresh token revoked and LogOut to every device of the grantor.
   */
  async password(auth: AuthContext, id: string, dto: EmergencyAccessPasswordRequestDto): Promise<void> {
    this.requireAllowed();
    // Checked before the slow hash, which runs outside the transaction (SQLite runs one unit of work at a time).
    await this.uow.read((db) => this.requireApproved(db, auth, id, EmergencyAccessType.Takeover));
    const password = await hashMasterPasswordHash(dto.newMasterPasswordHash, this.config.passwordIterations, { priority: true });
    await this.uow.run(async (tx) => {
      const row = await this.requireApproved(tx.manager, auth, id, EmergencyAccessType.Takeover);
      const grantor = await this.users.findById(tx.manager, row.grantorId);
      if (!grantor) throw refused('Grantor user not found.');
      const now = this.clock.now();
      await this.repo.setGrantorPassword(tx.manager, grantor.id, {
        passwordHash: password.hash, passwordSalt: password.salt, passwordIterations: password.iterations, userKey: dto.key, securityStamp: randomUUID(), updatedDate: now,
      });
      await this.twoFactor.recoverIn(tx, grantor.id, null);
      for (const organizationId of await this.repo.removeNonOwnerMemberships(tx.manager, grantor.id)) {
        await this.bus.emit(tx, 'OrganizationKeysChanged', { organizationId, userIds: [grantor.id], reason: 'removed', actor: null });
      }
      await this.accountRevision.bump(tx, [grantor.id], now);
      await this.devices.revokeRefreshTokens(tx, grantor.id, null);
      await this.bus.emit(tx, 'UserLoggedOut', { userId: grantor.id, reason: null, actor: null, keepDeviceId: null });
      log.info({ emergencyAccessId: id, grantorId: grantor.id, granteeId: auth.userId }, 'emergency_access.takeover_password_set');
    });
  }

  /**
   * GET {id}/policies: the policies the new master password must satisfy (official GetPoliciesAsync): those of the
   * grantor's organizations when the grantor owns one (the memberships a takeover keeps), else none.
   */
  async policies(auth: AuthContext, id: string): Promise<ListResponseDto<PolicyResponseDto>> {
    return this.uow.read(async (db) => {
      const row = await this.requireApproved(db, auth, id, EmergencyAccessType.Takeover);
      const grantor = await this.users.findById(db, row.grantorId);
      if (!grantor) throw refused('Grantor user not found.');
      const owner = (await this.organizations.forUser(db, grantor.id)).some((membership) => membership.type === MembershipType.Owner);
      return toListResponse(owner ? await this.organizations.policiesForUser(db, grantor.id) : []);
    });
  }

  /**
   * A new account links the invitations waiting for its address, so that they go with the account and its owner
   * can accept them; without mail it accepts them at once, as Vaultwarden does at registration. The invitation whose
   * token came with the registration (`emergencyAccessId`) is accepted at once in any case, and its grantor told.
   */
  @OnDomainEvent('UserRegistered', { phase: 'inTransaction' })
  async onUserRegistered(event: DomainEventMap['UserRegistered'], tx: Tx): Promise<void> {
    const rows = await this.repo.linkInvitations(tx.manager, event.userId, normalizeEmail(event.email), this.clock.now());
    if (!this.config.emergencyAccess.allowed) return;
    // The token of `emergencyAccessId` came with the registration (checked by EmergencyRegistrationInvites).
    const accepted = this.mail.enabled ? rows.filter((row) => row.id === event.emergencyAccessId) : rows;
    if (accepted.length === 0) return;
    const grantee = await this.users.findById(tx.manager, event.userId);
    if (!grantee) return;
    for (const row of accepted) {
      await this.acceptRow(tx, row, grantee);
      if (row.id !== event.emergencyAccessId) continue;
      const grantor = await this.users.findById(tx.manager, row.grantorId);
      if (grantor) await this.mailIf(tx, grantor.email, 'emergency-access-accepted', { granteeEmail: grantee.email });
      log.info({ emergencyAccessId: row.id, granteeId: grantee.id }, 'emergency_access.accepted_at_registration');
    }
  }


  // --- helpers ---

  private requireAllowed(): void {
    if (!this.config.emergencyAccess.allowed) throw new VaultError(ErrorCode.EmergencyAccessDisabled);
  }

  /** An address without an account may be invited (INVITATIONS_ALLOWED, SIGNUPS_DOMAINS_WHITELIST), as Vaultwarden. */
  private checkInvitable(email: string): void {
    if (!this.config.invitationsAllowed) throw refused(`Grantee user does not exist: ${email}`);
    const domains = this.config.signupsDomainsWhitelist;
    if (domains.length > 0 && !domains.includes(email.slice(email.lastIndexOf('@') + 1))) throw refused('Email domain not eligible for invitations');
  }

  /** The caller's grant of `type`, approved (Vaultwarden is_valid_request); else "Emergency access not valid.". */
  private async requireApproved(db: EntityManager, auth: AuthContext, id: string, type: EmergencyAccessType): Promise<EmergencyAccessEntity> {
    const row = await this.repo.findByIdAndGrantee(db, id, auth.userId);
    if (!row || row.status !== EmergencyAccessStatus.RecoveryApproved || row.type !== type) throw refused();
    return row;
  }

  private async acceptRow(tx: Tx, row: EmergencyAccessEntity, grantee: UserEntity): Promise<void> {
    row.granteeId = grantee.id;
    row.email = null;
    row.status = EmergencyAccessStatus.Accepted;
    await this.save(tx, row);
  }

  private async sendInvite(tx: Tx, row: EmergencyAccessEntity, grantor: UserEntity): Promise<void> {
    const email = row.email as string;
    const { token, expiresAt } = this.inviteTokens.issue(row.id, grantor.id, email);
    await this.mail.enqueue(tx, {
      to: email, template: 'emergency-access-invite', expiresAt,
      params: { emergencyAccessId: row.id, email, grantorName: displayName(grantor), token, expiresAt },
    });
  }

  /** A mail about the grant, when mail is configured (nothing is pushed to clients instead: official). */
  private async mailIf<N extends MailTemplateName>(tx: Tx, to: string, template: N, params: MailTemplateParams<N>): Promise<void> {
    if (this.mail.enabled) await this.mail.enqueue(tx, { to, template, params });
  }

  private async save(tx: Tx, row: EmergencyAccessEntity, now = this.clock.now()): Promise<void> {
    row.revisionDate = now;
    await this.repo.update(tx.manager, row);
    await this.bumpParties(tx, row, now);
  }

  /** Both parties' account revision dates move (Vaultwarden: the grantor on every save, the grantee on status changes). */
  private async bumpParties(tx: Tx, row: EmergencyAccessEntity, now: Date): Promise<void> {
    await this.accountRevision.bump(tx, row.granteeId ? [row.grantorId, row.granteeId] : [row.grantorId], now);
  }
}
