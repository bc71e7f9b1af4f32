import { EntityManager } from 'typeorm';

/**
 * The master password requirements enforced against a user: the MasterPassword policies (type 1) of their
 * organizations combined (bitwarden/server MasterPasswordPolicyData.CombineWith: the highest minComplexity and
 * minLength, any requireX or enforceOnLogin). Absent fields: no requirement.
 */
export interface MasterPasswordPolicyOptions {
  minComplexity?: number;
  minLength?: number;
  requireLower?: boolean;
  requireUpper?: boolean;
  requireNumbers?: boolean;
  requireSpecial?: boolean;
  enforceOnLogin?: boolean;
}

/**
 * The port through which the login (identity), the two-step login challenge and `POST /api/accounts/verify-password`
 * read the user's master password policy (official MasterPasswordPolicyRequirement) without depending on
 * organizations. Provided by organizations/organizations.module.ts (PoliciesQueryService).
 */
export abstract class MasterPasswordPolicySource {
  /** The combined options, or null when no policy with any option applies to the user. */
  abstract masterPasswordPolicyFor(db: EntityManager, userId: string): Promise<MasterPasswordPolicyOptions | null>;
}
