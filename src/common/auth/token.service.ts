import { Inject, Injectable } from '@nestjs/common';
import { createHmac, hkdfSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.tokens';
import { Clock } from '../time/clock';
import { deviceTypeName } from './device-type';
import { SigningKeysService } from './signing-keys.service';

/** Claims of a user access token, as official clients read them. */
export interface AccessTokenClaims {
  nbf: number;
  exp: number;
  iss: string;
  sub: string;
  premium: boolean;
  name: string;
  email: string;
  email_verified: boolean;
  sstamp: string;
  device: string;
  devicetype: string;
  client_id: string;
  scope: string[];
  amr: string[];
}

export interface TokenSubject {
  user: { id: string; email: string; name: string | null; emailVerified: boolean; securityStamp: string };
  device: { identifier: string; type: number };
  clientId: string;
  scope: string[];
  amr: string[];
}

/** Leeway for exp/nbf, as Vaultwarden allows. */
const CLOCK_TOLERANCE_SECONDS = 30;

@Injectable()
export class TokenService {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig, private readonly keys: SigningKeysService, private readonly clock: Clock) {}

  get issuer(): string {
    return `${this.config.publicUrl}/identity`;
  }

  /**
   * The issuer of the login tokens Vaultwarden signs (`<DOMAIN origin>|login`). After an import from Vaultwarden
   * (DATA_FOLDER/rsa_key.pem is its key), its access and refresh tokens carry this issuer; no token this server
   * signs does (its own are `<DOMAIN>/identity` and `<DOMAIN>/identity|<purpose>`).
   */
  get vaultwardenIssuer(): string {
    return `${this.config.domain.origin}|login`;
  }

  issueAccessToken(subject: TokenSubject, now = this.clock.now()): { token: string; expiresIn: number } {
    const nbf = Math.floor(now.getTime() / 1000);
    const expiresIn = this.config.accessTokenLifetimeSeconds;
    const claims: AccessTokenClaims = {
      nbf,
      exp: nbf + expiresIn,
      iss: this.issuer,
      sub: subject.user.id,
      premium: true,
      name: subject.user.name ?? '',
      email: subject.user.email,
      // As the profile reads it: without mail nobody can verify an address, so it counts as verified (Vaultwarden's rule).
      email_verified: subject.user.emailVerified || !this.config.mail.enabled,
      sstamp: subject.user.securityStamp,
      device: subject.device.identifier,
      devicetype: deviceTypeName(subject.device.type),
      client_id: subject.clientId,
      scope: subject.scope,
      amr: subject.amr,
    };
    return { token: jwt.sign(claims, this.keys.privateKey, { algorithm: 'RS256' }), expiresIn };
  }

  /** A short-lived signed token for one purpose (email verification during registration). */
  signPurposeToken(purpose: string, subject: string, data: Record<string, string>, ttlSeconds: number): string {
    return jwt.sign({ ...data, purpose, sub: subject }, this.keys.privateKey, { algorithm: 'RS256', issuer: `${this.issuer}|${purpose}`, expiresIn: ttlSeconds });
  }

  verifyPurposeToken(purpose: string, token: string): (Record<string, unknown> & { sub: string }) | null {
    try {
      const claims = jwt.verify(token, this.keys.publicKey, { algorithms: ['RS256'], issuer: `${this.issuer}|${purpose}` });
      if (typeof claims !== 'object' || claims === null || claims.purpose !== purpose || typeof claims.sub !== 'string') return null;
      return claims as Record<string, unknown> & { sub: string };
    } catch {
      return null;
    }
  }

  /**
   * A token for a high-volume, short-lived purpose (attachment download links, one per attachment in every sync):
   * HS256 with a key derived from the signing key, so every instance sharing DATA_FOLDER signs and checks alike at
   * a fraction of RS256's cost. Times come from the Clock.
   */
  signLinkToken(purpose: string, subject: string, data: Record<string, string>, ttlSeconds: number): string {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    return jwt.sign({ ...data, purpose, sub: subject, nbf: now, exp: now + ttlSeconds }, this.linkKey(purpose), { algorithm: 'HS256', issuer: `${this.issuer}|${purpose}` });
  }

  /** The claims of a valid, unexpired link token of `purpose` (signature, algorithm, issuer, expiry checked), else null. Never throws. */
  verifyLinkToken(purpose: string, token: string): (Record<string, unknown> & { sub: string }) | null {
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) return null;
    try {
      const claims = jwt.verify(token, this.linkKey(purpose), {
        algorithms: ['HS256'], issuer: `${this.issuer}|${purpose}`, clockTimestamp: Math.floor(this.clock.now().getTime() / 1000),
      });
      if (typeof claims !== 'object' || claims === null || claims.purpose !== purpose || typeof claims.sub !== 'string') return null;
      return claims as Record<string, unknown> & { sub: string };
    } catch {
      return null;
    }
  }

  /** A stable keyed digest of `value` for `purpose` (answers that must not reveal whether something exists). */
  keyedDigest(purpose: string, value: string): Buffer {
    return createHmac('sha256', this.linkKey(purpose)).update(value).digest();
  }

  private readonly linkKeys = new Map<string, Buffer>();

  private linkKey(purpose: string): Buffer {
    let key = this.linkKeys.get(purpose);
    if (!key) {
      const secret = this.keys.privateKey.export({ type: 'pkcs8', format: 'der' });
      key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `vaultwave link token|${purpose}`, 32));
      this.linkKeys.set(purpose, key);
    }
    return key;
  }

  /** Verifies signature, algorithm, issuer, exp and nbf (against the Clock); returns the claims or null. Never throws. */
  verify(token: string): AccessTokenClaims | null {
    try {
      const issuer = this.isVaultwardenToken(token) ? this.vaultwardenIssuer : this.issuer;
      const claims = jwt.verify(token, this.keys.publicKey, { algorithms: ['RS256'], issuer, clockTolerance: CLOCK_TOLERANCE_SECONDS, clockTimestamp: this.clockSeconds() });
      return isUserClaims(claims) ? claims : null;
    } catch {
      return null;
    }
  }

  /**
   * A refresh token Vaultwarden handed out (a JWT: RS256 with the signing key, its login issuer, unexpired, holding
   * the opaque `device_token` it keeps per device) → that opaque token, which the import stored hashed as the
   * device's refresh token. Null for anything else (this server's own refresh tokens are not JWTs). Never throws.
   */
  vaultwardenRefreshDeviceToken(token: string): string | null {
    if (token.length > 4096 || !this.isVaultwardenToken(token)) return null;
    try {
      const claims = jwt.verify(token, this.keys.publicKey, { algorithms: ['RS256'], issuer: this.vaultwardenIssuer, clockTolerance: CLOCK_TOLERANCE_SECONDS, clockTimestamp: this.clockSeconds() });
      const deviceToken = typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>).device_token : undefined;
      return typeof deviceToken === 'string' && deviceToken.length > 0 && deviceToken.length <= 512 ? deviceToken : null;
    } catch {
      return null;
    }
  }

  /** Claims Vaultwarden's login issuer (unverified: only picks the check; times of those follow the Clock). */
  private isVaultwardenToken(token: string): boolean {
    const decoded = jwt.decode(token);
    return typeof decoded === 'object' && decoded !== null && decoded.iss === this.vaultwardenIssuer;
  }

  private clockSeconds(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }
}

function isUserClaims(value: unknown): value is AccessTokenClaims {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  return typeof c.sub === 'string' && typeof c.sstamp === 'string' && typeof c.device === 'string' && Array.isArray(c.scope) && c.scope.includes('api');
}
