import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { newOrganization } from '../../test/unit/support/organizations';
import { createServiceHarness, encString, ServiceHarness, TestUser } from '../../test/unit/support/service-module';
import { AccountsService } from '../accounts/accounts.service';
import { CiphersService } from '../ciphers/ciphers.service';
import { CipherRequestDto } from '../ciphers/dto/cipher-request.dto';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { AttachmentEntity, CipherEntity, CollectionEntity } from '../db/entities';
import { UnitOfWork } from '../db/unit-of-work';
import { CipherChange } from '../event-bus/domain-events';
import { AttachmentsService, SIZE_LEEWAY_BYTES } from './attachments.service';
import { UploadRequest } from '../common/http/multipart-upload';

/**
 * AttachmentsService on the real modules (AttachmentsModule over CiphersModule and AttachmentStorageModule) with an
 * in-memory SQLite database and the attachments folder in a fresh temporary directory. Quotas are configuration
 * (USER_ATTACHMENT_LIMIT / ORG_ATTACHMENT_LIMIT, in kilobytes), so each quota setting gets its own harness.
 */

const BOUNDARY = '----vaultwaveServiceSpecBoundary';
const HEADERS = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };

/** A multipart/form-data body: the fields, then one file part named `data`. */
function multipart(content: Buffer, fields: Record<string, string> = {}, fileName = encString('file name')): UploadRequest {
  const pieces: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    pieces.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  pieces.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="data"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
  pieces.push(content, Buffer.from(`\r\n--${BOUNDARY}--\r\n`));
  const whole = Buffer.concat(pieces);
  // Several chunks, as a socket would deliver them.
  const chunks: Buffer[] = [];
  for (let at = 0; at < whole.length; at += 64 * 1024) chunks.push(whole.subarray(at, at + 64 * 1024));
  return { headers: HEADERS, body: Readable.from(chunks) };
}

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/** Every file under `folder` (relative paths, sorted), temporaries included. */
function filesUnder(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)))
    .sort();
}

/** The error a promise rejects with (fails the test when it resolves). */
async function failure(promise: Promise<unknown>): Promise<VaultError> {
  const error = await promise.then(() => new Error('expected a rejection'), (e: unknown) => e);
  expect(error).toBeInstanceOf(VaultError);
  return error as VaultError;
}

const tokenOf = (url: string): string => new URL(url).searchParams.get('token') ?? '';

/** What each harness of this file shares: the services and a few seeding helpers. */
function setup(env: Record<string, string> = {}) {
  const ctx = {} as {
    h: ServiceHarness;
    service: AttachmentsService;
    ciphers: CiphersService;
    folder: string;
  };
  beforeAll(async () => {
    ctx.h = await createServiceHarness({ env });
    ctx.service = ctx.h.get(AttachmentsService);
    ctx.ciphers = ctx.h.get(CiphersService);
    ctx.folder = ctx.h.config.attachments.folder;
  });
  afterAll(() => ctx.h.close());
  beforeEach(async () => {
    // Each test starts with an empty attachments folder and no recorded events.
    rmSync(ctx.folder, { recursive: true, force: true });
    await ctx.h.events.take();
  });

  const note = (overrides: Partial<CipherRequestDto> = {}): CipherRequestDto => ({ type: 2, name: encString('note'), secureNote: { type: 0 }, ...overrides });
  const helpers = {
    /** A personal cipher of `user`, created one second ago (so later changes move its revision date). */
    async personal(user: TestUser): Promise<string> {
      const id = (await ctx.ciphers.create(user.auth, note())).id;
      ctx.h.clock.advance();
      await ctx.h.events.take();
      return id;
    },
    /** An organization owned by `owner` and a cipher in its first collection. */
    async organizationCipher(owner: TestUser, orgId?: string): Promise<{ orgId: string; collectionId: string; cipherId: string }> {
      const org = orgId ?? (await newOrganization(ctx.h, owner));
      const collectionId = (await ctx.h.db.getRepository(CollectionEntity).findOneByOrFail({ organizationId: org })).id;
      const cipherId = (await ctx.ciphers.createWithCollections(owner.auth, { cipher: note({ organizationId: org }), collectionIds: [collectionId] })).id;
      ctx.h.clock.advance();
      await ctx.h.events.take();
      return { orgId: org, collectionId, cipherId };
    },
    /** A v2 upload of `size` random bytes, completed; the attachment id and the bytes. Events are cleared. */
    async attach(user: TestUser, cipherId: string, size: number): Promise<{ id: string; content: Buffer }> {
      const content = randomBytes(size);
      const { attachmentId } = await ctx.service.createUpload(user.auth, cipherId, { key: encString('key'), fileName: encString('name'), fileSize: size });
      await ctx.service.upload(user.auth, cipherId, attachmentId as string, multipart(content));
      await ctx.h.events.take();
      return { id: attachmentId as string, content };
    },
    row: (cipherId: string, id: string): Promise<AttachmentEntity | null> => ctx.h.db.getRepository(AttachmentEntity).findOneBy({ cipherId, id }),
    rowsOf: (cipherId: string): Promise<AttachmentEntity[]> => ctx.h.db.getRepository(AttachmentEntity).findBy({ cipherId }),
    cipherRevision: async (cipherId: string): Promise<Date> => (await ctx.h.db.getRepository(CipherEntity).findOneByOrFail({ id: cipherId })).revisionDate,
  };
  return { ctx, ...helpers };
}

