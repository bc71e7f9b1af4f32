import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { getLogger } from '../common/logging/logger';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { UnitOfWork } from '../db/unit-of-work';
import { AccountMailService } from './account-mail.service';
import { AccountsQueryService } from './accounts-query.service';
import { AccountsService } from './accounts.service';

const log = getLogger('AccountRecovery');
const badRequest = (message: string): VaultError => new VaultError(ErrorCode.BadRequest, message);

export const NO_PASSWORD_HINT = 'Sorry, you have no password hint...';

/**
 * What an owner who cannot log in may ask for, without a session (Vaultwarden's rules): the master password hint
 * (mailed; or, with SHOW_PASSWORD_HINT and no mail, answered) and the deletion of the account through a mailed link.
 * With mail, an unknown address gets the same answer as a known one, so neither route tells which addresses have
 * accounts; the mail is queued in the outbox, so both answers take the same time.
 */
@Injectable()
export class AccountRecoveryService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly accounts: AccountsService,
    private readonly accountMail: AccountMailService,
    private readonly queries: AccountsQueryService,
    private readonly uow: UnitOfWork,
  ) {}

  /** POST /api/accounts/password-hint. */
  async passwordHint(email: string): Promise<void> {
    const mail = this.accountMail.mailEnabled;
    if (!this.config.passwordHints.allowed || (!mail && !this.config.passwordHints.show)) {
      throw badRequest('This server is not configured to provide password hints.');
    }
    if (mail) {
      await this.uow.run(async (tx) => {
        const user = await this.queries.findByEmail(tx.manager, email);
        if (user) await this.accountMail.queuePasswordHint(tx, user);
      });
      return;
    }
    // SHOW_PASSWORD_HINT without mail: the hint is the answer (the admin chose to let anyone read it).
    const user = await this.uow.read((db) => this.queries.findByEmail(db, email));
    if (user?.passwordHint) throw badRequest(`Your password hint is: ${user.passwordHint}`);
    throw badRequest(NO_PASSWORD_HINT);
  }

  /** POST /api/accounts/delete-recover: mails a deletion link to the account of `email` (needs mail). */
  async deleteRecover(email: string): Promise<void> {
    if (!this.accountMail.mailEnabled) throw badRequest('Please contact the administrator to delete your account');
    await this.uow.run(async (tx) => {
      const user = await this.queries.findByEmail(tx.manager, email);
      if (user) await this.accountMail.queueDeleteAccount(tx, user);
    });
  }

  /** POST /api/accounts/delete-recover-token: the link's user id and token delete the account. */
  async deleteRecoverToken(userId: string, token: string): Promise<void> {
    const subject = this.accountMail.deleteAccountTokenSubject(token);
    if (!subject || subject !== userId.toLowerCase()) throw badRequest('Invalid claim');
    const user = await this.uow.read((db) => this.queries.findById(db, subject));
    if (!user) throw badRequest("User doesn't exist");
    await this.accounts.deleteWithoutPassword(user.id);
    log.info({ userId: user.id }, 'account.deleted_by_mailed_link');
  }
}
