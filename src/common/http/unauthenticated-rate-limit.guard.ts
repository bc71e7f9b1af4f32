import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.tokens';
import { ErrorCode } from '../errors/error-code';
import { VaultError } from '../errors/vault-error';
import { clientIp } from './client-ip';
import { UnauthenticatedRateLimiter } from './unauthenticated-rate-limiter';

/**
 * Per-address limit on routes anyone may call (registration, prelogin, token grants, …): checked before the
 * body is looked at, so the cheap refusal comes before any database read, hash or signature.
 */
@Injectable()
export class UnauthenticatedRateLimitGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig, private readonly limiter: UnauthenticatedRateLimiter) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const wait = this.limiter.hit(clientIp(request, this.config), 'identity');
    if (wait > 0) throw new VaultError(ErrorCode.TooManyRequests, undefined, { headers: { 'Retry-After': String(wait) } });
    return true;
  }
}
