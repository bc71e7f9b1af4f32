import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { UnauthenticatedRateLimiter } from '../common/http/unauthenticated-rate-limiter';
import { AuthRequestPurgeJob } from './auth-request-purge.job';
import { AuthRequestsController } from './auth-requests.controller';
import { AuthRequestsRepository } from './auth-requests.repository';
import { AuthRequestsService } from './auth-requests.service';
import { DecoyAuthRequests } from './decoy-auth-requests';
import { OrganizationAuthRequestsController } from './organization-auth-requests.controller';
import { OrganizationAuthRequestsService } from './organization-auth-requests.service';

@Module({
  imports: [AccountsModule],
  controllers: [AuthRequestsController, OrganizationAuthRequestsController],
  // This module's own UnauthenticatedRateLimiter: its windows count auth requests only.
  providers: [
    AuthRequestsRepository, AuthRequestsService, DecoyAuthRequests, UnauthenticatedRateLimiter, AuthRequestPurgeJob, OrganizationAuthRequestsService,
  ],
  exports: [AuthRequestsService],
})
export class AuthRequestsModule {}
