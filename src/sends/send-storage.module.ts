import { Module } from '@nestjs/common';
import { SendCleanup } from './send-cleanup.service';
import { SendFiles } from './send-files';
import { SendsRepository } from './sends.repository';

/** The storage side of Sends, with no dependency on accounts: account deletion removes Send files through it. */
@Module({
  providers: [SendsRepository, SendFiles, SendCleanup],
  exports: [SendsRepository, SendFiles, SendCleanup],
})
export class SendStorageModule {}
