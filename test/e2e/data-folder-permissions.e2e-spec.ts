import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp } from '../support/app';
import { createPbkdf2User } from '../support/test-crypto';

const modeOf = (path: string): number => statSync(path).mode & 0o777;
const posix = process.platform === 'win32' ? describe.skip : describe;

/** DATA_FOLDER holds the database and the token signing key: nobody but the server's user may read them. */
posix('DATA_FOLDER permissions', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'vault-perm-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('a fresh DATA_FOLDER is created 0700; database (with -wal and -shm) and signing key 0600', async () => {
    const dataFolder = join(root, 'new', 'data');
    const t = await createTestApp({ DATA_FOLDER: dataFolder });
    try {
      // A write, so the WAL files certainly exist while the server runs.
      await createPbkdf2User(t.baseUrl, `perm-${randomUUID()}@example.com`, 'pw', 5_000);
      expect(modeOf(dataFolder)).toBe(0o700);
      expect(modeOf(join(root, 'new'))).toBe(0o700);
      for (const file of ['db.sqlite3', 'db.sqlite3-wal', 'db.sqlite3-shm', 'rsa_key.pem']) {
        expect([file, existsSync(join(dataFolder, file))]).toEqual([file, true]);
        expect([file, modeOf(join(dataFolder, file)).toString(8)]).toEqual([file, '600']);
      }
    } finally {
      await t.close();
    }
  }, 60_000);

  it('an existing DATA_FOLDER and files with looser modes are made owner-only at start-up', async () => {
    const dataFolder = join(root, 'data');
    const first = await createTestApp({ DATA_FOLDER: dataFolder });
    await first.close();
    // As an older version (or an operator) left them, while another process holds the database open in WAL mode.
    const other = new Database(join(dataFolder, 'db.sqlite3'));
    try {
      other.pragma('journal_mode = WAL');
      other.prepare('SELECT count(*) FROM users').get();
      const files = ['db.sqlite3', 'db.sqlite3-wal', 'db.sqlite3-shm', 'rsa_key.pem'].map((f) => join(dataFolder, f));
      chmodSync(dataFolder, 0o755);
      for (const file of files) chmodSync(file, 0o644);
      expect(files.map(modeOf)).toEqual([0o644, 0o644, 0o644, 0o644]);

      const second = await createTestApp({ DATA_FOLDER: dataFolder });
      try {
        expect(modeOf(dataFolder)).toBe(0o700);
        expect(files.map((f) => modeOf(f).toString(8))).toEqual(['600', '600', '600', '600']);
      } finally {
        await second.close();
      }
    } finally {
      other.close();
    }
  }, 60_000);

  it('an existing DATA_FOLDER made by hand (0777) is made 0700, and what the server creates in it 0600', async () => {
    const dataFolder = join(root, 'by-hand');
    mkdirSync(dataFolder);
    chmodSync(dataFolder, 0o777);
    const t = await createTestApp({ DATA_FOLDER: dataFolder });
    try {
      expect(modeOf(dataFolder)).toBe(0o700);
      expect(modeOf(join(dataFolder, 'db.sqlite3'))).toBe(0o600);
      expect(modeOf(join(dataFolder, 'rsa_key.pem'))).toBe(0o600);
    } finally {
      await t.close();
    }
  }, 60_000);
});
