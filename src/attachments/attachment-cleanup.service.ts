import { Injectable } from '@nestjs/common';
import { Tx } from '../db/unit-of-work';
import { AttachmentFiles } from './attachment-files';
import { AttachmentsRepository } from './attachments.repository';

/**
 * Files go with their ciphers. Every path that deletes ciphers (hard delete, bulk, purge, trash purge, account and
 * organization deletion) calls one of these before its rows go: the rows follow by foreign-key cascade in the same
 * transaction, the cipher folders are removed once it has committed (never when it rolls back). A removal that
 * fails is logged; the attachment sweep removes what is left.
 */
@Injectable()
export class AttachmentCleanup {
  constructor(private readonly repo: AttachmentsRepository, private readonly files: AttachmentFiles) {}

  async forCiphers(tx: Tx, cipherIds: string[]): Promise<void> {
    if (cipherIds.length === 0) return;
    this.removeAfterCommit(tx, await this.repo.withAttachments(tx.manager, cipherIds));
  }

  async forUser(tx: Tx, userId: string): Promise<void> {
    this.removeAfterCommit(tx, await this.repo.ofUser(tx.manager, userId));
  }

  async forOrganization(tx: Tx, organizationId: string): Promise<void> {
    this.removeAfterCommit(tx, await this.repo.ofOrganization(tx.manager, organizationId));
  }

  private removeAfterCommit(tx: Tx, cipherIds: string[]): void {
    if (cipherIds.length > 0) tx.afterCommit(() => this.files.removeOwners(cipherIds));
  }
}
