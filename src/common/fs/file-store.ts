import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, ReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform, TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { once } from 'node:events';
import { getLogger } from '../logging/logger';

const log = getLogger('FileStore');

/** Owners (ciphers, Sends) are uuids: checked again here, since they become folder names. */
const OWNER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Temporary files of uploads in progress, on the same file system as their final place (so the move is a rename). */
const TEMP = '.tmp';
/** Suffix of a staged replacement beside its file. */
const STAGED = '.share';

/** Raised while streaming when the body goes past the byte limit it was given. */
export class TooManyBytesError extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} bytes`);
  }
}

/** A file received into the temporary folder: where it is and how many bytes it has. */
export interface ReceivedFile { path: string; size: number }

/** Counts bytes going through and fails as soon as they pass `limit`, before anything past it is written. */
class ByteLimit extends Transform {
  bytes = 0;
  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) done(new TooManyBytesError(this.limit));
    else done(null, chunk);
  }
}

/**
 * Uploaded files on disk, `<folder>/<owner id>/<file id>` (attachments under their cipher, Send files under their
 * Send: the layout of Vaultwarden and of the official local storage). Uploads stream into `.tmp/` with
 * back-pressure (never whole in memory), are synced, then renamed into place: another instance sharing the folder
 * sees either no file or the whole file. Removal tolerates files that are already gone. Owner ids must be uuids
 * and file ids must match `fileId`, so no path from a request ever leaves the folder.
 */
export class FileStore {
  constructor(readonly folder: string, private readonly fileId: RegExp) {}

  pathOf(ownerId: string, fileId: string): string {
    if (!OWNER_ID.test(ownerId) || !this.fileId.test(fileId)) throw new Error('invalid file path');
    return join(this.folder, ownerId, fileId);
  }

  /**
   * Streams `source` into a new temporary file, failing with TooManyBytesError past `limit` bytes. On any failure
   * the temporary file is removed before the error is rethrown.
   */
  async receive(source: Readable, limit: number): Promise<ReceivedFile> {
    const folder = join(this.folder, TEMP);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const path = join(folder, `${Date.now()}-${randomBytes(12).toString('hex')}`);
    const counter = new ByteLimit(limit);
    const out = createWriteStream(path, { mode: 0o600, flags: 'wx' });
    try {
      await pipeline(source, counter, out);
      const handle = await open(path, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      return { path, size: counter.bytes };
    } catch (error) {
      // A stream destroyed early may still be opening its file: removed only once it has closed, or it would
      // be created after the unlink and stay behind.
      if (!out.closed) await once(out, 'close').catch(() => undefined);
      await unlink(path).catch(() => undefined);
      throw error;
    }
  }

  /** Moves a received file to its place (replacing what was there). */
  async place(received: ReceivedFile, ownerId: string, fileId: string): Promise<void> {
    const target = this.pathOf(ownerId, fileId);
    await mkdir(join(this.folder, ownerId), { recursive: true, mode: 0o700 });
    await rename(received.path, target);
  }

  /** Keeps a received file beside another as its staged replacement (replacing an earlier one). */
  async stage(received: ReceivedFile, ownerId: string, fileId: string): Promise<void> {
    await mkdir(join(this.folder, ownerId), { recursive: true, mode: 0o700 });
    await rename(received.path, `${this.pathOf(ownerId, fileId)}${STAGED}`);
  }

  /** Puts the staged replacement in place of the file. */
  async promoteStaged(ownerId: string, fileId: string): Promise<void> {
    const path = this.pathOf(ownerId, fileId);
    await rename(`${path}${STAGED}`, path);
  }

  /** Drops a received file that will not be placed. */
  async discard(received: ReceivedFile): Promise<void> {
    await unlink(received.path).catch(() => undefined);
  }

  /** The stored file and its size, or null when it is not there. */
  async open(ownerId: string, fileId: string): Promise<{ stream: ReadStream; size: number } | null> {
    const path = this.pathOf(ownerId, fileId);
    try {
      const info = await stat(path);
      if (!info.isFile()) return null;
      return { stream: createReadStream(path), size: info.size };
    } catch {
      return null;
    }
  }

  async remove(ownerId: string, fileId: string): Promise<void> {
    await rm(this.pathOf(ownerId, fileId), { force: true });
  }

  /** Removes the folders of these owners with every file in them. Best effort: failures are logged, the sweep catches them later. */
  async removeOwners(ownerIds: string[]): Promise<void> {
    for (const ownerId of ownerIds) {
      if (!OWNER_ID.test(ownerId)) continue;
      try {
        await rm(join(this.folder, ownerId), { recursive: true, force: true });
      } catch (error) {
        log.warn({ ownerId, err: error }, 'files.remove_failed');
      }
    }
  }

  /** The owner folders present on disk. */
  async ownerFolders(): Promise<string[]> {
    try {
      return (await readdir(this.folder, { withFileTypes: true })).filter((e) => e.isDirectory() && OWNER_ID.test(e.name)).map((e) => e.name);
    } catch {
      return [];
    }
  }

  /** The files in one owner's folder. */
  async filesOf(ownerId: string): Promise<string[]> {
    try {
      return (await readdir(join(this.folder, ownerId), { withFileTypes: true })).filter((e) => e.isFile() && this.fileId.test(e.name)).map((e) => e.name);
    } catch {
      return [];
    }
  }

  /** Removes temporary files older than `before` (uploads cut off by a crash). */
  async removeStaleTemporaries(before: Date): Promise<number> {
    const folder = join(this.folder, TEMP);
    let removed = 0;
    let names: string[];
    try {
      names = await readdir(folder);
    } catch {
      return 0;
    }
    for (const name of names) {
      const path = join(folder, name);
      try {
        if ((await stat(path)).mtime < before) {
          await rm(path, { force: true });
          removed += 1;
        }
      } catch {
        // Gone already (another instance swept it).
      }
    }
    return removed;
  }
}
