import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ErrorCode } from '../errors/error-code';
import { VaultError } from '../errors/vault-error';
import { AuthContext } from './auth-context';
import { SessionService } from './session.service';

/** `Authorization: Bearer <token>` (the scheme in any case), or null. */
export function bearerToken(header: string | undefined): string | null {
  const match = header ? /^bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match ? match[1]! : null;
}

/**
 * Requires a valid user access token (Authorization: Bearer), checked as the hub checks it (SessionService): the
 * signature, issuer and times against the Clock, then the user, device and security stamp behind it.
 */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(private readonly sessions: SessionService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; user?: AuthContext }>();
    const header = request.headers.authorization;
    const token = bearerToken(header);
    const user = token ? await this.sessions.authenticate(token) : null;
    if (!user) throw new VaultError(header ? ErrorCode.InvalidToken : ErrorCode.InvalidClaim);
    request.user = user;
    return true;
  }
}
