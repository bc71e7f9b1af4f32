import { Inject, Injectable, Optional } from '@nestjs/common';
import { AttachmentsRepository } from '../attachments/attachments.repository';
import { StorageFigures, storageFigures } from '../common/http/storage-figures';
import { UserInvitationsRepository } from './user-invitations.repository';
import { AttachmentCleanup } from '../attachments/attachment-cleanup.service';
import { SendCleanup } from '../sends/send-cleanup.service';
import { createHash, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AuthContext } from '../common/auth/auth-context';
import { ProfileOrganizationsSource } from './profile-organizations';
import { EmergencyAccessInvites } from './emergency-access-invites';
import { OrgInviteTokens } from './org-invite-tokens';
import { MasterPasswordPolicySource } from './master-password-policy';
import { TokenService } from '../common/auth/token.service';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { UserEntity } from '../db/entities';
import { Tx, UnitOfWork } from '../db/unit-of-work';
import { DevicesService } from '../devices/devices.service';
import { EventBus } from '../event-bus/event-bus.service';
import { hashMasterPasswordHash, verifyMasterPasswordHash } from './password-hasher';
import { RegisterDto } from './dto/register.dto';
import { ChangeEmailDto, ChangePasswordDto, EmailTokenDto, SetKeysDto, SetPasswordDto, UpdateProfileDto } from './dto/account-request.dto';
import { AccountMailService } from './account-mail.service';
import { MailService } from '../mail/mail.service';
import {
  ApiKeyResponseDto, KeysResponseDto, MasterPasswordPolicyResponseDto, ProfileResponseDto, UserKeyResponseDto,
} from './dto/account-response.dto';
import {
  toApiKeyResponse, toKeysResponse, toMasterPasswordPolicyResponse, toProfileResponse, toUserKeyResponse,
} from './dto/account-response.mapper';
import { AccountsQueryService } from './accounts-query.service';
import { normalizeEmail } from './email';
import { UsersRepository } from './users.repository';

const newApiKey = (): string => randomBytes(24).toString('base64url').slice(0, 30);
const VERIFY_PURPOSE = 'register-verify';
/** Digits of the code that confirms an email change (Vaultwarden and bitwarden/server: 6). */
const EMAIL_CHANGE_CODE_DIGITS = 6;
const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
const badRequest = (message: string): VaultError => new VaultError(ErrorCode.BadRequest, message);

