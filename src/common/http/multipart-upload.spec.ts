import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ErrorCode } from '../errors/error-code';
import { VaultError } from '../errors/vault-error';
import { FileStore, TooManyBytesError } from '../fs/file-store';
import { receiveUpload } from './multipart-upload';

const BOUNDARY = '----vaultwaveTestBoundary7MA4YWxkTrZu0gW';
const HEADERS = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };
const NAME = '2.AbC/dEf+gh==|iJk/lm+N=|oP/q+R=';
const KEY = '2.kkkk/ll+l==|mmmm|nnnn';
const CONTENT = Buffer.from('encrypted bytes \r\n--not-a-boundary\r\n\0\xff end');

type Part = { name: string; value: string } | { name: string; fileName: string; content: Buffer; type?: string };

const field = (name: string, value: string): Part => ({ name, value });
const file = (name: string, fileName: string, content: Buffer = CONTENT): Part => ({ name, fileName, content });

/** A multipart/form-data body, CRLF line ends, closing boundary included unless `truncated`. */
function body(parts: Part[], options: { truncated?: boolean } = {}): Buffer {
  const pieces: Buffer[] = [];
  for (const part of parts) {
    pieces.push(Buffer.from(`--${BOUNDARY}\r\n`));
    if ('value' in part) {
      pieces.push(Buffer.from(`Content-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`));
    } else {
      pieces.push(Buffer.from(`Content-Disposition: form-data; name="${part.name}"; filename="${part.fileName}"\r\n` +
        `Content-Type: ${part.type ?? 'application/octet-stream'}\r\n\r\n`));
      pieces.push(part.content, Buffer.from('\r\n'));
    }
  }
  if (!options.truncated) pieces.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  const whole = Buffer.concat(pieces);
  return options.truncated ? whole.subarray(0, whole.length - 2) : whole;
}

/** The body in one chunk, or split every `size` bytes (boundaries and headers cut anywhere). */
function stream(bytes: Buffer, size?: number): Readable {
  if (!size) return Readable.from([bytes]);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return Readable.from(chunks);
}

