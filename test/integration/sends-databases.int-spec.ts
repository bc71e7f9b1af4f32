// Sends on PostgreSQL and MySQL (MariaDB here): the hand-written SQL of the feature (the atomic access count bounded
// by the maximum, the quota sum over BIGINT, the purge's date comparison and the sweep's FALSE literal), over HTTP.
import { randomBytes } from 'node:crypto';
import { SendPurgeJob } from '../../src/sends/send-purge.job';
import { Clock } from '../../src/common/time/clock';
import { createTestApp, TestApp } from '../support/app';
import { fetchLink, multipartForm, postMultipart, sha256 } from '../support/attachments';
import { call, JsonResponse, newPerson, Person } from '../support/org-harness';
import { createMysqlDatabase, createPostgresDatabase, describeWithServices, TestDatabase } from '../support/services';
import { encryptType2 } from '../support/test-crypto';

const KB = 1024;
const DAY_MS = 24 * 3600_000;

function sendsOn(name: string, variable: 'TEST_POSTGRES_URL' | 'TEST_MYSQL_URL', createDatabase: () => Promise<TestDatabase>, type: string): void {
  describeWithServices([variable], `sends on ${name}`, () => {
    let db: TestDatabase;
    let t: TestApp;
    let alice: Person;

    const enc = (text: string): string => encryptType2(text, alice.account.secrets.userKey);
    const body = (extra: Record<string, unknown>): Record<string, unknown> => ({
      type: 0, name: enc('n'), notes: null, key: enc('k'), text: { text: enc('secret'), hidden: false }, deletionDate: new Date(Date.now() + 7 * DAY_MS).toISOString(),
      expirationDate: null, maxAccessCount: null, disabled: false, hideEmail: false, password: null, authType: 2, ...extra,
    });
    const grant = async (accessId: string): Promise<JsonResponse> => {
      const res = await fetch(`${t.baseUrl}/identity/connect/token`, {
        method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'send_access', client_id: 'send', scope: 'api.send.access', send_id: accessId }),
      });
      return { status: res.status, body: await res.json() };
    };
    const access = async (token: string, path = '/api/sends/access'): Promise<JsonResponse> => {
      const res = await fetch(`${t.baseUrl}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
      return { status: res.status, body: await res.json() };
    };

    beforeAll(async () => {
      db = await createDatabase();
      t = await createTestApp({ DATABASE_URL: db.url, USER_SEND_LIMIT: '100' }, { reachableDomain: true });
      alice = await newPerson(t, 'alice');
    }, 60_000);
    afterAll(async () => {
      await t?.close();
      await db?.drop();
    });

    it(`runs on ${name}`, () => {
      expect(t.config.database.type).toBe(type);
    });

    it('a text Send with a maximum of 2: two reads count, the third is refused; sync lists it with its count', async () => {
      const send = (await call(t, alice.token, 'POST', '/api/sends', body({ maxAccessCount: 2 }))).body;
      const token = (await grant(send.accessId)).body.access_token as string;
      expect((await access(token)).status).toBe(200);
      expect((await access(token)).status).toBe(200);
      expect((await access(token)).status).toBe(404);
      expect((await grant(send.accessId)).body.send_access_error_type).toBe('send_id_invalid');
      const synced = (await call(t, alice.token, 'GET', '/api/sync')).body.sends.find((s: { id: string }) => s.id === send.id);
      expect(synced).toMatchObject({ accessCount: 2, maxAccessCount: 2, hideEmail: false, disabled: false });
    });

    it('file Sends: the quota sums the files, the upload and the download work, the purge deletes past-due and never-uploaded Sends', async () => {
      const bytes = randomBytes(60 * KB);
      const announced = await call(t, alice.token, 'POST', '/api/sends/file/v2', body({ type: 1, text: null, file: { fileName: enc('f') }, fileLength: bytes.length }));
      expect(announced.status).toBe(200);
      const { id, file } = announced.body.sendResponse;
      expect((await postMultipart(t, alice.token, `/api/sends/${id}/file/${file.id}`, multipartForm([['data', new Blob([bytes])]], enc('f')))).status).toBe(200);
      expect((await call(t, alice.token, 'POST', '/api/sends/file/v2', body({ type: 1, text: null, file: { fileName: enc('g') }, fileLength: 50 * KB }))).body)
        .toMatchObject({ message: 'Send storage limit exceeded with this file' });
      const pending = await call(t, alice.token, 'POST', '/api/sends/file/v2', body({ type: 1, text: null, file: { fileName: enc('h') }, fileLength: 10 * KB }));
      expect(pending.status).toBe(200);
      const token = (await grant(announced.body.sendResponse.accessId)).body.access_token as string;
      const link = (await access(token, `/api/sends/access/file/${file.id}`)).body.url as string;
      expect(await fetchLink(link)).toEqual({ status: 200, sha: sha256(bytes) });

      const clock = t.app.get(Clock);
      const now = clock.now.bind(clock);
      clock.now = () => new Date(now().getTime() + 8 * DAY_MS);
      try {
        expect(await t.app.get(SendPurgeJob).runOnce()).toMatchObject({ deleted: 3 });
      } finally {
        clock.now = now;
      }
      expect((await call(t, alice.token, 'GET', '/api/sends')).body.data).toEqual([]);
      const again = await call(t, alice.token, 'POST', '/api/sends/file/v2', body({ type: 1, text: null, file: { fileName: enc('i') }, fileLength: 90 * KB }));
      expect(again.status).toBe(200);
      clock.now = () => new Date(now().getTime() + 2 * DAY_MS);
      try {
        expect(await t.app.get(SendPurgeJob).runOnce()).toMatchObject({ deleted: 0, pending: 1 });
      } finally {
        clock.now = now;
      }
    });
  });
}

sendsOn('PostgreSQL', 'TEST_POSTGRES_URL', () => createPostgresDatabase(), 'postgres');
sendsOn('MySQL', 'TEST_MYSQL_URL', () => createMysqlDatabase(), 'mysql');
