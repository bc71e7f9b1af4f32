// Admin approval of logins on PostgreSQL and MySQL (MariaDB here): the feature's hand-written SQL (the pending list's
// joins with memberships and users, its boolean and creation-date filters, the by-ids lookup of the answers, the
// purge's boolean and timestamp cut-offs), over HTTP with real client crypto as test/e2e/org-auth-requests.e2e-spec.ts.
import { randomUUID } from 'node:crypto';
import { ADMIN_AUTH_REQUEST_APPROVED_TTL_MS, ADMIN_AUTH_REQUEST_TTL_MS } from '../../src/auth-requests/auth-request-limits';
import { AuthRequestPurgeJob } from '../../src/auth-requests/auth-request-purge.job';
import { createTestApp, TestApp } from '../support/app';
import { addMembers, call, createOrganization, Json, newPerson, Organization, Person } from '../support/org-harness';
import { askAdmins, enableAccountRecovery, encryptedUserKeyFor, enrollInAccountRecovery, listPending, NewDevice, poll, pollResponse } from '../support/org-auth-requests';
import { createMysqlDatabase, createPostgresDatabase, describeWithServices, TestDatabase } from '../support/services';
import { decryptType4, passwordLogin, WEB_VAULT } from '../support/test-crypto';
import { withClockShifted } from '../support/clock';

const MINUTE_MS = 60_000;

interface Asked { id: string; device: NewDevice }

