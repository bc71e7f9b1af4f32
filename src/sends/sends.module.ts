import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { UnauthenticatedRateLimiter } from '../common/http/unauthenticated-rate-limiter';
import { SendAccessController } from './send-access.controller';
import { SendAccessGuard } from './send-access.guard';
import { SendAccessService } from './send-access.service';
import { SendPurgeJob } from './send-purge.job';
import { SendStorageModule } from './send-storage.module';
import { SendsQueryService } from './sends-query.service';
import { SendsController } from './sends.controller';
import { SendsService } from './sends.service';

/** Sends (docs/sends-plan.md). The anonymous routes are declared first (see SendAccessController). */
@Module({
  imports: [AccountsModule, SendStorageModule],
  controllers: [SendAccessController, SendsController],
  // This module's own UnauthenticatedRateLimiter: its windows count attempts on protected Sends only.
  providers: [SendsService, SendAccessService, SendAccessGuard, SendsQueryService, SendPurgeJob, UnauthenticatedRateLimiter],
  exports: [SendAccessService, SendsQueryService],
})
export class SendsModule {}
