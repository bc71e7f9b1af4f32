import busboy from 'busboy';
import { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { ErrorCode } from '../errors/error-code';
import { VaultError } from '../errors/vault-error';
import { FileStore, ReceivedFile } from '../fs/file-store';

/** A multipart request as the routes hand it over: the body stream and its headers. */
export interface UploadRequest { headers: IncomingHttpHeaders; body: Readable }

/** What a multipart upload carried: the form fields by name, and the one file (in the temporary folder). */
export interface ReceivedUpload {
  fields: Map<string, string>;
  file: ReceivedFile & { fileName: string };
}

/** Form fields must stay under this (an EncString key or a date); one that reaches it is refused. */
const FIELD_BYTES = 64 * 1024;

/**
 * Reads a `multipart/form-data` body: form fields in any order and exactly one file part, streamed into the
 * temporary folder and failing past `fileLimit` bytes (TooManyBytesError). The file part is the one named `data`,
 * or the first file part whatever its name (the official server's parser takes the first). The file's name is
 * kept whole, `/` included: it is an EncString, whose base64 has slashes. Nothing is kept in memory but the
 * fields. Whatever fails, no temporary file stays behind.
 */
export function receiveUpload(request: UploadRequest, files: FileStore, fileLimit: number): Promise<ReceivedUpload> {
  const type = request.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\b/i.test(type)) return Promise.reject(new VaultError(ErrorCode.InvalidUploadContent));
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: request.headers, preservePath: true, limits: { files: 1, fields: 16, parts: 32, fieldSize: FIELD_BYTES, fieldNameSize: 200 } });
  } catch {
    return Promise.reject(new VaultError(ErrorCode.InvalidUploadContent));
  }

  return new Promise<ReceivedUpload>((resolve, reject) => {
    const fields = new Map<string, string>();
    let receiving: Promise<ReceivedFile & { fileName: string }> | null = null;
    let fileStream: Readable | null = null;
    let failure: unknown = null;
    let settled = false;

    const fail = (error: unknown): void => {
      if (failure === null) failure = error;
      finish();
    };
    const finish = (): void => {
      if (settled) return;
      settled = true;
      request.body.unpipe(parser);
      // A file still streaming stops here; receive() then removes its temporary file.
      if (failure !== null && fileStream && !fileStream.readableEnded) fileStream.destroy(new Error('upload refused'));
      // The rest of the body is read and dropped, so the answer reaches the client.
      request.body.resume();
      const pending = receiving ?? Promise.resolve(null);
      pending.then(
        async (file) => {
          if (failure !== null || !file) {
            if (file) await files.discard(file);
            reject(failure ?? new VaultError(ErrorCode.InvalidUploadContent));
          } else {
            resolve({ fields, file });
          }
        },
        (error: unknown) => reject(failure ?? error),
      );
    };

    parser.on('file', (_name, stream, info) => {
      if (receiving) {
        stream.resume();
        return;
      }
      const fileName = info.filename ?? '';
      fileStream = stream;
      // Until receive() has piped it (after a mkdir), a refused or truncated body errors this stream with nobody
      // listening, and an unhandled stream error would take the whole process down. pipeline still sees the error.
      stream.on('error', () => undefined);
      receiving = files.receive(stream, fileLimit).then((file) => ({ ...file, fileName }));
      receiving.catch((error: unknown) => fail(error));
    });
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated || info.nameTruncated) fail(new VaultError(ErrorCode.InvalidUploadContent));
      else fields.set(name, value);
    });
    parser.on('filesLimit', () => fail(new VaultError(ErrorCode.InvalidUploadContent)));
    parser.on('fieldsLimit', () => fail(new VaultError(ErrorCode.InvalidUploadContent)));
    parser.on('partsLimit', () => fail(new VaultError(ErrorCode.InvalidUploadContent)));
    parser.on('error', () => fail(new VaultError(ErrorCode.InvalidUploadContent)));
    parser.on('close', () => finish());
    request.body.on('aborted', () => fail(new VaultError(ErrorCode.InvalidUploadContent)));
    request.body.on('error', () => fail(new VaultError(ErrorCode.InvalidUploadContent)));
    request.body.pipe(parser);
  });
}

