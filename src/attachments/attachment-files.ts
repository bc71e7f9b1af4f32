import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, ReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform, TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { getLogger } from '../common/logging/logger';

const log = getLogger('AttachmentFiles');

/** Attachment ids as they appear in paths: the official 32 `[a-z0-9]` and Vaultwarden's 20 hex both fit; nothing else reaches the disk. */
export const ATTACHMENT_ID = /^[a-z0-9]{1,64}$/;
/** Cipher ids are uuids (checked again here, since they become folder names). */
const CIPHER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Temporary files of uploads in progress, on the same file system as their final place (so the move is a rename). */
const TEMP = '.tmp';
/** Suffix of a share's staged copy beside the attachment's file. */
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
 * The encrypted bytes of attachments on disk: `ATTACHMENTS_FOLDER/<cipherId>/<attachmentId>`, the layout of
 * Vaultwarden and of the official local storage. Uploads stream into `.tmp/` with back-pressure (never whole in
 * memory), are synced, then renamed into place: another instance sharing the folder sees either no file or the
 * whole file. Removal tolerates files that are already gone.
 */
@Injectable()
export class AttachmentFiles {
  readonly folder: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.folder = config.attachments.folder;
  }

  pathOf(cipherId: string, attachmentId: string): string {
    if (!CIPHER_ID.test(cipherId) || !ATTACHMENT_ID.test(attachmentId)) throw new Error('invalid attachment path');
    return join(this.folder, cipherId, attachmentId);
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
    try {
      await pipeline(source, counter, createWriteStream(path, { mode: 0o600, flags: 'wx' }));
      const handle = await open(path, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      return { path, size: counter.bytes };
    } catch (error) {
      await unlink(path).catch(() => undefined);
      throw error;
    }
  }

  /** Moves a received file to its place (replacing what was there). */
  async place(received: ReceivedFile, cipherId: string, attachmentId: string): Promise<void> {
    const target = this.pathOf(cipherId, attachmentId);
    await mkdir(join(this.folder, cipherId), { recursive: true, mode: 0o700 });
    await rename(received.path, target);
  }

  /** Keeps a received file beside the attachment as the staged copy of a share (replacing an earlier one). */
  async stage(received: ReceivedFile, cipherId: string, attachmentId: string): Promise<void> {
    await mkdir(join(this.folder, cipherId), { recursive: true, mode: 0o700 });
    await rename(received.path, `${this.pathOf(cipherId, attachmentId)}${STAGED}`);
  }

  /** Puts the staged copy of a share in place of the attachment's file. */
  async promoteStaged(cipherId: string, attachmentId: string): Promise<void> {
    const path = this.pathOf(cipherId, attachmentId);
    await rename(`${path}${STAGED}`, path);
  }

  /** Drops a received file that will not be placed. */
  async discard(received: ReceivedFile): Promise<void> {
    await unlink(received.path).catch(() => undefined);
  }

  /** The stored file and its size, or null when it is not there. */
  async open(cipherId: string, attachmentId: string): Promise<{ stream: ReadStream; size: number } | null> {
    const path = this.pathOf(cipherId, attachmentId);
    try {
      const info = await stat(path);
      if (!info.isFile()) return null;
      return { stream: createReadStream(path), size: info.size };
    } catch {
      return null;
    }
  }

  async remove(cipherId: string, attachmentId: string): Promise<void> {
    await rm(this.pathOf(cipherId, attachmentId), { force: true });
  }

  /** Removes the folders of these ciphers with every file in them. Best effort: failures are logged, the sweep catches them later. */
  async removeCiphers(cipherIds: string[]): Promise<void> {
    for (const cipherId of cipherIds) {
      if (!CIPHER_ID.test(cipherId)) continue;
      try {
        await rm(join(this.folder, cipherId), { recursive: true, force: true });
      } catch (error) {
        log.warn({ cipherId, err: error }, 'attachments.remove_failed');
      }
    }
  }

  /** The cipher folders present on disk. */
  async cipherFolders(): Promise<string[]> {
    try {
      return (await readdir(this.folder, { withFileTypes: true })).filter((e) => e.isDirectory() && CIPHER_ID.test(e.name)).map((e) => e.name);
    } catch {
      return [];
    }
  }

  /** The attachment files in one cipher's folder. */
  async filesOf(cipherId: string): Promise<string[]> {
    try {
      return (await readdir(join(this.folder, cipherId), { withFileTypes: true })).filter((e) => e.isFile() && ATTACHMENT_ID.test(e.name)).map((e) => e.name);
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
