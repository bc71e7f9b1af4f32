/**
 * The port through which registration checks an organization invitation token (`orgInviteToken` with
 * `organizationUserId`): a valid one lets the address register even when signups are closed, and counts as a
 * verified email. Provided by organizations/organizations.module.ts (accounts does not depend on organizations).
 */
export abstract class OrgInviteTokens {
  abstract isValid(token: string, invite: { organizationUserId: string; email: string }): Promise<boolean>;
}
