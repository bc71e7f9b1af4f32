import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FileStore, TooManyBytesError } from './file-store';

/** File ids as attachments use them. */
const FILE_ID = /^[a-z0-9]{1,64}$/;

const CIPHER = '0f8fad5b-d9cb-469f-a165-70867728950e';
const OTHER = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

const chunks = (...parts: string[]): Readable => Readable.from(parts.map((part) => Buffer.from(part)));
const read = async (stream: Readable): Promise<string> => {
  const out: Buffer[] = [];
  for await (const chunk of stream) out.push(chunk as Buffer);
  return Buffer.concat(out).toString();
};

describe('FileStore', () => {
  let folder: string;
  let files: FileStore;
  const temporaries = (): string[] => (existsSync(join(folder, '.tmp')) ? readdirSync(join(folder, '.tmp')) : []);

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'vault-attachments-'));
    files = new FileStore(folder, FILE_ID);
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  describe('receive', () => {
    it('streams into .tmp and reports the size', async () => {
      const received = await files.receive(chunks('hello ', 'encrypted ', 'world'), 1024);
      expect(received.size).toBe(21);
      expect(received.path.startsWith(join(folder, '.tmp'))).toBe(true);
      expect(readFileSync(received.path, 'utf8')).toBe('hello encrypted world');
      expect(temporaries()).toHaveLength(1);
    });

    it('exactly the limit is accepted', async () => {
      const received = await files.receive(chunks('abcd', 'efgh'), 8);
      expect(received.size).toBe(8);
    });

    it('an empty body gives an empty file of size 0', async () => {
      const received = await files.receive(Readable.from([]), 8);
      expect(received.size).toBe(0);
      expect(statSync(received.path).size).toBe(0);
    });

    it('past the limit: TooManyBytesError and no temporary file left', async () => {
      await expect(files.receive(chunks('abcd', 'efgh', 'i'), 8)).rejects.toBeInstanceOf(TooManyBytesError);
      expect(temporaries()).toEqual([]);
    });

    it('past the limit in the first chunk: no temporary file left either', async () => {
      await expect(files.receive(chunks('x'.repeat(100)), 10)).rejects.toMatchObject({ limit: 10 });
      expect(temporaries()).toEqual([]);
    });

    it('a source that fails: the error is rethrown and no temporary file left', async () => {
      async function* failing(): AsyncGenerator<Buffer> {
        yield Buffer.from('part');
        throw new Error('connection reset');
      }
      await expect(files.receive(Readable.from(failing()), 1024)).rejects.toThrow('connection reset');
      expect(temporaries()).toEqual([]);
    });
  });

  describe('place', () => {
    it('moves the received file to <folder>/<cipherId>/<attachmentId>', async () => {
      const received = await files.receive(chunks('data'), 100);
      await files.place(received, CIPHER, 'abc123');
      expect(readFileSync(join(folder, CIPHER, 'abc123'), 'utf8')).toBe('data');
      expect(existsSync(received.path)).toBe(false);
      expect(temporaries()).toEqual([]);
    });

    it('replaces what was there', async () => {
      await files.place(await files.receive(chunks('first'), 100), CIPHER, 'abc123');
      await files.place(await files.receive(chunks('second'), 100), CIPHER, 'abc123');
      expect(readFileSync(join(folder, CIPHER, 'abc123'), 'utf8')).toBe('second');
    });

    it('refuses a cipher id that is not a uuid, leaving the received file where it was', async () => {
      const received = await files.receive(chunks('data'), 100);
      await expect(files.place(received, '../escape', 'abc123')).rejects.toThrow('invalid file path');
      await expect(files.place(received, 'not-a-uuid', 'abc123')).rejects.toThrow();
      expect(existsSync(received.path)).toBe(true);
      expect(readdirSync(folder)).toEqual(['.tmp']);
    });
  });

  describe('discard', () => {
    it('removes a received file and tolerates one already gone', async () => {
      const received = await files.receive(chunks('data'), 100);
      await files.discard(received);
      expect(temporaries()).toEqual([]);
      await expect(files.discard(received)).resolves.toBeUndefined();
    });
  });

  describe('pathOf', () => {
    it('joins folder, cipher id and attachment id', () => {
      expect(files.pathOf(CIPHER, 'abcdefghij0123456789abcdefghij01')).toBe(join(folder, CIPHER, 'abcdefghij0123456789abcdefghij01'));
      expect(files.pathOf(CIPHER, 'a'.repeat(64))).toBe(join(folder, CIPHER, 'a'.repeat(64)));
    });

    it.each(['../x', '..', 'A', 'aB', 'a/b', 'a.b', '', 'a'.repeat(65), 'abc\0'])('refuses attachment id %j', (id) => {
      expect(() => files.pathOf(CIPHER, id)).toThrow('invalid file path');
    });

    it.each(['../x', '', 'not-a-uuid', CIPHER.toUpperCase(), `${CIPHER}/..`, `../${CIPHER}`, CIPHER.replace(/-/g, '')])('refuses cipher id %j', (id) => {
      expect(() => files.pathOf(id, 'abc')).toThrow('invalid file path');
    });
  });

  describe('open and remove', () => {
    it('open returns null for a missing file, a missing cipher folder, or a folder in the file place', async () => {
      expect(await files.open(CIPHER, 'abc')).toBeNull();
      mkdirSync(join(folder, CIPHER, 'dir'), { recursive: true });
      expect(await files.open(CIPHER, 'abc')).toBeNull();
      expect(await files.open(CIPHER, 'dir')).toBeNull();
    });

    it('open streams a stored file with its size', async () => {
      await files.place(await files.receive(chunks('stored bytes'), 100), CIPHER, 'abc');
      const opened = await files.open(CIPHER, 'abc');
      expect(opened?.size).toBe(12);
      expect(await read(opened!.stream)).toBe('stored bytes');
    });

    it('open refuses traversal ids', async () => {
      await expect(files.open(CIPHER, '../x')).rejects.toThrow('invalid file path');
    });

    it('remove deletes one file and tolerates a missing one', async () => {
      await files.place(await files.receive(chunks('a'), 100), CIPHER, 'abc');
      await files.remove(CIPHER, 'abc');
      expect(existsSync(join(folder, CIPHER, 'abc'))).toBe(false);
      await expect(files.remove(CIPHER, 'abc')).resolves.toBeUndefined();
      await expect(files.remove(OTHER, 'abc')).resolves.toBeUndefined();
    });
  });

  describe('removeCiphers', () => {
    it('removes the cipher folders with their files, tolerates missing ones, leaves others', async () => {
      await files.place(await files.receive(chunks('a'), 100), CIPHER, 'one');
      await files.place(await files.receive(chunks('b'), 100), CIPHER, 'two');
      await files.place(await files.receive(chunks('c'), 100), OTHER, 'three');
      await files.removeOwners([CIPHER, 'b1c2d3e4-0000-4000-8000-000000000000']);
      expect(existsSync(join(folder, CIPHER))).toBe(false);
      expect(readFileSync(join(folder, OTHER, 'three'), 'utf8')).toBe('c');
    });

    it('skips ids that are not uuids (never removes outside its folder)', async () => {
      const outside = mkdtempSync(join(tmpdir(), 'vault-outside-'));
      try {
        writeFileSync(join(outside, 'keep'), 'x');
        mkdirSync(join(folder, 'notauuid'));
        await files.removeOwners(['../' + outside.split('/').pop(), 'notauuid', '.tmp', '..', '']);
        expect(existsSync(join(outside, 'keep'))).toBe(true);
        expect(existsSync(join(folder, 'notauuid'))).toBe(true);
        expect(existsSync(folder)).toBe(true);
      } finally {
        rmSync(outside, { recursive: true, force: true });
      }
    });
  });

  describe('cipherFolders and filesOf', () => {
    it('list only uuid folders and attachment-id files', async () => {
      await files.place(await files.receive(chunks('a'), 100), CIPHER, 'one');
      writeFileSync(join(folder, CIPHER, 'Bad.Name'), 'x');
      mkdirSync(join(folder, CIPHER, 'subdir'));
      mkdirSync(join(folder, 'other'));
      writeFileSync(join(folder, OTHER), 'a file named like a uuid');
      expect(await files.ownerFolders()).toEqual([CIPHER]);
      expect(await files.filesOf(CIPHER)).toEqual(['one']);
      expect(await files.filesOf(OTHER)).toEqual([]);
    });

    it('an absent root folder gives empty lists', async () => {
      const absent = new FileStore(join(folder, 'nope'), FILE_ID);
      expect(await absent.ownerFolders()).toEqual([]);
      expect(await absent.filesOf(CIPHER)).toEqual([]);
      expect(await absent.removeStaleTemporaries(new Date())).toBe(0);
    });
  });

  describe('removeStaleTemporaries', () => {
    it('removes only temporary files older than the cutoff', async () => {
      const old = await files.receive(chunks('old'), 100);
      const fresh = await files.receive(chunks('fresh'), 100);
      const now = Date.now();
      const twoHoursAgo = new Date(now - 2 * 3600_000);
      utimesSync(old.path, twoHoursAgo, twoHoursAgo);
      await files.place(await files.receive(chunks('placed'), 100), CIPHER, 'abc');
      utimesSync(join(folder, CIPHER, 'abc'), twoHoursAgo, twoHoursAgo);

      expect(await files.removeStaleTemporaries(new Date(now - 3600_000))).toBe(1);
      expect(existsSync(old.path)).toBe(false);
      expect(existsSync(fresh.path)).toBe(true);
      expect(existsSync(join(folder, CIPHER, 'abc'))).toBe(true);
      expect(await files.removeStaleTemporaries(new Date(now - 3600_000))).toBe(0);
    });
  });
});
