import { Inject, Injectable, Optional } from '@nestjs/common';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { DoctorReport, formatReport, runDoctor } from '../doctor/doctor';
import { join } from 'node:path';
import { Clock } from '../common/time/clock';
import { LiveSockets } from '../common/live-sockets';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { SERVER_NAME, SERVER_VERSION } from '../config/server-info';
import { UnitOfWork } from '../db/unit-of-work';
import { MailService } from '../mail/mail.service';
import { PushState } from '../common/push-state';

/** The facts the diagnostics page shows: versions, database kind and size, time, which parts are on. */
@Injectable()
export class AdminDiagnosticsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly uow: UnitOfWork,
    private readonly mail: MailService,
    @Optional() private readonly push?: PushState,
    @Optional() private readonly sockets?: LiveSockets,
  ) {}

  /** The test mail button (Vaultwarden's /admin/test/smtp): queued like every mail, sent by the mail worker. */
  async sendTestMail(to: string): Promise<void> {
    if (!this.config.mail.enabled) throw new VaultError(ErrorCode.BadRequest, 'Mail is not configured (SMTP_HOST and SMTP_FROM, or USE_SENDMAIL).');
    if (!/^[^\s@<>]+@[^\s@<>]+$/.test(to) || to.length > 254) throw new VaultError(ErrorCode.BadRequest, 'That is not an email address.');
    await this.uow.run((tx) => this.mail.enqueue(tx, { template: 'admin-test', to, params: {} }));
  }

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
      ...(await this.pushFacts()),
      adminTokenKind: this.config.admin.disableToken ? 'disabled (DISABLE_ADMIN_TOKEN)' : this.config.adminToken?.startsWith('$argon2') ? 'Argon2 PHC' : 'plain text',
    };
  }

  /**
   * The WebSocket doctor, run from the server against its own DOMAIN: through the reverse proxy in front of it, the
   * same hops the CLI doctor checks (/alive, /api/config, the anonymous hub's upgrade, handshake and first Ping).
   */
  async doctor(): Promise<{ report: DoctorReport; text: string }> {
    const ca = this.config.tls ? [readFileSync(this.config.tls.certPath, 'utf8')] : undefined;
    const report = await runDoctor({ url: this.config.publicUrl, ca, pingTimeoutMs: this.config.hub.pingIntervalMs + 5_000 });
    return { report, text: formatReport(report) };
  }

  private async pushFacts(): Promise<Record<string, string | number | boolean | null>> {
    if (!this.push || !this.config.push.enabled) return { pushRelay: false };
    return this.push.describe();
  }
}
