import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module';
import { AccountRevisionService } from './account-revision.service';
import { AccountsController } from './accounts.controller';
import { AccountsQueryService } from './accounts-query.service';
import { AccountsService } from './accounts.service';
import { UsersRepository } from './users.repository';
import { RevisionDateSource } from '../wire/wire-translator';

@Module({
  imports: [DevicesModule],
  controllers: [AccountsController],
  providers: [
    UsersRepository, AccountRevisionService, AccountsQueryService, AccountsService, { provide: RevisionDateSource, useExisting: AccountRevisionService },
    // TwoFactorStatus (two-factor-status.ts) is provided by the global TwoFactorModule (src/two-factor).
  ],
  exports: [AccountRevisionService, AccountsQueryService, AccountsService, RevisionDateSource],
})
export class AccountsModule {}
