import { Injectable } from '@nestjs/common';
import { Tx } from '../db/unit-of-work';
import { SendFiles } from './send-files';
import { SendsRepository } from './sends.repository';

/**
 * Send files go with their Sends. The rows go by foreign-key cascade (account deletion) or by the caller; the
 * folders are removed once the transaction has committed (never when it rolls back). A removal that fails is
 * logged; the Send purge's sweep removes what is left.
 */
@Injectable()
export class SendCleanup {
  constructor(private readonly repo: SendsRepository, private readonly files: SendFiles) {}

  async forUser(tx: Tx, userId: string): Promise<void> {
    this.afterCommit(tx, await this.repo.fileSendIdsOfUser(tx.manager, userId));
  }

  afterCommit(tx: Tx, sendIds: string[]): void {
    if (sendIds.length > 0) tx.afterCommit(() => this.files.removeOwners(sendIds));
  }
}
