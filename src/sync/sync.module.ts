import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { CiphersModule } from '../ciphers/ciphers.module';
import { SendsModule } from '../sends/sends.module';
import { FoldersModule } from '../folders/folders.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { SettingsModule } from '../settings/settings.module';
import { SyncController } from './sync.controller';
import { SyncService } from './sync.service';

@Module({
  imports: [AccountsModule, FoldersModule, CiphersModule, SettingsModule, OrganizationsModule, SendsModule],
  controllers: [SyncController],
  providers: [SyncService],
})
export class SyncModule {}
