import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { TwoFactorEntity } from '../db/entities';
import { Tx, UnitOfWork } from '../db/unit-of-work';
import { EmailCodeData, numericCode, parseEmailCode, sameText, sha256Hex } from './two-factor-data';
import { TwoFactorRepository } from './two-factor.repository';

export type EmailCodeCheck = 'ok' | 'wrong' | 'expired' | 'none';

/**
 * Emailed codes (Vaultwarden's rules): EMAIL_TOKEN_SIZE digits, valid EMAIL_EXPIRATION_TIME seconds, voided after
 * EMAIL_ATTEMPTS_LIMIT wrong entries, usable once. Kept as a SHA-256 in the data of a two_factor row: provider 1
 * (login codes), the email setup challenge, or the protected-actions OTP.
 */
@Injectable()
export class EmailCodes {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: TwoFactorRepository,
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  /**
   * A new code in row `type` of the user (created, disabled, when missing), replacing any earlier one. `email`:
   * the address the row is for (provider 1 and its setup). Returns the code, to be mailed and never logged.
   */
  async issue(tx: Tx, userId: string, type: number, email?: string): Promise<string> {
    const code = numericCode(this.config.twoFactor.emailTokenSize);
    const now = this.clock.now();
    const existing = await this.repo.find(tx.manager, userId, type);
    const previous = existing ? parseEmailCode(existing.data) : null;
    const data: EmailCodeData = { ...((email ?? previous?.email) !== undefined ? { email: email ?? previous?.email } : {}), tokenHash: sha256Hex(code), sentAt: now.toISOString(), attempts: 0 };
    await this.repo.save(tx.manager, Object.assign(new TwoFactorEntity(), {
      userId, type, enabled: existing?.enabled ?? false, data: JSON.stringify(data), lastUsedStep: 0, creationDate: existing?.creationDate ?? now, revisionDate: now,
    }));
    return code;
  }

  /** When the user's current code of row `type` was sent, or null. */
  async sentAt(userId: string, type: number): Promise<Date | null> {
    const row = await this.uow.read((db) => this.repo.find(db, userId, type));
    const sent = row ? parseEmailCode(row.data).sentAt : null;
    return sent ? new Date(sent) : null;
  }

  /**
   * Checks `code` against row `type`, in its own transaction so that a wrong entry is counted even when the
   * caller then fails. A wrong code counts an attempt (the code is voided at the limit); a right one is voided
   * when `consume`. Expired codes are voided.
   */
  verify(userId: string, type: number, code: string, consume: boolean): Promise<EmailCodeCheck> {
    return this.uow.run(async (tx) => {
      const row = await this.repo.find(tx.manager, userId, type);
      if (!row) return 'none';
      const data = parseEmailCode(row.data);
      if (!data.tokenHash || !data.sentAt) return 'none';
      const now = this.clock.now();
      const save = async (next: EmailCodeData): Promise<void> => {
        row.data = JSON.stringify(next);
        row.revisionDate = now;
        await this.repo.save(tx.manager, row);
      };
      const voided: EmailCodeData = { ...data, tokenHash: null, sentAt: null, attempts: 0 };
      if (now.getTime() - new Date(data.sentAt).getTime() > this.config.twoFactor.emailExpirationSeconds * 1000) {
        await save(voided);
        return 'expired';
      }
      if (!/^\d{1,32}$/.test(code.trim()) || !sameText(sha256Hex(code.trim()), data.tokenHash)) {
        const attempts = data.attempts + 1;
        await save(attempts >= this.config.twoFactor.emailAttemptsLimit ? voided : { ...data, attempts });
        return 'wrong';
      }
      if (consume) await save(voided);
      return 'ok';
    });
  }
}
