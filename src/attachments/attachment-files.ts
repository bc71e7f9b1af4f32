import { Inject, Injectable } from '@nestjs/common';
import { FileStore } from '../common/fs/file-store';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';

/** Attachment ids as they appear in paths: the official 32 `[a-z0-9]` and Vaultwarden's 20 hex both fit; nothing else reaches the disk. */
export const ATTACHMENT_ID = /^[a-z0-9]{1,64}$/;

/** The encrypted bytes of attachments: `ATTACHMENTS_FOLDER/<cipherId>/<attachmentId>`. */
@Injectable()
export class AttachmentFiles extends FileStore {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super(config.attachments.folder, ATTACHMENT_ID);
  }
}
