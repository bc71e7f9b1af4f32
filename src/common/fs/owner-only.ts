import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { getLogger } from '../logging/logger';

const log = getLogger('DataFolder');

export const OWNER_ONLY_FOLDER = 0o700;
export const OWNER_ONLY_FILE = 0o600;

/** Errors that mean "not ours to change" (another owner, a read-only mount): warned about, never fatal. */
const NOT_OURS = new Set(['EPERM', 'EACCES', 'EROFS']);

/**
 * Gives `path` exactly `mode` when it exists with another one (e.g. a folder made 0755 by an older version or
 * by hand). Missing: nothing to do. Owned by someone else: a warning, since the server can still run.
 */
export function restrictMode(path: string, mode: number): void {
  let current: number;
  try {
    current = statSync(path).mode & 0o777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (current === mode || process.platform === 'win32') return;
  try {
    chmodSync(path, mode);
    log.info({ path, from: current.toString(8), to: mode.toString(8) }, 'data_folder.permissions_tightened');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (!NOT_OURS.has(code)) throw error;
    log.warn({ path, mode: current.toString(8), wanted: mode.toString(8), code }, 'data_folder.permissions_not_tightened');
  }
}

/**
 * Creates the folder (and missing parents) 0700, and makes an existing one 0700; except a shared folder (the
 * file-system root, or one with the sticky bit such as /tmp), which is left alone with a warning.
 */
export function ensureOwnerOnlyFolder(path: string): void {
  mkdirSync(path, { recursive: true, mode: OWNER_ONLY_FOLDER });
  const resolved = resolve(path);
  if (dirname(resolved) === resolved || (statSync(resolved).mode & 0o1000) !== 0) {
    log.warn({ path: resolved, reason: 'a shared folder (file-system root or sticky bit); give DATA_FOLDER a folder of its own' }, 'data_folder.permissions_not_tightened');
    return;
  }
  restrictMode(resolved, OWNER_ONLY_FOLDER);
}

/** Creates the file empty with mode 0600 when missing, and makes an existing one 0600. */
export function ensureOwnerOnlyFile(path: string): void {
  try {
    closeSync(openSync(path, 'a', OWNER_ONLY_FILE));
  } catch (error) {
    if (!NOT_OURS.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
  }
  restrictMode(path, OWNER_ONLY_FILE);
}
