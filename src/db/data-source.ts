import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { AppConfig } from '../config/app-config';
import { ensureOwnerOnlyFile, ensureOwnerOnlyFolder, OWNER_ONLY_FILE, OWNER_ONLY_FOLDER, restrictMode } from '../common/fs/owner-only';
import { ENTITIES } from './entities';
import { SnakeNamingStrategy } from './naming';

/** The one DataSource definition, used by the application, the tests and the migration scripts. */
export function dataSourceOptions(config: AppConfig): DataSourceOptions {
  const common = { entities: ENTITIES, migrations: MIGRATIONS, synchronize: false, migrationsRun: false, namingStrategy: new SnakeNamingStrategy(), logging: false } as const;
  const db = config.database;
  if (db.type === 'postgres') return { ...common, type: 'postgres', url: db.url ?? undefined };
  if (db.type === 'mysql') return { ...common, type: 'mysql', url: db.url ?? undefined, timezone: 'Z', charset: 'utf8mb4' };
  const path = db.sqlitePath ?? `${config.dataFolder}/db.sqlite3`;
  protectSqliteFiles(path, config.dataFolder);
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

/**
 * The SQLite file is created 0600 before SQLite opens it (its -wal, -shm and -journal files then get the same
 * mode from SQLite), and existing ones are made 0600. Its folder is created 0700; an existing folder is only
 * changed when it is DATA_FOLDER (a file elsewhere may sit in a folder that is not ours).
 */
function protectSqliteFiles(path: string, dataFolder: string): void {
  const folder = dirname(path);
  if (resolve(folder) === resolve(dataFolder)) ensureOwnerOnlyFolder(folder);
  else mkdirSync(folder, { recursive: true, mode: OWNER_ONLY_FOLDER });
  ensureOwnerOnlyFile(path);
  for (const suffix of ['-wal', '-shm', '-journal']) restrictMode(`${path}${suffix}`, OWNER_ONLY_FILE);
}

export function createDataSource(config: AppConfig): DataSource {
  return withMysqlLongText(new DataSource(dataSourceOptions(config)));
}

/**
 * MySQL's TEXT holds 64 KB, where PostgreSQL's text and SQLite's TEXT have no such bound, and cipher data, custom
 * fields and password history may be larger (up to the request limit). On MySQL (and MariaDB) every `text` column
 * is therefore LONGTEXT: in the DDL of the migrations (schema API) and in the entities' metadata, so that the two
 * still agree. Other drivers are left as they are. Applied by createDataSource; exported for tests that build
 * their own DataSource.
 */
export function withMysqlLongText(dataSource: DataSource): DataSource {
  const type = dataSource.options.type;
  if (type !== 'mysql' && type !== 'mariadb') return dataSource;
  const driver = dataSource.driver;
  const normalizeType = driver.normalizeType.bind(driver);
  const createFullType = driver.createFullType.bind(driver);
  const longText = <T extends { type?: unknown }>(column: T): T => (column.type === 'text' ? { ...column, type: 'longtext' } : column);
  driver.normalizeType = (column) => normalizeType(longText(column));
  driver.createFullType = (column) => createFullType(longText(column));
  return dataSource;
}
