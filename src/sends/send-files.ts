import { Inject, Injectable } from '@nestjs/common';
import { FileStore } from '../common/fs/file-store';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';

/** Send file ids as they appear in paths: 32 letters and digits here and in Vaultwarden; nothing else reaches the disk. */
export const SEND_FILE_ID = /^[A-Za-z0-9]{1,64}$/;

/** The encrypted bytes of file Sends: `SENDS_FOLDER/<sendId>/<fileId>` (Vaultwarden's layout). */
@Injectable()
export class SendFiles extends FileStore {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super(config.sends.folder, SEND_FILE_ID);
  }
}
