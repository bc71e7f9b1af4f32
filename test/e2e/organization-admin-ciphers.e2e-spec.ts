// Organization items in the Admin Console and in bulk: the `-admin` cipher routes (owner on an item of a collection
// the owner is not assigned to, with and without allowAdminAccessToAllCollectionItems; a plain member refused),
// the members' multi-item operations on organization items, `bw import --organizationid` (import-organization)
// and the organization purge, with the official CLI and the official SignalR client on every member.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, TestApp } from '../support/app';
import { BwProfile } from '../support/bw-cli';
import { HubClient, HubNotification } from '../support/hub-client';
import {
  about, addMembers, call as callApi, connectHub, createOrganization, Json, loginCli, newPerson, nothingReaches, Person as Account,
} from '../support/org-harness';
import { encryptType2 } from '../support/test-crypto';

interface Person extends Account { cli: BwProfile; hub: HubClient; memberId: string }

describe('organization items: -admin routes, bulk operations, import and purge (official CLI and hub)', () => {
  let t: TestApp;
  let owner: Person;
  let bob: Person; // edit on "Shared", manages "Bob only"
  let carol: Person; // read-only on "Shared"
  let dave: Person; // member without collections
  let orgId: string;
  let orgKey: Buffer;
  let shared: string;
  let bobOnly: string; // the owner is not assigned to it

  const call = (token: string, method: string, path: string, body?: unknown) => callApi(t, token, method, path, body);

  const person = async (name: string): Promise<Person> => {
    const p = await newPerson(t, name);
    return { ...p, cli: await loginCli(t, p.account), hub: await connectHub(t, p.account), memberId: '' };
  };

  /** An organization item (a secure note) in `collectionIds`, created over HTTP by `by` as the web vault does. */
  const item = async (by: Person, collectionIds: string[], name = 'note'): Promise<string> => {
    const res = await call(by.token, 'POST', '/api/ciphers/create', {
      cipher: { type: 2, name: encryptType2(name, orgKey), notes: null, secureNote: { type: 0 }, organizationId: orgId, reprompt: 0 }, collectionIds,
    });
    expect(res.status).toBe(200);
    return res.body.id;
  };
  const userSync = (type: number, p: Person) => (n: HubNotification): boolean => n.Type === type && String(n.Payload.UserId).toLowerCase() === p.userId;
  /** Nothing of `type` (or about `cipherId`) reached `p`: checked after a change of p's own (a folder) has arrived, as one socket keeps order. */
  const nothing = (p: Person, matches: (n: HubNotification) => boolean): Promise<void> => nothingReaches(t, p, matches);
  const clearHubs = (): void => {
    for (const p of [owner, bob, carol, dave]) p.hub.clear();
  };
  const collectionManagement = (allowAdminAccessToAllCollectionItems: boolean) => call(owner.token, 'PUT', `/api/organizations/${orgId}/collection-management`, {
    limitCollectionCreation: false, limitCollectionDeletion: false, limitItemDeletion: false, allowAdminAccessToAllCollectionItems,
  });

  beforeAll(async () => {
    t = await createTestApp();
    [owner, bob, carol, dave] = await Promise.all(['owner', 'bob', 'carol', 'dave'].map(person)) as [Person, Person, Person, Person];
    const org = await createOrganization(t, owner, 'Acme');
    ({ id: orgId, key: orgKey, collectionId: shared } = org);
    const memberId = await addMembers(t, owner, org, [bob, carol, dave]);
    for (const p of [owner, bob, carol, dave]) p.memberId = memberId(p);
    await call(owner.token, 'PUT', `/api/organizations/${orgId}/collections/${shared}`, {
      name: encryptType2('Shared', orgKey), users: [{ id: owner.memberId, manage: true }, { id: bob.memberId, readOnly: false }, { id: carol.memberId, readOnly: true }],
    });
    // Created by bob (creation is not limited): only bob is assigned, with manage.
    bobOnly = (await call(bob.token, 'POST', `/api/organizations/${orgId}/collections`, { name: encryptType2('Bob only', orgKey) })).body.id;
    for (const p of [owner, bob, carol, dave]) expect((await p.cli.run(['sync'])).code).toBe(0);
  }, 240_000);

  afterAll(async () => {
    for (const p of [owner, bob, carol, dave]) await p?.hub.connection.stop();
    await t?.close();
  });

  it('the owner uses every -admin route on an item of a collection the owner is not assigned to; its members hear of each change, with OrganizationId', async () => {
    const id = await item(bob, [bobOnly], 'Bob secret');
    await bob.hub.waitFor(about(id, 1));
    expect((await call(owner.token, 'GET', `/api/ciphers/${id}`)).status).toBe(404); // not in the owner's vault

    const got = await call(owner.token, 'GET', `/api/ciphers/${id}/admin`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ object: 'cipherMiniDetails', id, organizationId: orgId, collectionIds: [bobOnly] });
    const details = await call(owner.token, 'GET', `/api/ciphers/organization-details?organizationId=${orgId}`);
    expect(details.status).toBe(200);
    expect(details.body.data.find((c: Json) => c.id === id)).toMatchObject({ object: 'cipherMiniDetails', collectionIds: [bobOnly] });

    bob.hub.clear();
    const edited = await call(owner.token, 'PUT', `/api/ciphers/${id}/admin`, { ...got.body, name: encryptType2('Renamed by the owner', orgKey) });
    expect(edited.status).toBe(200);
    expect(edited.body.object).toBe('cipherMini');
    const n = await bob.hub.waitFor(about(id, 0));
    expect(String(n.Payload.OrganizationId).toLowerCase()).toBe(orgId);
    await nothing(owner, about(id, 0));

    bob.hub.clear();
    expect((await call(owner.token, 'PUT', `/api/ciphers/${id}/delete-admin`)).status).toBe(200);
    await bob.hub.waitFor(about(id, 0));
    expect((await call(bob.token, 'GET', `/api/ciphers/${id}`)).body.deletedDate).not.toBeNull();
    const restored = await call(owner.token, 'PUT', `/api/ciphers/${id}/restore-admin`);
    expect(restored.body).toMatchObject({ object: 'cipherMini', id, deletedDate: null });

    // Into "Shared" as well: carol gains it (she is told), bob keeps it.
    carol.hub.clear();
    const moved = await call(owner.token, 'PUT', `/api/ciphers/${id}/collections-admin`, { collectionIds: [bobOnly, shared] });
    expect(moved.status).toBe(200);
    expect(moved.body.collectionIds.sort()).toEqual([bobOnly, shared].sort());
    await carol.hub.waitFor(about(id, 0));
    expect((await call(carol.token, 'GET', `/api/ciphers/${id}`)).status).toBe(200);

    // With the CLI as bob: the owner's change is what bob reads.
    expect((await bob.cli.run(['sync'])).code).toBe(0);
    expect((await bob.cli.json<{ name: string }>(['get', 'item', id])).name).toBe('Renamed by the owner');

    clearHubs();
    expect((await call(owner.token, 'DELETE', `/api/ciphers/${id}/admin`)).status).toBe(200);
    for (const p of [bob, carol]) await p.hub.waitFor(about(id, 2));
    await nothing(dave, about(id, 2));
    expect((await call(owner.token, 'GET', `/api/ciphers/${id}/admin`)).status).toBe(404);
  }, 120_000);

  it('after PUT collection-management turns allowAdminAccessToAllCollectionItems off, the owner gets 404 on changes to that item (viewing stays), and nothing changes', async () => {
    const id = await item(bob, [bobOnly]);
    expect((await collectionManagement(false)).status).toBe(200);
    try {
      const before = (await call(bob.token, 'GET', `/api/ciphers/${id}`)).body;
      expect((await call(owner.token, 'GET', `/api/ciphers/${id}/admin`)).status).toBe(200);
      const attempts: Array<[string, string, unknown?]> = [
        ['PUT', `/api/ciphers/${id}/admin`, { type: 2, name: encryptType2('x', orgKey), secureNote: { type: 0 }, organizationId: orgId }],
        ['POST', `/api/ciphers/${id}/admin`, { type: 2, name: encryptType2('x', orgKey), secureNote: { type: 0 }, organizationId: orgId }],
        ['PUT', `/api/ciphers/${id}/collections-admin`, { collectionIds: [shared] }],
        ['PUT', `/api/ciphers/${id}/delete-admin`],
        ['PUT', `/api/ciphers/${id}/restore-admin`],
        ['DELETE', `/api/ciphers/${id}/admin`],
        ['POST', `/api/ciphers/${id}/delete-admin`],
        ['DELETE', '/api/ciphers/admin', { ids: [id], organizationId: orgId }],
        ['PUT', '/api/ciphers/delete-admin', { ids: [id], organizationId: orgId }],
        ['POST', '/api/ciphers/admin', { cipher: { type: 2, name: encryptType2('x', orgKey), secureNote: { type: 0 }, organizationId: orgId }, collectionIds: [shared] }],
      ];
      for (const [method, path, body] of attempts) expect([method, path, (await call(owner.token, method, path, body)).status]).toEqual([method, path, 404]);
      expect((await call(bob.token, 'GET', `/api/ciphers/${id}`)).body).toEqual(before);
    } finally {
      expect((await collectionManagement(true)).status).toBe(200);
    }
    expect((await call(owner.token, 'PUT', `/api/ciphers/${id}/delete-admin`)).status).toBe(200);
  }, 60_000);

  it('a plain member gets 404 on every -admin route and on organization-details, even for an item they manage', async () => {
    const id = await item(bob, [bobOnly]);
    const body = { type: 2, name: encryptType2('x', orgKey), secureNote: { type: 0 }, organizationId: orgId };
    for (const p of [bob, dave]) {
      const attempts: Array<[string, string, unknown?]> = [
        ['GET', `/api/ciphers/${id}/admin`],
        ['PUT', `/api/ciphers/${id}/admin`, body],
        ['POST', `/api/ciphers/${id}/admin`, body],
        ['PUT', `/api/ciphers/${id}/collections-admin`, { collectionIds: [bobOnly] }],
        ['POST', `/api/ciphers/${id}/collections-admin`, { collectionIds: [bobOnly] }],
        ['DELETE', `/api/ciphers/${id}/admin`],
        ['POST', `/api/ciphers/${id}/delete-admin`],
        ['PUT', `/api/ciphers/${id}/delete-admin`],
        ['PUT', `/api/ciphers/${id}/restore-admin`],
        ['POST', '/api/ciphers/admin', { cipher: body, collectionIds: [bobOnly] }],
        ['DELETE', '/api/ciphers/admin', { ids: [id], organizationId: orgId }],
        ['POST', '/api/ciphers/delete-admin', { ids: [id], organizationId: orgId }],
        ['PUT', '/api/ciphers/delete-admin', { ids: [id], organizationId: orgId }],
        ['PUT', '/api/ciphers/restore-admin', { ids: [id], organizationId: orgId }],
        ['GET', `/api/ciphers/organization-details?organizationId=${orgId}`],
      ];
      for (const [method, path, b] of attempts) {
        const res = await call(p.token, method, path, b);
        expect([p === bob ? 'bob' : 'dave', method, path, res.status, res.body?.message]).toEqual([p === bob ? 'bob' : 'dave', method, path, 404, 'Resource not found.']);
      }
    }
    const assigned = await call(bob.token, 'GET', `/api/ciphers/organization-details/assigned?organizationId=${orgId}`);
    expect(assigned.status).toBe(200);
    expect(assigned.body.data.map((c: Json) => c.id)).toContain(id);
    expect((await call(bob.token, 'GET', `/api/ciphers/${id}`)).body.deletedDate).toBeNull();
  }, 60_000);

  it('bulk trash, restore and delete by a member with edit reach every other member with access (SyncCiphers); read-only carol\'s bulk delete skips the items', async () => {
    const a = await item(owner, [shared], 'A');
    const b = await item(owner, [shared], 'B');
    await carol.hub.waitFor(about(b, 1));

    // carol only reads "Shared": 200 (skipped silently, as upstream), the items stay, and nobody else hears of it.
    clearHubs();
    expect((await call(carol.token, 'DELETE', '/api/ciphers', { ids: [a, b] })).status).toBe(200);
    expect((await call(carol.token, 'PUT', '/api/ciphers/delete', { ids: [a, b] })).status).toBe(200);
    expect((await call(owner.token, 'GET', `/api/ciphers/${a}`)).body.deletedDate).toBeNull();
    await nothing(bob, (n) => n.Type === 4);
    await nothing(owner, (n) => n.Type === 4);

    for (const [method, path, check] of [
      ['PUT', '/api/ciphers/delete', (c: Json) => c.deletedDate !== null],
      ['PUT', '/api/ciphers/restore', (c: Json) => c.deletedDate === null],
      ['DELETE', '/api/ciphers', null],
    ] as const) {
      clearHubs();
      const res = await call(bob.token, method, path, { ids: [a, b] });
      expect(res.status).toBe(200);
      for (const p of [owner, carol, bob]) await p.hub.waitFor(userSync(4, p));
      await nothing(dave, (n) => n.Type === 4);
      for (const id of [a, b]) {
        const now = await call(carol.token, 'GET', `/api/ciphers/${id}`);
        if (check) expect(check(now.body)).toBe(true);
        else expect(now.status).toBe(404);
      }
    }
    // The CLI as carol: after the push she resyncs, and the items are gone.
    expect((await carol.cli.run(['sync'])).code).toBe(0);
    expect((await carol.cli.json<Json[]>(['list', 'items', '--organizationid', orgId])).map((i) => i.id)).not.toContain(a);
  }, 120_000);

  it('archiving a shared item archives it for the caller only: carol\'s other device hears of it, bob neither hears nor sees it archived', async () => {
    const id = await item(owner, [shared], 'Archived by carol');
    await bob.hub.waitFor(about(id, 1));
    clearHubs();
    const archived = await call(carol.token, 'PUT', `/api/ciphers/${id}/archive`);
    expect(archived.status).toBe(200);
    expect(archived.body.archivedDate).not.toBeNull();
    await carol.hub.waitFor(about(id, 0));
    await nothing(bob, about(id, 0));
    expect((await call(bob.token, 'GET', `/api/ciphers/${id}`)).body.archivedDate).toBeNull();
    const carolSync = (await call(carol.token, 'GET', '/api/sync?excludeDomains=true')).body;
    expect(carolSync.ciphers.find((c: Json) => c.id === id).archivedDate).toBe(archived.body.archivedDate);
    expect((await call(carol.token, 'PUT', '/api/ciphers/unarchive', { ids: [id] })).body.data.map((c: Json) => [c.id, c.archivedDate])).toEqual([[id, null]]);
    expect((await call(owner.token, 'DELETE', `/api/ciphers/${id}`)).status).toBe(200);
  }, 60_000);

  it('`bw import bitwardenjson --organizationid` as the owner: a new collection and the reused "Shared", items visible to the members in sync, one SyncVault each', async () => {
    const newCollection = randomUUID();
    const login = (name: string, collectionIds: string[]) => ({
      type: 1, name, notes: null, favorite: false, reprompt: 0, folderId: null, organizationId: null, collectionIds, fields: [],
      login: { username: `${name}-user`, password: `${name}-pass`, totp: null, uris: [{ uri: `https://${name}.example`, match: null }] },
    });
    const file = join(mkdtempSync(join(tmpdir(), 'bw-import-')), 'org.json');
    writeFileSync(file, JSON.stringify({
      encrypted: false,
      collections: [{ id: newCollection, organizationId: null, name: 'Imported', externalId: null }, { id: shared, organizationId: null, name: 'Shared', externalId: null }],
      items: [login('github', [newCollection]), login('gitlab', [shared]), login('jira', [newCollection, shared])],
    }));
    clearHubs();
    const imported = await owner.cli.run(['import', 'bitwardenjson', file, '--organizationid', orgId]);
    if (imported.code !== 0) throw new Error(`bw import failed: ${imported.stderr || imported.stdout}`);
    for (const p of [owner, bob, carol]) await p.hub.waitFor(userSync(5, p));
    await nothing(dave, (n) => n.Type === 5);

    // The new collection is the owner's (manage); the file's id was not reused (it did not exist).
    const collections: Json[] = (await call(owner.token, 'GET', '/api/collections')).body.data;
    const created = collections.filter((c) => c.organizationId === orgId && c.id !== shared && c.id !== bobOnly);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ manage: true });
    expect(created[0].id).not.toBe(newCollection);

    expect((await carol.cli.run(['sync'])).code).toBe(0);
    const carolItems = await carol.cli.json<Array<{ name: string; login: { password: string } }>>(['list', 'items', '--organizationid', orgId]);
    expect(carolItems.map((i) => i.name).sort()).toEqual(['gitlab', 'jira']);
    expect(carolItems.find((i) => i.name === 'jira')?.login.password).toBe('jira-pass');
    expect((await owner.cli.run(['sync'])).code).toBe(0);
    const ownerItems = await owner.cli.json<Array<{ name: string; collectionIds: string[] }>>(['list', 'items', '--collectionid', created[0].id]);
    expect(ownerItems.map((i) => i.name).sort()).toEqual(['github', 'jira']);

    // Relationships pointing outside the lists: 400, nothing written.
    const bad = await call(owner.token, 'POST', `/api/ciphers/import-organization?organizationId=${orgId}`, {
      ciphers: [{ type: 2, name: encryptType2('x', orgKey), secureNote: { type: 0 }, organizationId: orgId }], collections: [], collectionRelationships: [{ key: 0, value: 0 }],
    });
    expect(bad.status).toBe(400);
    // A plain member may not import into "Shared" (not managed by them): 400, as upstream.
    const refused = await call(dave.token, 'POST', `/api/ciphers/import-organization?organizationId=${orgId}`, {
      ciphers: [{ type: 2, name: encryptType2('x', orgKey), secureNote: { type: 0 }, organizationId: orgId }],
      collections: [{ id: shared, name: encryptType2('Shared', orgKey) }], collectionRelationships: [{ key: 0, value: 0 }],
    });
    expect([refused.status, refused.body.message]).toEqual([400, 'Not enough privileges to import into this organization.']);
  }, 180_000);

  it('purge of the organization: wrong password 400, a plain member 404, the owner deletes every item and the members are told (SyncVault)', async () => {
    const a = await item(owner, [shared]);
    const b = await item(bob, [bobOnly]);
    const personal = await call(bob.token, 'POST', '/api/ciphers', { type: 2, name: encryptType2('mine', randomBytes(64)), secureNote: { type: 0 } });
    const path = `/api/ciphers/purge?organizationId=${orgId}`;
    expect((await call(owner.token, 'POST', path, { masterPasswordHash: Buffer.from('wrong').toString('base64') })).status).toBe(400);
    expect((await call(dave.token, 'POST', path, { masterPasswordHash: dave.account.masterPasswordHash })).status).toBe(404);
    expect((await call(carol.token, 'GET', `/api/ciphers/${a}`)).status).toBe(200);

    clearHubs();
    expect((await call(owner.token, 'POST', path, { masterPasswordHash: owner.account.masterPasswordHash })).status).toBe(200);
    for (const p of [owner, bob, carol]) await p.hub.waitFor(userSync(5, p));
    await nothing(dave, (n) => n.Type === 5);
    expect((await call(carol.token, 'GET', `/api/ciphers/${a}`)).status).toBe(404);
    expect((await call(bob.token, 'GET', `/api/ciphers/${b}`)).status).toBe(404);
    expect((await call(owner.token, 'GET', `/api/ciphers/organization-details?organizationId=${orgId}`)).body.data).toEqual([]);
    expect((await call(bob.token, 'GET', `/api/ciphers/${personal.body.id}`)).status).toBe(200);
    const sync = (await call(bob.token, 'GET', '/api/sync?excludeDomains=true')).body;
    expect(sync.ciphers.map((c: Json) => c.id)).toEqual([personal.body.id]);
    expect(sync.collections.length).toBeGreaterThan(0); // collections stay
  }, 120_000);
});
