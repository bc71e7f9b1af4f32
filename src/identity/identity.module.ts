import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { UnauthenticatedRateLimitGuard } from '../common/http/unauthenticated-rate-limit.guard';
import { UnauthenticatedRateLimiter } from '../common/http/unauthenticated-rate-limiter';
import { AuthRequestsModule } from '../auth-requests/auth-requests.module';
import { DevicesModule } from '../devices/devices.module';
import { IdentityController } from './identity.controller';
import { LoginRateLimiter } from './login-rate-limiter';
import { TokenGrantService } from './token-grant.service';

@Module({
  imports: [AccountsModule, DevicesModule, AuthRequestsModule],
  controllers: [IdentityController],
  providers: [TokenGrantService, LoginRateLimiter, UnauthenticatedRateLimiter, UnauthenticatedRateLimitGuard],
})
export class IdentityModule {}
