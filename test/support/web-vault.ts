// TEST CODE ONLY: the official web vault build of ../shared/web-vault, unpacked once per machine into a temporary folder.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SHARED = resolve(process.cwd(), '../shared/web-vault');

/** The folder of the unpacked build (its index.html inside), for WEB_VAULT_FOLDER. */
export function webVaultFolder(): string {
  const archive = readdirSync(SHARED).find((name) => /^web-vault-.*\.tar\.gz$/.test(name));
  if (!archive) throw new Error(`no web vault build in ${SHARED}`);
  const target = join(tmpdir(), `vaultwave-${archive.replace(/\.tar\.gz$/, '')}`);
  const folder = join(target, 'web-vault');
  if (existsSync(join(folder, 'index.html'))) return folder;
  // Unpacked aside and renamed, so parallel test files never see half a build.
  const partial = `${target}.${process.pid}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  execFileSync('tar', ['-xzf', join(SHARED, archive), '-C', partial]);
  try {
    renameSync(partial, target);
  } catch {
    rmSync(partial, { recursive: true, force: true });
  }
  return folder;
}
