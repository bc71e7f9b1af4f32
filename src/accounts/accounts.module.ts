import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module';
import { AccountRevisionService } from './account-revision.service';
import { AccountsController } from './accounts.controller';
import { AccountsQueryService } from './accounts-query.service';
import { AccountsService } from './accounts.service';
import { UsersRepository } from './users.repository';

@Module({
  imports: [DevicesModule],
  controllers: [AccountsController],
  providers: [UsersRepository, AccountRevisionService, AccountsQueryService, AccountsService],
  exports: [AccountRevisionService, AccountsQueryService, AccountsService],
})
export class AccountsModule {}
