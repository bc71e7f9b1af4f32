import { EntityManager } from 'typeorm';

/**
 * The port through which the organizations feature gives the account profile its `organizations` entries
 * (accounts does not depend on organizations). Provided by organizations/organizations.module.ts.
 */
export abstract class ProfileOrganizationsSource {
  abstract forUser(db: EntityManager, userId: string): Promise<unknown[]>;
}
