import { Global, Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { ProfileOrganizationsSource } from '../accounts/profile-organizations';
import { CollectionsQueryService } from './collections-query.service';
import { OrganizationsQueryService } from './organizations-query.service';
import { OrganizationsController } from './organizations.controller';
import { OrganizationsRepository } from './organizations.repository';
import { OrganizationsService } from './organizations.service';

/** Organizations, memberships, collections and policies. Global for the profile port it provides to accounts. */
@Global()
@Module({
  imports: [AccountsModule],
  controllers: [OrganizationsController],
  providers: [
    OrganizationsRepository, OrganizationsQueryService, OrganizationsService, CollectionsQueryService,
    { provide: ProfileOrganizationsSource, useExisting: OrganizationsQueryService },
  ],
  exports: [OrganizationsQueryService, ProfileOrganizationsSource],
})
export class OrganizationsModule {}
