import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { ErrorCode } from '../errors/error-code';
import { VaultError } from '../errors/vault-error';

/** Requires a valid user access token (Authorization: Bearer). */
@Injectable()
export class AccessTokenGuard extends AuthGuard('jwt') {
  override handleRequest<T>(error: unknown, user: T | false, _info: unknown, context: ExecutionContext): T {
    if (error || !user) {
      const header = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers.authorization;
      throw new VaultError(header ? ErrorCode.InvalidToken : ErrorCode.InvalidClaim);
    }
    return user;
  }
}