describe('receiveUpload', () => {
  let folder: string;
  let files: FileStore;
  const temporaries = (): string[] => (existsSync(join(folder, '.tmp')) ? readdirSync(join(folder, '.tmp')) : []);
  const invalidContent = expect.objectContaining({ code: ErrorCode.InvalidUploadContent });

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'vault-multipart-'));
    files = new FileStore(folder, /^[a-z0-9]{1,64}$/);
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  describe.each([
    ['one chunk', undefined],
    ['7-byte chunks', 7],
    ['1-byte chunks', 1],
  ])('fed as %s', (_label, size) => {
    it('key field before the file', async () => {
      const upload = await receiveUpload({ headers: HEADERS, body: stream(body([field('key', KEY), file('data', NAME)]), size) }, files, 1024);
      expect(upload.fields.get('key')).toBe(KEY);
      expect(upload.file.fileName).toBe(NAME);
      expect(upload.file.size).toBe(CONTENT.length);
      expect(readFileSync(upload.file.path)).toEqual(CONTENT);
    });

    it('key field after the file', async () => {
      const upload = await receiveUpload({ headers: HEADERS, body: stream(body([file('data', NAME), field('key', KEY)]), size) }, files, 1024);
      expect(upload.fields.get('key')).toBe(KEY);
      expect(upload.file.fileName).toBe(NAME);
      expect(readFileSync(upload.file.path)).toEqual(CONTENT);
      expect(temporaries()).toHaveLength(1);
    });
  });

  it('the file name is kept whole: / + = | included (an EncString)', async () => {
    const name = '2.a/b/c+d==|../e/f+g=|/h+i=';
    const upload = await receiveUpload({ headers: HEADERS, body: stream(body([file('data', name)]), 3) }, files, 1024);
    expect(upload.file.fileName).toBe(name);
  });

  it('a file part under another name is taken when it is the first one', async () => {
    const upload = await receiveUpload({ headers: HEADERS, body: stream(body([field('key', KEY), file('file', NAME)])) }, files, 1024);
    expect(upload.file.fileName).toBe(NAME);
    expect(readFileSync(upload.file.path)).toEqual(CONTENT);
  });

  it('an empty file is received with size 0', async () => {
    const upload = await receiveUpload({ headers: HEADERS, body: stream(body([file('data', NAME, Buffer.alloc(0))])) }, files, 1024);
    expect(upload.file.size).toBe(0);
  });

  it('a file exactly at the limit is accepted', async () => {
    const upload = await receiveUpload({ headers: HEADERS, body: stream(body([file('data', NAME)]), 5) }, files, CONTENT.length);
    expect(upload.file.size).toBe(CONTENT.length);
  });

  it('the content type may carry another case and extra parameters', async () => {
    const headers = { 'content-type': `Multipart/Form-Data; charset=utf-8; boundary="${BOUNDARY}"` };
    const upload = await receiveUpload({ headers, body: stream(body([file('data', NAME)])) }, files, 1024);
    expect(upload.file.fileName).toBe(NAME);
  });

  it.each([
    ['no content type', {}],
    ['json', { 'content-type': 'application/json' }],
    ['urlencoded', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['text/plain mentioning multipart', { 'content-type': 'text/plain; x=multipart/form-data' }],
    ['multipart without a boundary', { 'content-type': 'multipart/form-data' }],
  ])('%s → InvalidUploadContent, nothing written', async (_label, headers) => {
    const error = await receiveUpload({ headers, body: stream(body([file('data', NAME)])) }, files, 1024).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultError);
    expect(error).toEqual(invalidContent);
    expect(temporaries()).toEqual([]);
  });

  it('no file part → InvalidUploadContent', async () => {
    const error = await receiveUpload({ headers: HEADERS, body: stream(body([field('key', KEY)])) }, files, 1024).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultError);
    expect(error).toEqual(invalidContent);
    expect(temporaries()).toEqual([]);
  });

  it('an empty multipart body (closing boundary only) → InvalidUploadContent', async () => {
    await expect(receiveUpload({ headers: HEADERS, body: stream(body([])) }, files, 1024)).rejects.toEqual(invalidContent);
  });

  it.each([
    ['one chunk', undefined],
    ['1-byte chunks', 1],
  ])('two file parts are refused (filesLimit), no temporary file left (%s)', async (_label, size) => {
    const parts = [file('data', NAME), field('key', KEY), file('data', '2.second|x|y', Buffer.from('second file'))];
    await expect(receiveUpload({ headers: HEADERS, body: stream(body(parts), size) }, files, 1024)).rejects.toEqual(invalidContent);
    expect(temporaries()).toEqual([]);
  });

  it.each([
    ['one chunk', undefined],
    ['7-byte chunks', 7],
  ])('a file over the limit → TooManyBytesError, temporary folder empty (%s)', async (_label, size) => {
    const big = Buffer.alloc(4096, 0x61);
    const parts = [field('key', KEY), file('data', NAME, big), field('after', 'x')];
    await expect(receiveUpload({ headers: HEADERS, body: stream(body(parts), size) }, files, 1000)).rejects.toBeInstanceOf(TooManyBytesError);
    expect(temporaries()).toEqual([]);
  });

  it('a large file over the limit (many chunks, back-pressure) → TooManyBytesError, temporary folder empty', async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, 0x62);
    await expect(receiveUpload({ headers: HEADERS, body: stream(body([file('data', NAME, big)]), 16 * 1024) }, files, 1024 * 1024))
      .rejects.toBeInstanceOf(TooManyBytesError);
    expect(temporaries()).toEqual([]);
  });

  it.each([
    ['one chunk', undefined],
    ['1-byte chunks', 1],
  ])('a truncated body (no closing boundary) rejects without hanging, no temporary file left (%s)', async (_label, size) => {
    await expect(receiveUpload({ headers: HEADERS, body: stream(body([field('key', KEY), file('data', NAME)], { truncated: true }), size) }, files, 1024))
      .rejects.toEqual(invalidContent);
    expect(temporaries()).toEqual([]);
  }, 5000);

  it('a body cut in the middle of the file rejects without hanging, no temporary file left', async () => {
    const whole = body([file('data', NAME, Buffer.alloc(500, 0x63))]);
    await expect(receiveUpload({ headers: HEADERS, body: stream(whole.subarray(0, 300), 10) }, files, 1024)).rejects.toEqual(invalidContent);
    expect(temporaries()).toEqual([]);
  }, 5000);

  it('a body stream that errors rejects, no temporary file left', async () => {
    const whole = body([file('data', NAME, Buffer.alloc(500, 0x63))]);
    async function* failing(): AsyncGenerator<Buffer> {
      yield whole.subarray(0, 300);
      throw new Error('connection reset');
    }
    await expect(receiveUpload({ headers: HEADERS, body: Readable.from(failing()) }, files, 1024)).rejects.toEqual(invalidContent);
    expect(temporaries()).toEqual([]);
  }, 5000);

  it('a field over 64 KB → InvalidUploadContent, no temporary file left', async () => {
    const parts = [field('key', 'k'.repeat(64 * 1024 + 1)), file('data', NAME)];
    await expect(receiveUpload({ headers: HEADERS, body: stream(body(parts), 4096) }, files, 1024)).rejects.toEqual(invalidContent);
    expect(temporaries()).toEqual([]);
  });

  it('a field over 64 KB after the file → InvalidUploadContent, no temporary file left', async () => {
    const parts = [file('data', NAME), field('key', 'k'.repeat(64 * 1024 + 1))];
    await expect(receiveUpload({ headers: HEADERS, body: stream(body(parts), 4096) }, files, 1024)).rejects.toEqual(invalidContent);
    expect(temporaries()).toEqual([]);
  });

  it('a field just under 64 KB is kept; one of exactly 64 KB is refused (busboy flags a value reaching fieldSize as truncated)', async () => {
    const kept = await receiveUpload({ headers: HEADERS, body: stream(body([field('key', 'k'.repeat(64 * 1024 - 1)), file('data', NAME)]), 4096) }, files, 1024);
    expect(kept.fields.get('key')).toHaveLength(64 * 1024 - 1);
    await files.discard(kept.file);
    const refused = receiveUpload({ headers: HEADERS, body: stream(body([field('key', 'k'.repeat(64 * 1024)), file('data', NAME)]), 4096) }, files, 1024);
    await expect(refused).rejects.toEqual(invalidContent);
    expect(temporaries()).toEqual([]);
  });

  it('too many fields → InvalidUploadContent, no temporary file left', async () => {
    const parts = [file('data', NAME), ...Array.from({ length: 17 }, (_, i) => field(`f${i}`, 'x'))];
    await expect(receiveUpload({ headers: HEADERS, body: stream(body(parts)) }, files, 1024)).rejects.toEqual(invalidContent);
    expect(temporaries()).toEqual([]);
  });

  it('the body is drained after a refusal (so the answer reaches the client)', async () => {
    const source = stream(body([file('data', NAME, Buffer.alloc(64 * 1024, 0x61))]), 1024);
    await expect(receiveUpload({ headers: HEADERS, body: source }, files, 100)).rejects.toBeInstanceOf(TooManyBytesError);
    await new Promise<void>((resolve) => (source.readableEnded ? resolve() : source.once('end', () => resolve())));
    expect(source.readableEnded).toBe(true);
  }, 5000);
});