describe('AttachmentsService (no quota)', () => {
  const { ctx, personal, organizationCipher, attach, row, rowsOf, cipherRevision } = setup();
  let alice: TestUser;
  let bob: TestUser;

  beforeEach(async () => {
    [alice, bob] = await Promise.all([ctx.h.newUser(), ctx.h.newUser()]);
    await ctx.h.events.take();
  });

  const personalChange = (user: TestUser, cipherId: string, revisionDate: Date): CipherChange => ({
    cipherId, userId: user.id, organizationId: null, collectionIds: null, revisionDate, recipients: [user.id], actor: user.auth.actor,
  });

  describe('createUpload', () => {
    it('records a pending attachment, moves the cipher revision date and emits exactly one CipherUpdated with it', async () => {
      const cipherId = await personal(alice);
      const before = await cipherRevision(cipherId);
      const now = ctx.h.clock.advance();
      const key = encString('key');
      const fileName = encString('name');

      const answer = await ctx.service.createUpload(alice.auth, cipherId, { key, fileName, fileSize: 100, lastKnownRevisionDate: before.toISOString() });

      const attachmentId = answer.attachmentId as string;
      expect(attachmentId).toMatch(/^[a-z0-9]{32}$/);
      expect(answer).toMatchObject({ object: 'attachment-fileUpload', url: `${cipherId}/attachment/${attachmentId}`, fileUploadType: 0, cipherMiniResponse: null });
      expect(answer.cipherResponse).toMatchObject({ object: 'cipherDetails', id: cipherId, revisionDate: now.toISOString() });
      const revisionDate = new Date(answer.cipherResponse?.revisionDate ?? '');
      expect(revisionDate.getTime()).toBeGreaterThan(before.getTime());
      expect((await cipherRevision(cipherId)).getTime()).toBe(now.getTime());
      expect(await ctx.h.get(AccountsService).revisionDate(alice.auth)).toBe(now.getTime());
      expect(await ctx.h.events.take()).toEqual([{ name: 'CipherUpdated', payload: personalChange(alice, cipherId, revisionDate) }]);

      // Pending: a row with the announced size, not validated, no file; its link serves nothing yet.
      expect(await row(cipherId, attachmentId)).toMatchObject({ fileName, key, fileSize: 100, validated: false });
      expect(filesUnder(ctx.folder)).toEqual([]);
      const pendingLink = await ctx.service.get(alice.auth, cipherId, attachmentId, false);
      expect((await failure(ctx.service.download(tokenOf(pendingLink.url), cipherId, attachmentId))).status).toBe(404);

      // The upload then succeeds, without any event; `get` gives a link to the bytes.
      const content = randomBytes(100);
      await ctx.service.upload(alice.auth, cipherId, attachmentId, multipart(content));
      expect(await ctx.h.events.take()).toEqual([]);
      expect(await row(cipherId, attachmentId)).toMatchObject({ fileSize: 100, validated: true });
      expect(filesUnder(ctx.folder)).toEqual([join(cipherId, attachmentId)]);
      const got = await ctx.service.get(alice.auth, cipherId, attachmentId, false);
      expect(got).toMatchObject({ object: 'attachment', id: attachmentId, fileName, key, size: '100', sizeName: '100 Bytes' });
      expect(got.url.startsWith(`https://vault.example.test/attachments/${cipherId}/${attachmentId}?token=`)).toBe(true);
      const download = await ctx.service.download(tokenOf(got.url), cipherId, attachmentId);
      expect(download.size).toBe(100);
      expect(download.fileName).toBe(fileName);
      expect(await bytesOf(download.stream)).toEqual(content);
    });

    it('adminRequest for an organization owner answers cipherMiniResponse (cipherResponse null); the collection members are told', async () => {
      const owner = alice;
      const { orgId, collectionId, cipherId } = await organizationCipher(owner);
      const before = await cipherRevision(cipherId);
      const now = ctx.h.clock.advance();

      const answer = await ctx.service.createUpload(owner.auth, cipherId, { key: encString('key'), fileName: encString('name'), fileSize: 10, adminRequest: true });

      expect(answer.cipherResponse).toBeNull();
      expect(answer.cipherMiniResponse).toMatchObject({ object: 'cipherMini', id: cipherId, organizationId: orgId, revisionDate: now.toISOString() });
      expect(now.getTime()).toBeGreaterThan(before.getTime());
      expect(await ctx.h.events.take()).toEqual([{
        name: 'CipherUpdated',
        payload: { cipherId, userId: null, organizationId: orgId, collectionIds: [collectionId], revisionDate: now, recipients: [owner.id], actor: owner.auth.actor },
      }]);
      expect(await row(cipherId, answer.attachmentId as string)).toMatchObject({ validated: false, fileSize: 10 });
    });

    it('refuses another user\'s cipher (404), an empty file and a stale revision date, with no row and no event', async () => {
      const cipherId = await personal(alice);
      const request = { key: encString('key'), fileName: encString('name'), fileSize: 10 };
      expect(await failure(ctx.service.createUpload(bob.auth, cipherId, request))).toMatchObject({ code: ErrorCode.AttachmentNotFound, status: 404 });
      expect(await failure(ctx.service.createUpload(alice.auth, cipherId, { ...request, fileSize: 0 }))).toMatchObject({ code: ErrorCode.AttachmentEmpty });
      const stale = new Date((await cipherRevision(cipherId)).getTime() - 5_000).toISOString();
      expect(await failure(ctx.service.createUpload(alice.auth, cipherId, { ...request, lastKnownRevisionDate: stale }))).toMatchObject({ code: ErrorCode.StaleCipher });
      expect(await rowsOf(cipherId)).toEqual([]);
      expect(await ctx.h.events.take()).toEqual([]);
    });
  });

  describe('upload', () => {
    it('a second upload of the same attachment is AttachmentAlreadyUploaded; the first file stays', async () => {
      const cipherId = await personal(alice);
      const { id, content } = await attach(alice, cipherId, 50);

      const error = await failure(ctx.service.upload(alice.auth, cipherId, id, multipart(randomBytes(50))));
      expect(error).toMatchObject({ code: ErrorCode.AttachmentAlreadyUploaded, status: 400 });
      expect(await ctx.h.events.take()).toEqual([]);
      expect(await row(cipherId, id)).toMatchObject({ validated: true, fileSize: 50 });
      expect(filesUnder(ctx.folder)).toEqual([join(cipherId, id)]);
      const download = await ctx.service.download(tokenOf((await ctx.service.get(alice.auth, cipherId, id, false)).url), cipherId, id);
      expect(await bytesOf(download.stream)).toEqual(content);
    });

    it('a body longer than announced (beyond the leeway) removes the pending attachment with one CipherUpdated: AttachmentSizeMismatch, nothing on disk', async () => {
      const cipherId = await personal(alice);
      const { attachmentId } = await ctx.service.createUpload(alice.auth, cipherId, { key: encString('key'), fileName: encString('name'), fileSize: 100 });
      const id = attachmentId as string;
      await ctx.h.events.take();
      const now = ctx.h.clock.advance();

      const error = await failure(ctx.service.upload(alice.auth, cipherId, id, multipart(randomBytes(100 + SIZE_LEEWAY_BYTES + 1))));

      expect(error).toMatchObject({ code: ErrorCode.AttachmentSizeMismatch, status: 400 });
      expect(await row(cipherId, id)).toBeNull();
      expect((await cipherRevision(cipherId)).getTime()).toBe(now.getTime());
      expect(await ctx.h.events.take()).toEqual([{ name: 'CipherUpdated', payload: personalChange(alice, cipherId, now) }]);
      expect(filesUnder(ctx.folder)).toEqual([]);
      // Gone: uploading again finds nothing.
      expect((await failure(ctx.service.upload(alice.auth, cipherId, id, multipart(randomBytes(100))))).status).toBe(404);
    });

    it('a body much shorter than announced, or empty, also removes the pending attachment', async () => {
      const cipherId = await personal(alice);
      for (const [content, code] of [[randomBytes(10), ErrorCode.AttachmentSizeMismatch], [Buffer.alloc(0), ErrorCode.AttachmentEmpty]] as const) {
        const { attachmentId } = await ctx.service.createUpload(alice.auth, cipherId, { key: encString('key'), fileName: encString('name'), fileSize: SIZE_LEEWAY_BYTES + 11 });
        await ctx.h.events.take();
        expect(await failure(ctx.service.upload(alice.auth, cipherId, attachmentId as string, multipart(content)))).toMatchObject({ code });
        expect(await row(cipherId, attachmentId as string)).toBeNull();
        expect(await ctx.h.events.names()).toEqual(['CipherUpdated']);
      }
      expect(filesUnder(ctx.folder)).toEqual([]);
    });

    it('another user cannot upload the file (404); the pending row is kept', async () => {
      const cipherId = await personal(alice);
      const { attachmentId } = await ctx.service.createUpload(alice.auth, cipherId, { key: encString('key'), fileName: encString('name'), fileSize: 10 });
      await ctx.h.events.take();
      expect((await failure(ctx.service.upload(bob.auth, cipherId, attachmentId as string, multipart(randomBytes(10))))).status).toBe(404);
      expect(await row(cipherId, attachmentId as string)).toMatchObject({ validated: false });
      expect(await ctx.h.events.take()).toEqual([]);
      expect(filesUnder(ctx.folder)).toEqual([]);
    });
  });

  describe('uploadLegacy', () => {
    it('stores key, name and file in one request, emits one CipherUpdated and answers the cipher with the attachment', async () => {
      const cipherId = await personal(alice);
      const now = ctx.h.clock.advance();
      const content = randomBytes(300);
      const key = encString('key');
      const fileName = encString('legacy name');

      const answer = await ctx.service.uploadLegacy(alice.auth, cipherId, multipart(content, { key }, fileName), false);

      expect(answer).toMatchObject({ object: 'cipherDetails', id: cipherId, revisionDate: now.toISOString() });
      const [stored] = await rowsOf(cipherId);
      expect(stored).toMatchObject({ fileName, key, fileSize: 300, validated: true });
      expect(answer.attachments).toEqual([expect.objectContaining({ id: stored?.id, fileName, key, size: '300' })]);
      expect(await ctx.h.events.take()).toEqual([{ name: 'CipherUpdated', payload: personalChange(alice, cipherId, now) }]);
      expect(filesUnder(ctx.folder)).toEqual([join(cipherId, stored?.id ?? '')]);
    });
  });

  describe('delete', () => {
    it('removes the row, emits CipherUpdated, answers deleteAttachment with the new revision date; the file goes after commit', async () => {
      const cipherId = await personal(alice);
      const { id } = await attach(alice, cipherId, 20);
      const before = await cipherRevision(cipherId);
      const now = ctx.h.clock.advance();

      const answer = await ctx.service.delete(alice.auth, cipherId, id, false);

      expect(answer).toMatchObject({ object: 'deleteAttachment', cipher: { object: 'cipherMini', id: cipherId, revisionDate: now.toISOString() } });
      expect(now.getTime()).toBeGreaterThan(before.getTime());
      expect(await row(cipherId, id)).toBeNull();
      expect((await cipherRevision(cipherId)).getTime()).toBe(now.getTime());
      // The file is removed by an after-commit hook: still there when the call returns, gone once hooks have run.
      expect(filesUnder(ctx.folder)).toEqual([join(cipherId, id)]);
      await ctx.h.get(UnitOfWork).drain();
      expect(filesUnder(ctx.folder)).toEqual([]);
      expect(await ctx.h.events.take()).toEqual([{ name: 'CipherUpdated', payload: personalChange(alice, cipherId, now) }]);
    });

    it('another user gets 404 (AttachmentNotFound); nothing changes', async () => {
      const cipherId = await personal(alice);
      const { id } = await attach(alice, cipherId, 20);
      const before = await cipherRevision(cipherId);

      const error = await failure(ctx.service.delete(bob.auth, cipherId, id, false));
      expect(error).toMatchObject({ code: ErrorCode.AttachmentNotFound, status: 404 });
      expect(await failure(ctx.service.delete(bob.auth, cipherId, id, true))).toMatchObject({ status: 404 });
      await ctx.h.get(UnitOfWork).drain();
      expect(await row(cipherId, id)).toMatchObject({ validated: true });
      expect((await cipherRevision(cipherId)).getTime()).toBe(before.getTime());
      expect(filesUnder(ctx.folder)).toEqual([join(cipherId, id)]);
      expect(await ctx.h.events.take()).toEqual([]);
    });

    it('an unknown attachment id is 404', async () => {
      const cipherId = await personal(alice);
      expect(await failure(ctx.service.delete(alice.auth, cipherId, 'a'.repeat(32), false))).toMatchObject({ code: ErrorCode.AttachmentNotFound, status: 404 });
      expect(await failure(ctx.service.delete(alice.auth, cipherId, '../../etc', false))).toMatchObject({ status: 404 });
      expect(await ctx.h.events.take()).toEqual([]);
    });
  });

  describe('download', () => {
    it('a token from get serves the bytes; for another attachment or cipher path it is 404; after the delete it is 404', async () => {
      const cipherId = await personal(alice);
      const first = await attach(alice, cipherId, 1000);
      const second = await attach(alice, cipherId, 10);
      const token = tokenOf((await ctx.service.get(alice.auth, cipherId, first.id, false)).url);

      const served = await ctx.service.download(token, cipherId, first.id);
      expect(served.size).toBe(1000);
      expect(await bytesOf(served.stream)).toEqual(first.content);
      // The official token-only route: the ids come from the token.
      expect(await bytesOf((await ctx.service.download(token)).stream)).toEqual(first.content);
      // Case of the cipher id in the path does not matter.
      expect(await bytesOf((await ctx.service.download(token, cipherId.toUpperCase(), first.id)).stream)).toEqual(first.content);

      for (const attempt of [
        () => ctx.service.download(token, cipherId, second.id),
        () => ctx.service.download(token, randomUUID(), first.id),
        () => ctx.service.download(undefined, cipherId, first.id),
        () => ctx.service.download('', cipherId, first.id),
        () => ctx.service.download(`${token}x`, cipherId, first.id),
      ]) expect(await failure(attempt())).toMatchObject({ code: ErrorCode.AttachmentNotFound, status: 404 });

      // Bob can neither get a link nor see the attachment.
      expect((await failure(ctx.service.get(bob.auth, cipherId, first.id, false))).status).toBe(404);

      await ctx.service.delete(alice.auth, cipherId, first.id, false);
      await ctx.h.get(UnitOfWork).drain();
      expect(await failure(ctx.service.download(token, cipherId, first.id))).toMatchObject({ code: ErrorCode.AttachmentNotFound, status: 404 });
      expect(await failure(ctx.service.download(token))).toMatchObject({ status: 404 });
      // The other attachment is untouched.
      const other = await ctx.service.download(tokenOf((await ctx.service.get(alice.auth, cipherId, second.id, false)).url), cipherId, second.id);
      expect(await bytesOf(other.stream)).toEqual(second.content);
    });
  });
});

