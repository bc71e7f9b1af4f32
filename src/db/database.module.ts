import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { Clock } from '../common/time/clock';
import { createDataSource } from './data-source';
import { runMigrations } from './migrate';
import { DATA_SOURCE, UnitOfWork } from './unit-of-work';

@Global()
@Module({
  providers: [
    {
      provide: DATA_SOURCE,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig): Promise<DataSource> => {
        const dataSource = createDataSource(config);
        await dataSource.initialize();
        if (config.database.migrateOnStart) await runMigrations(dataSource);
        return dataSource;
      },
    },
    UnitOfWork,
    Clock,
  ],
  exports: [DATA_SOURCE, UnitOfWork, Clock],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource, private readonly uow: UnitOfWork) {}

  async onApplicationShutdown(): Promise<void> {
    await this.uow.drain();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
