import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { RefreshTokenLastUsed1796659200000 } from '../../migrations/1796659200000-RefreshTokenLastUsed';
import { loadConfig } from '../../src/config/app-config';
import { dataSourceOptions } from '../../src/db/data-source';
import { runMigrations } from '../../src/db/migrate';
import { createPostgresDatabase, describeWithServices } from '../support/services';

/**
 * The migration that adds refresh_token_last_used_at starts the idle window of every refresh token that exists
 * at upgrade time (so an upgrade never ends a session by itself), and leaves devices without one alone.
 */
async function query(ds: DataSource, sql: string, parameters: Record<string, unknown>): Promise<unknown> {
  const [text, values] = ds.driver.escapeQueryWithParameters(sql, parameters);
  return ds.query(text, values);
}

/** A row as the older schema had it, by column name. */
async function insert(ds: DataSource, table: string, row: Record<string, unknown>): Promise<void> {
  const columns = Object.keys(row);
  await query(ds, `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `:${c}`).join(', ')})`, row);
}

async function upgradeKeepsSessions(env: Record<string, string>): Promise<void> {
  const { config } = loadConfig(env);
  const index = MIGRATIONS.indexOf(RefreshTokenLastUsed1796659200000);
  expect(index).toBeGreaterThan(0);
  const before = new DataSource({ ...dataSourceOptions(config), migrations: MIGRATIONS.slice(0, index) });
  await before.initialize();
  const userId = randomUUID();
  const now = '2026-01-01T00:00:00.000000Z';
  try {
    await runMigrations(before);
    await insert(before, 'users', {
      id: userId, email: `${userId}@example.com`, password_hash: 'x', password_salt: 'the-salt', password_iterations: 600000,
      kdf_type: 0, kdf_iterations: 600000, user_key: 'x', security_stamp: randomUUID(), api_key: 'x',
      creation_date: now, updated_date: now, revision_date: now,
    });
    const device = (identifier: string, hash: string | null) => ({
      id: randomUUID(), user_id: userId, identifier, name: 'chrome', type: 9, refresh_token_hash: hash, creation_date: now, revision_date: now,
    });
    await insert(before, 'devices', device('with-token', 'a'.repeat(64)));
    await insert(before, 'devices', device('without-token', null));
  } finally {
    await before.destroy();
  }

  const after = new DataSource(dataSourceOptions(config));
  await after.initialize();
  try {
    const start = Date.now();
    expect(await runMigrations(after)).toContain('RefreshTokenLastUsed1796659200000');
    const rows = (await query(after, 'SELECT identifier, refresh_token_last_used_at FROM devices WHERE user_id = :userId ORDER BY identifier', { userId })) as Array<{ identifier: string; refresh_token_last_used_at: string | null }>;
    expect(rows.map((r) => r.identifier)).toEqual(['with-token', 'without-token']);
    expect(rows[0]!.refresh_token_last_used_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(new Date(rows[0]!.refresh_token_last_used_at!).getTime()).toBeGreaterThanOrEqual(start - 1000);
    expect(rows[1]!.refresh_token_last_used_at).toBeNull();
    // Every later migration kept the account as it was (WidenPasswordSalt once re-created the column on PostgreSQL).
    expect(await query(after, 'SELECT password_salt FROM users WHERE id = :userId', { userId })).toEqual([{ password_salt: 'the-salt' }]);
  } finally {
    await after.destroy();
  }
}

describe('RefreshTokenLastUsed migration', () => {
  it('on SQLite: existing refresh tokens start their idle window at the upgrade', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'vault-refresh-mig-'));
    try {
      await upgradeKeepsSessions({ DATA_FOLDER: folder });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describeWithServices(['TEST_POSTGRES_URL'], 'RefreshTokenLastUsed migration on PostgreSQL', () => {
  it('on PostgreSQL: existing refresh tokens start their idle window at the upgrade', async () => {
    const db = await createPostgresDatabase();
    try {
      await upgradeKeepsSessions({ DATA_FOLDER: '/tmp/unused-vault-pg', DATABASE_URL: db.url });
    } finally {
      await db.drop();
    }
  }, 60_000);
});
