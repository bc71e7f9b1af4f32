import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AttachmentStorageModule } from '../attachments/attachment-storage.module';
import { FoldersModule } from '../folders/folders.module';
import { CipherAnnouncer } from './cipher-announcer';
import { CiphersQueryService } from './ciphers-query.service';
import { CiphersController } from './ciphers.controller';
import { CiphersRepository } from './ciphers.repository';
import { CiphersService } from './ciphers.service';
import { OrganizationCiphersService } from './organization-ciphers.service';
import { TrashPurgeJob } from './trash-purge.job';

@Module({
  imports: [AccountsModule, FoldersModule, AttachmentStorageModule],
  controllers: [CiphersController],
  providers: [CiphersRepository, CiphersQueryService, CipherAnnouncer, CiphersService, OrganizationCiphersService, TrashPurgeJob],
  exports: [CiphersQueryService, CipherAnnouncer, OrganizationCiphersService],
})
export class CiphersModule {}
