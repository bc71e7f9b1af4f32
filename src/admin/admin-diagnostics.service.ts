import { Inject, Injectable, Optional } from '@nestjs/common';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Clock } from '../common/time/clock';
import { LiveSockets } from '../common/live-sockets';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { SERVER_NAME, SERVER_VERSION } from '../config/server-info';

/** The facts the diagnostics page shows: versions, database kind and size, time, which parts are on. */
@Injectable()
export class AdminDiagnosticsService {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig, private readonly clock: Clock, @Optional() private readonly sockets?: LiveSockets) {}

  async facts(): Promise<Record<string, string | number | boolean | null>> {
    const sqlite = this.config.database.sqlitePath;
    return {
      server: `${SERVER_NAME} ${SERVER_VERSION}`,
      node: process.version,
      serverTime: this.clock.now().toISOString(),
      domain: this.config.publicUrl,
      database: this.config.database.type,
      databaseSizeBytes: sqlite && existsSync(sqlite) ? statSync(sqlite).size : null,
      webVault: this.config.webVault.enabled && existsSync(join(this.config.webVault.folder, 'index.html')),
      websocketHub: this.sockets !== undefined,
      pushRelay: this.config.push.enabled,
      mail: this.config.mail.enabled,
      attachmentsFolder: this.config.attachments.folder,
      sendsFolder: this.config.sends.folder,
      adminTokenKind: this.config.admin.disableToken ? 'disabled (DISABLE_ADMIN_TOKEN)' : this.config.adminToken?.startsWith('$argon2') ? 'Argon2 PHC' : 'plain text',
    };
  }
}
