// Organization groups (ORG_GROUPS_ENABLED): groups made over HTTP as the web vault makes them; a member gets a
// collection's items through a group, with the group's rights, in sync and in the official CLI; the official
// SignalR client sees SyncCiphers (4) when the member joins and leaves, and the group's cipher changes (0, 1).
import { randomUUID } from 'node:crypto';
import { createTestApp, TestApp } from '../support/app';
import { BwProfile } from '../support/bw-cli';
import { HubClient, HubNotification } from '../support/hub-client';
import {
  about, addMembers, call, connectHub, createOrganization, Json, loginCli, newPerson, nothingReaches, Person as Account,
} from '../support/org-harness';
import { createMysqlDatabase, createPostgresDatabase, describeWithServices } from '../support/services';
import { encryptType2 } from '../support/test-crypto';

interface Person extends Account { hub: HubClient; memberId?: string }

async function person(t: TestApp, name: string): Promise<Person> {
  const p = await newPerson(t, name);
  return { ...p, hub: await connectHub(t, p.account) };
}

describe('organization groups (ORG_GROUPS_ENABLED=true): access through a group, in sync, the CLI and the hub', () => {
  let t: TestApp;
  let owner: Person;
  let bob: Person; // reaches "Shared" only through the group
  let carol: Person; // a plain member, in no group
  let eve: Person; // outsider
  let bobCli: BwProfile;
  let orgId: string;
  let orgKey: Buffer;
  let shared: string;
  let groupId: string;
  let cipherId: string;

  const url = (path = ''): string => `/api/organizations/${orgId}/groups${path}`;
  const syncCiphers = (p: Person) => (n: HubNotification): boolean => n.Type === 4 && String(n.Payload.UserId).toLowerCase() === p.userId;
  /** The group body as the web vault's group dialog sends it. */
  const groupBody = (readOnly: boolean, users: Array<string | undefined>) => ({ name: 'Parents', externalId: null, collections: [{ id: shared, readOnly, hidePasswords: false, manage: false }], users });
  /** Nothing about the cipher reached `p`: checked after a change of p's own (a folder) has arrived, as messages to one socket keep their order. */
  const nothingAbout = (p: Person, id: string): Promise<void> => nothingReaches(t, p, (n) => String(n.Payload.Id ?? '').toLowerCase() === id);

  beforeAll(async () => {
    t = await createTestApp({ ORG_GROUPS_ENABLED: 'true' });
    [owner, bob, carol, eve] = await Promise.all(['owner', 'bob', 'carol', 'eve'].map((n) => person(t, n))) as [Person, Person, Person, Person];
    const org = await createOrganization(t, owner, 'Family');
    ({ id: orgId, key: orgKey, collectionId: shared } = org);
    const memberId = await addMembers(t, owner, org, [bob, carol], { collections: [], groups: [] });
    for (const p of [bob, carol]) p.memberId = memberId(p);
    const created = await call(t, owner.token, 'POST', '/api/ciphers/create', {
      cipher: { type: 2, name: encryptType2('Alarm code', orgKey), notes: encryptType2('1234', orgKey), secureNote: { type: 0 }, organizationId: orgId, reprompt: 0 },
      collectionIds: [shared],
    });
    expect(created.status).toBe(200);
    cipherId = created.body.id;
    bobCli = await loginCli(t, bob.account);
  }, 240_000);

  afterAll(async () => {
    for (const hub of [owner?.hub, bob?.hub, carol?.hub, eve?.hub]) await hub?.connection.stop();
    await t?.close();
  });

  it('the profile says useGroups; a group made and filled as the web vault does gives bob the collection read-only, with a 4 when he joins', async () => {
    const sync = await call(t, owner.token, 'GET', '/api/sync');
    expect(sync.body.profile.organizations[0]).toMatchObject({ id: orgId, useGroups: true });
    expect((await call(t, owner.token, 'GET', `/api/organizations/${orgId}`)).body.useGroups).toBe(true);

    // The web vault creates the group, then saves it again with its members.
    const created = await call(t, owner.token, 'POST', url(), groupBody(true, []));
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ id: expect.any(String), organizationId: orgId, name: 'Parents', externalId: null, object: 'group' });
    groupId = created.body.id;
    expect((await call(t, bob.token, 'GET', `/api/ciphers/${cipherId}`)).status).toBe(404);
    bob.hub.clear();
    const saved = await call(t, owner.token, 'PUT', url(`/${groupId}`), groupBody(true, [bob.memberId]));
    expect(saved.status).toBe(200);
    const n = await bob.hub.waitFor(syncCiphers(bob));
    expect(n.ContextId).toBeNull();

    const bobSync = await call(t, bob.token, 'GET', '/api/sync');
    expect(bobSync.body.collections).toEqual([expect.objectContaining({ id: shared, readOnly: true, hidePasswords: false, manage: false })]);
    expect(bobSync.body.ciphers.map((c: Json) => [c.id, c.edit, c.viewPassword, c.collectionIds])).toEqual([[cipherId, false, true, [shared]]]);
    expect((await bobCli.run(['sync'])).code).toBe(0);
    expect((await bobCli.json<Array<{ id: string; notes: string }>>(['list', 'items', '--organizationid', orgId])).map((i) => [i.id, i.notes])).toEqual([[cipherId, '1234']]);

    // Read-only through the group: a direct edit is refused.
    const current = (await call(t, owner.token, 'GET', `/api/ciphers/${cipherId}`)).body;
    expect((await call(t, bob.token, 'PUT', `/api/ciphers/${cipherId}`, { ...current, notes: encryptType2('9999', orgKey) })).status).toBe(400);

    // What the web vault reads back.
    expect((await call(t, owner.token, 'GET', url('/details'))).body.data).toEqual([{
      id: groupId, organizationId: orgId, name: 'Parents', externalId: null, collections: [{ id: shared, readOnly: true, hidePasswords: false, manage: false }], object: 'groupDetails',
    }]);
    expect((await call(t, owner.token, 'GET', url(`/${groupId}/users`))).body).toEqual([bob.memberId]);
    expect((await call(t, owner.token, 'GET', `/api/organizations/${orgId}/users/${bob.memberId}/groups`)).body).toEqual([groupId]);
    const listed: Json[] = (await call(t, owner.token, 'GET', `/api/organizations/${orgId}/users?includeGroups=true&includeCollections=true`)).body.data;
    expect(listed.find((m) => m.id === bob.memberId)).toMatchObject({ groups: [groupId], collections: [] });
    const collection = await call(t, owner.token, 'GET', `/api/organizations/${orgId}/collections/${shared}/details`);
    expect(collection.body.groups).toEqual([{ id: groupId, readOnly: true, hidePasswords: false, manage: false }]);
  }, 120_000);

  it('an editable group grant: bob edits with the CLI (0 to the owner), the owner\'s changes reach bob through the group (0, 1)', async () => {
    bob.hub.clear();
    expect((await call(t, owner.token, 'PUT', url(`/${groupId}`), groupBody(false, [bob.memberId]))).status).toBe(200);
    await bob.hub.waitFor(syncCiphers(bob));

    expect((await bobCli.run(['sync'])).code).toBe(0);
    const item = await bobCli.json<Json>(['get', 'item', cipherId]);
    owner.hub.clear();
    expect((await bobCli.run(['edit', 'item', cipherId, BwProfile.encode({ ...item, notes: '4321' })])).code).toBe(0);
    await owner.hub.waitFor(about(cipherId, 0));
    expect((await call(t, bob.token, 'GET', `/api/ciphers/${cipherId}`)).body.revisionDate).toBe((await call(t, owner.token, 'GET', `/api/ciphers/${cipherId}`)).body.revisionDate);

    bob.hub.clear();
    const current = (await call(t, owner.token, 'GET', `/api/ciphers/${cipherId}`)).body;
    expect((await call(t, owner.token, 'PUT', `/api/ciphers/${cipherId}`, { ...current, notes: encryptType2('5678', orgKey) })).status).toBe(200);
    await bob.hub.waitFor(about(cipherId, 0));
    const another = await call(t, owner.token, 'POST', '/api/ciphers/create', {
      cipher: { type: 2, name: encryptType2('Wifi', orgKey), notes: null, secureNote: { type: 0 }, organizationId: orgId, reprompt: 0 }, collectionIds: [shared],
    });
    const n = await bob.hub.waitFor(about(another.body.id, 1));
    expect(String(n.Payload.OrganizationId).toLowerCase()).toBe(orgId);
    await nothingAbout(carol, another.body.id);
    await nothingAbout(eve, another.body.id);
  }, 120_000);

  it('rights: a plain member lists the groups without their access and gets 404 elsewhere; an outsider gets 404', async () => {
    const list = await call(t, carol.token, 'GET', url());
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual([expect.objectContaining({ id: groupId, name: 'Parents', collections: [], object: 'groupDetails' })]);
    for (const [method, path, body] of [
      ['POST', url(), groupBody(false, [carol.memberId])], ['GET', url('/details')], ['GET', url(`/${groupId}`)], ['GET', url(`/${groupId}/details`)],
      ['PUT', url(`/${groupId}`), groupBody(false, [carol.memberId])], ['DELETE', url(`/${groupId}`)], ['GET', `/api/organizations/${orgId}/users/${bob.memberId}/groups`],
    ] as Array<[string, string, unknown?]>) {
      expect([method, path, (await call(t, carol.token, method, path, body)).status]).toEqual([method, path, 404]);
    }
    expect((await call(t, eve.token, 'GET', url())).status).toBe(404);
    expect((await call(t, eve.token, 'GET', url(`/${groupId}`))).status).toBe(404);
    expect((await call(t, carol.token, 'GET', `/api/ciphers/${cipherId}`)).status).toBe(404);
  });

  it('removed from the group, bob gets a 4, loses the item and hears nothing of later changes; deleting a group tells its members', async () => {
    bob.hub.clear();
    expect((await call(t, owner.token, 'DELETE', url(`/${groupId}/user/${bob.memberId}`))).status).toBe(200);
    await bob.hub.waitFor(syncCiphers(bob));
    expect((await call(t, bob.token, 'GET', `/api/ciphers/${cipherId}`)).status).toBe(404);
    const bobSync = await call(t, bob.token, 'GET', '/api/sync');
    expect([bobSync.body.collections, bobSync.body.ciphers]).toEqual([[], []]);
    expect((await bobCli.run(['sync'])).code).toBe(0);
    expect(await bobCli.json<unknown[]>(['list', 'items', '--organizationid', orgId])).toEqual([]);
    const current = (await call(t, owner.token, 'GET', `/api/ciphers/${cipherId}`)).body;
    expect((await call(t, owner.token, 'PUT', `/api/ciphers/${cipherId}`, { ...current, notes: encryptType2('0000', orgKey) })).status).toBe(200);
    await nothingAbout(bob, cipherId);

    // Back in through the member dialog (the member's groups), then the group goes: 4 each time.
    const member = (await call(t, owner.token, 'GET', `/api/organizations/${orgId}/users/${bob.memberId}?includeGroups=true`)).body;
    expect(member.groups).toEqual([]);
    bob.hub.clear();
    expect((await call(t, owner.token, 'PUT', `/api/organizations/${orgId}/users/${bob.memberId}`, { type: 2, collections: [], groups: [groupId], accessSecretsManager: false })).status).toBe(200);
    await bob.hub.waitFor(syncCiphers(bob));
    expect((await call(t, bob.token, 'GET', `/api/ciphers/${cipherId}`)).status).toBe(200);
    bob.hub.clear();
    expect((await call(t, owner.token, 'POST', url('/delete'), { ids: [groupId] })).status).toBe(200);
    await bob.hub.waitFor(syncCiphers(bob));
    expect((await call(t, bob.token, 'GET', `/api/ciphers/${cipherId}`)).status).toBe(404);
    expect((await call(t, owner.token, 'GET', url())).body.data).toEqual([]);
  }, 120_000);
});

