import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from './config/app-config';
import { AccountsModule } from './accounts/accounts.module';
import { AuthModule } from './common/auth/auth.module';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './db/database.module';
import { EventBusModule } from './event-bus/event-bus.module';

/** Imports modules only. The hubs are mounted only when ENABLE_WEBSOCKET is on. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        EventBusModule,
        AuthModule,
        AccountsModule,
      ],
    };
  }
}
