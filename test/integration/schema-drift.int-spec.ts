import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/app-config';
import { createDataSource } from '../../src/db/data-source';
import { runMigrations } from '../../src/db/migrate';
import { createPostgresDatabase, describeWithServices } from '../support/services';

/** What `typeorm migration:generate --check` does: after all migrations, the entities need no schema change. */
async function driftAfterMigrations(env: Record<string, string>): Promise<string[]> {
  const ds = createDataSource(loadConfig(env).config);
  await ds.initialize();
  try {
    await runMigrations(ds);
    const log = await ds.driver.createSchemaBuilder().log();
    return log.upQueries.map((q) => q.query);
  } finally {
    await ds.destroy();
  }
}

describe('entities and migrations agree', () => {
  it('on SQLite', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'vault-drift-'));
    try {
      expect(await driftAfterMigrations({ DATA_FOLDER: folder })).toEqual([]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describeWithServices(['TEST_POSTGRES_URL'], 'entities and migrations agree on PostgreSQL', () => {
  it('on PostgreSQL', async () => {
    const db = await createPostgresDatabase();
    try {
      expect(await driftAfterMigrations({ DATA_FOLDER: tmpdir(), DATABASE_URL: db.url })).toEqual([]);
    } finally {
      await db.drop();
    }
  });
});