function orgAuthRequestsOn(name: string, variable: 'TEST_POSTGRES_URL' | 'TEST_MYSQL_URL', createDatabase: () => Promise<TestDatabase>, type: string): void {
  describeWithServices([variable], `admin approval of logins on ${name}`, () => {
    let db: TestDatabase;
    let t: TestApp;
    let owner: Person;
    let member: Person;
    let plain: Person;
    let org: Organization;
    let memberIdOf: (who: { account: Person['account'] }) => string;
    // Requests made along the way, in the state each test leaves them for the purge.
    let approved: Asked;
    let notEnrolled: Asked;
    let denied: Asked[];
    let pending: Asked;

    const ahead = <T>(ms: number, body: () => Promise<T>): Promise<T> => withClockShifted(t, ms, body);
    const listed = (): Promise<Json[]> => listPending(t, owner, org.id);
    const answer = (id: string, body: Json) => call(t, owner.token, 'POST', `/api/organizations/${org.id}/auth-requests/${id}`, body);
    const purge = (): Promise<number> => t.app.get(AuthRequestPurgeJob).runOnce();

    beforeAll(async () => {
      db = await createDatabase();
      t = await createTestApp({ DATABASE_URL: db.url, AUTH_REQUEST_PURGE_SCHEDULE: '' });
      [owner, member, plain] = [await newPerson(t, 'oar-owner'), await newPerson(t, 'oar-member'), await newPerson(t, 'oar-plain')];
      org = await createOrganization(t, owner, 'Approvals');
      memberIdOf = await addMembers(t, owner, org, [member, plain]);
      await enableAccountRecovery(t, owner, org);
      await enrollInAccountRecovery(t, org, member);
    }, 120_000);
    afterAll(async () => {
      await t?.close();
      await db?.drop();
    });

    it(`runs on ${name}`, () => {
      expect(t.config.database.type).toBe(type);
    });

    it('lists exactly the enrolled member’s request (not the not-enrolled one’s); the approval’s key polls back and decrypts to the user key', async () => {
      approved = await askAdmins(t, member);
      notEnrolled = await askAdmins(t, plain);
      const { id, device } = approved;

      const requests = await listed();
      expect(requests).toEqual([{
        id, userId: member.userId, organizationUserId: memberIdOf(member), email: member.account.email, publicKey: device.publicKey,
        requestDeviceIdentifier: device.identifier, requestDeviceType: 'ChromeBrowser', requestIpAddress: expect.any(String), requestCountryName: null,
        creationDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), object: 'pending-org-auth-request',
      }]);
      expect(await poll(t, id, device)).toMatchObject({ requestApproved: false, key: null, responseDate: null });
      expect((await answer(notEnrolled.id, { requestApproved: false })).status).toBe(404);

      const encryptedUserKey = await encryptedUserKeyFor(t, owner, org.id, requests[0]);
      expect((await answer(id, { requestApproved: true, encryptedUserKey })).status).toBe(200);
      const polled = await poll(t, id, device);
      expect(polled).toMatchObject({ id, requestApproved: true, key: encryptedUserKey, responseDate: expect.any(String) });
      expect(decryptType4(polled.key as string, device.privateKeyDer).equals(member.account.secrets.userKey)).toBe(true);

      expect(await listed()).toEqual([]);
      expect((await answer(id, { requestApproved: false })).status).toBe(400);
    }, 60_000);

    it('a denial and a bulk denial: answered without a key, gone from the list; the pending rest listed oldest first', async () => {
      const one = await askAdmins(t, member);
      const [a, b] = [await askAdmins(t, member), await askAdmins(t, member)];
      pending = await askAdmins(t, member);
      denied = [one, a, b];
      expect((await listed()).map((r) => r.id)).toEqual([one.id, a.id, b.id, pending.id]);

      expect((await answer(one.id, { requestApproved: false })).status).toBe(200);
      expect((await listed()).map((r) => r.id)).toEqual([a.id, b.id, pending.id]);

      // Unknown ids, an answered request and a not-enrolled member's request are skipped.
      const bulk = await call(t, owner.token, 'POST', `/api/organizations/${org.id}/auth-requests/deny`, { ids: [a.id, b.id, randomUUID(), approved.id, notEnrolled.id] });
      expect(bulk.status).toBe(200);
      expect((bulk.body as string[]).sort()).toEqual([a.id, b.id].sort());
      expect((await listed()).map((r) => r.id)).toEqual([pending.id]);
      for (const { id, device } of denied) {
        expect(await poll(t, id, device)).toMatchObject({ requestApproved: false, key: null, responseDate: expect.any(String) });
      }
      // The approved one stayed approved.
      expect(await poll(t, approved.id, approved.device)).toMatchObject({ requestApproved: true });
    }, 60_000);

    it('a request older than 7 days is not listed nor answerable', async () => {
      // Days later the owner's access token has expired too: the owner logs in again then.
      const later = async <T>(ms: number, body: (owner: Person) => Promise<T>): Promise<T> => ahead(ms, async () => {
        const token = (await passwordLogin(t.baseUrl, owner.account, { ...WEB_VAULT, identifier: randomUUID() })).access_token;
        return body({ ...owner, token });
      });
      expect((await later(ADMIN_AUTH_REQUEST_TTL_MS - MINUTE_MS, (o) => listPending(t, o, org.id))).map((r) => r.id)).toEqual([pending.id]);
      expect(await later(ADMIN_AUTH_REQUEST_TTL_MS + MINUTE_MS, (o) => listPending(t, o, org.id))).toEqual([]);
      expect((await later(ADMIN_AUTH_REQUEST_TTL_MS + MINUTE_MS, (o) => call(t, o.token, 'POST', `/api/organizations/${org.id}/auth-requests/${pending.id}`, { requestApproved: false }))).status).toBe(404);
      expect((await ahead(ADMIN_AUTH_REQUEST_TTL_MS + MINUTE_MS, () => pollResponse(t, pending.id, pending.device))).status).toBe(400);
      // Still pending now.
      expect((await listed()).map((r) => r.id)).toEqual([pending.id]);
    }, 60_000);

    it('the purge deletes an approved request 12 hours after the approval, the others 7 days after their creation', async () => {
      expect(await purge()).toBe(0);
      expect(await ahead(ADMIN_AUTH_REQUEST_APPROVED_TTL_MS - MINUTE_MS, purge)).toBe(0);
      expect(await ahead(ADMIN_AUTH_REQUEST_APPROVED_TTL_MS + MINUTE_MS, purge)).toBe(1);
      expect((await pollResponse(t, approved.id, approved.device)).status).toBe(404);
      for (const { id, device } of [...denied, pending, notEnrolled]) expect((await pollResponse(t, id, device)).status).toBe(200);

      expect(await ahead(ADMIN_AUTH_REQUEST_TTL_MS - MINUTE_MS, purge)).toBe(0);
      expect(await ahead(ADMIN_AUTH_REQUEST_TTL_MS + MINUTE_MS, purge)).toBe(5);
      for (const { id, device } of [...denied, pending, notEnrolled]) expect((await pollResponse(t, id, device)).status).toBe(404);
      expect(await ahead(ADMIN_AUTH_REQUEST_TTL_MS + MINUTE_MS, purge)).toBe(0);
    }, 60_000);
  });
}

orgAuthRequestsOn('PostgreSQL', 'TEST_POSTGRES_URL', createPostgresDatabase, 'postgres');
orgAuthRequestsOn('MySQL', 'TEST_MYSQL_URL', createMysqlDatabase, 'mysql');
