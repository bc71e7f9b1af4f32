import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/**
 * Whether a user has two-step login (bitwarden/server ITwoFactorIsEnabledQuery). The port the organization
 * policies read (policy 0, "Require two-step login"); the two-step login feature provides the real answer.
 */
export abstract class TwoFactorStatus {
  abstract isEnabled(db: EntityManager, userId: string): Promise<boolean>;

  /** The users among `userIds` who have two-step login. */
  async enabledAmong(db: EntityManager, userIds: string[]): Promise<Set<string>> {
    const enabled = new Set<string>();
    for (const userId of userIds) if (await this.isEnabled(db, userId)) enabled.add(userId);
    return enabled;
  }
}

/** Until two-step login exists nobody has it: the answer the profile gives (`twoFactorEnabled: false`). */
@Injectable()
export class NoTwoFactorStatus extends TwoFactorStatus {
  isEnabled(): Promise<boolean> {
    return Promise.resolve(false);
  }
}
