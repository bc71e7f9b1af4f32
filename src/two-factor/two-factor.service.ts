import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AccountRevisionService } from '../accounts/account-revision.service';
import { AccountsQueryService } from '../accounts/accounts-query.service';
import { verifyAgainstNoAccount, verifyMasterPasswordHash } from '../accounts/password-hasher';
import { Actor } from '../common/auth/actor';
import { AuthContext } from '../common/auth/auth-context';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { ListResponseDto, toListResponse } from '../common/http/list-response';
import { getLogger } from '../common/logging/logger';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { TwoFactorEntity, UserEntity } from '../db/entities';
import { Tx, UnitOfWork } from '../db/unit-of-work';
import { EventBus } from '../event-bus/event-bus.service';
import { LoginOutcome, LoginRateLimiter } from '../identity/login-rate-limiter';
import { normalizeEmail } from '../accounts/email';
import {
  DeleteAuthenticatorDto, DeleteWebAuthnDto, DisableTwoFactorDto, EmailLoginDto, EmailSetupDto, SecretVerificationDto, TwoFactorRecoveryDto,
  UpdateAuthenticatorDto, UpdateEmailDto, UpdateWebAuthnDto, UserVerificationDto,
} from './dto/two-factor-request.dto';
import {
  DeviceVerificationResponseDto, TwoFactorAuthenticatorResponseDto, TwoFactorEmailResponseDto, TwoFactorProviderResponseDto,
  TwoFactorRecoverResponseDto, TwoFactorWebAuthnResponseDto, WebAuthnChallengeResponseDto,
} from './dto/two-factor-response.dto';
import {
  toAuthenticatorResponse, toDeviceVerificationResponse, toEmailResponse, toProviderResponse, toRecoverResponse, toWebAuthnChallengeResponse,
  toWebAuthnResponse,
} from './dto/two-factor-response.mapper';
import { EmailCodes } from './email-codes';
import { checkTotp, isTotpKey, newTotpKey } from './totp';
import { parseAuthenticator, parseChallenge, parseEmailCode, parseWebAuthn, sameText, WebAuthnKey } from './two-factor-data';
import { TwoFactorMail } from './two-factor-mail';
import { providerUsable, TwoFactorProviderType, TwoFactorStateType } from './two-factor-types';
import { TwoFactorRepository } from './two-factor.repository';
import { UserVerification } from './user-verification';
import {
  registrationOptions, registrationResponse, relyingParty, RelyingParty, verifyRegistration, WEBAUTHN_CHALLENGE_TTL_MS, WEBAUTHN_MAX_KEYS,
} from './webauthn';

const log = getLogger('TwoFactor');

/** A new recovery code: 20 random bytes in base32, as Vaultwarden makes them (32 characters). */
export const newRecoveryCode = (): string => newTotpKey();

/** Recovery codes compare without case, spaces or dashes (the web vault sends them lowercased and unspaced). */
export const normalizeRecoveryCode = (code: string): string => code.replace(/[\s-]/g, '').toLowerCase();

const invalidToken = (): VaultError => new VaultError(ErrorCode.InvalidTwoFactorToken, undefined, { validationErrors: { Token: ['Invalid token.'] } });
const badRequest = (message: string): VaultError => new VaultError(ErrorCode.BadRequest, message);
const unsupported = (name: string): VaultError => new VaultError(ErrorCode.TwoFactorProviderUnsupported, `${name} two-step login is not supported on this server.`);

/**
 * Two-step login settings (bitwarden/server TwoFactorController, Vaultwarden api/core/two_factor): the providers
 * of an account (authenticator app, email codes, WebAuthn security keys), the recovery code, and emailed
 * one-time passwords. Every change revokes the account's "remember this device" tokens; turning the last
 * provider off emits TwoFactorDisabled (organizations revoke memberships where "Require two-step login" binds).
 */
