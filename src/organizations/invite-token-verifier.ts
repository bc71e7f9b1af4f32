/** What an invitation token is checked against: the membership it was sent for and the address it was sent to. */
export interface InvitedMembership { organizationUserId: string; email: string }

/**
 * The port through which policies read invitation tokens (bitwarden/server OrgUserInviteTokenable): whether
 * `token` is a valid, unexpired invitation to this membership at this email. Bound to InviteTokenService
 * (invite-token.service.ts) in organizations.module.ts.
 */
export abstract class InviteTokenVerifier {
  abstract isValid(token: string, invite: InvitedMembership): Promise<boolean>;
}
