import { apiCall } from '../support/api';
import { randomUUID } from 'node:crypto';
import { ConnectionRegistry } from '../../src/notifications/connection-registry';
import { DeliveryBus } from '../../src/notifications/delivery-bus';
import { createTestApp, TestApp, TLS_CERT } from '../support/app';
import { BwProfile } from '../support/bw-cli';
import { HubClient, HubNotification } from '../support/hub-client';
import { RawHubSocket, sleep } from '../support/raw-ws';
import {
  ClientDevice, createLoginItem, createPbkdf2User, decodeJwtPayload, encryptType2, loginCipherRequest, passwordLogin, TestAccount, WEB_VAULT,
} from '../support/test-crypto';

const DESKTOP: Omit<ClientDevice, 'identifier'> = { type: 8, name: 'linux', clientId: 'desktop' };

/** JSON-protocol hub client on a raw socket: parses every ReceiveMessage record. */
class JsonHub {
  readonly messages: Array<{ contextId: string | null; type: number; payload: Record<string, unknown> }> = [];
  private constructor(readonly raw: RawHubSocket) {
    raw.ws.on('message', (data: Buffer) => {
      for (const record of data.toString('utf8').split('\u001e').filter(Boolean)) {
        const msg = JSON.parse(record) as { type: number; target?: string; arguments?: Array<{ contextId: string | null; type: number; payload: Record<string, unknown> }> };
        if (msg.type === 1 && msg.target === 'ReceiveMessage' && msg.arguments?.[0]) this.messages.push(msg.arguments[0]);
      }
    });
  }
  static async connect(baseUrl: string, token: string): Promise<JsonHub> {
    const raw = await RawHubSocket.open(`${baseUrl.replace('https://', 'wss://')}/notifications/hub?access_token=${encodeURIComponent(token)}`);
    const hub = new JsonHub(raw);
    raw.send('{"protocol":"json","version":1}\u001e', false);
    await raw.waitFrames(1);
    return hub;
  }
  async waitFor(predicate: (m: JsonHub['messages'][number]) => boolean, timeoutMs = 10_000): Promise<JsonHub['messages'][number]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching JSON message; got ${JSON.stringify(this.messages)}`);
      await sleep(20);
    }
  }
}

describe('live updates between devices of one account (official @microsoft/signalr client)', () => {
  let t: TestApp;
  let account: TestAccount;
  let tokenA: string;
  let deviceA: string;
  let userId: string;
  let hubB: HubClient;
  let hubOther: HubClient;
  let jsonB: JsonHub;
  let otherAccount: TestAccount;
  let otherToken: string;

  const api = (method: string, path: string, body?: unknown, token = tokenA): Promise<Response> => apiCall(t.baseUrl, token, method, path, body);

  beforeAll(async () => {
    t = await createTestApp();
    account = await createPbkdf2User(t.baseUrl, `live-${randomUUID()}@example.com`, 'correct horse', 5_000);
    const a = await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() });
    tokenA = a.access_token;
    deviceA = String(decodeJwtPayload(tokenA).device);
    userId = String(decodeJwtPayload(tokenA).sub);
    const b = await passwordLogin(t.baseUrl, account, { ...DESKTOP, identifier: randomUUID() });
    hubB = await HubClient.connect(t.baseUrl, b.access_token);
    const b2 = await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() });
    jsonB = await JsonHub.connect(t.baseUrl, b2.access_token);
    otherAccount = await createPbkdf2User(t.baseUrl, `other-${randomUUID()}@example.com`, 'pw', 5_000);
    otherToken = (await passwordLogin(t.baseUrl, otherAccount, { ...WEB_VAULT, identifier: randomUUID() })).access_token;
    hubOther = await HubClient.connect(t.baseUrl, otherToken);
    await hubB.waitFor((m) => m.Type === 5); // catch-up of a device never seen on the hub
    await hubOther.waitFor((m) => m.Type === 5);
    hubB.clear();
    hubOther.clear();
  }, 60_000);

  afterAll(async () => {
    await hubB?.stop();
    await hubOther?.stop();
    jsonB?.raw.ws.close();
    await t?.close();
  });

  const expectCipher = (m: HubNotification, id: string, revisionDate: string, contextId = deviceA): void => {
    expect(m.ContextId).toBe(contextId);
    expect(m.Payload).toEqual({ Id: id, UserId: userId, OrganizationId: null, CollectionIds: null, RevisionDate: new Date(revisionDate) });
  };

  it('cipher create, edit, trash, restore, delete over the API reach device B with A as ContextId (MessagePack and JSON)', async () => {
    const created = await createLoginItem(t.baseUrl, tokenA, account, { name: 'bank', username: 'alice', password: 's3cret', uri: 'https://bank.example' });
    const id = String(created.id);
    expectCipher(await hubB.waitFor((m) => m.Type === 1 && m.Payload.Id === id), id, String(created.revisionDate));
    const jsonCreate = await jsonB.waitFor((m) => m.type === 1 && m.payload.id === id);
    expect(jsonCreate).toEqual({ contextId: deviceA, type: 1, payload: { id, userId, organizationId: null, collectionIds: null, revisionDate: `${String(created.revisionDate).slice(0, 23)}000Z` } });

    const edited = (await (await api('PUT', `/api/ciphers/${id}`, { ...loginCipherRequest(account, userId, { name: 'bank 2', username: 'alice', password: 'n3w', uri: 'https://bank.example' }), lastKnownRevisionDate: created.revisionDate })).json()) as { revisionDate: string };
    expectCipher(await hubB.waitFor((m) => m.Type === 0 && m.Payload.Id === id && (m.Payload.RevisionDate as Date).toISOString() === edited.revisionDate), id, edited.revisionDate);

    expect((await api('PUT', `/api/ciphers/${id}/delete`)).status).toBe(200);
    const trashed = await hubB.waitFor((m) => m.Type === 0 && m.Payload.Id === id && (m.Payload.RevisionDate as Date).getTime() > new Date(edited.revisionDate).getTime());
    expect(trashed.ContextId).toBe(deviceA);

    const restored = (await (await api('PUT', `/api/ciphers/${id}/restore`)).json()) as { revisionDate: string; deletedDate: string | null };
    expect(restored.deletedDate).toBeNull();
    await hubB.waitFor((m) => m.Type === 0 && m.Payload.Id === id && (m.Payload.RevisionDate as Date).toISOString() === restored.revisionDate);

    expect((await api('DELETE', `/api/ciphers/${id}`)).status).toBe(200);
    const deleted = await hubB.waitFor((m) => m.Type === 2 && m.Payload.Id === id);
    expect(deleted.ContextId).toBe(deviceA);
    expect(deleted.Payload.UserId).toBe(userId);
    await jsonB.waitFor((m) => m.type === 2 && m.payload.id === id);
  });

  it('folder create, rename, delete reach device B (7, 8, 3)', async () => {
    const folder = (await (await api('POST', '/api/folders', { name: encryptType2('work', account.secrets.userKey) })).json()) as { id: string; revisionDate: string };
    const create = await hubB.waitFor((m) => m.Type === 7 && m.Payload.Id === folder.id);
    expect(create).toEqual({ ContextId: deviceA, Type: 7, Payload: { Id: folder.id, UserId: userId, RevisionDate: new Date(folder.revisionDate) } });
    const renamed = (await (await api('PUT', `/api/folders/${folder.id}`, { name: encryptType2('work 2', account.secrets.userKey) })).json()) as { revisionDate: string };
    expect((await hubB.waitFor((m) => m.Type === 8 && m.Payload.Id === folder.id)).Payload.RevisionDate).toEqual(new Date(renamed.revisionDate));
    expect((await api('DELETE', `/api/folders/${folder.id}`)).status).toBe(200);
    expect((await hubB.waitFor((m) => m.Type === 3 && m.Payload.Id === folder.id)).ContextId).toBe(deviceA);
    await jsonB.waitFor((m) => m.type === 3 && m.payload.id === folder.id);
  });

  it('changes made with the official CLI reach device B with the CLI as ContextId', async () => {
    const cli = new BwProfile(TLS_CERT);
    await cli.login(t.baseUrl, account.email, 'correct horse');
    const cliDevice = cli.deviceIdentifier();
    const folder = await cli.json<{ id: string }>(['create', 'folder', BwProfile.encode({ name: 'From the CLI' })]);
    expect((await hubB.waitFor((m) => m.Type === 7 && m.Payload.Id === folder.id)).ContextId).toBe(cliDevice);
    const item = await cli.json<{ id: string }>(['create', 'item', BwProfile.encode({ type: 1, name: 'cli item', notes: null, folderId: folder.id, login: { username: 'u', password: 'p', uris: [] } })]);
    expect((await hubB.waitFor((m) => m.Type === 1 && m.Payload.Id === item.id)).ContextId).toBe(cliDevice);
    expect((await cli.run(['delete', 'item', item.id])).code).toBe(0);
    await hubB.waitFor((m) => m.Type === 0 && m.Payload.Id === item.id && m.ContextId === cliDevice);
    expect((await cli.run(['delete', 'item', item.id, '--permanent'])).code).toBe(0);
    await hubB.waitFor((m) => m.Type === 2 && m.Payload.Id === item.id && m.ContextId === cliDevice);
  }, 120_000);

  it('a device of another user received nothing of all this', async () => {
    // Delivery is ordered: the other user's own next change is the first message its device sees.
    const folder = (await (await api('POST', '/api/folders', { name: encryptType2('mine', otherAccount.secrets.userKey) }, otherToken)).json()) as { id: string };
    const first = await hubOther.waitFor(() => true);
    expect(first.Type).toBe(7);
    expect(first.Payload.Id).toBe(folder.id);
  });

  it('bulk delete produces one SyncCiphers (4) per device, not one message per item', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(String((await createLoginItem(t.baseUrl, tokenA, account, { name: `bulk ${i}`, username: 'u', password: 'p', uri: 'https://x.example' })).id));
    await hubB.waitFor((m) => m.Type === 1 && m.Payload.Id === ids[4]);
    hubB.clear();
    expect((await api('PUT', '/api/ciphers/delete', { ids })).status).toBe(200);
    const sync = await hubB.waitFor((m) => m.Type === 4);
    expect(sync.ContextId).toBeNull();
    expect(sync.Payload.UserId).toBe(userId);
    // The next folder change arrives after anything else the bulk operation could have sent.
    const folder = (await (await api('POST', '/api/folders', { name: encryptType2('after bulk', account.secrets.userKey) })).json()) as { id: string };
    await hubB.waitFor((m) => m.Type === 7 && m.Payload.Id === folder.id);
    const seen = (hubB as unknown as { seen: HubNotification[] }).seen;
    expect(seen.filter((m) => m.Type === 0 || m.Type === 2 || m.Type === 4).map((m) => m.Type)).toEqual([4]);
  });
});

describe('catch-up after reconnect (SyncVault right after the handshake when the account changed)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('changed while away → SyncVault first; unchanged → nothing', async () => {
    const account = await createPbkdf2User(t.baseUrl, `cu-${randomUUID()}@example.com`, 'pw', 5_000);
    const away = await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() });
    const actor = await passwordLogin(t.baseUrl, account, { ...DESKTOP, identifier: randomUUID() });
    const registry = t.app.get(ConnectionRegistry);
    const userId = String(decodeJwtPayload(away.access_token).sub);
    const disconnect = async (hub: HubClient): Promise<void> => {
      await hub.stop();
      for (let i = 0; i < 100 && registry.countForUser(userId) > 0; i++) await sleep(20);
      await sleep(100); // the end of the connection is recorded after the socket closed
    };

    let hub = await HubClient.connect(t.baseUrl, away.access_token);
    await hub.waitFor((m) => m.Type === 5);
    await disconnect(hub);

    await createLoginItem(t.baseUrl, actor.access_token, account, { name: 'while away', username: 'u', password: 'p', uri: 'https://x.example' });
    hub = await HubClient.connect(t.baseUrl, away.access_token);
    const first = await hub.waitFor(() => true);
    expect(first.Type).toBe(5);
    expect(first.ContextId).toBeNull();
    await disconnect(hub);

    hub = await HubClient.connect(t.baseUrl, away.access_token);
    const marker = await createLoginItem(t.baseUrl, actor.access_token, account, { name: 'marker', username: 'u', password: 'p', uri: 'https://x.example' });
    const next = await hub.waitFor(() => true);
    expect(next.Type).toBe(1);
    expect(next.Payload.Id).toBe(marker.id);
    await hub.stop();
  }, 60_000);
});

describe('a socket that stops reading', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ HUB_QUEUE_MAX_MESSAGES: '50', HUB_QUEUE_MAX_BYTES: '65536' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('does not delay other sockets or the API; its queue stays bounded and collapses into a SyncVault', async () => {
    const account = await createPbkdf2User(t.baseUrl, `slow-${randomUUID()}@example.com`, 'pw', 5_000);
    const slowLogin = await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() });
    const fastLogin = await passwordLogin(t.baseUrl, account, { ...DESKTOP, identifier: randomUUID() });
    const userId = String(decodeJwtPayload(slowLogin.access_token).sub);
    const slow = await RawHubSocket.open(`${t.baseUrl.replace('https://', 'wss://')}/notifications/hub`, { Authorization: `Bearer ${slowLogin.access_token}` });
    slow.send('{"protocol":"messagepack","version":1}\u001e', false);
    await slow.waitFrames(1);
    const fast = await HubClient.connect(t.baseUrl, fastLogin.access_token);
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause(); // stop reading: the kernel buffers fill up

    // Load: many updates for this user straight onto the delivery bus (several MB in all).
    const bus = t.app.get(DeliveryBus);
    const total = 20_000;
    const big = 'x'.repeat(200);
    for (let i = 0; i < total; i++) {
      bus.publish({ target: { kind: 'users', userIds: [userId] }, type: 8, contextId: big, payload: { Id: randomUUID(), UserId: userId, RevisionDate: new Date() } });
    }
    // The API answers while the slow socket is stuck, and the fast socket gets the next real change.
    const created = await createLoginItem(t.baseUrl, fastLogin.access_token, account, { name: 'during stall', username: 'u', password: 'p', uri: 'https://x.example' });
    await fast.waitFor((m) => m.Type === 1 && m.Payload.Id === created.id, 30_000);
    const slowConnection = t.app.get(ConnectionRegistry).forUser(userId).find((c) => c.identity.kind === 'user' && c.identity.deviceIdentifier === String(decodeJwtPayload(slowLogin.access_token).device));
    expect(slowConnection).toBeDefined();
    expect(slowConnection!.queuedMessages).toBeLessThanOrEqual(50);
    expect(slowConnection!.collapses).toBeGreaterThan(0);
    await fast.stop();
    slow.ws.terminate();
  }, 60_000);
});
