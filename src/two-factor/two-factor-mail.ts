import { Inject, Injectable } from '@nestjs/common';
import { deviceTypeName } from '../common/auth/device-type';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { Tx } from '../db/unit-of-work';
import { MailService } from '../mail/mail.service';
import type { TwoFactorCodePurpose } from '../mail/templates';

/** The mails of two-step login, queued through the mail outbox in the caller's transaction. */
@Injectable()
export class TwoFactorMail {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig, private readonly mail: MailService) {}

  get enabled(): boolean {
    return this.mail.enabled;
  }

  /** TwoFactorNeedsMail unless mail is configured. */
  requireMail(): void {
    if (!this.mail.enabled) throw new VaultError(ErrorCode.TwoFactorNeedsMail);
  }

  /** An emailed code; it expires with EMAIL_EXPIRATION_TIME, and so does its mail. */
  async sendCode(tx: Tx, to: string, code: string, purpose: TwoFactorCodePurpose, now: Date): Promise<void> {
    const seconds = this.config.twoFactor.emailExpirationSeconds;
    await this.mail.enqueue(tx, {
      to, template: 'two-factor-code', params: { code, purpose, validMinutes: Math.max(1, Math.round(seconds / 60)) },
      expiresAt: new Date(now.getTime() + seconds * 1000),
    });
  }

  async sendIncompleteLogin(tx: Tx, to: string, login: { ip: string; loginTime: Date; deviceName: string; deviceType: number }): Promise<void> {
    await this.mail.enqueue(tx, {
      to, template: 'incomplete-two-factor-login',
      params: { ip: login.ip, loginTime: login.loginTime, deviceName: login.deviceName, deviceType: deviceTypeName(login.deviceType), timeLimitMinutes: this.config.twoFactor.incompleteTimeLimitMinutes },
    });
  }
}
