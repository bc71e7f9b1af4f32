import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { AppConfig } from '../config/app-config';
import { ENTITIES } from './entities';
import { SnakeNamingStrategy } from './naming';

/** The one DataSource definition, used by the application, the tests and the migration scripts. */
export function dataSourceOptions(config: AppConfig): DataSourceOptions {
  const common = { entities: ENTITIES, migrations: MIGRATIONS, synchronize: false, migrationsRun: false, namingStrategy: new SnakeNamingStrategy(), logging: false } as const;
  const db = config.database;
  if (db.type === 'postgres') return { ...common, type: 'postgres', url: db.url ?? undefined };
  if (db.type === 'mysql') return { ...common, type: 'mysql', url: db.url ?? undefined, timezone: 'Z', charset: 'utf8mb4' };
  const path = db.sqlitePath ?? `${config.dataFolder}/db.sqlite3`;
  mkdirSync(dirname(path), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: path,
    timeout: db.busyTimeoutMs,
    prepareDatabase: (database: { pragma: (source: string) => unknown }) => {
      database.pragma('journal_mode = WAL');
      database.pragma(`busy_timeout = ${db.busyTimeoutMs}`);
      database.pragma('foreign_keys = ON');
      database.pragma('synchronous = NORMAL');
    },
  };
}

export function createDataSource(config: AppConfig): DataSource {
  return new DataSource(dataSourceOptions(config));
}
