import { Inject, Injectable, Optional } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { MasterPasswordPolicySource } from '../accounts/master-password-policy';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { getLogger } from '../common/logging/logger';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { DeviceEntity, TwoFactorEntity, TwoFactorIncompleteEntity, TwoFactorRememberEntity, UserEntity } from '../db/entities';
import { Tx, UnitOfWork } from '../db/unit-of-work';
import type { LoginDevice } from '../devices/devices.service';
import { masterPasswordPolicyToken } from '../identity/token-response';
import { EmailCodes } from './email-codes';
import { checkTotp } from './totp';
import { maskEmail, parseAuthenticator, parseChallenge, parseEmailCode, parseWebAuthn, sameText, sha256Hex } from './two-factor-data';
import { TwoFactorMail } from './two-factor-mail';
import { providerUsable, REMEMBER_DAYS, TwoFactorProviderType, TwoFactorStateType } from './two-factor-types';
import { normalizeRecoveryCode, TwoFactorService } from './two-factor.service';
import { TwoFactorRepository } from './two-factor.repository';
import { UserVerification } from './user-verification';
import { assertionOptions, assertionResponse, relyingParty, RelyingParty, verifyAssertion, WEBAUTHN_CHALLENGE_TTL_MS } from './webauthn';

const log = getLogger('TwoFactorLogin');
const DAY_MS = 86_400_000;

/** The second-factor fields of a password grant: twoFactorProvider, twoFactorToken, twoFactorRemember. */
export interface SecondFactorInput {
  provider: string | undefined;
  token: string | undefined;
  remember: boolean;
}

/**
 * What the login step decided: `none` (two-step login is off), `passed` (issue the tokens), `challenge` (answer
 * with the providers: not a failed attempt), `refused` (a wrong code: a failed attempt for the login limits).
 */
export type SecondFactorOutcome =
  | { kind: 'none' }
  | { kind: 'passed'; provider: TwoFactorProviderType; remember: boolean }
  | { kind: 'challenge'; error: VaultError }
  | { kind: 'refused'; error: VaultError };

const MESSAGE_INVALID = 'Two-step token is invalid. Try again.';

const refusedError = (): VaultError =>
  new VaultError(ErrorCode.InvalidGrant, MESSAGE_INVALID, { oauth: { error: 'invalid_grant', error_description: MESSAGE_INVALID } });

/**
 * The login step of two-step login (bitwarden/server's TwoFactorAuthenticationValidator, Vaultwarden's
 * twofactor_auth) for the password grant: once the master password (or a login-with-device access code) has
 * passed, an account with a provider gets the two-step challenge, `Two factor required.` with TwoFactorProviders
 * and TwoFactorProviders2, until a code of one of its providers, a remember-device token of this device or the
 * recovery code passes. Incomplete logins are recorded for INCOMPLETE_2FA_TIME_LIMIT.
 */
