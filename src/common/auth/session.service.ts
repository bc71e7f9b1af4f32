import { Injectable } from '@nestjs/common';
import { AuthContext } from './auth-context';
import { SessionSource } from './session-source';
import { AccessTokenClaims, TokenService } from './token.service';

/**
 * Validates a user access token the same way for /api and for the hub: signature, issuer, expiry, and that
 * the user exists and is enabled, the device exists and is active, and the security stamp is current.
 */
@Injectable()
export class SessionService {
  constructor(private readonly tokens: TokenService, private readonly sessions: SessionSource) {}

  async authenticate(token: string): Promise<AuthContext | null> {
    const claims = this.tokens.verify(token);
    return claims ? this.resolve(claims) : null;
  }

  async resolve(claims: AccessTokenClaims): Promise<AuthContext | null> {
    const session = await this.sessions.findSession(claims.sub, claims.device);
    if (!session || !session.user.enabled || session.user.securityStamp !== claims.sstamp) return null;
    if (!session.device || !session.device.active) return null;
    return {
      userId: session.user.id,
      email: session.user.email,
      deviceId: session.device.id,
      deviceIdentifier: session.device.identifier,
      deviceType: session.device.type,
      securityStamp: session.user.securityStamp,
      actor: { userId: session.user.id, deviceId: session.device.id, deviceIdentifier: session.device.identifier },
    };
  }

  /** Is the binding (user, device, stamp) of a live socket still valid? */
  async stillValid(userId: string, deviceIdentifier: string, securityStamp: string): Promise<boolean> {
    const session = await this.sessions.findSession(userId, deviceIdentifier);
    return !!session && session.user.enabled && session.user.securityStamp === securityStamp && !!session.device?.active;
  }
}