describe('AttachmentsService quotas: attachments disabled (USER_ATTACHMENT_LIMIT=0)', () => {
  const { ctx, personal, organizationCipher, rowsOf } = setup({ USER_ATTACHMENT_LIMIT: '0' });

  it('refuses personal uploads on both routes with AttachmentsDisabled; organization ciphers (no org limit) still take files', async () => {
    expect(ctx.h.config.attachments).toMatchObject({ userLimitBytes: 0, orgLimitBytes: null });
    const alice = await ctx.h.newUser();
    const cipherId = await personal(alice);

    expect(await failure(ctx.service.createUpload(alice.auth, cipherId, { key: encString('key'), fileName: encString('name'), fileSize: 1 })))
      .toMatchObject({ code: ErrorCode.AttachmentsDisabled, status: 400 });
    expect(await failure(ctx.service.uploadLegacy(alice.auth, cipherId, multipart(randomBytes(1), { key: encString('key') }), false)))
      .toMatchObject({ code: ErrorCode.AttachmentsDisabled });
    expect(await rowsOf(cipherId)).toEqual([]);
    expect(await ctx.h.events.take()).toEqual([]);
    expect(filesUnder(ctx.folder)).toEqual([]);

    const { cipherId: shared } = await organizationCipher(alice);
    const { attachmentId } = await ctx.service.createUpload(alice.auth, shared, { key: encString('key'), fileName: encString('name'), fileSize: 5 });
    await ctx.service.upload(alice.auth, shared, attachmentId as string, multipart(randomBytes(5)));
    expect(await rowsOf(shared)).toEqual([expect.objectContaining({ validated: true, fileSize: 5 })]);
  });
});

