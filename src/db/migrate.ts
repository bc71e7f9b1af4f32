import { DataSource, QueryRunner } from 'typeorm';
import { getLogger } from '../common/logging/logger';

const log = getLogger('Migrations');

/**
 * Applies pending migrations under a database lock, so replicas starting together do not race
 * (PostgreSQL advisory lock, MySQL GET_LOCK; SQLite has a single writer).
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const type = dataSource.options.type === 'mariadb' ? 'mysql' : dataSource.options.type;
  const runner = dataSource.createQueryRunner();
  try {
    if (type === 'postgres') await runner.query('SELECT pg_advisory_lock(727270001)');
    if (type === 'mysql') await takeMysqlLock(runner);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    for (const migration of applied) log.info({ migration: migration.name }, 'migration.applied');
    return applied.map((m) => m.name);
  } finally {
    if (type === 'postgres') await runner.query('SELECT pg_advisory_unlock(727270001)');
    if (type === 'mysql') await runner.query("SELECT RELEASE_LOCK('vault_migrations')");
    await runner.release();
  }
}

/** GET_LOCK gives up after its timeout (0) while another instance is still migrating: wait on, as pg_advisory_lock does. */
async function takeMysqlLock(runner: QueryRunner): Promise<void> {
  for (;;) {
    const [row] = (await runner.query("SELECT GET_LOCK('vault_migrations', 60) AS locked")) as Array<{ locked: number | string | null }>;
    if (Number(row?.locked) === 1) return;
    if (row?.locked === null || row?.locked === undefined) throw new Error('GET_LOCK(vault_migrations) failed');
    log.info('migration.lock_wait');
  }
}
