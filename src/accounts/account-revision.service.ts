import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Tx } from '../db/unit-of-work';
import { UsersRepository } from './users.repository';

/**
 * The account revision date: every vault write bumps it for every affected user in the same transaction.
 * Clients compare it (GET /api/accounts/revision-date) to decide whether to sync; catch-up depends on it.
 */
@Injectable()
export class AccountRevisionService {
  constructor(private readonly users: UsersRepository) {}

  bump(tx: Tx, userIds: string[], date: Date): Promise<void> {
    return this.users.bumpRevisionDates(tx.manager, [...new Set(userIds)], date);
  }

  get(db: EntityManager, userId: string): Promise<Date | null> {
    return this.users.revisionDate(db, userId);
  }
}
