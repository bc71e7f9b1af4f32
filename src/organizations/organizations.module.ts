import { Global, Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AttachmentStorageModule } from '../attachments/attachment-storage.module';
import { MasterPasswordPolicySource } from '../accounts/master-password-policy';
import { OrgInviteTokens } from '../accounts/org-invite-tokens';
import { ProfileOrganizationsSource } from '../accounts/profile-organizations';
import { CollectionsQueryService } from './collections-query.service';
import { CollectionsController } from './collections.controller';
import { CollectionsRepository } from './collections.repository';
import { CollectionsService } from './collections.service';
import { GroupsController } from './groups.controller';
import { GroupsRepository } from './groups.repository';
import { GroupsService } from './groups.service';
import { InvitationsService } from './invitations.service';
import { InviteTokenService } from './invite-token.service';
import { MembersController } from './members.controller';
import { MembersRepository } from './members.repository';
import { MembersService } from './members.service';
import { OrganizationsQueryService } from './organizations-query.service';
import { OrganizationBillingController } from './organization-billing.controller';
import { OrganizationBillingService } from './organization-billing.service';
import { OrganizationsController } from './organizations.controller';
import { OrganizationsRepository } from './organizations.repository';
import { OrganizationsService } from './organizations.service';
import { AccountRecoveryController } from './account-recovery.controller';
import { AccountRecoveryService } from './account-recovery.service';
import { InviteTokenVerifier } from './invite-token-verifier';
import { PoliciesQueryService } from './policies-query.service';
import { PoliciesController } from './policies.controller';
import { PoliciesRepository } from './policies.repository';
import { PoliciesService } from './policies.service';
import { TwoFactorPolicyListener } from './two-factor-policy.listener';

/** Organizations, memberships, collections, groups and policies. Global for the profile port it provides to accounts. */
@Global()
@Module({
  imports: [AccountsModule, AttachmentStorageModule],
  controllers: [OrganizationsController, MembersController, CollectionsController, GroupsController, OrganizationBillingController,
    PoliciesController, AccountRecoveryController],
  providers: [
    OrganizationsRepository, OrganizationsQueryService, OrganizationsService, CollectionsQueryService, MembersRepository, MembersService, CollectionsRepository, CollectionsService,
    GroupsRepository, GroupsService, OrganizationBillingService,
    { provide: ProfileOrganizationsSource, useExisting: OrganizationsQueryService },
    InviteTokenService, InvitationsService, { provide: OrgInviteTokens, useExisting: InviteTokenService },
    PoliciesRepository, PoliciesQueryService, PoliciesService, AccountRecoveryService, TwoFactorPolicyListener,
    { provide: MasterPasswordPolicySource, useExisting: PoliciesQueryService },
    // Invitation tokens (invite-token.service.ts) are what the policies check.
    { provide: InviteTokenVerifier, useExisting: InviteTokenService },
  ],
  exports: [OrganizationsService, OrganizationsQueryService, ProfileOrganizationsSource, PoliciesQueryService, InviteTokenService, OrgInviteTokens, MasterPasswordPolicySource],
})
export class OrganizationsModule {}
