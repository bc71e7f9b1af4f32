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

  it('the users table rebuilt by a migration (password_salt widened) keeps the rows of the tables that reference it', async () => {
    const data = mkdtempSync(join(tmpdir(), 'vault-mig-rebuild-'));
    const { config } = loadConfig({ DATA_FOLDER: data });
    const ds = createDataSource(config);
    await ds.initialize();
    try {
      await runMigrations(ds);
      const now = new Date().toISOString();
      const user = '11111111-1111-4111-8111-111111111111';
      await ds.query(
        `INSERT INTO users (id, email, password_hash, password_salt, password_iterations, kdf_type, kdf_iterations, user_key, security_stamp, api_key, creation_date, updated_date, revision_date)
         VALUES (?, 'a@example.com', 'h', ?, 1, 0, 600000, 'k', 's', 'api', ?, ?, ?)`, [user, 'x'.repeat(88), now, now, now]);
      await ds.query(`INSERT INTO folders (id, user_id, name, creation_date, revision_date) VALUES ('f0000000-0000-4000-8000-000000000000', ?, 'n', ?, ?)`, [user, now, now]);
      await ds.query(`INSERT INTO ciphers (id, user_id, type, name, data, creation_date, revision_date) VALUES ('c0000000-0000-4000-8000-000000000000', ?, 1, 'n', '{}', ?, ?)`, [user, now, now]);
      const counts = async (): Promise<unknown> => ds.query('SELECT (SELECT COUNT(*) FROM users) AS users, (SELECT COUNT(*) FROM folders) AS folders, (SELECT COUNT(*) FROM ciphers) AS ciphers');
      expect(await counts()).toEqual([{ users: 1, folders: 1, ciphers: 1 }]);
      // Reverted (on SQLite the column stays: a rebuild there would cascade) and applied again (the rebuild): the rows
      // of the tables that reference users survive, and so does an 88-character salt (a Vaultwarden import's).
      expect(ds.migrations.at(-1)?.name).toBe('WidenPasswordSalt1796868000000');
      await ds.undoLastMigration({ transaction: 'each' });
      expect(await runMigrations(ds)).toEqual(['WidenPasswordSalt1796868000000']);
      expect(await counts()).toEqual([{ users: 1, folders: 1, ciphers: 1 }]);
      expect(await ds.query('SELECT password_salt FROM users')).toEqual([{ password_salt: 'x'.repeat(88) }]);
      expect(await ds.query('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);
      expect(await ds.query('PRAGMA foreign_key_check')).toEqual([]);
    } finally {
      await ds.destroy();
      rmSync(data, { recursive: true, force: true });
    }
  });
});
