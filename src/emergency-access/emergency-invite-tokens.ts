import { Inject, Injectable } from '@nestjs/common';
import { TokenService } from '../common/auth/token.service';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';

/** The purpose (and issuer suffix) of emergency access invitation tokens: no other signed token passes for one. */
const PURPOSE = 'emergency-access-invite';

/** What an invitation token says: which grant, of which grantor, for which address, until when. */
export interface EmergencyInviteClaims {
  emergencyAccessId: string;
  grantorId: string;
  /** Lower-cased invited address. */
  email: string;
  expiresAt: Date;
}

/**
 * The `token` of the accept-emergency link (Vaultwarden's emergency access invite JWT): signed with the server's
 * RS256 key for one grant and one address, valid INVITATION_EXPIRATION_HOURS as organization invitations are.
 * Whoever holds it can accept that one invitation with an account of that address, so it is never logged.
 */
@Injectable()
export class EmergencyInviteTokens {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig, private readonly tokens: TokenService) {}

  issue(emergencyAccessId: string, grantorId: string, email: string): { token: string; expiresAt: Date } {
    const ttlSeconds = this.config.invitationExpirationHours * 3600;
    const normalized = email.toLowerCase();
    const token = this.tokens.signPurposeToken(PURPOSE, normalized, { emer_id: emergencyAccessId.toLowerCase(), grantor_id: grantorId.toLowerCase(), email: normalized }, ttlSeconds);
    return { token, expiresAt: this.decode(token)?.expiresAt ?? new Date(Date.now() + ttlSeconds * 1000) };
  }

  /** The claims of a valid, unexpired invitation token (signature, purpose, issuer and expiry checked), else null. */
  decode(token: string): EmergencyInviteClaims | null {
    if (typeof token !== 'string' || token.length === 0 || token.length > 8192) return null;
    const claims = this.tokens.verifyPurposeToken(PURPOSE, token);
    if (!claims) return null;
    const { emer_id: emergencyAccessId, grantor_id: grantorId, email, exp } = claims;
    if (typeof emergencyAccessId !== 'string' || typeof grantorId !== 'string' || typeof email !== 'string' || typeof exp !== 'number') return null;
    if (claims.sub !== email) return null;
    return { emergencyAccessId, grantorId, email, expiresAt: new Date(exp * 1000) };
  }
}
