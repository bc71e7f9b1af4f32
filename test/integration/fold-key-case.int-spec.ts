import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { FOLD_SHAPES, foldKeyCase, FoldCipherKeyCase1796601600000 } from '../../migrations/1796601600000-FoldCipherKeyCase';
import { loadConfig } from '../../src/config/app-config';
import { createDataSource } from '../../src/db/data-source';
import { runMigrations } from '../../src/db/migrate';
import { createPostgresDatabase, describeWithServices } from '../support/services';

const LOGIN = FOLD_SHAPES.types[1]!;

describe('foldKeyCase: the repair rule of the FoldCipherKeyCase migration', () => {
  it('the non-empty spelling wins and is stored in camelCase', () => {
    expect(foldKeyCase({ username: null, Username: '2.u', password: '', Password: '2.p', totp: null }, LOGIN))
      .toEqual({ username: '2.u', password: '2.p', totp: null });
  });

  it('when both are non-empty the camelCase one wins; when neither is, the camelCase one is kept', () => {
    expect(foldKeyCase({ Username: '2.second', username: '2.first' }, LOGIN)).toEqual({ username: '2.first' });
    expect(foldKeyCase({ Totp: null, totp: '' }, LOGIN)).toEqual({ totp: '' });
    // Neither is camelCase: the first non-empty in stored order.
    expect(foldKeyCase({ USERNAME: '2.a', Username: '2.b' }, LOGIN)).toEqual({ username: '2.a' });
  });

  it('folds nested URIs and FIDO2 credentials, known names in any case, unknown keys first letter lower-cased', () => {
    expect(foldKeyCase({
      uris: null,
      Uris: [{ uri: null, Uri: '2.x', Match: 3, uriChecksum: null }],
      Fido2Credentials: [{ CredentialId: '2.c', RPID: '2.r' }],
      NewField: 1,
    }, LOGIN)).toEqual({
      uris: [{ uri: '2.x', match: 3, uriChecksum: null }],
      fido2Credentials: [{ credentialId: '2.c', rpId: '2.r' }],
      newField: 1,
    });
    expect(foldKeyCase({ SSN: '2.s', ssn: null }, FOLD_SHAPES.types[4]!)).toEqual({ ssn: '2.s' });
  });

  it('fields and password history entries', () => {
    expect(foldKeyCase([{ LastUsedDate: '2026-01-01T00:00:00.000Z', Password: '2.p', password: null }], FOLD_SHAPES.passwordHistory))
      .toEqual([{ lastUsedDate: '2026-01-01T00:00:00.000Z', password: '2.p' }]);
    expect(foldKeyCase([{ Type: 1, Name: '2.n', Value: '2.v', LinkedId: null }], FOLD_SHAPES.field)).toEqual([{ type: 1, name: '2.n', value: '2.v', linkedId: null }]);
  });
});

const NOW = '2026-12-01T00:00:00.000000Z';

interface Row { id: string; type: number; data: string; fields: string | null; passwordHistory: string | null }

const ROWS: Row[] = [
  // As rbw's add left it: capitalised values beside empty camelCase keys.
  {
    id: '00000000-0000-4000-8000-000000000001',
    type: 1,
    data: JSON.stringify({ username: null, password: null, totp: null, uris: null, Username: '2.u', Password: '2.p', Totp: null, Uris: [{ Uri: '2.x', Match: null }] }),
    fields: JSON.stringify([{ type: 0, name: '2.n', value: '2.v', linkedId: null }]),
    passwordHistory: JSON.stringify([{ LastUsedDate: '2026-01-01T00:00:00.000Z', Password: '2.old' }]),
  },
  // Already clean: must not be rewritten.
  { id: '00000000-0000-4000-8000-000000000002', type: 3, data: JSON.stringify({ cardholderName: '2.c', code: null }), fields: null, passwordHistory: null },
  // Not JSON (never written by this server): left alone rather than lost.
  { id: '00000000-0000-4000-8000-000000000003', type: 2, data: 'not json', fields: null, passwordHistory: null },
];

/** Runs every migration before the fold, inserts the rows, runs the fold (and later ones), returns the rows as stored after it. */
async function foldOn(ds: DataSource): Promise<Row[]> {
  const fold = MIGRATIONS.indexOf(FoldCipherKeyCase1796601600000);
  const fromFold = MIGRATIONS.slice(fold).map((m) => new m().name);
  await runMigrations(ds);
  for (let i = fold; i < MIGRATIONS.length; i++) await ds.undoLastMigration({ transaction: 'each' });
  for (const row of ROWS) {
    const [sql, params] = ds.driver.escapeQueryWithParameters(
      'INSERT INTO ciphers (id, user_id, organization_id, type, name, notes, key, reprompt, data, fields, password_history, creation_date, revision_date) ' +
      'VALUES (:id, NULL, NULL, :type, :name, NULL, NULL, 0, :data, :fields, :history, :now, :now)',
      { id: row.id, type: row.type, name: '2.name', data: row.data, fields: row.fields, history: row.passwordHistory, now: NOW });
    await ds.query(sql, params);
  }
  expect(await runMigrations(ds)).toEqual(fromFold);
  expect(fromFold[0]).toBe('FoldCipherKeyCase1796601600000');
  const stored = (await ds.query('SELECT id, type, data, fields, password_history FROM ciphers ORDER BY id')) as Array<Record<string, unknown>>;
  return stored.map((r) => ({ id: String(r.id), type: Number(r.type), data: String(r.data), fields: (r.fields as string | null) ?? null, passwordHistory: (r.password_history as string | null) ?? null }));
}

function expectRepaired(rows: Row[]): void {
  expect(JSON.parse(rows[0]!.data)).toEqual({ username: '2.u', password: '2.p', totp: null, uris: [{ uri: '2.x', match: null }] });
  expect(JSON.parse(rows[0]!.passwordHistory!)).toEqual([{ lastUsedDate: '2026-01-01T00:00:00.000Z', password: '2.old' }]);
  expect(rows[0]!.fields).toBe(ROWS[0]!.fields);
  expect(rows[1]).toEqual(ROWS[1]);
  expect(rows[2]).toEqual(ROWS[2]);
}

describe('FoldCipherKeyCase on a real SQLite file', () => {
  const folder = mkdtempSync(join(tmpdir(), 'vault-fold-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('repairs duplicate spellings, leaves clean and unreadable rows as they were', async () => {
    const ds = createDataSource(loadConfig({ DATA_FOLDER: folder }).config);
    await ds.initialize();
    try {
      expectRepaired(await foldOn(ds));
    } finally {
      await ds.destroy();
    }
  });
});

describeWithServices(['TEST_POSTGRES_URL'], 'FoldCipherKeyCase on PostgreSQL', () => {
  it('repairs duplicate spellings, leaves clean and unreadable rows as they were', async () => {
    const db = await createPostgresDatabase();
    const ds = createDataSource(loadConfig({ DATABASE_URL: db.url, DATA_FOLDER: '/tmp/unused-vault-pg' }).config);
    await ds.initialize();
    try {
      expectRepaired(await foldOn(ds));
    } finally {
      await ds.destroy();
      await db.drop();
    }
  }, 60_000);
});
