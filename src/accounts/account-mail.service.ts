import { Inject, Injectable } from '@nestjs/common';
import { TokenService } from '../common/auth/token.service';
import { deviceTypeName } from '../common/auth/device-type';
import { getLogger } from '../common/logging/logger';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { UserEntity } from '../db/entities';
import { Tx, UnitOfWork } from '../db/unit-of-work';
import { MailService } from '../mail/mail.service';
import { UsersRepository } from './users.repository';

const log = getLogger('AccountMail');

/** Purpose of the token in a verify-email link (sub: the user id). */
export const VERIFY_EMAIL_PURPOSE = 'verify-email';

/** Purpose of the token in a delete-recover link (sub: the user id). */
export const DELETE_ACCOUNT_PURPOSE = 'delete-account';

/** What a login from a device the account never used needs: nothing, a mail (queued), or a refusal. */
export type NewDeviceOutcome = 'none' | 'mailed' | 'refused';

/**
 * The mails of the account lifecycle (Vaultwarden's rules): email verification (at registration with
 * SIGNUPS_VERIFY, on request, and re-sent at refused logins every SIGNUPS_VERIFY_RESEND_TIME up to
 * SIGNUPS_VERIFY_RESEND_LIMIT) and the new-device login mail (REQUIRE_DEVICE_EMAIL). Every mail is queued in the
 * caller's transaction; tokens go into the mail only.
 */
@Injectable()
export class AccountMailService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly mail: MailService,
    private readonly tokens: TokenService,
    private readonly users: UsersRepository,
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  get mailEnabled(): boolean {
    return this.mail.enabled;
  }

  /** Whether addresses must be verified before login: SIGNUPS_VERIFY with mail configured. */
  get verificationRequired(): boolean {
    return this.mail.enabled && this.config.signupsVerify.enabled;
  }

  /** Queues the verify-email mail for `user` (its link's token lives INVITATION_EXPIRATION_HOURS, as Vaultwarden's). */
  async queueVerifyEmail(tx: Tx, user: Pick<UserEntity, 'id' | 'email'>, welcome: boolean): Promise<void> {
    const ttlSeconds = this.config.invitationExpirationHours * 3600;
    const token = this.tokens.signPurposeToken(VERIFY_EMAIL_PURPOSE, user.id, {}, ttlSeconds);
    await this.mail.enqueue(tx, {
      to: user.email, template: 'verify-email', params: { userId: user.id, token, welcome },
      expiresAt: new Date(this.clock.now().getTime() + ttlSeconds * 1000),
    });
  }

  /** The user id a verify-email token was issued for, or null when it does not check out. */
  verifyEmailTokenSubject(token: string): string | null {
    return this.tokens.verifyPurposeToken(VERIFY_EMAIL_PURPOSE, token)?.sub ?? null;
  }

  /**
   * A password login of an account whose address is not verified, while verification is required: re-sends the
   * verification mail when the last one is older than SIGNUPS_VERIFY_RESEND_TIME and fewer than
   * SIGNUPS_VERIFY_RESEND_LIMIT were re-sent. True when the login must be refused (the caller answers).
   */
  async holdUnverifiedLogin(user: UserEntity): Promise<boolean> {
    if (user.emailVerified || !this.verificationRequired) return false;
    const { resendSeconds, resendLimit } = this.config.signupsVerify;
    const now = this.clock.now();
    const resent = await this.uow.run(async (tx) => {
      if (!(await this.users.claimVerificationResend(tx.manager, user.id, now, new Date(now.getTime() - resendSeconds * 1000), resendLimit))) return false;
      await this.queueVerifyEmail(tx, user, false);
      return true;
    });
    log.info({ userId: user.id, verificationMailResent: resent }, 'auth.login_unverified_email');
    return true;
  }

  /**
   * A login completed from a device the account had not used: with mail, the "new device" mail is queued in the
   * login's transaction; without mail the login goes on, unless REQUIRE_DEVICE_EMAIL ('refused': the caller fails
   * the login and its transaction, so the device is not recorded).
   */
  async notifyNewDevice(tx: Tx, user: Pick<UserEntity, 'email'>, device: { name: string; type: number }, ip: string): Promise<NewDeviceOutcome> {
    if (!this.mail.enabled) return this.config.requireDeviceEmail ? 'refused' : 'none';
    await this.mail.enqueue(tx, {
      to: user.email, template: 'new-device-login',
      params: { loginTime: this.clock.now(), ip, deviceName: device.name, deviceType: deviceTypeName(device.type) },
    });
    return 'mailed';
  }

  /** Queues the master password hint mail (null: the account has none, which the mail says). */
  async queuePasswordHint(tx: Tx, user: Pick<UserEntity, 'email' | 'passwordHint'>): Promise<void> {
    await this.mail.enqueue(tx, { to: user.email, template: 'password-hint', params: { hint: user.passwordHint } });
  }

  /** Queues the delete-recover mail; its link's token lives INVITATION_EXPIRATION_HOURS, as Vaultwarden's. */
  async queueDeleteAccount(tx: Tx, user: Pick<UserEntity, 'id' | 'email'>): Promise<void> {
    const ttlSeconds = this.config.invitationExpirationHours * 3600;
    const token = this.tokens.signPurposeToken(DELETE_ACCOUNT_PURPOSE, user.id, {}, ttlSeconds);
    await this.mail.enqueue(tx, {
      to: user.email, template: 'delete-account', params: { userId: user.id, email: user.email, token },
      expiresAt: new Date(this.clock.now().getTime() + ttlSeconds * 1000),
    });
  }

  /** The user id a delete-recover token was issued for, or null when it does not check out. */
  deleteAccountTokenSubject(token: string): string | null {
    return this.tokens.verifyPurposeToken(DELETE_ACCOUNT_PURPOSE, token)?.sub ?? null;
  }
}