/** Account lifecycle: registration, profile, keys, password, security stamp, deletion. */
@Injectable()
export class AccountsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UsersRepository,
    private readonly queries: AccountsQueryService,
    private readonly devices: DevicesService,
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly bus: EventBus,
    private readonly tokens: TokenService,
    private readonly accountMail: AccountMailService,
    private readonly mail: MailService,
    private readonly attachmentFiles: AttachmentCleanup,
    private readonly sendFiles: SendCleanup,
    private readonly invitations: UserInvitationsRepository,
    private readonly attachmentStorage: AttachmentsRepository,
    /** Absent when the organizations feature is not loaded (service unit tests): the profile then lists none. */
    @Optional() private readonly organizations?: ProfileOrganizationsSource,
    /** Absent without the organizations feature: registration then takes no invitation. */
    @Optional() private readonly invites?: OrgInviteTokens,
    /** Absent without the organizations feature: verify-password then answers no policy. */
    @Optional() private readonly masterPasswordPolicies?: MasterPasswordPolicySource,
    /** Absent without the emergency access feature: registration then takes no emergency access invitation. */
    @Optional() private readonly emergencyInvites?: EmergencyAccessInvites,
  ) {}

  /** Open signups, a whitelisted domain, or an address the admin panel invited. */
  private async signupAllowedFor(email: string): Promise<boolean> {
    if (this.config.signupsAllowed) return true;
    const domain = email.split('@')[1] ?? '';
    if (this.config.signupsDomainsWhitelist.includes(domain)) return true;
    return this.uow.read((db) => this.invitations.exists(db, email));
  }

  /**
   * First registration step. With SIGNUPS_VERIFY and mail, the token goes out in a mail with the finish-signup link
   * (none to an address that already has an account; the answer is the same) and null comes back (204); otherwise
   * the token comes back in the response, and the account starts unverified (Vaultwarden's `verified` claim).
   */
  async sendVerificationEmail(email: string, name: string | null | undefined): Promise<string | null> {
    const normalized = normalizeEmail(email);
    if (!(await this.signupAllowedFor(normalized))) throw new VaultError(ErrorCode.SignupsNotAllowed);
    const mailed = this.accountMail.verificationRequired;
    const token = this.tokens.signPurposeToken(VERIFY_PURPOSE, normalized, { name: name ?? '', verified: mailed ? '1' : '0' }, 24 * 3600);
    if (!mailed) return token;
    await this.uow.run(async (tx) => {
      if (await this.users.findByEmail(tx.manager, normalized)) return;
      await this.mail.enqueue(tx, { to: normalized, template: 'register-verify-email', params: { email: normalized, token }, expiresAt: new Date(this.clock.now().getTime() + 24 * 3600_000) });
    });
    return null;
  }

  /** The web vault opened the emailed finish-signup link: the token must check out and the address still be free (bitwarden/server). */
  async verificationEmailClicked(email: string, token: string): Promise<void> {
    const normalized = normalizeEmail(email);
    const claims = this.tokens.verifyPurposeToken(VERIFY_PURPOSE, token);
    const taken = await this.uow.read((db) => this.users.findByEmail(db, normalized));
    if (!claims || claims.sub !== normalized || taken) throw badRequest('Expired link. Please restart registration or try logging in. You may already have an account');
  }

  /** Registration, all body shapes. The server stores wrapped keys and a slow hash of the master password hash. */
  async register(dto: RegisterDto, mode: 'finish' | 'legacy'): Promise<void> {
    const email = normalizeEmail(dto.email);
    const hint = this.passwordHint(dto.masterPasswordHint);
    // A valid organization invitation lets its address register even when signups are closed, and verifies it.
    const inviteMemberId = await this.checkInvite(dto, email);
    // So does a valid emergency access invitation (Vaultwarden), which is accepted with the registration.
    const emergencyAccessId = await this.checkEmergencyInvite(dto, email);
    const invited = inviteMemberId !== null || emergencyAccessId !== null;
    if (!invited && !(await this.signupAllowedFor(email))) throw new VaultError(ErrorCode.SignupsNotAllowed);
    let name = dto.name ?? null;
    let emailVerified = invited;
    if (mode === 'finish' && !invited) {
      const claims = dto.emailVerificationToken ? this.tokens.verifyPurposeToken(VERIFY_PURPOSE, dto.emailVerificationToken) : null;
      if (!claims || claims.sub !== email) throw new VaultError(ErrorCode.InvalidVerificationToken);
      if (typeof claims.name === 'string' && claims.name !== '') name = claims.name;
      // The token proves the address only when it went out by mail (tokens from before the claim existed did).
      emailVerified = claims.verified !== '0';
    }
    // SIGNUPS_VERIFY with mail: an address not yet proven gets the verification mail, and logins wait for it.
    const mustVerify = !emailVerified && this.accountMail.verificationRequired;
    const resolved = resolveRegistration(dto, email);
    // The cheap check before the slow hash (the insert below checks again, in its transaction).
    if (await this.uow.read((db) => this.users.findByEmail(db, email))) throw new VaultError(ErrorCode.EmailTaken);
    const password = await hashMasterPasswordHash(resolved.masterPasswordHash, this.config.passwordIterations);
    const now = this.clock.now();
    const user = Object.assign(new UserEntity(), {
      id: randomUUID(), email, name, emailVerified, enabled: true, lastVerifyingAt: mustVerify ? now : null,
      passwordHash: password.hash, passwordSalt: password.salt, passwordIterations: password.iterations,
      passwordHint: hint, ...resolved.kdf, userKey: resolved.userKey,
      privateKey: resolved.keys?.encryptedPrivateKey ?? null, publicKey: resolved.keys?.publicKey ?? null, userKeyId: null,
      securityStamp: randomUUID(), apiKey: newApiKey(), culture: 'en-US', avatarColor: null,
      equivalentDomains: '[]', excludedGlobalDomains: '[]', creationDate: now, updatedDate: now, revisionDate: now,
    });
    await this.uow.run(async (tx) => {
      if (await this.users.findByEmail(tx.manager, email)) throw new VaultError(ErrorCode.EmailTaken);
      await this.users.insert(tx.manager, user);
      await this.invitations.delete(tx.manager, email);
      if (mustVerify) await this.accountMail.queueVerifyEmail(tx, user, true);
      await this.bus.emit(tx, 'UserRegistered', { userId: user.id, email, ...(inviteMemberId ? { inviteMemberId } : {}), ...(emergencyAccessId ? { emergencyAccessId } : {}) });
    });
  }

  /**
   * The member id of the organization invitation the registration carries (`orgInviteToken` with
   * `organizationUserId`), once its token is checked; null without one. A token that does not check out is a 400,
   * as the official server answers it.
   */
  private async checkInvite(dto: RegisterDto, email: string): Promise<string | null> {
    if (!dto.orgInviteToken && !dto.organizationUserId) return null;
    if (!dto.organizationUserId) throw new VaultError(ErrorCode.InvalidInviteToken, 'Organization invite token cannot be validated without an organization user id.');
    if (!dto.orgInviteToken || !this.invites) throw new VaultError(ErrorCode.InvalidInviteToken);
    if (!(await this.invites.isValid(dto.orgInviteToken, { organizationUserId: dto.organizationUserId, email }))) throw new VaultError(ErrorCode.InvalidInviteToken);
    return dto.organizationUserId.toLowerCase();
  }

  /**
   * The grant id of the emergency access invitation the registration carries (`acceptEmergencyAccessInviteToken`
   * with `acceptEmergencyAccessId`), once its token is checked; null without one. Anything that does not check out
   * (one field alone, a forged or expired token, another address or grant, together with an organization invitation)
   * is a 400.
   */
  private async checkEmergencyInvite(dto: RegisterDto, email: string): Promise<string | null> {
    if (!dto.acceptEmergencyAccessInviteToken && !dto.acceptEmergencyAccessId) return null;
    const invalid = (): VaultError => new VaultError(ErrorCode.InvalidInviteToken, 'Invalid accept emergency access invite token.');
    if (!dto.acceptEmergencyAccessInviteToken || !dto.acceptEmergencyAccessId || !this.emergencyInvites || dto.orgInviteToken || dto.organizationUserId) throw invalid();
    const emergencyAccessId = dto.acceptEmergencyAccessId.toLowerCase();
    if (!(await this.emergencyInvites.isValid(dto.acceptEmergencyAccessInviteToken, { emergencyAccessId, email }))) throw invalid();
    return emergencyAccessId;
  }

  async profile(auth: AuthContext): Promise<ProfileResponseDto> {
    return this.uow.read(async (db) => {
      const profile = toProfileResponse(await this.queries.requireUser(db, auth.userId), await this.queries.twoFactorEnabled(db, auth.userId), this.mail.enabled);
      if (this.organizations) profile.organizations = await this.organizations.forUser(db, auth.userId);
      return profile;
    });
  }

  async updateProfile(auth: AuthContext, dto: UpdateProfileDto): Promise<ProfileResponseDto> {
    return this.uow.run(async (tx) => {
      const user = await this.queries.requireUser(tx.manager, auth.userId);
      if (dto.name !== undefined) user.name = dto.name;
      if (dto.culture) user.culture = dto.culture;
      if (dto.masterPasswordHint !== undefined) user.passwordHint = this.passwordHint(dto.masterPasswordHint);
      if (dto.avatarColor !== undefined) user.avatarColor = checkAvatarColor(dto.avatarColor);
      user.updatedDate = this.clock.now();
      await this.users.save(tx.manager, user);
      return toProfileResponse(user, await this.queries.twoFactorEnabled(tx.manager, auth.userId), this.mail.enabled);
    });
  }

  /** PUT /api/accounts/avatar: the colour of the account's avatar (#rrggbb), or none. */
  async setAvatar(auth: AuthContext, avatarColor: string | null | undefined): Promise<ProfileResponseDto> {
    return this.updateProfile(auth, { avatarColor: avatarColor ?? null });
  }

  /**
   * POST /api/accounts/set-password: the first master password of an account created without keys (Vaultwarden:
   * only while it has no private key). The KDF, the wrapped user key and the key pair come with it.
   */
  async setPassword(auth: AuthContext, dto: SetPasswordDto): Promise<{ object: 'set-password'; captchaBypassToken: string }> {
    const hint = this.passwordHint(dto.masterPasswordHint);
    const invalid = (message: string): VaultError => new VaultError(ErrorCode.ValidationFailed, undefined, { validationErrors: { '': [message] } });
    const kdf = { kdfType: dto.kdf, kdfIterations: dto.kdfIterations, kdfMemory: dto.kdfMemory ?? null, kdfParallelism: dto.kdfParallelism ?? null };
    validateKdf(kdf, invalid);
    const initialized = (user: UserEntity): boolean => user.privateKey !== null;
    if (initialized(await this.uow.read((db) => this.queries.requireUser(db, auth.userId)))) throw badRequest('Account already initialized, cannot set password');
    const password = await hashMasterPasswordHash(dto.masterPasswordHash, this.config.passwordIterations, { priority: true });
    await this.uow.run(async (tx) => {
      const fresh = await this.queries.requireUser(tx.manager, auth.userId);
      if (initialized(fresh)) throw badRequest('Account already initialized, cannot set password');
      Object.assign(fresh, {
        ...kdf, passwordHash: password.hash, passwordSalt: password.salt, passwordIterations: password.iterations, userKey: dto.key, passwordHint: hint,
        ...(dto.keys ? { privateKey: dto.keys.encryptedPrivateKey, publicKey: dto.keys.publicKey } : {}), updatedDate: this.clock.now(),
      });
      await this.users.save(tx.manager, fresh);
    });
    return { object: 'set-password', captchaBypassToken: '' };
  }

  /** A master password hint as stored: trimmed, blank = none; refused when PASSWORD_HINTS_ALLOWED=false (as Vaultwarden). */
  private passwordHint(hint: string | null | undefined): string | null {
    const trimmed = hint?.trim() || null;
    if (trimmed !== null && !this.config.passwordHints.allowed) throw badRequest('Password hints have been disabled by the administrator. Remove the hint and try again.');
    return trimmed;
  }

  async revisionDate(auth: AuthContext): Promise<number> {
    const user = await this.uow.read((db) => this.queries.requireUser(db, auth.userId));
    return user.revisionDate.getTime();
  }

  async setUserKeyId(auth: AuthContext, userKeyId: string): Promise<void> {
    await this.uow.run(async (tx) => {
      const user = await this.queries.requireUser(tx.manager, auth.userId);
      user.userKeyId = userKeyId;
      await this.users.save(tx.manager, user);
    });
  }

  async keys(auth: AuthContext): Promise<KeysResponseDto> {
    const user = await this.uow.read((db) => this.queries.requireUser(db, auth.userId));
    return toKeysResponse(user);
  }

  /** Sets the key pair of an account that has none yet (older registrations); never replaces one. */
  async setKeys(auth: AuthContext, dto: SetKeysDto): Promise<KeysResponseDto> {
    await this.uow.run(async (tx) => {
      const user = await this.queries.requireUser(tx.manager, auth.userId);
      if (user.publicKey && user.privateKey) {
        if (user.publicKey !== dto.publicKey || user.privateKey !== dto.encryptedPrivateKey) throw new VaultError(ErrorCode.BadRequest, 'Account keys already set.');
        return;
      }
      user.publicKey = dto.publicKey;
      user.privateKey = dto.encryptedPrivateKey;
      await this.users.save(tx.manager, user);
    });
    return this.keys(auth);
  }

  async apiKey(auth: AuthContext, masterPasswordHash: string | undefined, rotate: boolean): Promise<ApiKeyResponseDto> {
    const user = await this.uow.read((db) => this.queries.requireUser(db, auth.userId));
    await this.checkPassword(user, masterPasswordHash);
    if (rotate) {
      await this.uow.run(async (tx) => {
        const fresh = await this.queries.requireUser(tx.manager, auth.userId);
        fresh.apiKey = newApiKey();
        await this.users.save(tx.manager, fresh);
        user.apiKey = fresh.apiKey;
      });
    }
    return toApiKeyResponse(user);
  }

  /**
   * The address is verified by another proof of it (an organization invitation's token accepted for it, as
   * bitwarden/server's AcceptOrgUserByEmailTokenAsync): in the caller's transaction.
   */
  async markEmailVerified(db: EntityManager, user: Pick<UserEntity, 'id' | 'emailVerified'>): Promise<void> {
    if (!user.emailVerified) await this.users.markEmailVerified(db, user.id);
  }

  async verifyPassword(auth: AuthContext, masterPasswordHash: string): Promise<MasterPasswordPolicyResponseDto> {
    const user = await this.uow.read((db) => this.queries.requireUser(db, auth.userId));
    await this.checkPassword(user, masterPasswordHash);
    // The combined policy of the user's organizations (official MasterPasswordPolicyRequirement): the web vault forces an update on it.
    const policy = this.masterPasswordPolicies ? await this.uow.read((db) => this.masterPasswordPolicies!.masterPasswordPolicyFor(db, user.id)) : null;
    return toMasterPasswordPolicyResponse(policy);
  }

  /**
   * New master password: new slow hash, new wrapped user key, new security stamp. Every other device's
   * session ends (refresh tokens revoked, LogOut); the acting device keeps its refresh token.
   */
  async changePassword(auth: AuthContext, dto: ChangePasswordDto): Promise<void> {
    this.passwordHint(dto.masterPasswordHint);
    const user = await this.uow.read((db) => this.queries.requireUser(db, auth.userId));
    await this.checkPassword(user, dto.masterPasswordHash);
    const password = await hashMasterPasswordHash(dto.newMasterPasswordHash, this.config.passwordIterations, { priority: true });
    await this.uow.run(async (tx) => {
      const fresh = await this.queries.requireUser(tx.manager, auth.userId);
      await this.saveNewPassword(tx, auth, fresh, password, dto.key, dto.masterPasswordHint);
    });
  }

  /**
   * The end of every master password change (password, email): new slow hash and wrapped user key, new security
   * stamp; every other device's session ends (refresh tokens revoked, LogOut), the acting device keeps its refresh token.
   */
  private async saveNewPassword(
    tx: Tx, auth: AuthContext, fresh: UserEntity, password: { hash: string; salt: string; iterations: number }, key: string, hint: string | null | undefined,
  ): Promise<void> {
    Object.assign(fresh, { passwordHash: password.hash, passwordSalt: password.salt, passwordIterations: password.iterations, userKey: key, securityStamp: randomUUID(), updatedDate: this.clock.now() });
    if (hint !== undefined) fresh.passwordHint = this.passwordHint(hint);
    await this.users.save(tx.manager, fresh);
    await this.devices.revokeRefreshTokens(tx, auth.userId, auth.deviceId);
    await this.bus.emit(tx, 'UserLoggedOut', { userId: auth.userId, reason: null, actor: auth.actor, keepDeviceId: auth.deviceId });
  }

  /** POST /api/accounts/verify-email: mails the verification link to the account's address (needs mail). */
  async sendVerifyEmail(auth: AuthContext): Promise<void> {
    if (!this.mail.enabled) throw badRequest('Cannot verify email address');
    await this.uow.run(async (tx) => this.accountMail.queueVerifyEmail(tx, await this.queries.requireUser(tx.manager, auth.userId), false));
  }

  /** POST /api/accounts/verify-email-token: the link's token, issued for that user, verifies the address. */
  async verifyEmailToken(userId: string, token: string): Promise<void> {
    const id = userId.toLowerCase();
    await this.uow.run(async (tx) => {
      if (!(await this.users.findById(tx.manager, id))) throw badRequest("User doesn't exist");
      if (this.accountMail.verifyEmailTokenSubject(token) !== id) throw badRequest('Invalid claim');
      await this.users.markEmailVerified(tx.manager, id);
    });
  }

  private assertEmailChangeAllowed(): void {
    if (!this.config.emailChangeAllowed) throw badRequest('Email change is not allowed.');
  }

  /** An address another account has is refused, as is one outside SIGNUPS_DOMAINS_WHITELIST when that is set (Vaultwarden). */
  private async checkNewEmail(db: Tx['manager'], newEmail: string): Promise<void> {
    if (await this.users.findByEmail(db, newEmail)) throw badRequest('Email already in use');
    const whitelist = this.config.signupsDomainsWhitelist;
    if (whitelist.length > 0 && !whitelist.includes(newEmail.split('@')[1] ?? '')) throw badRequest('Email domain not allowed');
  }

  /**
   * POST /api/accounts/email-token: a 6-digit code for `newEmail`, mailed to it (with mail; without, the change
   * needs no code, as in Vaultwarden). Valid EMAIL_EXPIRATION_TIME, voided after EMAIL_ATTEMPTS_LIMIT wrong entries;
   * stored as a SHA-256 and never logged.
   */
  async requestEmailChange(auth: AuthContext, dto: EmailTokenDto): Promise<void> {
    this.assertEmailChangeAllowed();
    const user = await this.uow.read((db) => this.queries.requireUser(db, auth.userId));
    await this.checkPassword(user, dto.masterPasswordHash);
    const newEmail = normalizeEmail(dto.newEmail);
    const code = String(randomInt(0, 10 ** EMAIL_CHANGE_CODE_DIGITS)).padStart(EMAIL_CHANGE_CODE_DIGITS, '0');
    const now = this.clock.now();
    const seconds = this.config.twoFactor.emailExpirationSeconds;
    await this.uow.run(async (tx) => {
      await this.checkNewEmail(tx.manager, newEmail);
      const fresh = await this.queries.requireUser(tx.manager, auth.userId);
      Object.assign(fresh, { emailNew: newEmail, emailNewToken: sha256Hex(code), emailNewSentAt: now, emailNewAttempts: 0 });
      await this.users.save(tx.manager, fresh);
      if (this.mail.enabled) {
        await this.mail.enqueue(tx, {
          to: newEmail, template: 'change-email', params: { code, validMinutes: Math.max(1, Math.round(seconds / 60)) },
          expiresAt: new Date(now.getTime() + seconds * 1000),
        });
      }
    });
  }

  /**
   * POST /api/accounts/email: the pending change with its code (with mail), the master password hash re-derived
   * with the new address as salt and the user key wrapped again. The end is a password change (new stamp, other
   * sessions logged out); with mail the new address counts as verified.
   */
  async changeEmail(auth: AuthContext, dto: ChangeEmailDto): Promise<void> {
    this.assertEmailChangeAllowed();
    this.passwordHint(dto.masterPasswordHint);
    const user = await this.uow.read((db) => this.queries.requireUser(db, auth.userId));
    await this.checkPassword(user, dto.masterPasswordHash);
    const newEmail = normalizeEmail(dto.newEmail);
    await this.uow.read((db) => this.checkNewEmail(db, newEmail));
    if (!user.emailNew) throw badRequest('No email change pending');
    if (user.emailNew !== newEmail) throw badRequest('Email change mismatch');
    if (this.mail.enabled) await this.checkEmailChangeCode(user, dto.token ?? '');
    const password = await hashMasterPasswordHash(dto.newMasterPasswordHash, this.config.passwordIterations, { priority: true });
    await this.uow.run(async (tx) => {
      await this.checkNewEmail(tx.manager, newEmail);
      const fresh = await this.queries.requireUser(tx.manager, auth.userId);
      // The code checked above must still be the pending one (not replaced or used meanwhile).
      if (fresh.emailNew !== newEmail || fresh.emailNewToken !== user.emailNewToken) throw badRequest('No email change pending');
      Object.assign(fresh, { email: newEmail, emailVerified: this.mail.enabled, emailNew: null, emailNewToken: null, emailNewSentAt: null, emailNewAttempts: 0 });
      await this.saveNewPassword(tx, auth, fresh, password, dto.key, dto.masterPasswordHint);
    });
  }

  /** The mailed code, or 400 "Token mismatch"; a wrong entry counts (committed), the limit or the expiry voids the code. */
  private async checkEmailChangeCode(user: UserEntity, code: string): Promise<void> {
    const stored = user.emailNewToken;
    if (!stored || !user.emailNewSentAt) throw badRequest('No email change pending');
    const expired = this.clock.now().getTime() - user.emailNewSentAt.getTime() > this.config.twoFactor.emailExpirationSeconds * 1000;
    const given = Buffer.from(sha256Hex(code.trim()), 'utf8');
    if (!expired && /^\d{1,32}$/.test(code.trim()) && timingSafeEqual(given, Buffer.from(stored, 'utf8'))) return;
    await this.uow.run(async (tx) => {
      const fresh = await this.queries.requireUser(tx.manager, user.id);
      if (fresh.emailNewToken !== stored) return;
      const attempts = fresh.emailNewAttempts + 1;
      if (expired || attempts >= this.config.twoFactor.emailAttemptsLimit) Object.assign(fresh, { emailNewToken: null, emailNewSentAt: null, emailNewAttempts: 0 });
      else fresh.emailNewAttempts = attempts;
      await this.users.save(tx.manager, fresh);
    });
    throw badRequest('Token mismatch');
  }

  /** "Log out all sessions": new security stamp, every device removed. */
  async rotateSecurityStamp(auth: AuthContext, masterPasswordHash: string): Promise<void> {
    const user = await this.uow.read((db) => this.queries.requireUser(db, auth.userId));
    await this.checkPassword(user, masterPasswordHash);
    await this.uow.run((tx) => this.endSessions(tx, auth.userId));
  }

  async deleteAccount(auth: AuthContext, masterPasswordHash: string | undefined): Promise<void> {
    const user = await this.uow.read((db) => this.queries.requireUser(db, auth.userId));
    await this.checkPassword(user, masterPasswordHash);
    await this.uow.run((tx) => this.deleteUser(tx, auth.userId));
  }

  // --- the admin panel's actions on any account (no password: the admin is authenticated by the panel) ---

  /** Deauthorise: every session ends (LogOut to every socket, then they close), devices removed. */
  async deauthorizeByAdmin(userId: string): Promise<void> {
    await this.uow.run(async (tx) => {
      await this.queries.requireUser(tx.manager, userId);
      await this.endSessions(tx, userId);
    });
  }

  /** Disable (sessions end, logins refused with "This user has been disabled") or enable again. */
  async setEnabledByAdmin(userId: string, enabled: boolean): Promise<void> {
    await this.uow.run(async (tx) => {
      const user = await this.queries.requireUser(tx.manager, userId);
      user.enabled = enabled;
      user.updatedDate = this.clock.now();
      await this.users.save(tx.manager, user);
      if (!enabled) await this.endSessions(tx, userId);
    });
  }

  /** Deletion without the master password: by the admin panel, or through the mailed delete-recover link. */
  async deleteWithoutPassword(userId: string): Promise<void> {
    await this.uow.run(async (tx) => {
      await this.queries.requireUser(tx.manager, userId);
      await this.deleteUser(tx, userId);
    });
  }

  /**
   * The admin panel's invitation: the address may then register while signups are closed, and with mail it gets
   * an invitation (sent again on `resend`). An address that already has an account is refused.
   */
  async inviteByAdmin(email: string, resend = false): Promise<void> {
    const normalized = normalizeEmail(email);
    if (!/^[^\s@<>]+@[^\s@<>]+$/.test(normalized) || normalized.length > 254) throw badRequest('That is not an email address.');
    await this.uow.run(async (tx) => {
      if (await this.users.findByEmail(tx.manager, normalized)) throw badRequest('User already exists');
      if (resend && !(await this.invitations.exists(tx.manager, normalized))) throw new VaultError(ErrorCode.UserNotFound);
      await this.invitations.upsert(tx.manager, normalized, this.clock.now());
      await this.mail.enqueue(tx, { to: normalized, template: 'user-invite', params: { email: normalized } });
    });
  }

  /** Pending admin invitations, oldest first. */
  invitationsPending(): Promise<Array<{ email: string; invitedAt: Date }>> {
    return this.uow.read((db) => this.invitations.list(db));
  }

  /** New security stamp; LogOut first, then the devices go (their relay registrations are deleted after the LogOut push). */
  private async endSessions(tx: Tx, userId: string): Promise<void> {
    const fresh = await this.queries.requireUser(tx.manager, userId);
    fresh.securityStamp = randomUUID();
    fresh.updatedDate = this.clock.now();
    await this.users.save(tx.manager, fresh);
    await this.bus.emit(tx, 'UserLoggedOut', { userId, reason: null, actor: null, keepDeviceId: null });
    await this.devices.removeAll(tx, userId);
  }

  private async deleteUser(tx: Tx, userId: string): Promise<void> {
    // Its organizations would be left without an owner, their items and files out of everyone's reach (as upstream: refused).
    if (await this.organizations?.isSoleOwner(tx.manager, userId)) throw new VaultError(ErrorCode.SoleOwnerCannotDelete);
    await this.bus.emit(tx, 'UserLoggedOut', { userId, reason: null, actor: null, keepDeviceId: null });
    await this.devices.removeAll(tx, userId);
    await this.attachmentFiles.forUser(tx, userId);
    await this.sendFiles.forUser(tx, userId);
    await this.users.delete(tx.manager, userId);
  }

  /** GET /api/accounts/subscription, as a self-hosted official server answers it, with the attachment storage used. */
  async subscription(auth: AuthContext): Promise<SubscriptionResponseDto> {
    const used = await this.uow.read((db) => this.attachmentStorage.usedByUser(db, auth.userId));
    return { object: 'subscription', ...storageFigures(used, this.config.attachments.userLimitBytes), subscription: null, upcomingInvoice: null, license: null, expiration: null };
  }

  /** Whether the account of `email` has logged in from the device `identifier`; false for anything missing or unknown. */
  async isKnownDevice(email: string | undefined, identifier: string | undefined): Promise<boolean> {
    if (!email || !identifier || email.length > 256 || identifier.length > 100) return false;
    return this.uow.read(async (db) => {
      const user = await this.queries.findByEmail(db, email);
      return user ? this.devices.isKnownDevice(db, user.id, identifier) : false;
    });
  }

  async publicKey(userId: string): Promise<UserKeyResponseDto> {
    const user = await this.uow.read((db) => this.users.findById(db, userId));
    if (!user || !user.publicKey) throw new VaultError(ErrorCode.UserNotFound);
    return toUserKeyResponse(user.id, user.publicKey);
  }


  private async checkPassword(user: UserEntity, masterPasswordHash: string | undefined): Promise<void> {
    if (!masterPasswordHash || !(await verifyMasterPasswordHash(user, masterPasswordHash, { priority: true }))) throw new VaultError(ErrorCode.InvalidPassword);
  }
}