describe('organization groups with ORG_GROUPS_ENABLED unset', () => {
  let t: TestApp;
  afterAll(async () => {
    await t?.close();
  });

  it('group routes answer 400 "Group support is disabled", the lists are empty and the profile says useGroups: false', async () => {
    t = await createTestApp();
    const owner = await person(t, 'owner');
    try {
      const { id: orgId } = await createOrganization(t, owner, 'Family');
      const refused = await call(t, owner.token, 'POST', `/api/organizations/${orgId}/groups`, { name: 'Parents', collections: [], users: [] });
      expect(refused.status).toBe(400);
      expect(refused.body.message).toBe('Group support is disabled');
      expect((await call(t, owner.token, 'GET', `/api/organizations/${orgId}/groups/${randomUUID()}`)).status).toBe(400);
      expect((await call(t, owner.token, 'GET', `/api/organizations/${orgId}/groups`)).body).toEqual({ data: [], object: 'list', continuationToken: null });
      expect((await call(t, owner.token, 'GET', `/api/organizations/${orgId}/groups/details`)).body.data).toEqual([]);
      expect((await call(t, owner.token, 'GET', '/api/sync')).body.profile.organizations[0].useGroups).toBe(false);
    } finally {
      await owner.hub.connection.stop();
    }
  }, 60_000);
});

