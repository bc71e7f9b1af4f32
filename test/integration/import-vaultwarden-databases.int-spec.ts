// The Vaultwarden importer into PostgreSQL and MySQL (MariaDB here): the fixture (test/fixtures/vaultwarden) imported
// in one transaction; every table holds what the import reports, the same counts as an import into SQLite; an
// account logs in with its Vaultwarden master password.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../src/config/app-config';
import { createDataSource } from '../../src/db/data-source';
import { TARGET_TABLES } from '../../src/import/mapped-data';
import { runImport } from '../../src/import/run-import';
import { createTestApp } from '../support/app';
import { createMysqlDatabase, createPostgresDatabase, describeWithServices, TestDatabase } from '../support/services';
import { masterPasswordHash, passwordLogin, pbkdf2MasterKey, TestAccount } from '../support/test-crypto';

jest.setTimeout(120_000);

const FIXTURE = resolve(__dirname, '../fixtures/vaultwarden');
const DOMAIN = 'https://localhost:8910';
const manifest = JSON.parse(readFileSync(join(FIXTURE, 'manifest.json'), 'utf8')) as {
  users: Array<{ email: string; password: string; kdf: { kdfType: number; iterations: number } }>;
};

function copyOfFixture(): string {
  const folder = mkdtempSync(join(tmpdir(), 'vw-source-'));
  cpSync(join(FIXTURE, 'data'), folder, { recursive: true });
  return folder;
}

async function tableCounts(env: Record<string, string>): Promise<Record<string, number>> {
  const dataSource = createDataSource(loadConfig(env).config);
  await dataSource.initialize();
  try {
    const counts: Record<string, number> = {};
    for (const table of TARGET_TABLES) counts[table] = Number(((await dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`)) as Array<{ n: number | string }>)[0]?.n);
    return counts;
  } finally {
    await dataSource.destroy();
  }
}

function importOn(name: string, variable: 'TEST_POSTGRES_URL' | 'TEST_MYSQL_URL', createDatabase: () => Promise<TestDatabase>): void {
  describeWithServices([variable], `Vaultwarden import into ${name}`, () => {
    let db: TestDatabase;
    const folders: string[] = [];
    afterAll(async () => {
      await db?.drop();
      for (const folder of folders) rmSync(folder, { recursive: true, force: true });
    });

    it('writes every row in one transaction: the counts match the report and an import into SQLite; a Vaultwarden password logs in', async () => {
      db = await createDatabase();
      const source = copyOfFixture();
      const sqliteTarget = mkdtempSync(join(tmpdir(), 'vw-import-sqlite-'));
      const target = mkdtempSync(join(tmpdir(), 'vw-import-db-'));
      folders.push(source, sqliteTarget, target);
      const env = { DATA_FOLDER: target, DATABASE_URL: db.url, DOMAIN };

      const summary = await runImport(loadConfig(env).config, { vaultwardenFolder: source });
      const reference = await runImport(loadConfig({ DATA_FOLDER: sqliteTarget, DOMAIN }).config, { vaultwardenFolder: source });
      const counts = await tableCounts(env);
      expect(counts).toEqual(summary.written);
      expect(counts).toEqual(reference.written);
      expect(counts.users).toBe(manifest.users.length);

      const user = manifest.users.find((u) => u.kdf.kdfType === 0);
      if (!user) throw new Error('manifest: no PBKDF2 user');
      const t = await createTestApp(env);
      try {
        const masterKey = pbkdf2MasterKey(user.password, user.email, user.kdf.iterations);
        const login = await passwordLogin(t.baseUrl, { email: user.email, masterPasswordHash: masterPasswordHash(masterKey, user.password) } as TestAccount,
          { type: 8, name: 'linux', clientId: 'desktop', identifier: '0d6f7c1e-9b52-4c43-8a52-0c1f3e7d2a11' });
        expect(login.access_token).toBeTruthy();
      } finally {
        await t.close();
      }
    });
  });
}

importOn('PostgreSQL', 'TEST_POSTGRES_URL', createPostgresDatabase);
importOn('MariaDB', 'TEST_MYSQL_URL', createMysqlDatabase);
