// Admin approval of logins (trusted-device style "Request admin approval") with real client crypto, as the web
// vault's Admin Console "Device approvals" does it: a member enrolled in account recovery logs in on a new device,
// which asks its organization's admins (POST /api/auth-requests/admin-request with a fresh RSA key pair); the owner
// lists the request, opens the member's user key from the reset-password key with the organization's private key,
// encrypts it to the request's public key and approves; the new device's poll returns it and its anonymous hub
// hears AuthRequestResponse. Denial, bulk denial, and who may not see or answer.
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { anonymousHub, AnonymousMessage, waitUntil } from '../support/anonymous-hub';
import { createTestApp, TestApp } from '../support/app';
import { addMembers, call, createOrganization, Json, newPerson, Organization, Person } from '../support/org-harness';
import { decryptType2, decryptType4, encryptType4, passwordLogin, WEB_VAULT } from '../support/test-crypto';
import type { HubConnection } from '@microsoft/signalr';

interface NewDevice { token: string; identifier: string; privateKeyDer: Buffer; publicKey: string; accessCode: string }

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
    for (const [type, data] of [[3, null], [8, { autoEnrollEnabled: false }]] as const) {
      expect((await call(t, owner.token, 'PUT', `/api/organizations/${org.id}/policies/${type}`, { policy: { type, enabled: true, data }, metadata: {} })).status).toBe(200);
    }
    const enrolled = await call(t, member.token, 'PUT', `/api/organizations/${org.id}/users/${member.userId}/reset-password-enrollment`, {
      resetPasswordKey: encryptType4(member.account.secrets.userKey, org.publicKey), masterPasswordHash: member.account.masterPasswordHash,
    });
    expect(enrolled.status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await Promise.all(hubs.map((hub) => hub.stop()));
    await t?.close();
  });

  /** A new web-vault device of `who` logs in and asks its organizations' admins, with a fresh key pair and access code. */
  const askAdmins = async (who: Person): Promise<{ id: string; device: NewDevice }> => {
    const identifier = randomUUID();
    const token = (await passwordLogin(t.baseUrl, who.account, { ...WEB_VAULT, identifier })).access_token;
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
    const device: NewDevice = {
      token, identifier, accessCode: randomBytes(16).toString('base64url'),
      privateKeyDer: pair.privateKey.export({ type: 'pkcs8', format: 'der' }), publicKey: pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    };
    const res = await fetch(`${t.baseUrl}/api/auth-requests/admin-request`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Device-Type': String(WEB_VAULT.type) },
      body: JSON.stringify({ email: who.account.email, publicKey: device.publicKey, deviceIdentifier: identifier, accessCode: device.accessCode, type: 2 }),
    });
    const body = (await res.json()) as Json;
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ object: 'auth-request', publicKey: device.publicKey, requestDeviceIdentifier: identifier, requestApproved: false, key: null });
    return { id: body.id as string, device };
  };
  const poll = async (id: string, device: NewDevice): Promise<Json> => {
    const res = await fetch(`${t.baseUrl}/api/auth-requests/${id}/response?code=${encodeURIComponent(device.accessCode)}`);
    expect(res.status).toBe(200);
    return res.json();
  };
  const listed = async (who: Person, orgId = org.id): Promise<Json[]> => {
    const res = await call(t, who.token, 'GET', `/api/organizations/${orgId}/auth-requests`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ object: 'list', continuationToken: null });
    return res.body.data as Json[];
  };
  const listen = async (id: string): Promise<AnonymousMessage[]> => {
    const hub = await anonymousHub(t.baseUrl, id);
    hubs.push(hub.connection);
    return hub.received;
  };

  /** What the web vault computes to approve: the member's user key, re-encrypted to the request's public key. */
  const encryptedUserKeyFor = async (request: Json): Promise<string> => {
    const sync = await call(t, owner.token, 'GET', '/api/sync');
    const wrappedOrgKey = (sync.body.profile.organizations as Json[]).find((o) => o.id === org.id).key as string;
    const orgKey = decryptType4(wrappedOrgKey, owner.account.secrets.privateKeyDer);
    const details = await call(t, owner.token, 'GET', `/api/organizations/${org.id}/users/${request.organizationUserId}/reset-password-details`);
    expect(details.status).toBe(200);
    const orgPrivateKey = decryptType2(details.body.encryptedPrivateKey as string, orgKey);
    const userKey = decryptType4(details.body.resetPasswordKey as string, orgPrivateKey);
    return encryptType4(userKey, request.publicKey as string);
  };

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
