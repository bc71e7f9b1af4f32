// Attachments on PostgreSQL and MySQL (MariaDB here): the hand-written SQL of the feature (quota sums over BIGINT,
// DISTINCT cipher lists, the sweep's FALSE literal and LIMIT) and the composite key, through the app over HTTP.
import { randomBytes, randomUUID } from 'node:crypto';
import { AttachmentSweepJob } from '../../src/attachments/attachment-sweep.job';
import { Clock } from '../../src/common/time/clock';
import { UnitOfWork } from '../../src/db/unit-of-work';
import { createTestApp, TestApp } from '../support/app';
import { fetchLink, multipartForm, postMultipart, sha256, uploadAttachment } from '../support/attachments';
import { call, JsonResponse, newPerson, Person } from '../support/org-harness';
import { createMysqlDatabase, createPostgresDatabase, describeWithServices, TestDatabase } from '../support/services';
import { encryptType2 } from '../support/test-crypto';

const KB = 1024;

function attachmentsOn(name: string, variable: 'TEST_POSTGRES_URL' | 'TEST_MYSQL_URL', createDatabase: () => Promise<TestDatabase>, type: string): void {
  describeWithServices([variable], `attachments on ${name}`, () => {
    let db: TestDatabase;
    let t: TestApp;
    let alice: Person;

    const enc = (text: string): string => encryptType2(text, alice.account.secrets.userKey);
    const current = async (cipherId: string): Promise<JsonResponse> => call(t, alice.token, 'GET', `/api/ciphers/${cipherId}`);
    const announce = async (cipherId: string, fileSize: number): Promise<JsonResponse> => call(t, alice.token, 'POST', `/api/ciphers/${cipherId}/attachment/v2`, {
      key: enc('k'), fileName: enc('f'), fileSize, lastKnownRevisionDate: (await current(cipherId)).body.revisionDate,
    });

    beforeAll(async () => {
      db = await createDatabase();
      t = await createTestApp({ DATABASE_URL: db.url, USER_ATTACHMENT_LIMIT: '200' }, { reachableDomain: true });
      alice = await newPerson(t, 'alice');
    }, 60_000);
    afterAll(async () => {
      await t?.close();
      await db?.drop();
    });

    it(`runs on ${name}`, () => {
      expect(t.config.database.type).toBe(type);
    });

    it('v2 and legacy uploads, sizes as strings in sync, the quota counted over both, download, delete', async () => {
      const cipher = (await call(t, alice.token, 'POST', '/api/ciphers', { type: 2, name: enc('note'), secureNote: { type: 0 } })).body;
      const first = randomBytes(120 * KB);
      const created = await announce(cipher.id, first.length);
      expect(created.status).toBe(200);
      expect((await uploadAttachment(t, alice.token, cipher.id, created.body.attachmentId, first, enc('a'))).status).toBe(200);
      const second = randomBytes(50 * KB);
      const legacy = await postMultipart(t, alice.token, `/api/ciphers/${cipher.id}/attachment`, multipartForm([['key', enc('k')], ['data', new Blob([second])]], enc('b')));
      expect(legacy.status).toBe(200);
      const sync = await call(t, alice.token, 'GET', '/api/sync');
      const listed = sync.body.ciphers.find((c: { id: string }) => c.id === cipher.id);
      expect(listed.attachments.map((a: { size: string }) => a.size).sort()).toEqual([String(120 * KB), String(50 * KB)]);
      // 170 KB of 200 used: 40 KB more is refused at once, 20 KB fits.
      expect(await announce(cipher.id, 40 * KB)).toMatchObject({ status: 400, body: { message: 'Attachment storage limit exceeded with this file' } });
      expect((await announce(cipher.id, 20 * KB)).status).toBe(200);
      const link = (await call(t, alice.token, 'GET', `/api/ciphers/${cipher.id}/attachment/${created.body.attachmentId}`)).body.url as string;
      expect(await fetchLink(link)).toEqual({ status: 200, sha: sha256(first) });
      const deleted = await call(t, alice.token, 'DELETE', `/api/ciphers/${cipher.id}/attachment/${created.body.attachmentId}`);
      expect(deleted).toMatchObject({ status: 200, body: { object: 'deleteAttachment', cipher: { id: cipher.id } } });
      expect((await announce(cipher.id, 100 * KB)).status).toBe(200);
    });

    it('the sweep finds day-old pending attachments; deleting the cipher removes its rows and files', async () => {
      const cipher = (await call(t, alice.token, 'POST', '/api/ciphers', { type: 2, name: enc('note'), secureNote: { type: 0 } })).body;
      const pending = await announce(cipher.id, 5 * KB);
      expect(pending.status).toBe(200);
      const clock = t.app.get(Clock);
      const now = clock.now.bind(clock);
      clock.now = () => new Date(now().getTime() + 25 * 3600_000);
      try {
        expect((await t.app.get(AttachmentSweepJob).runOnce()).pending).toBeGreaterThanOrEqual(1);
      } finally {
        clock.now = now;
      }
      expect((await current(cipher.id)).body.attachments).toBeNull();
      const kept = await announce(cipher.id, 1 * KB);
      const bytes = randomBytes(KB);
      expect((await uploadAttachment(t, alice.token, cipher.id, kept.body.attachmentId, bytes, enc('c'))).status).toBe(200);
      const link = (await call(t, alice.token, 'GET', `/api/ciphers/${cipher.id}/attachment/${kept.body.attachmentId}`)).body.url as string;
      expect((await call(t, alice.token, 'DELETE', `/api/ciphers/${cipher.id}`)).status).toBe(200);
      await t.app.get(UnitOfWork).drain();
      expect((await fetchLink(link)).status).toBe(404);
      expect((await call(t, alice.token, 'GET', `/api/ciphers/${randomUUID()}/attachment/${kept.body.attachmentId}`)).status).toBe(404);
    });
  });
}

attachmentsOn('PostgreSQL', 'TEST_POSTGRES_URL', () => createPostgresDatabase(), 'postgres');
attachmentsOn('MySQL', 'TEST_MYSQL_URL', () => createMysqlDatabase(), 'mysql');
