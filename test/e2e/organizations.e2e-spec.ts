// Organizations, first slice: create an organization the way the web vault does, and see it through sync, the
// official CLI and the hub; owner-only routes, deletion with the master password, leaving, ORG_CREATION_USERS.
import { randomUUID } from 'node:crypto';
import { createTestApp, TestApp } from '../support/app';
import { BwProfile } from '../support/bw-cli';
import { call, connectHub, Json, loginCli, newPerson, organizationRequest, PASSWORD } from '../support/org-harness';
import {
  createPbkdf2User, decodeJwtPayload, decryptType2Text, decryptType4, encryptType2, encryptType4, passwordLogin, TestAccount, WEB_VAULT,
} from '../support/test-crypto';


describe('organizations: create, read, sync, CLI, hub', () => {
  let t: TestApp;
  let owner: TestAccount;
  let ownerToken: string;
  let outsiderToken: string;

  beforeAll(async () => {
    t = await createTestApp();
    ({ account: owner, token: ownerToken } = await newPerson(t, 'org-owner'));
    ({ token: outsiderToken } = await newPerson(t, 'org-outsider'));
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('GET /api/plans answers without a token', async () => {
    const plans = await call(t, null, 'GET', '/api/plans');
    expect(plans.status).toBe(200);
    expect(plans.body.object).toBe('list');
    expect(plans.body.data[0]).toMatchObject({ object: 'plan', type: 0, hasSelfHost: true });
  });

  it('create: the owner gets the organization in sync with a key only their private key opens, and a first collection they manage; SyncOrgKeys reaches their other device', async () => {
    const hub = await connectHub(t, owner);
    try {
      const { body, orgKey } = organizationRequest(owner, 'Family', 'Shared logins');
      const created = await call(t, ownerToken, 'POST', '/api/organizations', body);
      expect(created.status).toBe(200);
      expect(created.body).toMatchObject({ object: 'organization', name: 'Family', billingEmail: owner.email, hasPublicAndPrivateKeys: true, selfHost: true, usePolicies: true });
      const orgId = created.body.id as string;

      const userId = String(decodeJwtPayload(ownerToken).sub);
      const notification = await hub.waitFor((n) => n.Type === 6);
      expect(notification.Payload.UserId).toBe(userId);
      expect(notification.ContextId).toBeNull();

      const sync = await call(t, ownerToken, 'GET', '/api/sync?excludeDomains=true');
      expect(sync.status).toBe(200);
      expect(sync.body.profile.organizations).toHaveLength(1);
      const entry = sync.body.profile.organizations[0];
      expect(entry).toMatchObject({ object: 'profileOrganization', id: orgId, name: 'Family', enabled: true, userId, type: 0, status: 2, selfHost: true, usersGetPremium: true });
      expect(Object.keys(entry.permissions)).toHaveLength(13);
      expect(Object.values(entry.permissions).every((v) => v === false)).toBe(true);
      expect(decryptType4(entry.key, owner.secrets.privateKeyDer).equals(orgKey)).toBe(true);
      expect(sync.body.collections).toHaveLength(1);
      expect(sync.body.collections[0]).toMatchObject({ object: 'collectionDetails', organizationId: orgId, readOnly: false, hidePasswords: false, manage: true });
      expect(decryptType2Text(sync.body.collections[0].name, orgKey)).toBe('Shared logins');
      expect(sync.body.policies).toEqual([]);

      const profile = await call(t, ownerToken, 'GET', '/api/accounts/profile');
      expect(profile.body.organizations.map((o: Json) => o.id)).toEqual([orgId]);
      const mine = await call(t, ownerToken, 'GET', '/api/collections');
      expect(mine.body.data.map((c: Json) => c.id)).toEqual([sync.body.collections[0].id]);
      const publicKey = await call(t, outsiderToken, 'GET', `/api/organizations/${orgId}/public-key`);
      expect(publicKey.body).toEqual({ object: 'organizationPublicKey', publicKey: body.keys && (body.keys as Json).publicKey });
    } finally {
      await hub.connection.stop();
    }
  });

  it('owner-only routes answer 404 to anyone else, whether or not the organization exists', async () => {
    const { body } = organizationRequest(owner, 'Private', 'c');
    const orgId = (await call(t, ownerToken, 'POST', '/api/organizations', body)).body.id as string;
    for (const path of [`/api/organizations/${orgId}`, `/api/organizations/${randomUUID()}`, `/api/organizations/${orgId}/collections`, `/api/organizations/${orgId}/policies`]) {
      expect((await call(t, outsiderToken, 'GET', path)).status).toBe(404);
    }
    expect((await call(t, outsiderToken, 'PUT', `/api/organizations/${orgId}`, { name: 'Taken' })).status).toBe(404);
    expect((await call(t, outsiderToken, 'POST', `/api/organizations/${orgId}/leave`)).status).toBe(404);
    expect((await call(t, ownerToken, 'GET', `/api/organizations/${orgId}`)).body.name).toBe('Private');
    const outsiderSync = await call(t, outsiderToken, 'GET', '/api/sync');
    expect(outsiderSync.body.profile.organizations).toEqual([]);
    expect(outsiderSync.body.collections).toEqual([]);
  });

  it('billing stubs the web vault reads answer a member as a self-hosted Vaultwarden does, and 404 to anyone else', async () => {
    const { body } = organizationRequest(owner, 'Billing', 'c');
    const orgId = (await call(t, ownerToken, 'POST', '/api/organizations', body)).body.id as string;
    const billing = `/api/organizations/${orgId}/billing`;
    expect((await call(t, ownerToken, 'GET', `${billing}/metadata`)).body).toEqual({ object: 'list', data: [], continuationToken: null });
    expect((await call(t, ownerToken, 'GET', `${billing}/vnext/warnings`)).body).toEqual({ freeTrial: null, inactiveSubscription: null, resellerRenewal: null, taxId: null });
    expect((await call(t, ownerToken, 'GET', `${billing}/vnext/self-host/metadata`)).body).toEqual({ isOnSecretsManagerStandalone: false, organizationOccupiedSeats: 0 });
    for (const path of ['metadata', 'vnext/warnings', 'vnext/self-host/metadata']) {
      expect((await call(t, outsiderToken, 'GET', `${billing}/${path}`)).status).toBe(404);
      expect((await call(t, null, 'GET', `${billing}/${path}`)).status).toBe(401);
    }
  });

  it('rename, leave refused to the last owner, delete refused with a wrong master password, then deleted: gone from sync', async () => {
    const { body } = organizationRequest(owner, 'Short-lived', 'c');
    const orgId = (await call(t, ownerToken, 'POST', '/api/organizations', body)).body.id as string;
    const renamed = await call(t, ownerToken, 'PUT', `/api/organizations/${orgId}`, { name: 'Renamed', billingEmail: owner.email });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Renamed');

    const leave = await call(t, ownerToken, 'POST', `/api/organizations/${orgId}/leave`);
    expect(leave.status).toBe(400);
    expect(leave.body.message).toBe('Organization must have at least one confirmed owner.');

    const wrong = await call(t, ownerToken, 'DELETE', `/api/organizations/${orgId}`, { masterPasswordHash: Buffer.from('wrong').toString('base64') });
    expect(wrong.status).toBe(400);
    expect(wrong.body.message).toBe('User verification failed.');
    expect((await call(t, ownerToken, 'GET', `/api/organizations/${orgId}`)).status).toBe(200);

    const before = (await call(t, ownerToken, 'GET', '/api/accounts/revision-date')).body as number;
    const deleted = await call(t, ownerToken, 'POST', `/api/organizations/${orgId}/delete`, { masterPasswordHash: owner.masterPasswordHash });
    expect(deleted.status).toBe(200);
    expect((await call(t, ownerToken, 'GET', `/api/organizations/${orgId}`)).status).toBe(404);
    const sync = await call(t, ownerToken, 'GET', '/api/sync');
    expect(sync.body.profile.organizations.map((o: Json) => o.id)).not.toContain(orgId);
    expect(sync.body.collections.map((c: Json) => c.organizationId)).not.toContain(orgId);
    expect((await call(t, ownerToken, 'GET', '/api/accounts/revision-date')).body).toBeGreaterThan(before);
  });

  it('the official CLI lists the organization and its collections', async () => {
    const { account: member, token } = await newPerson(t, 'org-cli');
    const { body } = organizationRequest(member, 'CLI family', 'Streaming');
    const orgId = (await call(t, token, 'POST', '/api/organizations', body)).body.id as string;

    const cli = await loginCli(t, member);
    const organizations = await cli.json<Array<{ id: string; name: string; type: number; status: number }>>(['list', 'organizations']);
    expect(organizations).toEqual([expect.objectContaining({ id: orgId, name: 'CLI family', type: 0, status: 2 })]);
    const orgCollections = await cli.json<Array<{ name: string; organizationId: string }>>(['list', 'org-collections', '--organizationid', orgId]);
    expect(orgCollections).toEqual([expect.objectContaining({ name: 'Streaming', organizationId: orgId })]);
    const collections = await cli.json<Array<{ name: string }>>(['list', 'collections']);
    expect(collections.map((c) => c.name)).toEqual(['Streaming']);
  }, 120_000);
});

describe('organization members: invite, confirm with the official CLI, revoke, restore, remove', () => {
  let t: TestApp;
  let owner: TestAccount;
  let ownerToken: string;
  let bob: TestAccount;
  let bobToken: string;
  let bobId: string;
  let orgId: string;
  let orgKey: Buffer;

  beforeAll(async () => {
    t = await createTestApp();
    ({ account: owner, token: ownerToken } = await newPerson(t, 'members-owner'));
    ({ account: bob, token: bobToken } = await newPerson(t, 'members-bob'));
    bobId = String(decodeJwtPayload(bobToken).sub);
    const request = organizationRequest(owner, 'Household', 'Everyone');
    orgKey = request.orgKey;
    orgId = (await call(t, ownerToken, 'POST', '/api/organizations', request.body)).body.id as string;
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  const members = async (): Promise<Json[]> => (await call(t, ownerToken, 'GET', `/api/organizations/${orgId}/users?includeCollections=true`)).body.data;
  const memberOf = async (email: string): Promise<Json> => (await members()).find((m) => m.email === email);
  const bobOrganizations = async (): Promise<Json[]> => (await call(t, bobToken, 'GET', '/api/sync')).body.profile.organizations;

  it('invite: an existing account joins as accepted, an unknown email waits as invited and is accepted when it registers', async () => {
    const collectionId = (await call(t, ownerToken, 'GET', `/api/organizations/${orgId}/collections`)).body.data[0].id as string;
    const carolEmail = `members-carol-${randomUUID()}@example.com`;
    const invited = await call(t, ownerToken, 'POST', `/api/organizations/${orgId}/users/invite`, {
      emails: [bob.email, carolEmail], type: 2, collections: [{ id: collectionId, readOnly: true, hidePasswords: false, manage: false }], groups: [], accessSecretsManager: false,
    });
    expect(invited.status).toBe(200);
    expect(await memberOf(bob.email)).toMatchObject({ object: 'organizationUserUserDetails', userId: bobId, status: 1, type: 2, collections: [{ id: collectionId, readOnly: true, hidePasswords: false, manage: false }] });
    expect(await memberOf(carolEmail)).toMatchObject({ userId: null, status: 0, type: 2, name: null });
    expect(await bobOrganizations()).toEqual([]); // accepted is not confirmed: no key, no access yet

    const again = await call(t, ownerToken, 'POST', `/api/organizations/${orgId}/users/invite`, { emails: [bob.email], type: 2 });
    expect(again.status).toBe(400);
    expect((await call(t, bobToken, 'POST', `/api/organizations/${orgId}/users/invite`, { emails: ['x@example.com'], type: 2 })).status).toBe(404);

    const carol = await createPbkdf2User(t.baseUrl, carolEmail, PASSWORD, 5_000);
    const carolId = String(decodeJwtPayload((await passwordLogin(t.baseUrl, carol, { ...WEB_VAULT, identifier: randomUUID() })).access_token).sub);
    expect(await memberOf(carolEmail)).toMatchObject({ userId: carolId, status: 1 });
  });

  it('the official CLI lists the members and confirms bob; bob is told (6) and his key opens the organization key', async () => {
    const hub = await connectHub(t, bob);
    try {
      const cli = await loginCli(t, owner);
      const listed = await cli.json<Array<{ email: string; id: string; status: number; type: number }>>(['list', 'org-members', '--organizationid', orgId]);
      expect(listed.map((m) => m.email).sort()).toEqual((await members()).map((m) => m.email).sort());
      const bobMember = listed.find((m) => m.email === bob.email)!;
      expect(bobMember).toMatchObject({ status: 1, type: 2 });

      const confirmed = await cli.run(['confirm', 'org-member', bobMember.id, '--organizationid', orgId]);
      expect(confirmed.code).toBe(0);
      const notification = await hub.waitFor((n) => n.Type === 6);
      expect(notification.Payload.UserId).toBe(bobId);

      const [entry] = await bobOrganizations();
      expect(entry).toMatchObject({ id: orgId, status: 2, type: 2, organizationUserId: bobMember.id });
      expect(decryptType4(entry.key, bob.secrets.privateKeyDer).equals(orgKey)).toBe(true);
      const sync = await call(t, bobToken, 'GET', '/api/sync');
      expect(sync.body.collections).toEqual([expect.objectContaining({ organizationId: orgId, readOnly: true, manage: false })]);
      expect((await call(t, bobToken, 'GET', `/api/organizations/${orgId}/users/mini-details`)).body.data).toHaveLength(3);
      expect((await call(t, bobToken, 'GET', `/api/organizations/${orgId}/users`)).status).toBe(404); // a plain user does not manage members
    } finally {
      await hub.connection.stop();
    }
  }, 120_000);

  it('revoke takes the organization away (6), restore gives it back as confirmed, remove ends it (6); the last owner stays', async () => {
    const hub = await connectHub(t, bob);
    try {
      const bobMember = await memberOf(bob.email);
      hub.clear();
      expect((await call(t, ownerToken, 'PUT', `/api/organizations/${orgId}/users/${bobMember.id}/revoke`)).status).toBe(200);
      await hub.waitFor((n) => n.Type === 6);
      expect(await memberOf(bob.email)).toMatchObject({ status: -1 });
      expect(await bobOrganizations()).toEqual([]);
      expect((await call(t, bobToken, 'GET', `/api/organizations/${orgId}/users/mini-details`)).status).toBe(404);

      hub.clear();
      expect((await call(t, ownerToken, 'PUT', `/api/organizations/${orgId}/users/${bobMember.id}/restore`)).status).toBe(200);
      await hub.waitFor((n) => n.Type === 6);
      expect((await bobOrganizations()).map((o) => o.status)).toEqual([2]);

      const ownerMember = await memberOf(owner.email);
      const self = await call(t, ownerToken, 'DELETE', `/api/organizations/${orgId}/users/${ownerMember.id}`);
      expect(self.status).toBe(400);
      const demote = await call(t, ownerToken, 'PUT', `/api/organizations/${orgId}/users/${ownerMember.id}`, { type: 2 });
      expect(demote.status).toBe(400);
      expect(demote.body.message).toBe('Organization must have at least one confirmed owner.');

      hub.clear();
      const removed = await call(t, ownerToken, 'DELETE', `/api/organizations/${orgId}/users`, { ids: [bobMember.id, randomUUID()] });
      expect(removed.status).toBe(200);
      expect(removed.body.data).toEqual([
        { object: 'OrganizationBulkConfirmResponseModel', id: bobMember.id, error: '' },
        { object: 'OrganizationBulkConfirmResponseModel', id: expect.any(String), error: 'Resource not found.' },
      ]);
      await hub.waitFor((n) => n.Type === 6);
      expect(await memberOf(bob.email)).toBeUndefined();
      expect(await bobOrganizations()).toEqual([]);
    } finally {
      await hub.connection.stop();
    }
  });
});

describe('collections: the official CLI creates, edits and deletes them; members whose access changes are told (4)', () => {
  let t: TestApp;
  let owner: TestAccount;
  let ownerToken: string;
  let bob: TestAccount;
  let bobToken: string;
  let bobMemberId: string;
  let orgId: string;
  let orgKey: Buffer;

  beforeAll(async () => {
    t = await createTestApp();
    ({ account: owner, token: ownerToken } = await newPerson(t, 'coll-owner'));
    ({ account: bob, token: bobToken } = await newPerson(t, 'coll-bob'));
    const request = organizationRequest(owner, 'Team', 'General');
    orgKey = request.orgKey;
    orgId = (await call(t, ownerToken, 'POST', '/api/organizations', request.body)).body.id as string;
    await call(t, ownerToken, 'POST', `/api/organizations/${orgId}/users/invite`, { emails: [bob.email], type: 2 });
    bobMemberId = ((await call(t, ownerToken, 'GET', `/api/organizations/${orgId}/users`)).body.data as Json[]).find((m) => m.email === bob.email).id;
    expect((await call(t, ownerToken, 'POST', `/api/organizations/${orgId}/users/${bobMemberId}/confirm`, { key: encryptType4(orgKey, bob.publicKey) })).status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('create with the CLI (the owner manages it), grant bob read-only access (bob told), rename, delete (bob told, gone)', async () => {
    const cli = await loginCli(t, owner);
    const created = await cli.json<{ id: string; name: string }>(['create', 'org-collection', '--organizationid', orgId, BwProfile.encode({ organizationId: orgId, name: 'Streaming', externalId: null, groups: [] })]);
    expect(created.name).toBe('Streaming');
    const details = await call(t, ownerToken, 'GET', `/api/organizations/${orgId}/collections/${created.id}/details`);
    expect(details.body).toMatchObject({ object: 'collectionAccessDetails', assigned: true, manage: true, unmanaged: false });
    expect(decryptType2Text(details.body.name, orgKey)).toBe('Streaming');
    expect((await cli.json<Array<{ name: string }>>(['list', 'org-collections', '--organizationid', orgId])).map((c) => c.name).sort()).toEqual(['General', 'Streaming']);

    const hub = await connectHub(t, bob);
    try {
      const users = [...details.body.users, { id: bobMemberId, readOnly: true, hidePasswords: false, manage: false }];
      const granted = await call(t, ownerToken, 'PUT', `/api/organizations/${orgId}/collections/${created.id}`, { name: details.body.name, externalId: null, groups: [], users });
      expect(granted.status).toBe(200);
      await hub.waitFor((n) => n.Type === 4);
      const bobSync = await call(t, bobToken, 'GET', '/api/sync');
      expect(bobSync.body.collections).toEqual([expect.objectContaining({ id: created.id, readOnly: true, manage: false })]);
      expect((await call(t, bobToken, 'PUT', `/api/organizations/${orgId}/collections/${created.id}`, { name: details.body.name, users: [] })).status).toBe(404);
      expect((await call(t, bobToken, 'DELETE', `/api/organizations/${orgId}/collections/${created.id}`)).status).toBe(404);

      const edited = await cli.run(['edit', 'org-collection', created.id, '--organizationid', orgId, BwProfile.encode({ organizationId: orgId, name: 'Films', externalId: null, groups: [], users })]);
      expect(edited.code).toBe(0);
      const renamed = (await call(t, bobToken, 'GET', '/api/collections')).body.data[0];
      expect(decryptType2Text(renamed.name, orgKey)).toBe('Films');

      hub.clear();
      const deleted = await cli.run(['delete', 'org-collection', created.id, '--organizationid', orgId]);
      expect(deleted.code).toBe(0);
      await hub.waitFor((n) => n.Type === 4);
      expect((await call(t, bobToken, 'GET', '/api/sync')).body.collections).toEqual([]);
      expect((await call(t, ownerToken, 'GET', `/api/organizations/${orgId}/collections/${created.id}`)).status).toBe(404);
    } finally {
      await hub.connection.stop();
    }
  }, 120_000);

  it('bulk-access adds bob to two collections at once, keeps everyone else\'s access, tells bob once (4); all or nothing; bob may not', async () => {
    const name = encryptType2('Bulk', orgKey);
    const ownerMemberId = ((await call(t, ownerToken, 'GET', `/api/organizations/${orgId}/users`)).body.data as Json[]).find((m) => m.email === owner.email).id;
    const first = (await call(t, ownerToken, 'POST', `/api/organizations/${orgId}/collections`, { name })).body.id as string;
    const second = (await call(t, ownerToken, 'POST', `/api/organizations/${orgId}/collections`, { name })).body.id as string;
    const hub = await connectHub(t, bob);
    try {
      const bulk = `/api/organizations/${orgId}/collections/bulk-access`;
      expect((await call(t, ownerToken, 'POST', bulk, { collectionIds: [first, randomUUID()], users: [{ id: bobMemberId, readOnly: true }] })).status).toBe(404);
      expect((await call(t, ownerToken, 'GET', `/api/organizations/${orgId}/collections/${first}/users`)).body).toEqual([{ id: ownerMemberId, readOnly: false, hidePasswords: false, manage: true }]);
      const granted = await call(t, ownerToken, 'POST', bulk, { collectionIds: [first, second], users: [{ id: bobMemberId, readOnly: true, hidePasswords: false, manage: false }], groups: [] });
      expect(granted.status).toBe(200);
      await hub.waitFor((n) => n.Type === 4);
      for (const id of [first, second]) {
        const users = (await call(t, ownerToken, 'GET', `/api/organizations/${orgId}/collections/${id}/users`)).body as Json[];
        expect(users).toEqual(expect.arrayContaining([{ id: ownerMemberId, readOnly: false, hidePasswords: false, manage: true }, { id: bobMemberId, readOnly: true, hidePasswords: false, manage: false }]));
        expect(users).toHaveLength(2);
      }
      const bobCollections = (await call(t, bobToken, 'GET', '/api/sync')).body.collections as Json[];
      expect(bobCollections.map((c) => c.id).sort()).toEqual([first, second].sort());
      // Messages to one socket keep their order: once bob's own folder change (7) is in, so is every 4 of the grant.
      const folder = await call(t, bobToken, 'POST', '/api/folders', { name: encryptType2('sentinel', orgKey) });
      await hub.waitFor((n) => n.Type === 7 && String(n.Payload.Id).toLowerCase() === folder.body.id);
      expect(hub.received((n) => n.Type === 4)).toHaveLength(1);
      expect((await call(t, bobToken, 'POST', bulk, { collectionIds: [first], users: [{ id: bobMemberId, manage: true }] })).status).toBe(404);
      expect((await call(t, ownerToken, 'POST', bulk, { collectionIds: [], users: [] })).status).toBe(400);
    } finally {
      await hub.connection.stop();
    }
  });

  it('refuses an access entry naming someone outside the organization, and manage combined with read-only', async () => {
    const name = encryptType2('x', orgKey);
    expect((await call(t, ownerToken, 'POST', `/api/organizations/${orgId}/collections`, { name, users: [{ id: randomUUID(), readOnly: false }] })).status).toBe(400);
    expect((await call(t, ownerToken, 'POST', `/api/organizations/${orgId}/collections`, { name, users: [{ id: bobMemberId, readOnly: true, manage: true }] })).status).toBe(400);
    expect((await call(t, ownerToken, 'GET', `/api/organizations/${orgId}/collections`)).body.data).toHaveLength(3);
  });
});

describe('ORG_CREATION_USERS', () => {
  let t: TestApp;
  afterEach(async () => {
    await t?.close();
  });

  it.each([
    ['none', false, false],
    ['allowed@example.com', true, false],
  ])('ORG_CREATION_USERS=%s', async (setting, allowedMay, otherMay) => {
    t = await createTestApp({ ORG_CREATION_USERS: setting });
    for (const [email, may] of [[`allowed@example.com`, allowedMay], [`other-${randomUUID()}@example.com`, otherMay]] as const) {
      const account = await createPbkdf2User(t.baseUrl, email, PASSWORD, 5_000);
      const token = (await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() })).access_token;
      const res = await call(t, token, 'POST', '/api/organizations', organizationRequest(account, 'Org', 'c').body);
      expect(res.status).toBe(may ? 200 : 400);
      if (!may) expect(res.body.message).toBe('User not allowed to create organizations');
      const sync = await call(t, token, 'GET', '/api/sync');
      expect(sync.body.profile.organizations).toHaveLength(may ? 1 : 0);
    }
  }, 60_000);
});
