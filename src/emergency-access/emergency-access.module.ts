import { Global, Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { EmergencyAccessInvites } from '../accounts/emergency-access-invites';
import { AttachmentStorageModule } from '../attachments/attachment-storage.module';
import { CiphersModule } from '../ciphers/ciphers.module';
import { DevicesModule } from '../devices/devices.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { EmergencyAccessController } from './emergency-access.controller';
import { EmergencyAccessJobs } from './emergency-access.jobs';
import { EmergencyAccessRepository } from './emergency-access.repository';
import { EmergencyAccessService } from './emergency-access.service';
import { EmergencyInviteTokens } from './emergency-invite-tokens';
import { EmergencyRegistrationInvites } from './emergency-registration-invites';

/**
 * Emergency access: the /api/emergency-access routes (EmergencyAccessService), the timeout and reminder jobs. Global
 * for the registration port it provides to accounts (EmergencyAccessInvites), as organizations provide OrgInviteTokens.
 */
@Global()
@Module({
  imports: [AccountsModule, AttachmentStorageModule, DevicesModule, CiphersModule, OrganizationsModule],
  controllers: [EmergencyAccessController],
  providers: [
    EmergencyAccessService, EmergencyAccessRepository, EmergencyInviteTokens, EmergencyAccessJobs, EmergencyRegistrationInvites, { provide: EmergencyAccessInvites, useExisting: EmergencyRegistrationInvites },
  ],
  exports: [EmergencyAccessInvites],
})
export class EmergencyAccessModule {}
