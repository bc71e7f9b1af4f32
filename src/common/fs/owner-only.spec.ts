import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureOwnerOnlyFile, ensureOwnerOnlyFolder, restrictMode } from './owner-only';

const modeOf = (path: string): number => statSync(path).mode & 0o7777;
const posix = process.platform === 'win32' ? describe.skip : describe;

posix('owner-only files and folders', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'vault-owner-only-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('a missing folder is created 0700, missing parents included', () => {
    const folder = join(root, 'a', 'b');
    ensureOwnerOnlyFolder(folder);
    expect(modeOf(folder)).toBe(0o700);
    expect(modeOf(join(root, 'a'))).toBe(0o700);
  });

  it('an existing 0755 folder becomes 0700', () => {
    const folder = join(root, 'data');
    mkdirSync(folder, { mode: 0o755 });
    chmodSync(folder, 0o755);
    ensureOwnerOnlyFolder(folder);
    expect(modeOf(folder)).toBe(0o700);
  });

  it('a shared folder (sticky bit, like /tmp) is left alone', () => {
    const folder = join(root, 'shared');
    mkdirSync(folder);
    chmodSync(folder, 0o1777);
    ensureOwnerOnlyFolder(folder);
    expect(modeOf(folder)).toBe(0o1777);
  });

  it('a missing file is created empty 0600; an existing 0644 one becomes 0600 with its content kept', () => {
    const created = join(root, 'new.sqlite3');
    ensureOwnerOnlyFile(created);
    expect(modeOf(created)).toBe(0o600);
    expect(statSync(created).size).toBe(0);
    const existing = join(root, 'old.sqlite3');
    writeFileSync(existing, 'content', { mode: 0o644 });
    chmodSync(existing, 0o644);
    ensureOwnerOnlyFile(existing);
    expect(modeOf(existing)).toBe(0o600);
    expect(statSync(existing).size).toBe(7);
  });

  it('restrictMode ignores a missing file', () => {
    expect(() => restrictMode(join(root, 'nope-wal'), 0o600)).not.toThrow();
  });
});
