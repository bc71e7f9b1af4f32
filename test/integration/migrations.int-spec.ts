import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS } from '../../migrations';
import { loadConfig } from '../../src/config/app-config';
import { createDataSource } from '../../src/db/data-source';
import { runMigrations } from '../../src/db/migrate';

describe('migrations on a real SQLite file', () => {
  const folder = mkdtempSync(join(tmpdir(), 'vault-mig-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('apply on an empty database, revert to zero, apply again; a second run applies nothing', async () => {
    const { config } = loadConfig({ DATA_FOLDER: folder });
    const ds = createDataSource(config);
    await ds.initialize();
    try {
      expect(await runMigrations(ds)).toHaveLength(MIGRATIONS.length);
      const tables = (await ds.query("SELECT name FROM sqlite_master WHERE type = 'table'")) as Array<{ name: string }>;
      expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['users', 'devices', 'folders', 'ciphers', 'folder_ciphers', 'favorites', 'auth_requests']));
      expect((await ds.query('PRAGMA journal_mode')) as unknown).toEqual([{ journal_mode: 'wal' }]);
      expect(await runMigrations(ds)).toEqual([]);
      for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration({ transaction: 'each' });
      const left = (await ds.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('users','ciphers')")) as unknown[];
      expect(left).toEqual([]);
      expect(await runMigrations(ds)).toHaveLength(MIGRATIONS.length);
    } finally {
      await ds.destroy();
    }
  });
});
