import { Module } from '@nestjs/common';
import { AttachmentCleanup } from './attachment-cleanup.service';
import { AttachmentFiles } from './attachment-files';
import { AttachmentLinks } from './attachment-links.service';
import { AttachmentShares } from './attachment-shares.service';
import { AttachmentsRepository } from './attachments.repository';

/**
 * The storage side of attachments, with no dependency on ciphers: what cipher responses list (links), the files,
 * and the cleanup the deleting paths of ciphers, accounts and organizations call. The routes are in
 * AttachmentsModule, which builds on the ciphers module.
 */
@Module({
  providers: [AttachmentsRepository, AttachmentFiles, AttachmentLinks, AttachmentCleanup, AttachmentShares],
  exports: [AttachmentsRepository, AttachmentFiles, AttachmentLinks, AttachmentCleanup, AttachmentShares],
})
export class AttachmentStorageModule {}