// The group paths of the hand-written SQL (grants, recipients, writable collections, sync collections) on
// PostgreSQL and MySQL (MariaDB here).
for (const [label, variable, createDatabase] of [['PostgreSQL', 'TEST_POSTGRES_URL', createPostgresDatabase], ['MySQL', 'TEST_MYSQL_URL', createMysqlDatabase]] as const) {
  describeWithServices([variable], `organization groups on ${label}`, () => {
    let t: TestApp;
    let drop: (() => Promise<void>) | undefined;
    afterAll(async () => {
      await t?.close();
      await drop?.();
    });

    it('access through a group: sync, recipients, writing into the collection, losing it', async () => {
      const db = await createDatabase();
      drop = db.drop;
      t = await createTestApp({ ORG_GROUPS_ENABLED: 'true', DATABASE_URL: db.url });
      const [owner, bob] = await Promise.all([person(t, 'owner'), person(t, 'bob')]);
      try {
        const org = await createOrganization(t, owner, 'Family');
        const { id: orgId, key: orgKey, collectionId: shared } = org;
        const bobMember = (await addMembers(t, owner, org, [bob]))(bob);
        const group = await call(t, owner.token, 'POST', `/api/organizations/${orgId}/groups`, { name: 'Editors', collections: [{ id: shared, readOnly: false }], users: [bobMember] });
        expect(group.status).toBe(200);
        await bob.hub.waitFor((n) => n.Type === 4);
        expect((await call(t, bob.token, 'GET', '/api/sync')).body.collections).toEqual([expect.objectContaining({ id: shared, readOnly: false, manage: false })]);

        // bob writes into the collection through the group; the owner hears of it.
        const created = await call(t, bob.token, 'POST', '/api/ciphers/create', {
          cipher: { type: 2, name: encryptType2('Wifi', orgKey), notes: null, secureNote: { type: 0 }, organizationId: orgId, reprompt: 0 }, collectionIds: [shared],
        });
        expect(created.status).toBe(200);
        expect(created.body).toMatchObject({ edit: true, viewPassword: true });
        await owner.hub.waitFor((n) => n.Type === 1 && String(n.Payload.Id).toLowerCase() === created.body.id);

        // Directly read-only on the collection: the direct assignment replaces the group grant.
        await call(t, owner.token, 'PUT', `/api/organizations/${orgId}/users/${bobMember}`, { type: 2, collections: [{ id: shared, readOnly: true }], groups: [group.body.id] });
        expect((await call(t, bob.token, 'GET', `/api/ciphers/${created.body.id}`)).body.edit).toBe(false);
        await call(t, owner.token, 'PUT', `/api/organizations/${orgId}/users/${bobMember}`, { type: 2, collections: [], groups: [] });
        expect((await call(t, bob.token, 'GET', `/api/ciphers/${created.body.id}`)).status).toBe(404);
        expect((await call(t, bob.token, 'GET', '/api/sync')).body.collections).toEqual([]);
      } finally {
        await Promise.all([owner.hub.connection.stop(), bob.hub.connection.stop()]);
      }
    }, 60_000);
  });
}