@Injectable()
export class TwoFactorService {
  private readonly rp: RelyingParty;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: TwoFactorRepository,
    private readonly accounts: AccountsQueryService,
    private readonly accountRevision: AccountRevisionService,
    private readonly verification: UserVerification,
    private readonly codes: EmailCodes,
    private readonly mail: TwoFactorMail,
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly bus: EventBus,
    private readonly limiter: LoginRateLimiter,
  ) {
    this.rp = relyingParty(config);
  }

  /** GET /api/two-factor: the account's providers (email only while mail is configured). */
  list(auth: AuthContext): Promise<ListResponseDto<TwoFactorProviderResponseDto>> {
    return this.uow.read(async (db) => {
      const rows = await this.repo.providers(db, auth.userId);
      return toListResponse(rows.filter((row) => this.usable(row.type)).map((row) => toProviderResponse(row.type, row.enabled)));
    });
  }

  /** Whether a stored provider can be used here (email needs mail; Duo, YubiKey are not offered). */
  usable(type: number): boolean {
    return providerUsable(type, this.mail.enabled);
  }

  // --- authenticator (0) ---

  /** POST get-authenticator: the current key, or a new one to scan, with a token bound to that key. */
  async getAuthenticator(auth: AuthContext, dto: SecretVerificationDto): Promise<TwoFactorAuthenticatorResponseDto> {
    const user = await this.user(auth);
    await this.verification.verifySecret(user, dto);
    const row = await this.uow.read((db) => this.repo.find(db, user.id, TwoFactorProviderType.Authenticator));
    const current = row ? parseAuthenticator(row.data) : null;
    const key = current?.key ?? newTotpKey();
    return toAuthenticatorResponse(Boolean(row?.enabled && current), key, this.verification.mintToken(user, TwoFactorProviderType.Authenticator, key));
  }

  /** PUT/POST authenticator: turns the authenticator on with `key`, proven by a current code of it. */
  async putAuthenticator(auth: AuthContext, dto: UpdateAuthenticatorDto): Promise<TwoFactorAuthenticatorResponseDto> {
    const user = await this.user(auth);
    const key = dto.key.trim().toUpperCase();
    await this.verification.verify(user, dto, TwoFactorProviderType.Authenticator, key);
    if (!isTotpKey(key)) throw new VaultError(ErrorCode.BadRequest, 'Invalid TOTP secret.', { validationErrors: { Key: ['Invalid TOTP secret.'] } });
    await this.uow.run(async (tx) => {
      const wasEnabled = await this.repo.anyEnabled(tx.manager, user.id);
      const existing = await this.repo.find(tx.manager, user.id, TwoFactorProviderType.Authenticator);
      const sameKey = existing !== null && parseAuthenticator(existing.data)?.key === key;
      const now = this.clock.now();
      const check = checkTotp(key, dto.token.trim(), now.getTime(), sameKey ? existing.lastUsedStep : 0, this.driftSteps());
      if (!check.ok) {
        log.warn({ userId: user.id, reason: check.reason }, 'two_factor.setup_code_refused');
        throw invalidToken();
      }
      await this.repo.save(tx.manager, Object.assign(new TwoFactorEntity(), {
        userId: user.id, type: TwoFactorProviderType.Authenticator, enabled: true, data: JSON.stringify({ key }), lastUsedStep: check.step,
        creationDate: existing?.creationDate ?? now, revisionDate: now,
      }));
      await this.changed(tx, user.id, wasEnabled, auth.actor);
    });
    log.info({ userId: user.id, provider: TwoFactorProviderType.Authenticator }, 'two_factor.enabled');
    return toAuthenticatorResponse(true, key);
  }

  /** DELETE authenticator: the key being removed must be the stored one (and the token bound to it). */
  async deleteAuthenticator(auth: AuthContext, dto: DeleteAuthenticatorDto): Promise<TwoFactorProviderResponseDto> {
    const user = await this.user(auth);
    const key = dto.key.trim().toUpperCase();
    await this.verification.verify(user, dto, TwoFactorProviderType.Authenticator, key);
    await this.uow.run(async (tx) => {
      const row = await this.repo.find(tx.manager, user.id, TwoFactorProviderType.Authenticator);
      if (!row) return;
      if (!sameText(parseAuthenticator(row.data)?.key ?? '', key)) throw badRequest('The authenticator key does not match the one set up; it was not removed.');
      const wasEnabled = await this.repo.anyEnabled(tx.manager, user.id);
      await this.repo.delete(tx.manager, user.id, TwoFactorProviderType.Authenticator);
      await this.changed(tx, user.id, wasEnabled, auth.actor);
    });
    log.info({ userId: user.id, provider: TwoFactorProviderType.Authenticator }, 'two_factor.disabled');
    return toProviderResponse(TwoFactorProviderType.Authenticator, false);
  }

  // --- recovery code, disable ---

  /** POST get-recover. */
  async getRecover(auth: AuthContext, dto: SecretVerificationDto): Promise<TwoFactorRecoverResponseDto> {
    const user = await this.user(auth);
    await this.verification.verifySecret(user, dto);
    return toRecoverResponse(user.twoFactorRecoveryCode);
  }

  /**
   * POST /api/two-factor/recover (no authentication; the web vault's "recover account" form): with the master
   * password hash and the recovery code, every provider is removed and a new recovery code is made.
   */
  async recover(dto: TwoFactorRecoveryDto, ip: string): Promise<void> {
    const refused = (): VaultError => badRequest('Invalid information. Try again.');
    await this.limited(dto.email, ip, async () => {
      const user = await this.uow.read((db) => this.accounts.findByEmail(db, dto.email));
      if (!user) {
        await verifyAgainstNoAccount(dto.masterPasswordHash, this.config.passwordIterations);
        return false;
      }
      const passwordOk = await verifyMasterPasswordHash(user, dto.masterPasswordHash);
      const code = user.twoFactorRecoveryCode;
      if (!passwordOk || !code || !sameText(normalizeRecoveryCode(code), normalizeRecoveryCode(dto.recoveryCode))) {
        log.warn({ userId: user.id, ip }, 'two_factor.recovery_refused');
        return false;
      }
      await this.uow.run((tx) => this.recoverIn(tx, user.id, { userId: user.id, deviceId: null, deviceIdentifier: null }));
      return true;
    }, refused);
  }

  /**
   * Runs a check of a master password (or another secret) without a session under the login limits of the
   * account and address: `work` answers whether it passed; a failure counts and throws `refused()`.
   */
  private async limited(email: string, ip: string, work: () => Promise<boolean>, refused: () => VaultError): Promise<void> {
    const attempt = this.limiter.begin(ip, normalizeEmail(email.slice(0, 256)));
    let outcome: LoginOutcome = 'untried';
    try {
      const passed = await work();
      outcome = passed ? 'success' : 'failure';
      if (!passed) throw refused();
    } catch (error) {
      if (error instanceof VaultError && error.code === ErrorCode.ServerBusy) outcome = 'busy';
      throw error;
    } finally {
      attempt.settle(outcome);
    }
  }

  /**
   * Turns two-step login off with the recovery code (also the login step's provider 8): every provider and
   * pending challenge removed, a new recovery code, remember tokens revoked.
   */
  async recoverIn(tx: Tx, userId: string, actor: Actor | null): Promise<void> {
    const wasEnabled = await this.repo.anyEnabled(tx.manager, userId);
    await this.repo.deleteAll(tx.manager, userId);
    await this.repo.setRecoveryCode(tx.manager, userId, newRecoveryCode());
    await this.changed(tx, userId, wasEnabled, actor);
    log.info({ userId }, 'two_factor.recovered');
  }

  /** PUT/POST disable: one provider off. */
  async disable(auth: AuthContext, dto: DisableTwoFactorDto): Promise<TwoFactorProviderResponseDto> {
    const user = await this.user(auth);
    await this.verification.verify(user, dto, dto.type);
    await this.uow.run(async (tx) => {
      const wasEnabled = await this.repo.anyEnabled(tx.manager, user.id);
      const removed = await this.repo.delete(tx.manager, user.id, dto.type);
      if (dto.type === TwoFactorProviderType.WebAuthn) {
        await this.repo.delete(tx.manager, user.id, TwoFactorStateType.WebAuthnRegisterChallenge);
        await this.repo.delete(tx.manager, user.id, TwoFactorStateType.WebAuthnLoginChallenge);
      }
      if (dto.type === TwoFactorProviderType.Email) await this.repo.delete(tx.manager, user.id, TwoFactorStateType.EmailVerificationChallenge);
      if (removed) await this.changed(tx, user.id, wasEnabled, auth.actor);
    });
    log.info({ userId: user.id, provider: dto.type }, 'two_factor.disabled');
    return toProviderResponse(dto.type, false);
  }

  deviceVerificationSettings(): DeviceVerificationResponseDto {
    return toDeviceVerificationResponse();
  }

  // --- WebAuthn (7) ---

  /** POST get-webauthn: the registered keys, with a token for the calls that follow. */
  async getWebAuthn(auth: AuthContext, dto: SecretVerificationDto): Promise<TwoFactorWebAuthnResponseDto> {
    const user = await this.user(auth);
    await this.verification.verifySecret(user, dto);
    const { enabled, keys } = await this.uow.read((db) => this.webAuthnOf(db, user.id));
    return toWebAuthnResponse(enabled, keys, this.verification.mintToken(user, TwoFactorProviderType.WebAuthn));
  }

  /** POST get-webauthn-challenge: creation options for a new key; the challenge is kept for PUT webauthn. */
  async webAuthnChallenge(auth: AuthContext, dto: UserVerificationDto): Promise<WebAuthnChallengeResponseDto> {
    const user = await this.user(auth);
    await this.verification.verify(user, dto, TwoFactorProviderType.WebAuthn);
    return this.uow.run(async (tx) => {
      const { keys } = await this.webAuthnOf(tx.manager, user.id);
      if (keys.length >= WEBAUTHN_MAX_KEYS) throw badRequest('Maximum allowed WebAuthn credential count exceeded.');
      const options = await registrationOptions(this.rp, user, keys);
      await this.saveChallenge(tx, user.id, TwoFactorStateType.WebAuthnRegisterChallenge, options.challenge);
      return toWebAuthnChallengeResponse(options);
    });
  }

  /** PUT/POST webauthn: the attestation answering the pending challenge registers key `id` (1…5). */
  async putWebAuthn(auth: AuthContext, dto: UpdateWebAuthnDto): Promise<TwoFactorWebAuthnResponseDto> {
    const user = await this.user(auth);
    await this.verification.verify(user, dto, TwoFactorProviderType.WebAuthn);
    const response = registrationResponse(dto.deviceResponse);
    if (!response) throw badRequest('Unable to complete WebAuthn registration.');
    const challenge = await this.uow.run(async (tx) => {
      const row = await this.repo.take(tx.manager, user.id, TwoFactorStateType.WebAuthnRegisterChallenge);
      return row ? parseChallenge(row.data) : null;
    });
    if (!challenge || new Date(challenge.expiresAt).getTime() < this.clock.now().getTime()) throw badRequest('Unable to complete WebAuthn registration: the challenge has expired. Try again.');
    const credential = await verifyRegistration(this.rp, response, challenge.challenge);
    if (!credential) throw badRequest('WebAuthn credential creation failed.');
    const keys = await this.uow.run(async (tx) => {
      const wasEnabled = await this.repo.anyEnabled(tx.manager, user.id);
      const current = await this.webAuthnOf(tx.manager, user.id);
      const others = current.keys.filter((key) => key.id !== dto.id);
      if (others.length >= WEBAUTHN_MAX_KEYS) throw badRequest('Maximum allowed WebAuthn credential count exceeded.');
      const next: WebAuthnKey[] = [...others, { id: dto.id, name: dto.name ?? '', migrated: false, ...credential }];
      await this.saveWebAuthn(tx, user.id, next, current.row);
      await this.changed(tx, user.id, wasEnabled, auth.actor);
      return next;
    });
    log.info({ userId: user.id, provider: TwoFactorProviderType.WebAuthn, keyId: dto.id }, 'two_factor.webauthn_key_added');
    return toWebAuthnResponse(true, keys);
  }

  /** DELETE webauthn: one key; the last one is removed by turning the provider off (bitwarden/server's rule). */
  async deleteWebAuthn(auth: AuthContext, dto: DeleteWebAuthnDto): Promise<TwoFactorWebAuthnResponseDto> {
    const user = await this.user(auth);
    await this.verification.verify(user, dto, TwoFactorProviderType.WebAuthn);
    const keys = await this.uow.run(async (tx) => {
      const current = await this.webAuthnOf(tx.manager, user.id);
      if (!current.row || !current.keys.some((key) => key.id === dto.id) || current.keys.length < 2) throw badRequest('Unable to delete WebAuthn credential.');
      const next = current.keys.filter((key) => key.id !== dto.id);
      await this.saveWebAuthn(tx, user.id, next, current.row);
      await this.changed(tx, user.id, true, auth.actor);
      return next;
    });
    log.info({ userId: user.id, provider: TwoFactorProviderType.WebAuthn, keyId: dto.id }, 'two_factor.webauthn_key_removed');
    return toWebAuthnResponse(true, keys);
  }

  /** DELETE webauthn/all: the provider off. */
  async deleteWebAuthnAll(auth: AuthContext, dto: UserVerificationDto): Promise<void> {
    await this.disable(auth, Object.assign(new DisableTwoFactorDto(), dto, { type: TwoFactorProviderType.WebAuthn }));
  }

  // --- email (1): needs mail ---

  /** POST get-email: the address codes go to (null before setup), with a token for the calls that follow. */
  async getEmail(auth: AuthContext, dto: SecretVerificationDto, nested: boolean): Promise<TwoFactorEmailResponseDto> {
    this.mail.requireMail();
    const user = await this.user(auth);
    await this.verification.verifySecret(user, dto);
    const row = await this.uow.read((db) => this.repo.find(db, user.id, TwoFactorProviderType.Email));
    return toEmailResponse(row?.enabled ?? false, row ? parseEmailCode(row.data).email ?? null : null, nested, this.verification.mintToken(user, TwoFactorProviderType.Email));
  }

  /** POST send-email: a setup code to the address the user wants codes at. */
  async sendEmailSetup(auth: AuthContext, dto: EmailSetupDto): Promise<void> {
    this.mail.requireMail();
    const user = await this.user(auth);
    await this.verification.verify(user, dto, TwoFactorProviderType.Email);
    const email = dto.email.trim().toLowerCase();
    await this.uow.run(async (tx) => {
      const code = await this.codes.issue(tx, user.id, TwoFactorStateType.EmailVerificationChallenge, email);
      await this.mail.sendCode(tx, email, code, 'setup', this.clock.now());
    });
    log.info({ userId: user.id }, 'two_factor.email_setup_code_sent');
  }

  /** PUT/POST email: the setup code turns email two-step login on for that address. */
  async putEmail(auth: AuthContext, dto: UpdateEmailDto, nested: boolean): Promise<TwoFactorEmailResponseDto> {
    this.mail.requireMail();
    const user = await this.user(auth);
    await this.verification.verify(user, dto, TwoFactorProviderType.Email);
    const email = dto.email.trim().toLowerCase();
    const pending = await this.uow.read((db) => this.repo.find(db, user.id, TwoFactorStateType.EmailVerificationChallenge));
    if (!pending || parseEmailCode(pending.data).email !== email) throw invalidToken();
    if ((await this.codes.verify(user.id, TwoFactorStateType.EmailVerificationChallenge, dto.token, true)) !== 'ok') throw invalidToken();
    await this.uow.run(async (tx) => {
      const wasEnabled = await this.repo.anyEnabled(tx.manager, user.id);
      const existing = await this.repo.find(tx.manager, user.id, TwoFactorProviderType.Email);
      const now = this.clock.now();
      await this.repo.delete(tx.manager, user.id, TwoFactorStateType.EmailVerificationChallenge);
      await this.repo.save(tx.manager, Object.assign(new TwoFactorEntity(), {
        userId: user.id, type: TwoFactorProviderType.Email, enabled: true, data: JSON.stringify({ email, tokenHash: null, sentAt: null, attempts: 0 }),
        lastUsedStep: 0, creationDate: existing?.creationDate ?? now, revisionDate: now,
      }));
      await this.changed(tx, user.id, wasEnabled, auth.actor);
    });
    log.info({ userId: user.id, provider: TwoFactorProviderType.Email }, 'two_factor.enabled');
    return toEmailResponse(true, email, nested);
  }

  /** DELETE email: the provider off. */
  async deleteEmail(auth: AuthContext, dto: UserVerificationDto): Promise<void> {
    await this.disable(auth, Object.assign(new DisableTwoFactorDto(), dto, { type: TwoFactorProviderType.Email }));
  }

  /**
   * POST send-email-login (no authentication): a login code to the account's email provider, for a caller that
   * proves the password (master password hash) or holds the session token of the two-step challenge.
   */
  async sendEmailLogin(dto: EmailLoginDto, ip: string): Promise<void> {
    const refused = (): VaultError => badRequest('Cannot send two-factor email.');
    this.mail.requireMail();
    const found: { user: UserEntity | null } = { user: null };
    await this.limited(dto.email, ip, async () => {
      const user = await this.uow.read((db) => this.accounts.findByEmail(db, dto.email));
      found.user = user;
      if (!user) {
        if (dto.masterPasswordHash) await verifyAgainstNoAccount(dto.masterPasswordHash, this.config.passwordIterations);
        return false;
      }
      return (dto.ssoEmail2FaSessionToken !== undefined && this.verification.emailSessionValid(user, dto.ssoEmail2FaSessionToken))
        || (dto.masterPasswordHash !== undefined && (await verifyMasterPasswordHash(user, dto.masterPasswordHash)));
    }, refused);
    if (found.user) await this.sendLoginCode(found.user);
  }

  /** A login code to the user's email provider (also sent by the login step when email is the only provider). */
  async sendLoginCode(user: UserEntity): Promise<void> {
    await this.uow.run(async (tx) => {
      const row = await this.repo.find(tx.manager, user.id, TwoFactorProviderType.Email);
      const email = row?.enabled ? parseEmailCode(row.data).email : undefined;
      if (!email) throw badRequest('Cannot send two-factor email.');
      const code = await this.codes.issue(tx, user.id, TwoFactorProviderType.Email);
      await this.mail.sendCode(tx, email, code, 'login', this.clock.now());
    });
    log.info({ userId: user.id }, 'two_factor.email_login_code_sent');
  }

  // --- protected actions: emailed one-time passwords ---

  /** POST /api/accounts/request-otp: a one-time password by mail (at most one every 30 seconds). */
  async requestOtp(auth: AuthContext): Promise<void> {
    if (!this.mail.enabled) throw badRequest('Email is disabled for this server. Either enable email or use your master password instead.');
    const user = await this.user(auth);
    const sent = await this.codes.sentAt(user.id, TwoFactorStateType.ProtectedActions);
    const elapsed = sent ? Math.floor((this.clock.now().getTime() - sent.getTime()) / 1000) : Infinity;
    if (elapsed < 30) throw badRequest(`Please wait ${30 - elapsed} seconds before requesting another code.`);
    await this.uow.run(async (tx) => {
      const code = await this.codes.issue(tx, user.id, TwoFactorStateType.ProtectedActions);
      await this.mail.sendCode(tx, user.email, code, 'verification', this.clock.now());
    });
    log.info({ userId: user.id }, 'two_factor.otp_sent');
  }

  /** POST /api/accounts/verify-otp: checks (and uses up) the emailed one-time password. */
  async verifyOtp(auth: AuthContext, otp: string): Promise<void> {
    if (!this.mail.enabled) throw badRequest('Email is disabled for this server. Either enable email or use your master password instead.');
    const result = await this.codes.verify(auth.userId, TwoFactorStateType.ProtectedActions, otp, true);
    if (result === 'expired') throw badRequest('Token has expired');
    if (result !== 'ok') throw badRequest('Token is invalid');
  }

  // --- providers this server does not offer ---

  /** Duo (2, 6) and YubiKey OTP (3) call outside services: a clear 400 rather than a 404. */
  unsupported(provider: 'Duo' | 'YubiKey'): never {
    throw unsupported(provider);
  }

  // --- helpers ---

  private driftSteps(): number {
    return this.config.twoFactor.disableTimeDrift ? 0 : 1;
  }

  private user(auth: AuthContext): Promise<UserEntity> {
    return this.uow.read((db) => this.accounts.requireUser(db, auth.userId));
  }

  private async webAuthnOf(db: EntityManager, userId: string): Promise<{ row: TwoFactorEntity | null; enabled: boolean; keys: WebAuthnKey[] }> {
    const row = await this.repo.find(db, userId, TwoFactorProviderType.WebAuthn);
    return { row, enabled: row?.enabled ?? false, keys: row ? parseWebAuthn(row.data).keys : [] };
  }

  private async saveWebAuthn(tx: Tx, userId: string, keys: WebAuthnKey[], existing: TwoFactorEntity | null): Promise<void> {
    const now = this.clock.now();
    await this.repo.save(tx.manager, Object.assign(new TwoFactorEntity(), {
      userId, type: TwoFactorProviderType.WebAuthn, enabled: keys.length > 0, data: JSON.stringify({ keys }), lastUsedStep: 0,
      creationDate: existing?.creationDate ?? now, revisionDate: now,
    }));
  }

  private async saveChallenge(tx: Tx, userId: string, type: number, challenge: string): Promise<void> {
    const now = this.clock.now();
    await this.repo.save(tx.manager, Object.assign(new TwoFactorEntity(), {
      userId, type, enabled: false, data: JSON.stringify({ challenge, expiresAt: new Date(now.getTime() + WEBAUTHN_CHALLENGE_TTL_MS).toISOString() }),
      lastUsedStep: 0, creationDate: now, revisionDate: now,
    }));
  }

  /**
   * After any provider change: remember tokens revoked, the profile's revision moved, a recovery code made for
   * an account that now has two-step login, and TwoFactorDisabled when the last provider went.
   */
  async changed(tx: Tx, userId: string, wasEnabled: boolean, actor: Actor | null): Promise<void> {
    await this.repo.deleteRememberOfUser(tx.manager, userId);
    await this.accountRevision.bump(tx, [userId], this.clock.now());
    const enabled = await this.repo.anyEnabled(tx.manager, userId);
    if (enabled && !(await this.repo.recoveryCode(tx.manager, userId))) await this.repo.setRecoveryCode(tx.manager, userId, newRecoveryCode());
    if (wasEnabled && !enabled) {
      await this.bus.emit(tx, 'TwoFactorDisabled', { userId, actor });
      log.info({ userId }, 'two_factor.all_disabled');
    }
  }
}
