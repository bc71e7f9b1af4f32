import { DataSource } from 'typeorm';
import { getLogger } from '../common/logging/logger';

const log = getLogger('Migrations');

/**
 * Applies pending migrations under a database lock, so replicas starting together do not race
 * (PostgreSQL advisory lock, MySQL GET_LOCK; SQLite has a single writer).
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const type = dataSource.options.type;
  const runner = dataSource.createQueryRunner();
  try {
    if (type === 'postgres') await runner.query('SELECT pg_advisory_lock(727270001)');
    if (type === 'mysql') await runner.query("SELECT GET_LOCK('vault_migrations', 60)");
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    for (const migration of applied) log.info({ migration: migration.name }, 'migration.applied');
    return applied.map((m) => m.name);
  } finally {
    if (type === 'postgres') await runner.query('SELECT pg_advisory_unlock(727270001)');
    if (type === 'mysql') await runner.query("SELECT RELEASE_LOCK('vault_migrations')");
    await runner.release();
  }
}
