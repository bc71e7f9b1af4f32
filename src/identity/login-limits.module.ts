import { Module } from '@nestjs/common';
import { LoginRateLimiter } from './login-rate-limiter';

/**
 * The one LoginRateLimiter of the server: the token grants and the other routes that check a master password
 * without a session (two-step recovery, send-email-login) count against the same per-account limits.
 */
@Module({ providers: [LoginRateLimiter], exports: [LoginRateLimiter] })
export class LoginLimitsModule {}
