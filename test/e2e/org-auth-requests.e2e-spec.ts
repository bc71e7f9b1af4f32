// Admin approval of logins (trusted-device style "Request admin approval") with real client crypto, as the web
// vault's Admin Console "Device approvals" does it: a member enrolled in account recovery logs in on a new device,
// which asks its organization's admins (POST /api/auth-requests/admin-request with a fresh RSA key pair); the owner
// lists the request, opens the member's user key from the reset-password key with the organization's private key,
// encrypts it to the request's public key and approves; the new device's poll returns it and its anonymous hub
// hears AuthRequestResponse. Denial, bulk denial, and who may not see or answer.
import { randomBytes, randomUUID } from 'node:crypto';
import { anonymousHub, AnonymousMessage, waitUntil } from '../support/anonymous-hub';
import { createTestApp, TestApp } from '../support/app';
import { addMembers, call, createOrganization, Json, newPerson, Organization, Person } from '../support/org-harness';
import {
  askAdmins as askAdminsOn, enableAccountRecovery, encryptedUserKeyFor as userKeyFor, enrollInAccountRecovery, listPending, NewDevice, poll as pollOn,
} from '../support/org-auth-requests';
import { decryptType4, encryptType4 } from '../support/test-crypto';
import type { HubConnection } from '@microsoft/signalr';

