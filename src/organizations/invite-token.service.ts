import { Inject, Injectable } from '@nestjs/common';
import { TokenService } from '../common/auth/token.service';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';

/** The purpose (and issuer suffix) of invitation tokens: no other signed token of the server passes for one. */
const PURPOSE = 'org-invite';

/** What an invitation token says: which membership of which organization, for which address, until when. */
export interface InviteClaims {
  organizationId: string;
  /** The member id (OrganizationUser id). */
  organizationUserId: string;
  /** Lower-cased invited address. */
  email: string;
  expiresAt: Date;
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/**
 * Invitation accept tokens (the `token` of the invite link and of `POST …/users/{id}/accept`, the
 * `orgInviteToken` of a registration): JWTs signed with the server's RS256 key (the access-token key), for one
 * membership and one address, valid INVITATION_EXPIRATION_HOURS (Vaultwarden: 120). The token carries no secret
 * of its own; whoever holds it can accept that one invitation with an account of that address, so it is never
 * logged at info.
 */
@Injectable()
export class InviteTokenService {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig, private readonly tokens: TokenService) {}

  /** A token for the invitation `organizationUserId` of `organizationId` sent to `email`, and when it expires. */
  issue(organizationId: string, organizationUserId: string, email: string): { token: string; expiresAt: Date } {
    const ttlSeconds = this.config.invitationExpirationHours * 3600;
    const normalized = email.toLowerCase();
    const token = this.tokens.signPurposeToken(PURPOSE, normalized, { org_id: organizationId.toLowerCase(), member_id: organizationUserId.toLowerCase(), email: normalized }, ttlSeconds);
    const claims = this.decode(token);
    return { token, expiresAt: claims?.expiresAt ?? new Date(Date.now() + ttlSeconds * 1000) };
  }

  /** The claims of a valid, unexpired invitation token (signature, purpose, issuer and expiry checked), else null. */
  decode(token: string): InviteClaims | null {
    if (typeof token !== 'string' || token.length === 0 || token.length > 8192) return null;
    const claims = this.tokens.verifyPurposeToken(PURPOSE, token);
    if (!claims) return null;
    const { org_id: organizationId, member_id: organizationUserId, email, exp } = claims;
    if (typeof organizationId !== 'string' || typeof organizationUserId !== 'string' || typeof email !== 'string' || typeof exp !== 'number') return null;
    if (!same(claims.sub, email)) return null;
    return { organizationId, organizationUserId, email, expiresAt: new Date(exp * 1000) };
  }

  /**
   * Whether `token` is a valid, unexpired invitation to the membership `organizationUserId` of `organizationId`
   * at `email` (ids and address compared case-insensitively): the claims, or null. Checks the token only; whether
   * the membership still waits for acceptance is the caller's to check. For `GET …/policies/token` and the like.
   */
  verify(token: string, organizationId: string, organizationUserId: string, email: string): InviteClaims | null {
    const claims = this.decode(token);
    if (!claims) return null;
    if (!same(claims.organizationId, organizationId) || !same(claims.organizationUserId, organizationUserId) || !same(claims.email, email)) return null;
    return claims;
  }

  /**
   * The same check without the organization id (the registration request carries only `organizationUserId`), in
   * the shape of the policies' `InviteTokenVerifier` port (invite-token-verifier.ts) so it can be bound to it.
   */
  isValid(token: string, invite: { organizationUserId: string; email: string }): Promise<boolean> {
    const claims = this.decode(token);
    return Promise.resolve(claims !== null && same(claims.organizationUserId, invite.organizationUserId) && same(claims.email, invite.email));
  }
}
