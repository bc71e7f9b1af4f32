import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { DomainsQueryService } from './domains-query.service';
import { SettingsController } from './settings.controller';
import { SettingsRepository } from './settings.repository';
import { SettingsService } from './settings.service';

@Module({
  imports: [AccountsModule],
  controllers: [SettingsController],
  providers: [SettingsRepository, DomainsQueryService, SettingsService],
  exports: [DomainsQueryService],
})
export class SettingsModule {}
