import { Module } from '@nestjs/common';
import { CiphersModule } from '../ciphers/ciphers.module';
import { AttachmentDownloadController } from './attachment-download.controller';
import { AttachmentStorageModule } from './attachment-storage.module';
import { AttachmentSweepJob } from './attachment-sweep.job';
import { AttachmentsController } from './attachments.controller';
import { AttachmentsService } from './attachments.service';

/** The attachment routes (docs/attachments-plan.md): built on ciphers for access and change announcements. */
@Module({
  imports: [CiphersModule, AttachmentStorageModule],
  controllers: [AttachmentDownloadController, AttachmentsController],
  providers: [AttachmentsService, AttachmentSweepJob],
})
export class AttachmentsModule {}
