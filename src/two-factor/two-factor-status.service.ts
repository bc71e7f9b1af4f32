import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { TwoFactorStatus } from '../accounts/two-factor-status';
import { TwoFactorRepository } from './two-factor.repository';

/**
 * The TwoFactorStatus port (bitwarden/server ITwoFactorIsEnabledQuery) from the stored providers: a user has
 * two-step login while one of their providers is enabled. Read by the profile (`twoFactorEnabled`) and by the
 * organizations' "Require two-step login" policy.
 */
@Injectable()
export class TwoFactorStatusService extends TwoFactorStatus {
  constructor(private readonly repo: TwoFactorRepository) {
    super();
  }

  isEnabled(db: EntityManager, userId: string): Promise<boolean> {
    return this.repo.anyEnabled(db, userId);
  }

  /** One query for all of them (the member list, policy 0 turned on), not one per user. */
  enabledAmong(db: EntityManager, userIds: string[]): Promise<Set<string>> {
    return this.repo.enabledAmong(db, userIds);
  }
}
