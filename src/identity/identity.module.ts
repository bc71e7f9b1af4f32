import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AuthRequestsModule } from '../auth-requests/auth-requests.module';
import { DevicesModule } from '../devices/devices.module';
import { IdentityController } from './identity.controller';
import { LoginRateLimiter } from './login-rate-limiter';
import { TokenGrantService } from './token-grant.service';

@Module({
  imports: [AccountsModule, DevicesModule, AuthRequestsModule],
  controllers: [IdentityController],
  providers: [TokenGrantService, LoginRateLimiter],
})
export class IdentityModule {}
