import { EntityManager } from 'typeorm';

/**
 * The port through which the organizations feature gives the account profile its `organizations` entries
 * (accounts does not depend on organizations). Provided by organizations/organizations.module.ts.
 */
export abstract class ProfileOrganizationsSource {
  abstract forUser(db: EntityManager, userId: string): Promise<unknown[]>;
  /** Whether the user is the only confirmed owner of some organization (their account may not be deleted then). */
  abstract isSoleOwner(db: EntityManager, userId: string): Promise<boolean>;
}
