import { Module } from '@nestjs/common';
import { AttachmentStorageModule } from '../attachments/attachment-storage.module';
import { SendStorageModule } from '../sends/send-storage.module';
import { DevicesModule } from '../devices/devices.module';
import { AccountRevisionService } from './account-revision.service';
import { AccountMailService } from './account-mail.service';
import { AccountsController, AccountsPublicController } from './accounts.controller';
import { UnauthenticatedRateLimitGuard } from '../common/http/unauthenticated-rate-limit.guard';
import { UnauthenticatedRateLimiter } from '../common/http/unauthenticated-rate-limiter';
import { AccountsQueryService } from './accounts-query.service';
import { AccountsService } from './accounts.service';
import { AccountRecoveryService } from './account-recovery.service';
import { UsersRepository } from './users.repository';
import { UserInvitationsRepository } from './user-invitations.repository';
import { RevisionDateSource } from '../wire/wire-translator';
import { KeyManagementController } from './key-management.controller';
import { KdfService } from './kdf.service';
import { KeyRotationService } from './key-rotation.service';
import { KeyRotationRepository } from './key-rotation.repository';

@Module({
  imports: [DevicesModule, AttachmentStorageModule, SendStorageModule],
  controllers: [AccountsController, AccountsPublicController, KeyManagementController],
  providers: [
    UsersRepository, UserInvitationsRepository, AccountRevisionService, AccountsQueryService, AccountsService, AccountRecoveryService, AccountMailService, UnauthenticatedRateLimiter, UnauthenticatedRateLimitGuard, { provide: RevisionDateSource, useExisting: AccountRevisionService },
    KdfService, KeyRotationService, KeyRotationRepository,
    // TwoFactorStatus (two-factor-status.ts) is provided by the global TwoFactorModule (src/two-factor).
  ],
  exports: [AccountRevisionService, AccountsQueryService, AccountsService, AccountMailService, RevisionDateSource],
})
export class AccountsModule {}
