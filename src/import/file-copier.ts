import { chmodSync, copyFileSync, mkdirSync, renameSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { OWNER_ONLY_FILE, OWNER_ONLY_FOLDER } from '../common/fs/owner-only';
import { FileToCopy } from './mapped-data';

/** Size of a file, or null when there is none. */
export function fileSizeOf(path: string): number | null {
  try {
    const stat = statSync(path);
    return stat.isFile() ? stat.size : null;
  } catch {
    return null;
  }
}

export interface TargetFolders { dataFolder: string; attachments: string; sends: string }

/** A file staged for the move: where it waits, where it goes. */
interface Staged { staged: string; target: string }

/**
 * Copies files in two steps: first into a staging folder inside DATA_FOLDER (before the database transaction),
 * then, once the rows are committed, into place (rename; copy and delete across file systems). Before the
 * commit `discard()` removes every staged file, so a failed import leaves no file behind.
 */
export class StagedFiles {
  private readonly root: string;
  private readonly staged: Staged[] = [];
  bytes = 0;

  constructor(private readonly folders: TargetFolders) {
    this.root = join(folders.dataFolder, `.vaultwarden-import-${randomBytes(6).toString('hex')}`);
  }

  get count(): number {
    return this.staged.length;
  }

  /** Copies `source` into staging, bound for `target`. */
  stage(source: string, target: string): void {
    const staged = join(this.root, String(this.staged.length));
    mkdirSync(this.root, { recursive: true, mode: OWNER_ONLY_FOLDER });
    copyFileSync(source, staged);
    this.bytes += statSync(staged).size;
    this.staged.push({ staged, target });
  }

  stageAll(files: FileToCopy[]): void {
    for (const file of files) this.stage(file.source, join(file.kind === 'attachments' ? this.folders.attachments : this.folders.sends, file.relative));
  }

  /** After the commit: every staged file into its place (replacing one already there), then staging removed. */
  commit(): void {
    for (const { staged, target } of this.staged) {
      mkdirSync(dirname(target), { recursive: true, mode: OWNER_ONLY_FOLDER });
      try {
        renameSync(staged, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
        copyFileSync(staged, target);
        unlinkSync(staged);
      }
      // Owner-only, as the server keeps DATA_FOLDER.
      chmodSync(target, OWNER_ONLY_FILE);
    }
    this.discard();
  }

  discard(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
