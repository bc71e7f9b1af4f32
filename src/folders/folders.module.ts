import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { FoldersQueryService } from './folders-query.service';
import { FoldersController } from './folders.controller';
import { FoldersRepository } from './folders.repository';
import { FoldersService } from './folders.service';

@Module({
  imports: [AccountsModule],
  controllers: [FoldersController],
  providers: [FoldersRepository, FoldersQueryService, FoldersService],
  exports: [FoldersQueryService, FoldersService],
})
export class FoldersModule {}
