import { Module } from '@nestjs/common';
import { AccountRevisionService } from './account-revision.service';
import { AccountsQueryService } from './accounts-query.service';
import { UsersRepository } from './users.repository';

@Module({
  controllers: [],
  providers: [UsersRepository, AccountRevisionService, AccountsQueryService],
  exports: [AccountRevisionService, AccountsQueryService, UsersRepository],
})
export class AccountsModule {}
