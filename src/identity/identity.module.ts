import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { UnauthenticatedRateLimitGuard } from '../common/http/unauthenticated-rate-limit.guard';
import { UnauthenticatedRateLimiter } from '../common/http/unauthenticated-rate-limiter';
import { AuthRequestsModule } from '../auth-requests/auth-requests.module';
import { DevicesModule } from '../devices/devices.module';
import { SendsModule } from '../sends/sends.module';
import { TwoFactorModule } from '../two-factor/two-factor.module';
import { IdentityController } from './identity.controller';
import { LoginLimitsModule } from './login-limits.module';
import { TokenGrantService } from './token-grant.service';

@Module({
  imports: [AccountsModule, DevicesModule, AuthRequestsModule, LoginLimitsModule, TwoFactorModule, SendsModule],
  controllers: [IdentityController],
  providers: [TokenGrantService, UnauthenticatedRateLimiter, UnauthenticatedRateLimitGuard],
})
export class IdentityModule {}