/** An avatar colour as the clients show it: #rrggbb (Vaultwarden's length check), or none. */
function checkAvatarColor(color: string | null): string | null {
  if (color === null || color === '') return null;
  if (!/^#[0-9a-fA-F]{6}$/.test(color)) throw badRequest('The field AvatarColor must be a HTML/Hex color code with a length of 7 characters');
  return color;
}

/** `subscription`: a self-hosted account has none; its storage is its attachments. */
export type SubscriptionResponseDto = StorageFigures & { object: 'subscription'; subscription: null; upcomingInvoice: null; license: null; expiration: null };

interface ResolvedRegistration {
  masterPasswordHash: string;
  userKey: string;
  keys: { publicKey: string; encryptedPrivateKey: string } | undefined;
  kdf: { kdfType: number; kdfIterations: number; kdfMemory: number | null; kdfParallelism: number | null };
}

/** Picks the hash, wrapped key and KDF from whichever registration shape arrived; checks they agree. */
export function resolveRegistration(dto: RegisterDto, email: string): ResolvedRegistration {
  const invalid = (message: string): VaultError => new VaultError(ErrorCode.ValidationFailed, undefined, { validationErrors: { '': [message] } });
  let hash: string | undefined;
  let userKey: string | undefined;
  let kdf: ResolvedRegistration['kdf'];
  if (dto.masterPasswordAuthentication) {
    const auth = dto.masterPasswordAuthentication;
    const unlock = dto.masterPasswordUnlock;
    if (!unlock) throw invalid('masterPasswordUnlock is required with masterPasswordAuthentication.');
    const a = auth.kdf;
    const u = unlock.kdf;
    if (a.kdfType !== u.kdfType || a.iterations !== u.iterations || (a.memory ?? null) !== (u.memory ?? null) || (a.parallelism ?? null) !== (u.parallelism ?? null)) {
      throw new VaultError(ErrorCode.RegistrationMismatch);
    }
    if (normalizeEmail(auth.salt) !== email || normalizeEmail(unlock.salt) !== email) throw new VaultError(ErrorCode.RegistrationMismatch, 'The salt must be the normalised email.');
    hash = auth.masterPasswordAuthenticationHash;
    if (dto.masterPasswordHash !== undefined && dto.masterPasswordHash !== hash) throw new VaultError(ErrorCode.RegistrationMismatch, 'The master password hashes of the request disagree.');
    userKey = unlock.masterKeyWrappedUserKey;
    kdf = { kdfType: a.kdfType, kdfIterations: a.iterations, kdfMemory: a.memory ?? null, kdfParallelism: a.parallelism ?? null };
  } else {
    hash = dto.masterPasswordHash;
    userKey = dto.userSymmetricKey ?? dto.key;
    kdf = { kdfType: dto.kdf ?? 0, kdfIterations: dto.kdfIterations ?? 600_000, kdfMemory: dto.kdfMemory ?? null, kdfParallelism: dto.kdfParallelism ?? null };
  }
  if (!hash) throw invalid('masterPasswordHash is required.');
  if (!userKey) throw invalid('userSymmetricKey is required.');
  validateKdf(kdf, invalid);
  return { masterPasswordHash: hash, userKey, keys: dto.userAsymmetricKeys ?? dto.keys, kdf };
}

export function validateKdf(kdf: ResolvedRegistration['kdf'], invalid: (m: string) => VaultError): void {
  if (kdf.kdfType === 0) {
    if (kdf.kdfIterations < 5_000) throw invalid('PBKDF2 iterations must be at least 5000.');
    kdf.kdfMemory = null;
    kdf.kdfParallelism = null;
    return;
  }
  if (kdf.kdfIterations < 2 || kdf.kdfIterations > 10) throw invalid('Argon2 iterations must be between 2 and 10.');
  if (kdf.kdfMemory === null || kdf.kdfMemory < 16 || kdf.kdfMemory > 1024) throw invalid('Argon2 memory must be between 16 MiB and 1024 MiB.');
  if (kdf.kdfParallelism === null || kdf.kdfParallelism < 1 || kdf.kdfParallelism > 16) throw invalid('Argon2 parallelism must be between 1 and 16.');
}
