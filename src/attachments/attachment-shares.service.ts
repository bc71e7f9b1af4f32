import { Injectable } from '@nestjs/common';
import { Tx } from '../db/unit-of-work';
import { AttachmentFiles } from './attachment-files';
import { AttachmentsRepository } from './attachments.repository';

/**
 * The second half of sharing an old attachment (one without a key) into an organization: the client first stages
 * a copy re-encrypted with the organization key (POST …/attachment/{id}/share); the share of the cipher then
 * swaps every staged copy in, keeping the attachment ids, in the same transaction. A share that fails leaves the
 * attachments as they were, the staged copies waiting for the next attempt.
 */
@Injectable()
export class AttachmentShares {
  constructor(private readonly repo: AttachmentsRepository, private readonly files: AttachmentFiles) {}

  async apply(tx: Tx, cipherIds: string[]): Promise<void> {
    if (cipherIds.length === 0) return;
    for (const row of await this.repo.staged(tx.manager, cipherIds)) {
      await this.repo.applyStaged(tx.manager, row);
      // Last, so a failure before it rolls the metadata back with the file untouched.
      await this.files.promoteStaged(row.cipherId, row.id);
    }
  }
}
