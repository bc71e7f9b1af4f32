// Organization changes at the relay stand-in: one send per member who can see the item and has a phone,
// nobody else; the fan-out written as a few rows with the change and expanded by the worker; a burst
// coalesces per member (issue 15, notifications.md §10.10).
import { PushOutboxEntity } from '../../src/db/entities';
import { UnitOfWork } from '../../src/db/unit-of-work';
import { createTestApp, TestApp } from '../support/app';
import { RelayStandIn } from '../stand-ins/relay-stand-in';
import { addMembers, createOrganization } from '../support/org-harness';
import { encryptType2, loginCipherRequest } from '../support/test-crypto';
import { api, Json, micros, newPushUser, PushUser, sleep } from './push-harness';

describe('push relay: organization changes reach each member with a phone once', () => {
  let relay: RelayStandIn;
  let t: TestApp;
  let owner: PushUser; // phone; manages "Shared"
  let bob: PushUser; // phone; "Shared"
  let carol: PushUser; // phone; "Shared", read-only
  let dave: PushUser; // no phone; "Shared"
  let frank: PushUser; // phone; member, only "Other"
  let eve: PushUser; // phone; outsider
  let orgId: string;
  let orgKey: Buffer;
  let shared: string;

  const sendsTo = (from: number, userId: string): Json[] => relay.accepted.slice(from).filter((r) => r.action === 'send' && r.body.userId === userId).map((r) => r.body);
  const orgCipher = (name: string): Record<string, unknown> => ({
    ...loginCipherRequest(owner.account, owner.userId, { name, username: 'family', password: 'hunter2', uri: 'https://example.com' }),
    organizationId: orgId,
  });
  const create = async (name: string): Promise<Json> => {
    const res = await api(t.baseUrl, owner.web.accessToken, 'POST', '/api/ciphers/create', { cipher: orgCipher(name), collectionIds: [shared] });
    expect(res.status).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    relay = await RelayStandIn.start();
    t = await createTestApp(relay.env());
    [owner, bob, carol, frank, eve] = await Promise.all([1, 2, 3, 4, 5].map(() => newPushUser(t, relay))) as [PushUser, PushUser, PushUser, PushUser, PushUser];
    dave = await newPushUser(t, relay, { mobile: false });
    const admin = { account: owner.account, token: owner.web.accessToken };
    const org = await createOrganization(t, admin, 'Family');
    ({ id: orgId, key: orgKey, collectionId: shared } = org);
    const memberId = await addMembers(t, admin, org, [bob, carol, dave, frank]);
    expect((await api(t.baseUrl, owner.web.accessToken, 'PUT', `/api/organizations/${orgId}/collections/${shared}`, {
      name: encryptType2('Shared', orgKey),
      users: [{ id: memberId(owner), manage: true }, { id: memberId(bob) }, { id: memberId(carol), readOnly: true }, { id: memberId(dave) }],
    })).status).toBe(200);
    expect((await api(t.baseUrl, owner.web.accessToken, 'POST', `/api/organizations/${orgId}/collections`, { name: encryptType2('Other', orgKey), users: [{ id: memberId(frank) }] })).status).toBe(200);
    // Everyone's own pushes of the set-up (org keys, access changes) have gone out.
    await sleep(500);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await relay?.close();
  });

  it('a created item: one send (1) to the owner, bob and carol with the item, the organization and each one\'s own userId; none to frank, eve or dave (no phone)', async () => {
    const from = relay.accepted.length;
    const item = await create('Netflix');
    await relay.waitFor('three sends', () => relay.accepted.slice(from).filter((r) => r.action === 'send').length >= 3);
    await sleep(300);
    for (const p of [owner, bob, carol]) {
      const sent = sendsTo(from, p.userId);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({
        userId: p.userId, organizationId: null, type: 1, deviceId: owner.web.deviceId, identifier: owner.web.identifier,
        payload: { id: item.id, userId: p.userId, organizationId: orgId, revisionDate: micros(item.revisionDate) },
      });
    }
    for (const p of [frank, eve, dave]) expect(sendsTo(from, p.userId)).toEqual([]);
    expect(relay.accepted.slice(from).filter((r) => r.action === 'send')).toHaveLength(3);
  });

  it('the change wrote one fanout row, expanded by the worker into the members\' sends, and nothing stays pending', async () => {
    const before = await t.app.get(UnitOfWork).read((db) => db.getRepository(PushOutboxEntity).count({ where: { kind: 'fanout' } }));
    const from = relay.accepted.length;
    await create('Wifi');
    await relay.waitFor('three sends', () => relay.accepted.slice(from).filter((r) => r.action === 'send').length >= 3);
    const rows = await t.app.get(UnitOfWork).read((db) => db.getRepository(PushOutboxEntity).find({ where: { kind: 'fanout' }, order: { id: 'DESC' } }));
    expect(rows.length).toBe(before + 1);
    expect(rows[0]).toMatchObject({ status: 'done', userId: 'fanout' });
    // Members with a phone only, each with their own payload.
    expect((JSON.parse(rows[0]!.body) as Json[]).map((e) => e.userId).sort()).toEqual([owner.userId, bob.userId, carol.userId].sort());
    await relay.waitFor('no pending row', () => relay.heldCount() === 0);
  });

  it('a hard delete reaches every member who could see the item (2), computed before the row goes', async () => {
    const item = await create('Old');
    await sleep(300);
    const from = relay.accepted.length;
    expect((await api(t.baseUrl, bob.web.accessToken, 'DELETE', `/api/ciphers/${item.id}`)).status).toBe(200);
    await relay.waitFor('three deletes', () => relay.accepted.slice(from).filter((r) => r.action === 'send').length >= 3);
    await sleep(300);
    for (const p of [owner, bob, carol]) {
      expect(sendsTo(from, p.userId)).toEqual([expect.objectContaining({ type: 2, deviceId: bob.web.deviceId, identifier: bob.web.identifier, payload: expect.objectContaining({ id: item.id, organizationId: orgId }) })]);
    }
    expect(sendsTo(from, frank.userId)).toEqual([]);
  });

  it('three edits of one item while the outbox waits: each member gets the newest edit once (same type and item collapse)', async () => {
    const item = await create('Edited');
    await sleep(500);
    const from = relay.accepted.length;
    const limited = relay.attempts.filter((a) => a.status === 429).length;
    relay.scriptNext({ kind: 'status', status: 429, headers: { 'Retry-After': '3' } });
    // An unrelated first change takes the 429, so the edits queue behind the pause.
    await create('unrelated');
    await relay.waitFor('the 429', () => relay.attempts.filter((a) => a.status === 429).length > limited, 10_000);
    let last: Json;
    for (let i = 0; i < 3; i += 1) {
      last = await api(t.baseUrl, owner.web.accessToken, 'PUT', `/api/ciphers/${item.id}`, { ...orgCipher(`edit ${i}`), collectionIds: [shared] });
      expect(last.status).toBe(200);
    }
    await relay.waitFor('the edits', () => [owner, bob, carol].every((p) => sendsTo(from, p.userId).some((b) => b.type === 0)), 20_000);
    await sleep(500);
    for (const p of [owner, bob, carol]) {
      const edits = sendsTo(from, p.userId).filter((b) => b.type === 0);
      expect(edits).toHaveLength(1);
      expect(edits[0].payload).toMatchObject({ id: item.id, userId: p.userId, revisionDate: micros(last.body.revisionDate) });
    }
  }, 60_000);

  it('a burst of 12 items while the relay makes the outbox wait: each member gets one SyncCiphers (4), not twelve pushes', async () => {
    const from = relay.accepted.length;
    const limited = relay.attempts.filter((a) => a.status === 429).length;
    relay.scriptNext({ kind: 'status', status: 429, headers: { 'Retry-After': '4' } });
    await create('first');
    await relay.waitFor('the 429', () => relay.attempts.filter((a) => a.status === 429).length > limited, 10_000);
    for (let i = 0; i < 11; i += 1) await create(`burst ${i}`);
    await relay.waitFor('one send each', () => [owner, bob, carol].every((p) => sendsTo(from, p.userId).length >= 1), 20_000);
    await sleep(1000);
    for (const p of [owner, bob, carol]) {
      // The first item's sends go out in parallel lanes: one is answered 429, the others may get through before
      // the pause. Whatever waited collapses into one SyncCiphers.
      const types = sendsTo(from, p.userId).map((b) => b.type);
      expect([[4], [1, 4]]).toContainEqual(types);
      expect(sendsTo(from, p.userId).at(-1).payload).toEqual({ userId: p.userId, date: expect.any(String) });
    }
    expect([owner, bob, carol].some((p) => sendsTo(from, p.userId).length === 1)).toBe(true);
    expect(sendsTo(from, frank.userId)).toEqual([]);
  }, 60_000);
});
