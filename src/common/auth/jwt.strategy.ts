import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AuthContext } from './auth-context';
import { SessionService } from './session.service';
import { SigningKeysService } from './signing-keys.service';
import { AccessTokenClaims, TokenService } from './token.service';

/** passport-jwt verifies the bearer token (RS256, issuer, exp/nbf); validate() checks the session behind it. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(keys: SigningKeysService, tokens: TokenService, private readonly sessions: SessionService) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKeyProvider: (_req: unknown, _raw: unknown, done: (err: Error | null, key?: string) => void) =>
        // jsonwebtoken takes the parsed KeyObject (passport-jwt's types only know PEM text): parsed once, not per request.
        done(null, keys.publicKey as unknown as string),
      algorithms: ['RS256'],
      issuer: tokens.issuer,
      jsonWebTokenOptions: { clockTolerance: 30 },
    });
  }

  async validate(claims: AccessTokenClaims): Promise<AuthContext | false> {
    if (!Array.isArray(claims.scope) || !claims.scope.includes('api')) return false;
    return (await this.sessions.resolve(claims)) ?? false;
  }
}
