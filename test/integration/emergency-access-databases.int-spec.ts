// Emergency access on PostgreSQL and MySQL (MariaDB here): the feature's hand-written SQL (the duplicate check, the
// jobs' read of pending requests, the conditional status and reminder updates with their timestamp comparison, the
// takeover's writes on the grantor's account and memberships), over HTTP.
import { EmergencyAccessJobs } from '../../src/emergency-access/emergency-access.jobs';
import { createTestApp, TestApp } from '../support/app';
import { call, newPerson, Person } from '../support/org-harness';
import { createMysqlDatabase, createPostgresDatabase, describeWithServices, TestDatabase } from '../support/services';
import { decryptType4, encryptType2, encryptType4, masterPasswordHash, passwordLogin, pbkdf2MasterKey, stretchMasterKey, WEB_VAULT } from '../support/test-crypto';
import { withClockShifted } from '../support/clock';

const DAY_MS = 24 * 3600_000;

function emergencyAccessOn(name: string, variable: 'TEST_POSTGRES_URL' | 'TEST_MYSQL_URL', createDatabase: () => Promise<TestDatabase>, type: string): void {
  describeWithServices([variable], `emergency access on ${name}`, () => {
    let db: TestDatabase;
    let t: TestApp;
    let a: Person;
    let b: Person;

    const ahead = <T>(ms: number, body: () => Promise<T>): Promise<T> => withClockShifted(t, ms, body);

    beforeAll(async () => {
      db = await createDatabase();
      t = await createTestApp({ DATABASE_URL: db.url, EMERGENCY_REQUEST_TIMEOUT_SCHEDULE: '', EMERGENCY_NOTIFICATION_REMINDER_SCHEDULE: '' });
      [a, b] = [await newPerson(t, 'grantor'), await newPerson(t, 'grantee')];
    }, 60_000);
    afterAll(async () => {
      await t?.close();
      await db?.drop();
    });

    it(`runs on ${name}`, () => {
      expect(t.config.database.type).toBe(type);
    });

    it('invite (accepted at once without mail), duplicate refused, confirm, initiate; the jobs remind and approve once; takeover', async () => {
      expect((await call(t, a.token, 'POST', '/api/emergency-access/invite', { email: b.account.email, type: 1, waitTimeDays: 2 })).status).toBe(200);
      expect((await call(t, a.token, 'POST', '/api/emergency-access/invite', { email: b.account.email, type: 0, waitTimeDays: 1 })).body.message)
        .toBe(`Grantee user already invited: ${b.account.email}`);
      const [grant] = (await call(t, a.token, 'GET', '/api/emergency-access/trusted')).body.data;
      expect(grant).toMatchObject({ status: 1, type: 1, waitTimeDays: 2, granteeId: b.userId });
      const key = encryptType4(a.account.secrets.userKey, b.account.publicKey);
      expect((await call(t, a.token, 'POST', `/api/emergency-access/${grant.id}/confirm`, { key })).body).toMatchObject({ status: 2 });
      expect((await call(t, b.token, 'POST', `/api/emergency-access/${grant.id}/initiate`)).body).toMatchObject({ status: 3 });

      const jobs = t.app.get(EmergencyAccessJobs);
      expect(await ahead(DAY_MS - 60_000, () => jobs.sendReminders())).toBe(0);
      expect(await ahead(DAY_MS + 60_000, () => jobs.sendReminders())).toBe(1);
      expect(await ahead(DAY_MS + 120_000, () => jobs.sendReminders())).toBe(0);
      expect(await ahead(2 * DAY_MS - 60_000, () => jobs.approveTimedOut())).toBe(0);
      expect(await ahead(2 * DAY_MS + 60_000, () => jobs.approveTimedOut())).toBe(1);
      expect(await ahead(2 * DAY_MS + 60_000, () => jobs.approveTimedOut())).toBe(0);
      expect((await call(t, a.token, 'POST', `/api/emergency-access/${grant.id}/approve`)).status).toBe(400);

      const takeover = (await call(t, b.token, 'POST', `/api/emergency-access/${grant.id}/takeover`)).body;
      const userKey = decryptType4(takeover.keyEncrypted as string, b.account.secrets.privateKeyDer);
      const masterKey = pbkdf2MasterKey('new password', a.account.email, a.account.kdf.iterations);
      const hash = masterPasswordHash(masterKey, 'new password');
      expect((await call(t, b.token, 'POST', `/api/emergency-access/${grant.id}/password`, { newMasterPasswordHash: hash, key: encryptType2(userKey, stretchMasterKey(masterKey)) })).status).toBe(200);
      const session = await passwordLogin(t.baseUrl, { ...a.account, masterPasswordHash: hash }, { ...WEB_VAULT, identifier: 'e5a3c1f0-0000-4000-8000-000000000001' });
      expect(session.access_token).toEqual(expect.any(String));
      expect((await call(t, b.token, 'DELETE', `/api/emergency-access/${grant.id}`)).status).toBe(200);
      // A's old session ended with the takeover; the new one sees the grant gone.
      expect((await call(t, a.token, 'GET', '/api/emergency-access/trusted')).status).toBe(401);
      expect((await call(t, session.access_token, 'GET', '/api/emergency-access/trusted')).body.data).toEqual([]);
    });
  });
}

emergencyAccessOn('PostgreSQL', 'TEST_POSTGRES_URL', createPostgresDatabase, 'postgres');
emergencyAccessOn('MySQL', 'TEST_MYSQL_URL', createMysqlDatabase, 'mysql');
