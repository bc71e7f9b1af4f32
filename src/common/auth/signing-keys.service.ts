import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { existsSync, linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.tokens';
import { ensureOwnerOnlyFolder, OWNER_ONLY_FILE, restrictMode } from '../fs/owner-only';
import { getLogger } from '../logging/logger';

const log = getLogger('SigningKeys');

/**
 * The RS256 key pair for access tokens: generated on first start, kept in DATA_FOLDER (rsa_key.pem, mode 0600).
 * Held as parsed key objects: handing the PEM text to every sign or verify parsed it again each time, which
 * was a tenth of the server's CPU under write load (every request and hub connection verifies a token).
 */
@Injectable()
export class SigningKeysService implements OnModuleInit {
  privateKey!: KeyObject;
  publicKey!: KeyObject;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  onModuleInit(): void {
    const path = join(this.config.dataFolder, 'rsa_key.pem');
    ensureOwnerOnlyFolder(this.config.dataFolder);
    if (!existsSync(path)) {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
      // Written aside, then linked into place: instances starting together on a shared DATA_FOLDER all end up
      // with the key of whichever linked first, never with a half-written file or with different keys.
      const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
      writeFileSync(temporary, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: OWNER_ONLY_FILE });
      try {
        linkSync(temporary, path);
        log.info({ file: path }, 'signing_key.generated');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      } finally {
        unlinkSync(temporary);
      }
    }
    // A key copied in by hand (scale-out) or left 0644 by an older version is made owner-only.
    restrictMode(path, OWNER_ONLY_FILE);
    this.privateKey = createPrivateKey(readFileSync(path, 'utf8'));
    this.publicKey = createPublicKey(this.privateKey);
  }
}
