import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Tx } from '../db/unit-of-work';
import { RevisionDateSource } from '../wire/wire-translator';
import { UsersRepository } from './users.repository';

/**
 * The account revision date: every vault write bumps it for every affected user in the same transaction.
 * Clients compare it (GET /api/accounts/revision-date) to decide whether to sync; catch-up depends on it.
 */
@Injectable()
export class AccountRevisionService implements RevisionDateSource {
  constructor(private readonly users: UsersRepository) {}

  bump(tx: Tx, userIds: string[], date: Date): Promise<void> {
    return this.users.bumpRevisionDates(tx.manager, [...new Set(userIds)], date);
  }

  get(db: EntityManager, userId: string): Promise<Date | null> {
    return this.users.revisionDate(db, userId);
  }

  /** The wire table's port: the dates of the users that exist. */
  async revisionDates(db: EntityManager, userIds: string[]): Promise<Map<string, Date>> {
    const dates = new Map<string, Date>();
    for (const userId of userIds) {
      const date = await this.users.revisionDate(db, userId);
      if (date) dates.set(userId, date);
    }
    return dates;
  }
}
