import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { UnauthenticatedRateLimiter } from '../common/http/unauthenticated-rate-limiter';
import { AuthRequestPurgeJob } from './auth-request-purge.job';
import { AuthRequestsController } from './auth-requests.controller';
import { AuthRequestsRepository } from './auth-requests.repository';
import { AuthRequestsService } from './auth-requests.service';
import { DecoyAuthRequests } from './decoy-auth-requests';

@Module({
  imports: [AccountsModule],
  controllers: [AuthRequestsController],
  // This module's own UnauthenticatedRateLimiter: its windows count auth requests only.
  providers: [AuthRequestsRepository, AuthRequestsService, DecoyAuthRequests, UnauthenticatedRateLimiter, AuthRequestPurgeJob],
  exports: [AuthRequestsService],
})
export class AuthRequestsModule {}