describe('admin approval of logins: /api/organizations/{orgId}/auth-requests', () => {
  let t: TestApp;
  let owner: Person;
  let member: Person;
  let plain: Person;
  let outsider: Person;
  let org: Organization;
  let outsiderOrg: Organization;
  let memberIdOf: (who: { account: Person['account'] }) => string;
  const hubs: HubConnection[] = [];

  beforeAll(async () => {
    t = await createTestApp({ AUTH_REQUEST_PURGE_SCHEDULE: '' });
    [owner, member, plain, outsider] = await Promise.all([newPerson(t, 'oar-owner'), newPerson(t, 'oar-member'), newPerson(t, 'oar-plain'), newPerson(t, 'oar-outsider')]);
    org = await createOrganization(t, owner, 'Approvals');
    outsiderOrg = await createOrganization(t, outsider, 'Elsewhere');
    memberIdOf = await addMembers(t, owner, org, [member, plain]);
    // Account recovery needs the Single organization policy; then the member enrolls through the official route.
    await enableAccountRecovery(t, owner, org);
    await enrollInAccountRecovery(t, org, member);
  }, 120_000);
  afterAll(async () => {
    await Promise.all(hubs.map((hub) => hub.stop()));
    await t?.close();
  });

  const askAdmins = (who: Person): Promise<{ id: string; device: NewDevice }> => askAdminsOn(t, who);
  const poll = (id: string, device: NewDevice): Promise<Json> => pollOn(t, id, device);
  const listed = (who: Person, orgId = org.id): Promise<Json[]> => listPending(t, who, orgId);
  const listen = async (id: string): Promise<AnonymousMessage[]> => {
    const hub = await anonymousHub(t.baseUrl, id);
    hubs.push(hub.connection);
    return hub.received;
  };

  /** What the web vault computes to approve: the member's user key, re-encrypted to the request's public key. */
  const encryptedUserKeyFor = (request: Json): Promise<string> => userKeyFor(t, owner, org.id, request);

  it('the owner approves with the user key re-encrypted to the device; the device polls it, decrypts it, and its anonymous hub hears 16', async () => {
    const { id, device } = await askAdmins(member);
    const heard = await listen(id);

    const request = (await listed(owner)).find((r) => r.id === id);
    expect(request).toEqual({
      id, userId: member.userId, organizationUserId: memberIdOf(member), email: member.account.email, publicKey: device.publicKey,
      requestDeviceIdentifier: device.identifier, requestDeviceType: 'ChromeBrowser', requestIpAddress: expect.any(String), requestCountryName: null,
      creationDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), object: 'pending-org-auth-request',
    });
    expect((await poll(id, device))).toMatchObject({ requestApproved: false, key: null });

    const encryptedUserKey = await encryptedUserKeyFor(request);
    const approved = await call(t, owner.token, 'POST', `/api/organizations/${org.id}/auth-requests/${id}`, { requestApproved: true, encryptedUserKey });
    expect(approved.status).toBe(200);

    await waitUntil(() => heard.length === 1);
    expect(heard[0]).toEqual({ Type: 16, Payload: { Id: id, UserId: member.userId }, UserId: member.userId });
    const polled = await poll(id, device);
    expect(polled).toMatchObject({ id, requestApproved: true, key: encryptedUserKey });
    expect(decryptType4(polled.key as string, device.privateKeyDer).equals(member.account.secrets.userKey)).toBe(true);
    // The new device (logged in) reads it by id as well, as the clients do for a stored admin request.
    expect((await call(t, device.token, 'GET', `/api/auth-requests/${id}`)).body).toMatchObject({ requestApproved: true, key: encryptedUserKey });

    expect((await listed(owner)).map((r) => r.id)).not.toContain(id);
    const again = await call(t, owner.token, 'POST', `/api/organizations/${org.id}/auth-requests/${id}`, { requestApproved: false });
    expect(again.status).toBe(400);
  }, 60_000);

  it('denial: the poll says not approved, no key, and the anonymous hub hears nothing', async () => {
    const denied = await askAdmins(member);
    const approved = await askAdmins(member);
    const deniedHeard = await listen(denied.id);
    const approvedHeard = await listen(approved.id);
    expect((await call(t, owner.token, 'POST', `/api/organizations/${org.id}/auth-requests/${denied.id}`, { requestApproved: false })).status).toBe(200);
    const request = (await listed(owner)).find((r) => r.id === approved.id);
    expect((await call(t, owner.token, 'POST', `/api/organizations/${org.id}/auth-requests/${approved.id}`, { requestApproved: true, encryptedUserKey: await encryptedUserKeyFor(request) })).status).toBe(200);
    // The denial was answered first and deliveries follow the commits in order: once the approval is heard, a
    // message for the denial would already have been sent.
    await waitUntil(() => approvedHeard.length === 1);
    expect(deniedHeard).toEqual([]);
    expect(await poll(denied.id, denied.device)).toMatchObject({ requestApproved: false, key: null });
    expect((await call(t, owner.token, 'POST', `/api/organizations/${org.id}/auth-requests/${randomUUID()}`, { requestApproved: false })).status).toBe(404);
    expect((await call(t, owner.token, 'POST', `/api/organizations/${org.id}/auth-requests/${approved.id}`, { requestApproved: true })).status).toBe(400);
  }, 60_000);

  it('bulk deny answers the listed requests and returns their ids', async () => {
    const a = await askAdmins(member);
    const b = await askAdmins(member);
    const denied = await call(t, owner.token, 'POST', `/api/organizations/${org.id}/auth-requests/deny`, { ids: [a.id, b.id, randomUUID()] });
    expect(denied.status).toBe(200);
    expect((denied.body as string[]).sort()).toEqual([a.id, b.id].sort());
    const left = (await listed(owner)).map((r) => r.id);
    expect(left).not.toContain(a.id);
    expect(left).not.toContain(b.id);
    expect(await poll(b.id, b.device)).toMatchObject({ requestApproved: false, key: null });
    expect((await call(t, owner.token, 'POST', `/api/organizations/${org.id}/auth-requests/deny`, { ids: ['not-a-uuid'] })).status).toBe(400);
  }, 60_000);

  it('bulk update (the body a bare array of { id, key, approved }) approves and denies at once', async () => {
    const a = await askAdmins(member);
    const b = await askAdmins(member);
    const request = (await listed(owner)).find((r) => r.id === a.id);
    const key = await encryptedUserKeyFor(request);
    const updated = await call(t, owner.token, 'POST', `/api/organizations/${org.id}/auth-requests`, [{ id: a.id, key, approved: true }, { id: b.id, key: null, approved: false }]);
    expect(updated.status).toBe(200);
    expect(decryptType4((await poll(a.id, a.device)).key as string, a.device.privateKeyDer).equals(member.account.secrets.userKey)).toBe(true);
    expect(await poll(b.id, b.device)).toMatchObject({ requestApproved: false, key: null });
    expect((await call(t, owner.token, 'POST', `/api/organizations/${org.id}/auth-requests`, [{ id: 'nope', approved: 'yes' }])).status).toBe(400);
    expect((await call(t, owner.token, 'POST', `/api/organizations/${org.id}/auth-requests`, { id: a.id })).status).toBe(400);
  }, 60_000);

  it('a plain member and another organization’s owner can neither list nor answer (404); a member not enrolled is not listed', async () => {
    const asked = await askAdmins(member);
    const notEnrolled = await askAdmins(plain);
    const ids = (await listed(owner)).map((r) => r.id);
    expect(ids).toContain(asked.id);
    expect(ids).not.toContain(notEnrolled.id);
    expect((await call(t, owner.token, 'POST', `/api/organizations/${org.id}/auth-requests/${notEnrolled.id}`, { requestApproved: false })).status).toBe(404);

    for (const who of [plain, outsider]) {
      expect((await call(t, who.token, 'GET', `/api/organizations/${org.id}/auth-requests`)).status).toBe(404);
      expect((await call(t, who.token, 'POST', `/api/organizations/${org.id}/auth-requests/${asked.id}`, { requestApproved: true, encryptedUserKey: encryptType4(randomBytes(64), asked.device.publicKey) })).status).toBe(404);
      expect((await call(t, who.token, 'POST', `/api/organizations/${org.id}/auth-requests/deny`, { ids: [asked.id] })).status).toBe(404);
    }
    // Through the outsider's own organization: not listed, not answerable.
    expect(await listed(outsider, outsiderOrg.id)).toEqual([]);
    expect((await call(t, outsider.token, 'POST', `/api/organizations/${outsiderOrg.id}/auth-requests/${asked.id}`, { requestApproved: false })).status).toBe(404);
    expect((await call(t, outsider.token, 'POST', `/api/organizations/${outsiderOrg.id}/auth-requests/deny`, { ids: [asked.id] })).body).toEqual([]);
    expect(await poll(asked.id, asked.device)).toMatchObject({ requestApproved: false, responseDate: null });

    // Admin approval needs a logged-in member: the anonymous route refuses the type, and nobody asks for someone else.
    const anonymous = await call(t, null, 'POST', '/api/auth-requests', { email: member.account.email, publicKey: asked.device.publicKey, deviceIdentifier: randomUUID(), accessCode: 'x', type: 2 });
    expect(anonymous).toMatchObject({ status: 400, body: { message: 'You must be authenticated to create a request of that type.' } });
    const forOther = await call(t, outsider.token, 'POST', '/api/auth-requests/admin-request', { email: member.account.email, publicKey: asked.device.publicKey, deviceIdentifier: randomUUID(), accessCode: 'x', type: 2 });
    expect(forOther.status).toBe(400);
    expect((await call(t, null, 'POST', '/api/auth-requests/admin-request', { email: member.account.email, publicKey: asked.device.publicKey, deviceIdentifier: randomUUID(), accessCode: 'x', type: 2 })).status).toBe(401);
  }, 60_000);
});
