import { Global, Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { ProfileOrganizationsSource } from '../accounts/profile-organizations';
import { CollectionsQueryService } from './collections-query.service';
import { CollectionsController } from './collections.controller';
import { CollectionsRepository } from './collections.repository';
import { CollectionsService } from './collections.service';
import { MembersController } from './members.controller';
import { MembersRepository } from './members.repository';
import { MembersService } from './members.service';
import { OrganizationsQueryService } from './organizations-query.service';
import { OrganizationsController } from './organizations.controller';
import { OrganizationsRepository } from './organizations.repository';
import { OrganizationsService } from './organizations.service';

/** Organizations, memberships, collections and policies. Global for the profile port it provides to accounts. */
@Global()
@Module({
  imports: [AccountsModule],
  controllers: [OrganizationsController, MembersController, CollectionsController],
  providers: [
    OrganizationsRepository, OrganizationsQueryService, OrganizationsService, CollectionsQueryService, MembersRepository, MembersService, CollectionsRepository, CollectionsService,
    { provide: ProfileOrganizationsSource, useExisting: OrganizationsQueryService },
  ],
  exports: [OrganizationsQueryService, ProfileOrganizationsSource],
})
export class OrganizationsModule {}
