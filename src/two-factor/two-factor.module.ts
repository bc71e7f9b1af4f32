import { Global, Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { TwoFactorStatus } from '../accounts/two-factor-status';
import { UnauthenticatedRateLimitGuard } from '../common/http/unauthenticated-rate-limit.guard';
import { UnauthenticatedRateLimiter } from '../common/http/unauthenticated-rate-limiter';
import { LoginLimitsModule } from '../identity/login-limits.module';
import { EmailCodes } from './email-codes';
import { IncompleteTwoFactorJob } from './incomplete-two-factor.job';
import { TwoFactorLoginService } from './two-factor-login.service';
import { TwoFactorMail } from './two-factor-mail';
import { TwoFactorStatusService } from './two-factor-status.service';
import { TwoFactorController, TwoFactorPublicController } from './two-factor.controller';
import { TwoFactorSessionsListener } from './two-factor.listener';
import { TwoFactorRepository } from './two-factor.repository';
import { TwoFactorService } from './two-factor.service';
import { UserVerification } from './user-verification';

/**
 * Two-step login: the settings routes, the login step the identity grants call (TwoFactorLoginService), and the
 * TwoFactorStatus port that accounts (the profile) and organizations (policy 0) read. Global for that port.
 */
@Global()
@Module({
  imports: [AccountsModule, LoginLimitsModule],
  controllers: [TwoFactorController, TwoFactorPublicController],
  providers: [
    TwoFactorRepository, TwoFactorService, TwoFactorLoginService, UserVerification, EmailCodes, TwoFactorMail, TwoFactorSessionsListener,
    IncompleteTwoFactorJob, UnauthenticatedRateLimiter, UnauthenticatedRateLimitGuard,
    TwoFactorStatusService, { provide: TwoFactorStatus, useExisting: TwoFactorStatusService },
  ],
  exports: [TwoFactorLoginService, TwoFactorStatus, TwoFactorService],
})
export class TwoFactorModule {}
