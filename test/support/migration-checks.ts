// TEST CODE ONLY: the migration checks each database server gets (PostgreSQL, MySQL/MariaDB).
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { loadConfig } from '../../src/config/app-config';
import { createDataSource } from '../../src/db/data-source';
import { runMigrations } from '../../src/db/migrate';
import { TestDatabase } from './services';

export interface RoundTrip {
  /** The base tables of the database, as its information_schema lists them. */
  listTables(ds: DataSource): Promise<string[]>;
  /** Tables that must be there after every migration ran. */
  tables: string[];
  /** What to check of the schema the first run made. */
  checkSchema(ds: DataSource): Promise<void>;
  /** What to check of the tables left once every migration is reverted. */
  checkReverted(left: string[]): void;
}

/**
 * On the empty database at `url` (of `type`): every migration up, the schema checked, a second run applying nothing,
 * every migration reverted, and every one up again.
 */
export async function migrateUpDownUp(url: string, type: 'postgres' | 'mysql', dataFolder: string, check: RoundTrip): Promise<void> {
  const { config } = loadConfig({ DATABASE_URL: url, DATA_FOLDER: dataFolder });
  expect(config.database.type).toBe(type);
  const ds = createDataSource(config);
  await ds.initialize();
  try {
    expect(await runMigrations(ds)).toHaveLength(MIGRATIONS.length);
    expect(await check.listTables(ds)).toEqual(expect.arrayContaining(check.tables));
    await check.checkSchema(ds);
    expect(await runMigrations(ds)).toEqual([]);
    for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration({ transaction: 'each' });
    check.checkReverted(await check.listTables(ds));
    expect(await runMigrations(ds)).toHaveLength(MIGRATIONS.length);
    expect(await check.listTables(ds)).toEqual(expect.arrayContaining(check.tables));
  } finally {
    await ds.destroy();
  }
}

/** Two instances migrating a fresh database at once: the server's lock lets exactly one apply each migration. */
export async function migrateConcurrently(createDatabase: () => Promise<TestDatabase>, dataFolder: string): Promise<void> {
  const fresh = await createDatabase();
  const { config } = loadConfig({ DATABASE_URL: fresh.url, DATA_FOLDER: dataFolder });
  const [a, b] = [createDataSource(config), createDataSource(config)];
  try {
    await Promise.all([a.initialize(), b.initialize()]);
    const [ranA, ranB] = await Promise.all([runMigrations(a), runMigrations(b)]);
    expect([...ranA, ...ranB].sort()).toEqual(MIGRATIONS.map((m) => (m as unknown as { name: string }).name).sort());
  } finally {
    await Promise.all([a.destroy(), b.destroy()]);
    await fresh.drop();
  }
}
