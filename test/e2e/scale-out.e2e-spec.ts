import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeliveryBus } from '../../src/notifications/delivery-bus';
import { RedisDeliveryBus } from '../../src/notifications/redis-delivery-bus';
import { UnitOfWork } from '../../src/db/unit-of-work';
import { anonymousHub, waitUntil } from '../support/anonymous-hub';
import { Json } from '../support/api';
import { createTestApp, TestApp } from '../support/app';
import { fetchLink, sha256, uploadAttachment } from '../support/attachments';
import { HubClient } from '../support/hub-client';
import { createPostgresDatabase, describeWithServices } from '../support/services';
import {
  createLoginItem, createPbkdf2User, decodeJwtPayload, decryptType4, encryptType2, encryptType4, passwordLogin, TestAccount, WEB_VAULT,
} from '../support/test-crypto';

const DESKTOP = { type: 8, name: 'linux', clientId: 'desktop' };

/**
 * Two instances of the server behind no load balancer at all: they share one database (PostgreSQL when
 * TEST_POSTGRES_URL is set, else one SQLite file), one DATA_FOLDER (hence one RSA signing key) and one Redis.
 * Whatever instance a client talks to, it sees what happened on the other (notifications.md §7.3, §13 row 6).
 */
describeWithServices(['TEST_REDIS_URL'], 'scale-out: two instances, one database, one Redis', () => {
  let dataFolder: string;
  let pg: Awaited<ReturnType<typeof createPostgresDatabase>> | null = null;
  let a: TestApp;
  let b: TestApp;
  let account: TestAccount;
  let userId: string;
  let tokenFromA: string;

  beforeAll(async () => {
    dataFolder = mkdtempSync(join(tmpdir(), 'vault-scale-'));
    pg = process.env.TEST_POSTGRES_URL ? await createPostgresDatabase('vault_scale') : null;
    const env = { DATA_FOLDER: dataFolder, REDIS_URL: process.env.TEST_REDIS_URL!, ...(pg ? { DATABASE_URL: pg.url } : {}) };
    a = await createTestApp(env); // creates the schema and the signing key
    b = await createTestApp(env); // finds both
    account = await createPbkdf2User(a.baseUrl, `scale-${randomUUID()}@example.com`, 'pw', 5_000);
    tokenFromA = (await passwordLogin(a.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() })).access_token;
    userId = String(decodeJwtPayload(tokenFromA).sub);
  }, 60_000);

  afterAll(async () => {
    await b?.close();
    await a?.close();
    await pg?.drop();
    rmSync(dataFolder, { recursive: true, force: true });
  });

  const call = (t: TestApp, token: string, method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${t.baseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  const jsonOf = async (response: Promise<Response>): Promise<Json> => (await response).json() as Promise<Json>;

  it('both instances run the Redis bus, on the shared database', () => {
    expect(a.app.get(DeliveryBus)).toBeInstanceOf(RedisDeliveryBus);
    expect(b.app.get(DeliveryBus)).toBeInstanceOf(RedisDeliveryBus);
    expect(a.config.database.type).toBe(pg ? 'postgres' : 'better-sqlite3');
  });

  it('a token issued by A is accepted by B (API and hub): one signing key in the shared DATA_FOLDER', async () => {
    expect((await call(b, tokenFromA, 'GET', '/api/accounts/revision-date')).status).toBe(200);
    const hub = await HubClient.connect(b.baseUrl, tokenFromA);
    await hub.stop();
  });

  it('a device on B receives what is done through A, and a device on A what is done through B (official client)', async () => {
    const onB = await passwordLogin(a.baseUrl, account, { ...DESKTOP, identifier: randomUUID() });
    const onA = await passwordLogin(b.baseUrl, account, { ...DESKTOP, identifier: randomUUID() });
    const hubB = await HubClient.connect(b.baseUrl, onB.access_token);
    const hubA = await HubClient.connect(a.baseUrl, onA.access_token);
    try {
      const deviceA = String(decodeJwtPayload(tokenFromA).device);
      const created = await createLoginItem(a.baseUrl, tokenFromA, account, { name: 'across', username: 'u', password: 'p', uri: 'https://x.example' });
      const id = String(created.id);
      const onCreate = await hubB.waitFor((m) => m.Type === 1 && m.Payload.Id === id);
      expect(onCreate).toEqual({ ContextId: deviceA, Type: 1, Payload: { Id: id, UserId: userId, OrganizationId: null, CollectionIds: null, RevisionDate: new Date(String(created.revisionDate)) } });
      // The same message on A's own socket, once.
      await hubA.waitFor((m) => m.Type === 1 && m.Payload.Id === id);

      const folder = (await (await call(b, tokenFromA, 'POST', '/api/folders', { name: encryptType2('from b', account.secrets.userKey) })).json()) as { id: string; revisionDate: string };
      const onFolder = await hubA.waitFor((m) => m.Type === 7 && m.Payload.Id === folder.id);
      expect(onFolder).toEqual({ ContextId: deviceA, Type: 7, Payload: { Id: folder.id, UserId: userId, RevisionDate: new Date(folder.revisionDate) } });
      await hubB.waitFor((m) => m.Type === 7 && m.Payload.Id === folder.id);

      expect((await call(a, tokenFromA, 'DELETE', `/api/ciphers/${id}`)).status).toBe(200);
      await hubB.waitFor((m) => m.Type === 2 && m.Payload.Id === id);
      // Ordered per instance: the folder change made afterwards through B arrives after it, and nothing was doubled.
      const seen = (hubB as unknown as { seen: Array<{ Type: number; Payload: { Id?: string } }> }).seen;
      expect(seen.filter((m) => m.Payload.Id === id).map((m) => m.Type)).toEqual([1, 2]);
    } finally {
      await hubA.stop();
      await hubB.stop();
    }
  }, 60_000);

  it('attachments: announced through A, uploaded through B, the link A hands out served by B (one folder, one signing key)', async () => {
    const userKey = account.secrets.userKey;
    const cipher = await jsonOf(call(a, tokenFromA, 'POST', '/api/ciphers', { type: 2, name: encryptType2('note', userKey), secureNote: { type: 0 } }));
    const bytes = randomBytes(64 * 1024);
    const created = await jsonOf(call(a, tokenFromA, 'POST', `/api/ciphers/${cipher.id}/attachment/v2`, {
      key: encryptType2('k', userKey), fileName: encryptType2('f', userKey), fileSize: bytes.length, lastKnownRevisionDate: cipher.revisionDate,
    }));
    expect((await uploadAttachment(b, tokenFromA, cipher.id, created.attachmentId, bytes, encryptType2('f', userKey))).status).toBe(200);
    const link = new URL((await jsonOf(call(a, tokenFromA, 'GET', `/api/ciphers/${cipher.id}/attachment/${created.attachmentId}`))).url);
    expect(await fetchLink(`${b.baseUrl}${link.pathname}${link.search}`)).toEqual({ status: 200, sha: sha256(bytes) });
    expect((await call(b, tokenFromA, 'DELETE', `/api/ciphers/${cipher.id}/attachment/${created.attachmentId}`)).status).toBe(200);
    await b.app.get(UnitOfWork).drain();
    expect((await fetchLink(`${a.baseUrl}${link.pathname}${link.search}`)).status).toBe(404);
  });

  it('login with device across nodes: request and anonymous subscriber on B, approval through A', async () => {
    const owner = await HubClient.connect(a.baseUrl, tokenFromA);
    try {
      const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const accessCode = randomBytes(16).toString('base64url');
      const deviceIdentifier = randomUUID();
      const createRes = await fetch(`${b.baseUrl}/api/auth-requests`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Device-Type': '8' },
        body: JSON.stringify({ email: account.email, publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'), deviceIdentifier, accessCode, type: 0 }),
      });
      expect(createRes.status).toBe(200);
      const requestId = ((await createRes.json()) as { id: string }).id;
      const anon = await anonymousHub(b.baseUrl, requestId);

      // Created through B → the owner's device on A is told (15).
      const created = await owner.waitFor((m) => m.Type === 15 && m.Payload.Id === requestId);
      expect(created.ContextId).toBe(deviceIdentifier);

      const pending = (await (await call(a, tokenFromA, 'GET', `/api/auth-requests/${requestId}`)).json()) as { publicKey: string };
      const approve = await call(a, tokenFromA, 'PUT', `/api/auth-requests/${requestId}`, {
        deviceIdentifier: String(decodeJwtPayload(tokenFromA).device), key: encryptType4(account.secrets.userKey, pending.publicKey), masterPasswordHash: null, requestApproved: true,
      });
      expect(approve.status).toBe(200);

      // Approved through A → the anonymous subscriber on B gets AuthRequestResponseRecieved.
      await waitUntil(() => anon.received.length === 1);
      expect(anon.received[0]).toEqual({ Type: 16, Payload: { Id: requestId, UserId: userId }, UserId: userId });
      await anon.connection.stop();

      const polled = (await (await fetch(`${b.baseUrl}/api/auth-requests/${requestId}/response?code=${accessCode}`)).json()) as { key: string; requestApproved: boolean };
      expect(polled.requestApproved).toBe(true);
      expect(decryptType4(polled.key, privateKey.export({ type: 'pkcs8', format: 'der' })).equals(account.secrets.userKey)).toBe(true);
      const login = await fetch(`${b.baseUrl}/identity/connect/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          scope: 'api offline_access', client_id: 'desktop', deviceType: '8', deviceIdentifier, deviceName: 'linux',
          grant_type: 'password', username: account.email, password: accessCode, authRequest: requestId,
        }).toString(),
      });
      expect(login.status).toBe(200);
      expect(decodeJwtPayload(((await login.json()) as { access_token: string }).access_token).sub).toBe(userId);
    } finally {
      await owner.stop();
    }
  }, 60_000);
});
