import { Inject, Injectable, Optional } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { AuthContext } from '../common/auth/auth-context';
import { ProfileOrganizationsSource } from './profile-organizations';
import { OrgInviteTokens } from './org-invite-tokens';
import { TokenService } from '../common/auth/token.service';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { UserEntity } from '../db/entities';
import { UnitOfWork } from '../db/unit-of-work';
import { DevicesService } from '../devices/devices.service';
import { EventBus } from '../event-bus/event-bus.service';
import { hashMasterPasswordHash, verifyMasterPasswordHash } from './password-hasher';
import { RegisterDto } from './dto/register.dto';
import { ChangePasswordDto, SetKeysDto, UpdateProfileDto } from './dto/account-request.dto';
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
    /** Absent when the organizations feature is not loaded (service unit tests): the profile then lists none. */
    @Optional() private readonly organizations?: ProfileOrganizationsSource,
    /** Absent without the organizations feature: registration then takes no invitation. */
    @Optional() private readonly invites?: OrgInviteTokens,
  ) {}

  private signupAllowedFor(email: string): boolean {
    if (this.config.signupsAllowed) return true;
    const domain = email.split('@')[1] ?? '';
    return this.config.signupsDomainsWhitelist.includes(domain);
  }

  /** First registration step: without mail configured, the verification token comes back in the response. */
  sendVerificationEmail(email: string, name: string | null | undefined): string {
    const normalized = normalizeEmail(email);
    if (!this.signupAllowedFor(normalized)) throw new VaultError(ErrorCode.SignupsNotAllowed);
    return this.tokens.signPurposeToken(VERIFY_PURPOSE, normalized, { name: name ?? '' }, 24 * 3600);
  }

  /** Registration, all body shapes. The server stores wrapped keys and a slow hash of the master password hash. */
  async register(dto: RegisterDto, mode: 'finish' | 'legacy'): Promise<void> {
    const email = normalizeEmail(dto.email);
    // A valid organization invitation lets its address register even when signups are closed, and verifies it.
    const inviteMemberId = await this.checkInvite(dto, email);
    if (inviteMemberId === null && !this.signupAllowedFor(email)) throw new VaultError(ErrorCode.SignupsNotAllowed);
    let name = dto.name ?? null;
    if (mode === 'finish' && inviteMemberId === null) {
      const claims = dto.emailVerificationToken ? this.tokens.verifyPurposeToken(VERIFY_PURPOSE, dto.emailVerificationToken) : null;
      if (!claims || claims.sub !== email) throw new VaultError(ErrorCode.InvalidVerificationToken);
      if (typeof claims.name === 'string' && claims.name !== '') name = claims.name;
    }
    const resolved = resolveRegistration(dto, email);
    // The cheap check before the slow hash (the insert below checks again, in its transaction).
    if (await this.uow.read((db) => this.users.findByEmail(db, email))) throw new VaultError(ErrorCode.EmailTaken);
    const password = await hashMasterPasswordHash(resolved.masterPasswordHash, this.config.passwordIterations);
    const now = this.clock.now();
    const user = Object.assign(new UserEntity(), {
      id: randomUUID(), email, name, emailVerified: mode === 'finish' || inviteMemberId !== null, enabled: true,
      passwordHash: password.hash, passwordSalt: password.salt, passwordIterations: password.iterations,
      passwordHint: dto.masterPasswordHint || null, ...resolved.kdf, userKey: resolved.userKey,
      privateKey: resolved.keys?.encryptedPrivateKey ?? null, publicKey: resolved.keys?.publicKey ?? null, userKeyId: null,
      securityStamp: randomUUID(), apiKey: newApiKey(), culture: 'en-US', avatarColor: null,
      equivalentDomains: '[]', excludedGlobalDomains: '[]', creationDate: now, updatedDate: now, revisionDate: now,
    });
    await this.uow.run(async (tx) => {
      if (await this.users.findByEmail(tx.manager, email)) throw new VaultError(ErrorCode.EmailTaken);
      await this.users.insert(tx.manager, user);
      await this.bus.emit(tx, 'UserRegistered', { userId: user.id, email, ...(inviteMemberId ? { inviteMemberId } : {}) });
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

  async profile(auth: AuthContext): Promise<ProfileResponseDto> {
    return this.uow.read(async (db) => {
      const profile = toProfileResponse(await this.queries.requireUser(db, auth.userId), await this.queries.twoFactorEnabled(db, auth.userId));
      if (this.organizations) profile.organizations = await this.organizations.forUser(db, auth.userId);
      return profile;
    });
  }

  async updateProfile(auth: AuthContext, dto: UpdateProfileDto): Promise<ProfileResponseDto> {
    return this.uow.run(async (tx) => {
      const user = await this.queries.requireUser(tx.manager, auth.userId);
      if (dto.name !== undefined) user.name = dto.name;
      if (dto.culture) user.culture = dto.culture;
      if (dto.masterPasswordHint !== undefined) user.passwordHint = dto.masterPasswordHint || null;
      if (dto.avatarColor !== undefined) user.avatarColor = dto.avatarColor;
      user.updatedDate = this.clock.now();
      await this.users.save(tx.manager, user);
      return toProfileResponse(user, await this.queries.twoFactorEnabled(tx.manager, auth.userId));
    });
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

  async verifyPassword(auth: AuthContext, masterPasswordHash: string): Promise<MasterPasswordPolicyResponseDto> {
    const user = await this.uow.read((db) => this.queries.requireUser(db, auth.userId));
    await this.checkPassword(user, masterPasswordHash);
    return toMasterPasswordPolicyResponse();
  }

  /**
   * New master password: new slow hash, new wrapped user key, new security stamp. Every other device's
   * session ends (refresh tokens revoked, LogOut); the acting device keeps its refresh token.
   */
  async changePassword(auth: AuthContext, dto: ChangePasswordDto): Promise<void> {
    const user = await this.uow.read((db) => this.queries.requireUser(db, auth.userId));
    await this.checkPassword(user, dto.masterPasswordHash);
    const password = await hashMasterPasswordHash(dto.newMasterPasswordHash, this.config.passwordIterations, { priority: true });
    await this.uow.run(async (tx) => {
      const fresh = await this.queries.requireUser(tx.manager, auth.userId);
      Object.assign(fresh, { passwordHash: password.hash, passwordSalt: password.salt, passwordIterations: password.iterations, userKey: dto.key, securityStamp: randomUUID(), updatedDate: this.clock.now() });
      if (dto.masterPasswordHint !== undefined) fresh.passwordHint = dto.masterPasswordHint || null;
      await this.users.save(tx.manager, fresh);
      await this.devices.revokeRefreshTokens(tx, auth.userId, auth.deviceId);
      await this.bus.emit(tx, 'UserLoggedOut', { userId: auth.userId, reason: null, actor: auth.actor, keepDeviceId: auth.deviceId });
    });
  }

  /** "Log out all sessions": new security stamp, every device removed. */
  async rotateSecurityStamp(auth: AuthContext, masterPasswordHash: string): Promise<void> {
    const user = await this.uow.read((db) => this.queries.requireUser(db, auth.userId));
    await this.checkPassword(user, masterPasswordHash);
    await this.uow.run(async (tx) => {
      const fresh = await this.queries.requireUser(tx.manager, auth.userId);
      fresh.securityStamp = randomUUID();
      fresh.updatedDate = this.clock.now();
      await this.users.save(tx.manager, fresh);
      // LogOut first, then the devices go (their relay registrations are deleted after the LogOut push).
      await this.bus.emit(tx, 'UserLoggedOut', { userId: auth.userId, reason: null, actor: null, keepDeviceId: null });
      await this.devices.removeAll(tx, auth.userId);
    });
  }

  async deleteAccount(auth: AuthContext, masterPasswordHash: string | undefined): Promise<void> {
    const user = await this.uow.read((db) => this.queries.requireUser(db, auth.userId));
    await this.checkPassword(user, masterPasswordHash);
    await this.uow.run(async (tx) => {
      await this.bus.emit(tx, 'UserLoggedOut', { userId: auth.userId, reason: null, actor: null, keepDeviceId: null });
      await this.devices.removeAll(tx, auth.userId);
      await this.users.delete(tx.manager, auth.userId);
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

function validateKdf(kdf: ResolvedRegistration['kdf'], invalid: (m: string) => VaultError): void {
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