@Injectable()
export class TwoFactorLoginService {
  private readonly rp: RelyingParty;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: TwoFactorRepository,
    private readonly settings: TwoFactorService,
    private readonly verification: UserVerification,
    private readonly codes: EmailCodes,
    private readonly mail: TwoFactorMail,
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    /** Absent without the organizations feature (unit tests): no policy then. */
    @Optional() private readonly masterPasswordPolicies?: MasterPasswordPolicySource,
  ) {
    this.rp = relyingParty(config);
  }

  async verify(user: UserEntity, input: SecondFactorInput, device: LoginDevice, ip: string): Promise<SecondFactorOutcome> {
    const enabled = (await this.uow.read((db) => this.repo.providers(db, user.id))).filter((row) => row.enabled);
    if (enabled.length === 0) return { kind: 'none' };
    const usable = enabled.filter((row) => providerUsable(row.type, this.mail.enabled));
    const provider = /^\d{1,3}$/.test(input.provider?.trim() ?? '') ? Number(input.provider!.trim()) : null;
    const token = input.token?.trim() ?? '';
    if (token === '' || provider === null) return this.challenge(user, usable, device, ip);

    const pass = (): SecondFactorOutcome => ({ kind: 'passed', provider, remember: input.remember });
    const refuse = async (reason: string): Promise<SecondFactorOutcome> => {
      log.warn({ userId: user.id, ip, provider, reason }, 'auth.two_factor_failed');
      await this.markIncomplete(user, device, ip);
      return { kind: 'refused', error: refusedError() };
    };

    switch (provider) {
      case TwoFactorProviderType.Remember: {
        if (await this.rememberValid(user, device, token)) return pass();
        return this.challenge(user, usable, device, ip);
      }
      case TwoFactorProviderType.RecoveryCode: {
        const code = user.twoFactorRecoveryCode;
        if (!code || !sameText(normalizeRecoveryCode(code), normalizeRecoveryCode(token))) return refuse('wrong_recovery_code');
        await this.uow.run((tx) => this.settings.recoverIn(tx, user.id, { userId: user.id, deviceId: null, deviceIdentifier: device.identifier }));
        return pass();
      }
      default:
        break;
    }
    const row = usable.find((r) => r.type === provider);
    if (!row) return refuse('provider_not_enabled');
    switch (provider) {
      case TwoFactorProviderType.Authenticator:
        return (await this.checkAuthenticator(user, row, token)) ? pass() : refuse('wrong_totp');
      case TwoFactorProviderType.WebAuthn:
        return (await this.checkWebAuthn(user, row, token)) ? pass() : refuse('webauthn_refused');
      case TwoFactorProviderType.Email:
        return (await this.codes.verify(user.id, TwoFactorProviderType.Email, token, true)) === 'ok' ? pass() : refuse('wrong_email_code');
      default:
        return refuse('provider_not_offered');
    }
  }

  /**
   * In the transaction that records the login: the incomplete login is done, and a remember token is issued for
   * this device when asked for (twoFactorRemember=1, unless DISABLE_2FA_REMEMBER or the login used one). Returns
   * the token for `TwoFactorToken`, or null.
   */
  async complete(tx: Tx, user: UserEntity, device: DeviceEntity, outcome: SecondFactorOutcome): Promise<string | null> {
    if (outcome.kind !== 'passed') return null;
    await this.repo.markComplete(tx.manager, user.id, device.identifier);
    const rememberable = outcome.provider !== TwoFactorProviderType.Remember && outcome.provider !== TwoFactorProviderType.RecoveryCode;
    if (!outcome.remember || !rememberable || this.config.twoFactor.disableRemember) return null;
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    await this.repo.saveRemember(tx.manager, Object.assign(new TwoFactorRememberEntity(), {
      deviceId: device.id, userId: user.id, tokenHash: sha256Hex(token), securityStamp: user.securityStamp,
      expiresAt: new Date(now.getTime() + REMEMBER_DAYS * DAY_MS), creationDate: now,
    }));
    log.info({ userId: user.id, deviceId: device.id }, 'auth.two_factor_remember_issued');
    return token;
  }

  /** The two-step challenge: every usable provider with its parameters (WebAuthn options, masked email). */
  private async challenge(user: UserEntity, usable: TwoFactorEntity[], device: LoginDevice, ip: string): Promise<SecondFactorOutcome> {
    await this.markIncomplete(user, device, ip);
    if (usable.length === 0) {
      const message = 'No two-step providers enabled.';
      return { kind: 'challenge', error: new VaultError(ErrorCode.InvalidGrant, message, { oauth: { error: 'invalid_grant', error_description: message } }) };
    }
    const providers: Record<string, unknown> = {};
    let email: string | null = null;
    for (const row of usable) {
      if (row.type === TwoFactorProviderType.WebAuthn) {
        providers[String(row.type)] = await this.webAuthnLoginOptions(user, parseWebAuthn(row.data).keys);
      } else if (row.type === TwoFactorProviderType.Email) {
        email = parseEmailCode(row.data).email ?? user.email;
        providers[String(row.type)] = { Email: maskEmail(email) };
      } else {
        providers[String(row.type)] = null;
      }
    }
    const customResponse: Record<string, unknown> = {
      TwoFactorProviders: Object.keys(providers),
      TwoFactorProviders2: providers,
      MasterPasswordPolicy: masterPasswordPolicyToken((await this.uow.read((db) => this.masterPasswordPolicies?.masterPasswordPolicyFor(db, user.id) ?? Promise.resolve(null)))),
      ...(email !== null ? { SsoEmail2faSessionToken: this.verification.mintEmailSession(user), Email: user.email } : {}),
    };
    log.info({ userId: user.id, ip, providers: Object.keys(providers) }, 'auth.two_factor_required');
    const description = 'Two factor required.';
    return { kind: 'challenge', error: new VaultError(ErrorCode.InvalidGrant, description, { oauth: { error: 'invalid_grant', error_description: description, customResponse } }) };
  }

  private async webAuthnLoginOptions(user: UserEntity, keys: ReturnType<typeof parseWebAuthn>['keys']): Promise<Record<string, unknown> | null> {
    if (keys.length === 0) return null;
    const options = await assertionOptions(this.rp, keys);
    const now = this.clock.now();
    await this.uow.run((tx) => this.repo.save(tx.manager, Object.assign(new TwoFactorEntity(), {
      userId: user.id, type: TwoFactorStateType.WebAuthnLoginChallenge, enabled: false,
      data: JSON.stringify({ challenge: options.challenge, expiresAt: new Date(now.getTime() + WEBAUTHN_CHALLENGE_TTL_MS).toISOString() }),
      lastUsedStep: 0, creationDate: now, revisionDate: now,
    })));
    return { ...options, status: 'ok', errorMessage: '' };
  }

  /** A TOTP code of a step after the last one used; the step is claimed atomically (two logins, one code: one passes). */
  private async checkAuthenticator(user: UserEntity, row: TwoFactorEntity, token: string): Promise<boolean> {
    const key = parseAuthenticator(row.data)?.key;
    if (!key) return false;
    const check = checkTotp(key, token, this.clock.now().getTime(), row.lastUsedStep, this.config.twoFactor.disableTimeDrift ? 0 : 1);
    if (!check.ok) {
      if (check.reason === 'replay') log.warn({ userId: user.id }, 'auth.two_factor_totp_replay');
      return false;
    }
    if (check.drift !== 0) log.info({ userId: user.id, drift: check.drift }, 'auth.two_factor_totp_drift');
    return this.uow.run((tx) => this.repo.advanceLastUsedStep(tx.manager, user.id, TwoFactorProviderType.Authenticator, check.step));
  }

  /** An assertion answering the pending login challenge (used once), by one of the account's keys; its counter is kept. */
  private async checkWebAuthn(user: UserEntity, row: TwoFactorEntity, token: string): Promise<boolean> {
    const response = assertionResponse(token);
    if (!response) return false;
    const pending = await this.uow.run((tx) => this.repo.take(tx.manager, user.id, TwoFactorStateType.WebAuthnLoginChallenge));
    const challenge = pending ? parseChallenge(pending.data) : null;
    if (!challenge || new Date(challenge.expiresAt).getTime() < this.clock.now().getTime()) return false;
    const keys = parseWebAuthn(row.data).keys;
    const verified = await verifyAssertion(this.rp, response, challenge.challenge, keys);
    if (!verified) return false;
    await this.uow.run(async (tx) => {
      const fresh = await this.repo.find(tx.manager, user.id, TwoFactorProviderType.WebAuthn);
      if (!fresh) return;
      const current = parseWebAuthn(fresh.data).keys.map((key) => (key.credentialId === verified.key.credentialId ? { ...key, counter: verified.newCounter } : key));
      fresh.data = JSON.stringify({ keys: current });
      fresh.revisionDate = this.clock.now();
      await this.repo.save(tx.manager, fresh);
    });
    return true;
  }

  /** This device's remember token: the one stored for it, unexpired, issued under the current security stamp. */
  private async rememberValid(user: UserEntity, device: LoginDevice, token: string): Promise<boolean> {
    // 2048: a remember token Vaultwarden issued (kept by an import) is an RS256 JWT of about 600 characters.
    if (this.config.twoFactor.disableRemember || token.length > 2048) return false;
    const stored = await this.uow.read((db) => this.repo.rememberOf(db, user.id, device.identifier));
    if (!stored) return false;
    const valid = sameText(sha256Hex(token), stored.tokenHash) && stored.expiresAt.getTime() > this.clock.now().getTime() && stored.securityStamp === user.securityStamp;
    if (!valid) {
      // A stale or wrong token of this device is dropped (Vaultwarden does the same).
      await this.uow.run((tx) => this.repo.deleteRemember(tx.manager, stored.deviceId));
      log.info({ userId: user.id, deviceId: stored.deviceId }, 'auth.two_factor_remember_refused');
    }
    return valid;
  }

  private async markIncomplete(user: UserEntity, device: LoginDevice, ip: string): Promise<void> {
    if (this.config.twoFactor.incompleteTimeLimitMinutes <= 0) return;
    await this.uow.run((tx) => this.repo.markIncomplete(tx.manager, Object.assign(new TwoFactorIncompleteEntity(), {
      userId: user.id, deviceIdentifier: device.identifier, deviceName: device.name.slice(0, 255), deviceType: device.type, ipAddress: ip.slice(0, 64), loginTime: this.clock.now(),
    })));
  }
}
