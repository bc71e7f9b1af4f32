import { EntityManager } from 'typeorm';

/**
 * Whether a user has two-step login (bitwarden/server ITwoFactorIsEnabledQuery). The port the organization
 * policies and member lists read (policy 0, "Require two-step login"); src/two-factor provides it.
 */
export abstract class TwoFactorStatus {
  abstract isEnabled(db: EntityManager, userId: string): Promise<boolean>;

  /** The users among `userIds` who have two-step login, in one query (member lists, policy revocation). */
  abstract enabledAmong(db: EntityManager, userIds: string[]): Promise<Set<string>>;
}
