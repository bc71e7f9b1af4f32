import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AuthRequestsController } from './auth-requests.controller';
import { AuthRequestsRepository } from './auth-requests.repository';
import { AuthRequestsService } from './auth-requests.service';

@Module({
  imports: [AccountsModule],
  controllers: [AuthRequestsController],
  providers: [AuthRequestsRepository, AuthRequestsService],
  exports: [AuthRequestsService],
})
export class AuthRequestsModule {}
