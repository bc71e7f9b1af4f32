import { capturedLogs, createTestApp, TestApp } from '../support/app';
import { RelayStandIn } from '../stand-ins/relay-stand-in';
import { api, cipherBody, folderBody, Json, micros, newPushUser, PushUser, sleep } from './push-harness';

/** The body of POST /push/send this server must produce (notifications.md §10.7). */
const send = (userId: string, type: number, payload: Record<string, unknown>, acting: { deviceId: string | null; identifier: string | null }): Json => ({
  userId, organizationId: null, deviceId: acting.deviceId, identifier: acting.identifier, type, payload, clientType: null, installationId: null,
});

describe('push relay: each pushed event type\'s body (notifications.md §5.2, §8, §10.7)', () => {
  let relay: RelayStandIn;
  let t: TestApp;
  let user: PushUser;

  beforeAll(async () => {
    relay = await RelayStandIn.start();
    t = await createTestApp(relay.env());
    user = await newPushUser(t, relay);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await relay?.close();
  });

  /** Sends to `userId` accepted from now on. */
  const mark = (userId: string): (() => Json[]) => {
    const from = relay.accepted.length;
    return () => relay.accepted.slice(from).filter((r) => r.action === 'send' && r.body.userId === userId).map((r) => r.body);
  };
  const webActing = (): { deviceId: string; identifier: string } => ({ deviceId: user.web.deviceId, identifier: user.web.identifier });

  it('folder create / update / delete → 7 / 8 / 3 with {id, userId, revisionDate}, acting device as deviceId and identifier', async () => {
    const sent = mark(user.userId);
    const created = await api(t.baseUrl, user.web.accessToken, 'POST', '/api/folders', folderBody());
    expect(created.status).toBe(200);
    const updated = await api(t.baseUrl, user.web.accessToken, 'PUT', `/api/folders/${created.body.id}`, folderBody());
    expect(updated.status).toBe(200);
    const deleted = await api(t.baseUrl, user.web.accessToken, 'DELETE', `/api/folders/${created.body.id}`);
    expect(deleted.status).toBe(200);
    await relay.waitFor('three folder sends', () => sent().length === 3);
    const [create, update, del] = sent();
    expect(create).toEqual(send(user.userId, 7, { id: created.body.id, userId: user.userId, revisionDate: micros(created.body.revisionDate) }, webActing()));
    expect(update).toEqual(send(user.userId, 8, { id: created.body.id, userId: user.userId, revisionDate: micros(updated.body.revisionDate) }, webActing()));
    expect(del).toMatchObject(send(user.userId, 3, { id: created.body.id, userId: user.userId, revisionDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}000Z$/) }, webActing()));
    expect(Object.keys(create)).toEqual(['userId', 'organizationId', 'deviceId', 'identifier', 'type', 'payload', 'clientType', 'installationId']);
    expect(Object.keys(create.payload)).toEqual(['id', 'userId', 'revisionDate']);
  });

  it('a change made from the phone carries the phone as identifier (the relay skips it)', async () => {
    const sent = mark(user.userId);
    const created = await api(t.baseUrl, user.mobile.accessToken, 'POST', '/api/folders', folderBody());
    expect(created.status).toBe(200);
    await relay.waitFor('folder send', () => sent().length === 1);
    expect(sent()[0]).toMatchObject({ deviceId: user.mobile.deviceId, identifier: user.mobile.identifier, type: 7 });
  });

  it('cipher create / update / trash / hard delete → 1 / 0 / 0 / 2 with the cipher payload', async () => {
    const sent = mark(user.userId);
    const created = await api(t.baseUrl, user.web.accessToken, 'POST', '/api/ciphers', cipherBody(user));
    expect(created.status).toBe(200);
    const id = created.body.id as string;
    const updated = await api(t.baseUrl, user.web.accessToken, 'PUT', `/api/ciphers/${id}`, { ...cipherBody(user, 'renamed'), lastKnownRevisionDate: created.body.revisionDate });
    expect(updated.status).toBe(200);
    await relay.waitFor('create and update', () => sent().length === 2);
    expect((await api(t.baseUrl, user.web.accessToken, 'PUT', `/api/ciphers/${id}/delete`)).status).toBe(200);
    await relay.waitFor('trash', () => sent().length === 3);
    const trashed = await api(t.baseUrl, user.web.accessToken, 'GET', `/api/ciphers/${id}`);
    expect((await api(t.baseUrl, user.web.accessToken, 'DELETE', `/api/ciphers/${id}`)).status).toBe(200);
    await relay.waitFor('hard delete', () => sent().length === 4);
    const cipher = (revisionDate: string): Json => ({ id, userId: user.userId, organizationId: null, collectionIds: null, revisionDate: micros(revisionDate) });
    const [create, update, trash, hardDelete] = sent();
    expect(create).toEqual(send(user.userId, 1, cipher(created.body.revisionDate), webActing()));
    expect(update).toEqual(send(user.userId, 0, cipher(updated.body.revisionDate), webActing()));
    expect(trash).toEqual(send(user.userId, 0, cipher(trashed.body.revisionDate), webActing()));
    expect(hardDelete).toMatchObject({ ...send(user.userId, 2, {}, webActing()), payload: { id, userId: user.userId, organizationId: null, collectionIds: null } });
    expect(Object.keys(create.payload)).toEqual(['id', 'userId', 'organizationId', 'collectionIds', 'revisionDate']);
  });

  it('a bulk operation sends one SyncCiphers (4) for the user, dated with the account revision date, no identifier', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) ids.push((await api(t.baseUrl, user.web.accessToken, 'POST', '/api/ciphers', cipherBody(user))).body.id);
    await relay.waitFor('three creates', () => relay.sends().filter((b) => b.type === 1 && ids.includes(b.payload.id)).length === 3);
    const sent = mark(user.userId);
    expect((await api(t.baseUrl, user.web.accessToken, 'DELETE', '/api/ciphers', { ids })).status).toBe(200);
    const revision = (await api(t.baseUrl, user.web.accessToken, 'GET', '/api/accounts/revision-date')).body as number;
    await relay.waitFor('bulk send', () => sent().length === 1);
    await sleep(200);
    expect(sent()).toEqual([send(user.userId, 4, { userId: user.userId, date: micros(new Date(revision).toISOString()) }, { deviceId: user.web.deviceId, identifier: null })]);
  });

  it('settings change → SyncSettings (10)', async () => {
    const sent = mark(user.userId);
    expect((await api(t.baseUrl, user.web.accessToken, 'PUT', '/api/settings/domains', { equivalentDomains: [['a.example', 'b.example']], excludedGlobalEquivalentDomains: [] })).status).toBe(200);
    await relay.waitFor('settings send', () => sent().length === 1);
    expect(sent()[0]).toMatchObject({ type: 10, userId: user.userId, identifier: null, payload: { userId: user.userId, date: expect.any(String) } });
  });

  it('password change → LogOut (11) with reason null; the acting device is excluded through identifier', async () => {
    const sent = mark(user.userId);
    const res = await api(t.baseUrl, user.web.accessToken, 'POST', '/api/accounts/password', {
      masterPasswordHash: user.account.masterPasswordHash, newMasterPasswordHash: user.account.masterPasswordHash, key: user.account.wrappedUserKey,
    });
    expect(res.status).toBe(200);
    await relay.waitFor('logout send', () => sent().length === 1);
    expect(sent()[0]).toEqual(send(user.userId, 11, { userId: user.userId, date: expect.stringMatching(/\.\d{6}Z$/), reason: null }, webActing()));
    expect(Object.keys(sent()[0].payload)).toEqual(['userId', 'date', 'reason']);
  });

  it('security-stamp reset → LogOut (no acting device), then the registration of every push device is deleted, in that order', async () => {
    const other = await newPushUser(t, relay);
    const from = relay.accepted.length;
    const res = await api(t.baseUrl, other.web.accessToken, 'POST', '/api/accounts/security-stamp', { masterPasswordHash: other.account.masterPasswordHash });
    expect(res.status).toBe(200);
    const mine = (): Json[] => relay.accepted.slice(from).filter((r) => (r.action === 'send' && r.body.userId === other.userId) || (r.action === 'delete' && r.body.id === other.mobile.deviceId));
    await relay.waitFor('logout and delete', () => mine().length === 2);
    expect(mine().map((r) => r.action)).toEqual(['send', 'delete']);
    expect(mine()[0].body).toEqual(send(other.userId, 11, { userId: other.userId, date: expect.any(String), reason: null }, { deviceId: null, identifier: null }));
    expect(mine()[1].body).toEqual({ id: other.mobile.deviceId });
  });

  it('account deletion → LogOut, then delete of every push device', async () => {
    const other = await newPushUser(t, relay);
    const from = relay.accepted.length;
    expect((await api(t.baseUrl, other.web.accessToken, 'DELETE', '/api/accounts', { masterPasswordHash: other.account.masterPasswordHash })).status).toBe(200);
    const mine = (): Json[] => relay.accepted.slice(from).filter((r) => (r.action === 'send' && r.body.userId === other.userId) || (r.action === 'delete' && r.body.id === other.mobile.deviceId));
    await relay.waitFor('logout and delete', () => mine().length === 2);
    expect(mine().map((r) => `${r.action}:${r.body.type ?? ''}`)).toEqual(['send:11', 'delete:']);
  });

  it('more than 10 pending cipher pushes of one user collapse into one SyncCiphers', async () => {
    const other = await newPushUser(t, relay);
    const sent = mark(other.userId);
    // The first push is answered 429 (Retry-After 4 s): the outbox pauses while the user saves 12 items.
    relay.scriptNext({ kind: 'status', status: 429, headers: { 'Retry-After': '4' } });
    const first = await api(t.baseUrl, other.web.accessToken, 'POST', '/api/ciphers', cipherBody(other));
    await relay.waitFor('the 429', () => relay.attempts.some((a) => a.status === 429));
    for (let i = 0; i < 11; i += 1) expect((await api(t.baseUrl, other.web.accessToken, 'POST', '/api/ciphers', cipherBody(other))).status).toBe(200);
    await relay.waitFor('the collapsed send', () => sent().length >= 1, 20_000);
    await sleep(300);
    expect(first.status).toBe(200);
    expect(sent()).toEqual([send(other.userId, 4, { userId: other.userId, date: expect.any(String) }, { deviceId: other.web.deviceId, identifier: null })]);
  });

  it('pending pushes for the same (type, id) collapse into the newest', async () => {
    const other = await newPushUser(t, relay);
    const folder = await api(t.baseUrl, other.web.accessToken, 'POST', '/api/folders', folderBody());
    await relay.waitFor('create', () => relay.sends().some((b) => b.type === 7 && b.payload.id === folder.body.id));
    const sent = mark(other.userId);
    relay.scriptNext({ kind: 'status', status: 429, headers: { 'Retry-After': '2' } });
    const unrelated = await api(t.baseUrl, other.web.accessToken, 'POST', '/api/folders', folderBody());
    await relay.waitFor('the 429', () => relay.attempts.filter((a) => a.status === 429).length === 2);
    let last: Json;
    for (let i = 0; i < 3; i += 1) {
      last = await api(t.baseUrl, other.web.accessToken, 'PUT', `/api/folders/${folder.body.id}`, folderBody());
      expect(last.status).toBe(200);
    }
    await relay.waitFor('two sends', () => sent().length >= 2, 20_000);
    await sleep(300);
    expect(sent().map((b) => [b.type, b.payload.id])).toEqual([[7, unrelated.body.id], [8, folder.body.id]]);
    expect(sent()[1].payload.revisionDate).toBe(micros(last.body.revisionDate));
  });

  it('no installation key, relay token or push token in any log line', () => {
    const secrets = [relay.installationKey, ...relay.issuedTokens, ...relay.bodies('register').map((b) => b.pushToken as string)];
    for (const line of capturedLogs) for (const secret of secrets) expect(line.includes(secret)).toBe(false);
  });
});
