import { Injectable } from '@nestjs/common';
import { Tx } from '../db/unit-of-work';
import { DomainEventMap } from '../event-bus/domain-events';
import { OnDomainEvent } from '../event-bus/on-domain-event.decorator';
import { TwoFactorRepository } from './two-factor.repository';

/**
 * When a user's sessions end (password change, security-stamp reset, account deletion, admin deauth) their
 * "remember this device" tokens go too, in the same transaction. (A token also checks the security stamp it was
 * issued under; this removes the rows.)
 */
@Injectable()
export class TwoFactorSessionsListener {
  constructor(private readonly repo: TwoFactorRepository) {}

  @OnDomainEvent('UserLoggedOut', { phase: 'inTransaction' })
  async onUserLoggedOut(event: DomainEventMap['UserLoggedOut'], tx: Tx): Promise<void> {
    await this.repo.deleteRememberOfUser(tx.manager, event.userId);
  }
}
