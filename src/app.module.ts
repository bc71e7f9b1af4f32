import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from './config/app-config';
import { AccountsModule } from './accounts/accounts.module';
import { SessionsModule } from './accounts/sessions.module';
import { AuthRequestsModule } from './auth-requests/auth-requests.module';
import { AuthModule } from './common/auth/auth.module';
import { ConfigModule } from './config/config.module';
import { DevicesModule } from './devices/devices.module';
import { IdentityModule } from './identity/identity.module';
import { DatabaseModule } from './db/database.module';
import { EventBusModule } from './event-bus/event-bus.module';
import { NotificationsModule } from './notifications/notifications.module';
import { PushModule } from './push/push.module';
import { MailModule } from './mail/mail.module';
import { FoldersModule } from './folders/folders.module';
import { OrganizationsModule } from './organizations/organizations.module';
import { CiphersModule } from './ciphers/ciphers.module';
import { AttachmentsModule } from './attachments/attachments.module';
import { SendsModule } from './sends/sends.module';
import { AdminModule } from './admin/admin.module';
import { MetricsModule } from './metrics/metrics.module';
import { EmergencyAccessModule } from './emergency-access/emergency-access.module';
import { SettingsModule } from './settings/settings.module';
import { SyncModule } from './sync/sync.module';
import { TwoFactorModule } from './two-factor/two-factor.module';
import { IconsModule } from './icons/icons.module';

/** Imports modules only. The hubs are mounted only when ENABLE_WEBSOCKET is on. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        MetricsModule,
        DatabaseModule,
        EventBusModule,
        MailModule.forRoot(config),
        AuthModule,
        SessionsModule,
        AccountsModule,
        TwoFactorModule,
        DevicesModule,
        IdentityModule,
        AuthRequestsModule,
        FoldersModule,
        OrganizationsModule,
        CiphersModule,
        AttachmentsModule,
        SendsModule,
        AdminModule,
        EmergencyAccessModule,
        SettingsModule,
        SyncModule,
        IconsModule,
        ...(config.hub.enabled ? [NotificationsModule] : []),
        PushModule.forRoot(config),
      ],
    };
  }
}
