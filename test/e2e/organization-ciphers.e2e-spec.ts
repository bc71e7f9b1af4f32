// Organization ciphers with the official CLI as owner and members, and the official SignalR client on every
// member, an outsider and the owner's second device: each change reaches exactly the members who can see it.
import { randomBytes } from 'node:crypto';
import { createTestApp, TestApp } from '../support/app';
import { BwProfile } from '../support/bw-cli';
import { HubClient } from '../support/hub-client';
import {
  about, addMembers, call as callApi, connectHub, createOrganization, Json, loginCli, newPerson, nothingReaches, Person as Account,
} from '../support/org-harness';
import { encryptType2 } from '../support/test-crypto';

interface Person extends Account { cli: BwProfile; hub: HubClient; memberId?: string }

describe('organization ciphers: official CLI and hub, fan-out to exactly the members with access', () => {
  let t: TestApp;
  let owner: Person;
  let ownerSecondDevice: HubClient;
  let bob: Person; // read-write on "Shared"
  let carol: Person; // read-only on "Shared"
  let dave: Person; // only on "Other"
  let eve: Person; // outsider
  let orgId: string;
  let shared: string;
  let other: string;

  const call = (token: string, method: string, path: string, body?: unknown) => callApi(t, token, method, path, body);

  const person = async (name: string): Promise<Person> => {
    const p = await newPerson(t, name);
    return { ...p, cli: await loginCli(t, p.account), hub: await connectHub(t, p.account) };
  };

  /** Nothing about the cipher reached `p`. */
  const nothingAbout = (p: Person, cipherId: string): Promise<void> => nothingReaches(t, p, (n) => String(n.Payload.Id ?? '').toLowerCase() === cipherId);

  beforeAll(async () => {
    t = await createTestApp();
    [owner, bob, carol, dave, eve] = await Promise.all(['owner', 'bob', 'carol', 'dave', 'eve'].map(person)) as [Person, Person, Person, Person, Person];
    ownerSecondDevice = await connectHub(t, owner.account);
    const org = await createOrganization(t, owner, 'Family');
    orgId = org.id;
    shared = org.collectionId;
    const memberId = await addMembers(t, owner, org, [bob, carol, dave]);
    for (const p of [bob, carol, dave]) p.memberId = memberId(p);
    await call(owner.token, 'PUT', `/api/organizations/${orgId}/collections/${shared}`, {
      name: encryptType2('Shared', org.key),
      users: [{ id: memberId(owner), manage: true }, { id: bob.memberId, readOnly: false }, { id: carol.memberId, readOnly: true }],
    });
    other = (await call(owner.token, 'POST', `/api/organizations/${orgId}/collections`, { name: encryptType2('Other', org.key), users: [{ id: memberId(owner), manage: true }, { id: dave.memberId }] })).body.id;
    for (const p of [owner, bob, carol, dave]) expect((await p.cli.run(['sync'])).code).toBe(0);
  }, 240_000);

  afterAll(async () => {
    for (const hub of [owner?.hub, bob?.hub, carol?.hub, dave?.hub, eve?.hub, ownerSecondDevice]) await hub?.connection.stop();
    await t?.close();
  });

  it('create into a collection with the CLI: 1 with OrganizationId and CollectionIds reaches bob, carol and the owner\'s other device; not dave, not eve', async () => {
    const item = await owner.cli.json<{ id: string }>(['create', 'item', BwProfile.encode({
      type: 1, name: 'Netflix', organizationId: orgId, collectionIds: [shared], notes: null, favorite: false, fields: [],
      login: { username: 'family', password: 'hunter2', totp: null, uris: [{ uri: 'https://netflix.example', match: null }] }, reprompt: 0,
    })]);
    const id = item.id.toLowerCase();
    for (const hub of [bob.hub, carol.hub, ownerSecondDevice]) {
      const n = await hub.waitFor(about(id, 1));
      expect(String(n.Payload.OrganizationId).toLowerCase()).toBe(orgId);
      expect((n.Payload.CollectionIds as string[]).map((c) => c.toLowerCase())).toEqual([shared]);
      expect(n.Payload.UserId).toBeNull();
    }
    await nothingAbout(dave, id);
    await nothingAbout(eve, id);

    expect((await bob.cli.run(['sync'])).code).toBe(0);
    expect((await bob.cli.json<{ name: string; login: { password: string } }>(['get', 'item', id])).login.password).toBe('hunter2');
    expect((await carol.cli.run(['sync'])).code).toBe(0);
    const carolItems = await carol.cli.json<Array<{ id: string; name: string }>>(['list', 'items', '--organizationid', orgId]);
    expect(carolItems.map((i) => i.id)).toEqual([id]);
    expect((await call(eve.token, 'GET', `/api/ciphers/${id}`)).status).toBe(404);
    expect((await call(dave.token, 'GET', `/api/ciphers/${id}`)).status).toBe(404);
    const carolView = await call(carol.token, 'GET', `/api/ciphers/${id}`);
    expect(carolView.body).toMatchObject({ organizationId: orgId, edit: false, viewPassword: true, collectionIds: [shared], permissions: { delete: false, restore: false } });
    expect((await call(bob.token, 'GET', `/api/ciphers/${id}`)).body).toMatchObject({ edit: true, permissions: { delete: true, restore: true } });
  }, 120_000);

  it('bob edits with the CLI (0 to the others with access); carol, read-only, is refused and nothing changes', async () => {
    const id = (await owner.cli.json<{ id: string }>(['create', 'item', BwProfile.encode({
      type: 2, name: 'Wifi', organizationId: orgId, collectionIds: [shared], notes: 'old', secureNote: { type: 0 }, reprompt: 0,
    })])).id.toLowerCase();
    await carol.hub.waitFor(about(id, 1));
    expect((await bob.cli.run(['sync'])).code).toBe(0);
    const current = await bob.cli.json<Json>(['get', 'item', id]);
    expect((await bob.cli.run(['edit', 'item', id, BwProfile.encode({ ...current, notes: 'new password: swordfish' })])).code).toBe(0);
    for (const hub of [carol.hub, ownerSecondDevice]) await hub.waitFor(about(id, 0));
    await nothingAbout(dave, id);

    const before = (await call(owner.token, 'GET', `/api/ciphers/${id}`)).body;
    const refused = await call(carol.token, 'PUT', `/api/ciphers/${id}`, { ...before, notes: before.notes, name: before.name });
    expect(refused.status).toBe(400);
    expect((await carol.cli.run(['sync'])).code).toBe(0);
    const carolCurrent = await carol.cli.json<Json>(['get', 'item', id]);
    await carol.cli.run(['edit', 'item', id, BwProfile.encode({ ...carolCurrent, notes: 'carol was here' })]);
    expect((await call(owner.token, 'GET', `/api/ciphers/${id}`)).body.revisionDate).toBe(before.revisionDate);
    expect((await owner.cli.run(['sync'])).code).toBe(0);
    expect((await owner.cli.json<{ notes: string }>(['get', 'item', id])).notes).toBe('new password: swordfish');
  }, 120_000);

  it('bob moves a personal item into the organization with `bw move`; `bw edit item-collections` adds "Other" and dave gains it; a hard delete reaches every member who could see it', async () => {
    const personal = await bob.cli.json<{ id: string }>(['create', 'item', BwProfile.encode({
      type: 1, name: 'Bank', notes: null, favorite: false, fields: [], reprompt: 0, login: { username: 'bob', password: 'p4ss', totp: null, uris: [] },
    })]);
    const id = personal.id.toLowerCase();
    await nothingAbout(carol, id);
    const moved = await bob.cli.run(['move', id, orgId, Buffer.from(JSON.stringify([shared])).toString('base64')]);
    expect(moved.code).toBe(0);
    const n = await carol.hub.waitFor(about(id, 0));
    expect(String(n.Payload.OrganizationId).toLowerCase()).toBe(orgId);
    expect((await call(carol.token, 'GET', `/api/ciphers/${id}`)).body).toMatchObject({ organizationId: orgId, collectionIds: [shared] });
    await nothingAbout(dave, id);

    expect((await owner.cli.run(['sync'])).code).toBe(0);
    const edited = await owner.cli.run(['edit', 'item-collections', id, Buffer.from(JSON.stringify([shared, other])).toString('base64'), '--organizationid', orgId]);
    expect(edited.code).toBe(0);
    await dave.hub.waitFor(about(id, 0));
    expect((await call(dave.token, 'GET', `/api/ciphers/${id}`)).body.collectionIds).toEqual([other]);

    for (const p of [bob, carol, dave]) p.hub.clear();
    ownerSecondDevice.clear();
    expect((await owner.cli.run(['delete', 'item', id, '--permanent'])).code).toBe(0);
    for (const hub of [bob.hub, carol.hub, dave.hub, ownerSecondDevice]) await hub.waitFor(about(id, 2));
    await nothingAbout(eve, id);
    expect((await call(bob.token, 'GET', `/api/ciphers/${id}`)).status).toBe(404);
  }, 180_000);

  it('after removal a member reads nothing and hears nothing of later changes', async () => {
    const id = (await owner.cli.json<{ id: string }>(['create', 'item', BwProfile.encode({
      type: 2, name: 'Alarm code', organizationId: orgId, collectionIds: [shared], notes: '1234', secureNote: { type: 0 }, reprompt: 0,
    })])).id.toLowerCase();
    await bob.hub.waitFor(about(id, 1));
    bob.hub.clear();
    expect((await call(owner.token, 'DELETE', `/api/organizations/${orgId}/users/${bob.memberId}`)).status).toBe(200);
    await bob.hub.waitFor((m) => m.Type === 6);
    expect((await call(bob.token, 'GET', `/api/ciphers/${id}`)).status).toBe(404);
    expect(((await call(bob.token, 'GET', '/api/sync')).body.ciphers as Json[]).filter((c) => c.organizationId)).toEqual([]);
    const current = (await call(owner.token, 'GET', `/api/ciphers/${id}`)).body;
    expect((await call(owner.token, 'PUT', `/api/ciphers/${id}`, { ...current, notes: encryptType2('4321', randomBytes(64)) })).status).toBe(200);
    await carol.hub.waitFor(about(id, 0));
    await nothingAbout(bob, id);
  }, 120_000);
});
