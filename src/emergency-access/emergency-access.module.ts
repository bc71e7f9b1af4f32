import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { CiphersModule } from '../ciphers/ciphers.module';
import { DevicesModule } from '../devices/devices.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { EmergencyAccessController } from './emergency-access.controller';
import { EmergencyAccessJobs } from './emergency-access.jobs';
import { EmergencyAccessRepository } from './emergency-access.repository';
import { EmergencyAccessService } from './emergency-access.service';
import { EmergencyInviteTokens } from './emergency-invite-tokens';

/** Emergency access: the /api/emergency-access routes (EmergencyAccessService), the timeout and reminder jobs. */
@Module({
  imports: [AccountsModule, DevicesModule, CiphersModule, OrganizationsModule],
  controllers: [EmergencyAccessController],
  providers: [EmergencyAccessService, EmergencyAccessRepository, EmergencyInviteTokens, EmergencyAccessJobs],
})
export class EmergencyAccessModule {}