describe('AttachmentsService quotas: 4 KiB per user, 8 KiB per organization', () => {
  const USER_LIMIT = 4 * 1024;
  const ORG_LIMIT = 8 * 1024;
  const { ctx, personal, organizationCipher, attach, row, rowsOf } = setup({ USER_ATTACHMENT_LIMIT: '4', ORG_ATTACHMENT_LIMIT: '8' });
  const announce = (user: TestUser, cipherId: string, fileSize: number) =>
    ctx.service.createUpload(user.auth, cipherId, { key: encString('key'), fileName: encString('name'), fileSize });

  it('used + size over the limit is AttachmentLimitExceeded (pending uploads count); a full quota is AttachmentLimitReached', async () => {
    expect(ctx.h.config.attachments).toMatchObject({ userLimitBytes: USER_LIMIT, orgLimitBytes: ORG_LIMIT });
    const alice = await ctx.h.newUser();
    const cipherId = await personal(alice);
    await attach(alice, cipherId, 3000);
    // Announced only, never uploaded: counted all the same.
    await announce(alice, cipherId, 500);
    await ctx.h.events.take();

    expect(await failure(announce(alice, cipherId, USER_LIMIT - 3500 + 1))).toMatchObject({ code: ErrorCode.AttachmentLimitExceeded, status: 400 });
    expect(await failure(ctx.service.uploadLegacy(alice.auth, cipherId, multipart(randomBytes(USER_LIMIT - 3500 + 1), { key: encString('key') }), false)))
      .toMatchObject({ code: ErrorCode.AttachmentLimitExceeded });
    expect(await rowsOf(cipherId)).toHaveLength(2);
    expect(await ctx.h.events.take()).toEqual([]);

    // Exactly what is left fits; then the quota is full.
    await announce(alice, cipherId, USER_LIMIT - 3500);
    await ctx.h.events.take();
    expect(await failure(announce(alice, cipherId, 1))).toMatchObject({ code: ErrorCode.AttachmentLimitReached, status: 400 });
    expect(await failure(ctx.service.uploadLegacy(alice.auth, cipherId, multipart(randomBytes(1), { key: encString('key') }), false)))
      .toMatchObject({ code: ErrorCode.AttachmentLimitReached });
    // Another user's quota is their own.
    const bob = await ctx.h.newUser();
    await attach(bob, await personal(bob), USER_LIMIT);
    expect(await ctx.h.events.take()).toEqual([]);
    expect(filesUnder(ctx.folder).filter((path) => !path.startsWith('.tmp'))).toHaveLength(2);
    expect(filesUnder(ctx.folder).filter((path) => path.startsWith('.tmp'))).toEqual([]);
  });

  it('an upload streaming past the quota is cut off: AttachmentLimitExceeded, the pending row removed with a CipherUpdated, nothing on disk', async () => {
    const alice = await ctx.h.newUser();
    const cipherId = await personal(alice);
    const { attachmentId } = await announce(alice, cipherId, 1000);
    await ctx.h.events.take();

    // Within the 1 MiB size leeway, but past the 4 KiB quota.
    const error = await failure(ctx.service.upload(alice.auth, cipherId, attachmentId as string, multipart(randomBytes(USER_LIMIT + 1))));
    expect(error).toMatchObject({ code: ErrorCode.AttachmentLimitExceeded });
    expect(await row(cipherId, attachmentId as string)).toBeNull();
    expect(await ctx.h.events.names()).toEqual(['CipherUpdated']);
    expect(filesUnder(ctx.folder)).toEqual([]);
  });

  it('organization limits count only that organization\'s ciphers; personal limits only personal ones', async () => {
    const owner = await ctx.h.newUser();
    const first = await organizationCipher(owner);
    // More than the user limit: organization ciphers are under the organization's limit.
    await attach(owner, first.cipherId, ORG_LIMIT - 100);
    expect(await failure(announce(owner, first.cipherId, 101))).toMatchObject({ code: ErrorCode.AttachmentLimitExceeded });
    // The organization's bytes are not the owner's: the personal quota is whole.
    const mine = await personal(owner);
    await attach(owner, mine, USER_LIMIT);
    expect(await failure(announce(owner, mine, 1))).toMatchObject({ code: ErrorCode.AttachmentLimitReached });

    // A second cipher of the same organization shares its quota.
    const sibling = await organizationCipher(owner, first.orgId);
    await attach(owner, sibling.cipherId, 100);
    expect(await failure(announce(owner, sibling.cipherId, 1))).toMatchObject({ code: ErrorCode.AttachmentLimitReached });
    expect(await failure(announce(owner, first.cipherId, 1))).toMatchObject({ code: ErrorCode.AttachmentLimitReached });

    // Another organization of the same owner has its whole quota.
    const other = await organizationCipher(owner);
    await attach(owner, other.cipherId, ORG_LIMIT);
    expect(await failure(announce(owner, other.cipherId, 1))).toMatchObject({ code: ErrorCode.AttachmentLimitReached });

    // Freeing space in the organization makes room again.
    const [freed] = await rowsOf(sibling.cipherId);
    await ctx.service.delete(owner.auth, sibling.cipherId, freed?.id ?? '', false);
    await ctx.h.events.take();
    await attach(owner, first.cipherId, 100);
    expect(await ctx.h.events.take()).toEqual([]);
  });
});
