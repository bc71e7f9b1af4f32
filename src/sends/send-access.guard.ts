import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { SendAccessService } from './send-access.service';

/** The request of a route opened by a send-access token: the Send it names. */
export interface SendAccessRequest { headers: Record<string, string | string[] | undefined>; sendAccess?: { sendId: string } }

/** Requires a send-access token (Authorization: Bearer, from the `send_access` grant); a user's token is refused (401). */
@Injectable()
export class SendAccessGuard implements CanActivate {
  constructor(private readonly access: SendAccessService) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<SendAccessRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    const sendId = match ? this.access.sendOfToken(match[1] as string) : null;
    if (!sendId) throw new VaultError(header ? ErrorCode.InvalidToken : ErrorCode.InvalidClaim);
    request.sendAccess = { sendId };
    return true;
  }
}
