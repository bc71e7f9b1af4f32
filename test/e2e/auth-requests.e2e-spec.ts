import type { HubConnection } from '@microsoft/signalr';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DATA_SOURCE } from '../../src/db/unit-of-work';
import { createTestApp, TestApp } from '../support/app';
import { HubClient } from '../support/hub-client';
import { tryUpgrade } from '../support/raw-ws';
import { createPbkdf2User, decodeJwtPayload, decryptType4, encryptType4, passwordLogin, TestAccount, WEB_VAULT } from '../support/test-crypto';
import { anonymousHub, waitUntil } from '../support/anonymous-hub';

describe('login with device: auth requests and the anonymous hub', () => {
  let t: TestApp;
  let account: TestAccount;
  let ownerToken: string;
  let ownerHub: HubClient;
  let userId: string;

  beforeAll(async () => {
    t = await createTestApp();
    account = await createPbkdf2User(t.baseUrl, `lwd-${randomUUID()}@example.com`, 'pw', 5_000);
    ownerToken = (await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() })).access_token;
    userId = String(decodeJwtPayload(ownerToken).sub);
    ownerHub = await HubClient.connect(t.baseUrl, ownerToken);
  }, 60_000);
  afterAll(async () => {
    await ownerHub?.stop();
    await t?.close();
  });

  const newRequest = async (): Promise<{ id: string; accessCode: string; deviceIdentifier: string; privateKeyDer: Buffer }> => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const accessCode = randomBytes(16).toString('base64url');
    const deviceIdentifier = randomUUID();
    const res = await fetch(`${t.baseUrl}/api/auth-requests`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Device-Type': '8' },
      body: JSON.stringify({ email: account.email, publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'), deviceIdentifier, accessCode, type: 0 }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { id: string; object: string; requestApproved: boolean };
    expect(body.object).toBe('auth-request');
    expect(body.requestApproved).toBe(false);
    return { id: body.id, accessCode, deviceIdentifier, privateKeyDer: privateKey.export({ type: 'pkcs8', format: 'der' }) };
  };

  const answer = (id: string, approved: boolean, key: string | null) =>
    fetch(`${t.baseUrl}/api/auth-requests/${id}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${ownerToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ deviceIdentifier: String(decodeJwtPayload(ownerToken).device), key, masterPasswordHash: null, requestApproved: approved }),
    });

  const loginWithRequest = (id: string, accessCode: string, deviceIdentifier: string) =>
    fetch(`${t.baseUrl}/identity/connect/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        scope: 'api offline_access', client_id: 'desktop', deviceType: '8', deviceIdentifier, deviceName: 'linux',
        grant_type: 'password', username: account.email, password: accessCode, authRequest: id,
      }).toString(),
    });

  it('approve: owner gets 15, anonymous subscriber gets AuthRequestResponseRecieved, then the new device logs in once', async () => {
    const request = await newRequest();
    const anon = await anonymousHub(t.baseUrl, request.id);
    const second = await anonymousHub(t.baseUrl, request.id); // several subscribers per token

    const created = await ownerHub.waitFor((m) => m.Type === 15 && m.Payload.Id === request.id);
    expect(created.ContextId).toBe(request.deviceIdentifier);
    expect(created.Payload.UserId).toBe(userId);

    const pending = (await (await fetch(`${t.baseUrl}/api/auth-requests`, { headers: { Authorization: `Bearer ${ownerToken}` } })).json()) as { data: Array<{ id: string; publicKey: string }> };
    const mine = pending.data.find((r) => r.id === request.id);
    expect(mine).toBeDefined();
    const wrappedKey = encryptType4(account.secrets.userKey, mine!.publicKey);
    expect((await answer(request.id, true, wrappedKey)).status).toBe(200);

    await waitUntil(() => anon.received.length === 1 && second.received.length === 1);
    expect(anon.received[0]).toEqual({ Type: 16, Payload: { Id: request.id, UserId: userId }, UserId: userId });
    const onHub = await ownerHub.waitFor((m) => m.Type === 16 && m.Payload.Id === request.id);
    expect(onHub.ContextId).toBe(String(decodeJwtPayload(ownerToken).device));

    const polled = (await (await fetch(`${t.baseUrl}/api/auth-requests/${request.id}/response?code=${request.accessCode}`)).json()) as { key: string; requestApproved: boolean };
    expect(polled.requestApproved).toBe(true);
    expect(decryptType4(polled.key, request.privateKeyDer).equals(account.secrets.userKey)).toBe(true);

    const login = await loginWithRequest(request.id, request.accessCode, request.deviceIdentifier);
    expect(login.status).toBe(200);
    const tokens = (await login.json()) as { access_token: string; Key: string };
    expect(decodeJwtPayload(tokens.access_token).sub).toBe(userId);
    expect(tokens.Key).toBe(account.wrappedUserKey);
    // Single use.
    expect((await loginWithRequest(request.id, request.accessCode, request.deviceIdentifier)).status).toBe(400);
    await anon.connection.stop();
    await second.connection.stop();
  }, 60_000);

  it('deny: nothing on the anonymous hub, the request cannot log in; wrong code and foreign polls fail', async () => {
    const denied = await newRequest();
    const approved = await newRequest();
    const deniedHub = await anonymousHub(t.baseUrl, denied.id);
    const approvedHub = await anonymousHub(t.baseUrl, approved.id);
    expect((await answer(denied.id, false, null)).status).toBe(200);
    expect((await answer(approved.id, true, encryptType4(account.secrets.userKey, (await (await fetch(`${t.baseUrl}/api/auth-requests/${approved.id}`, { headers: { Authorization: `Bearer ${ownerToken}` } })).json() as { publicKey: string }).publicKey))).status).toBe(200);
    // Delivery is ordered: once the later approval arrived, a message for the denial would have arrived too.
    await waitUntil(() => approvedHub.received.length === 1);
    expect(deniedHub.received).toEqual([]);
    expect((await loginWithRequest(denied.id, denied.accessCode, denied.deviceIdentifier)).status).toBe(400);
    expect((await loginWithRequest(approved.id, 'wrong-code', approved.deviceIdentifier)).status).toBe(400);
    expect((await fetch(`${t.baseUrl}/api/auth-requests/${approved.id}/response?code=wrong`)).status).toBe(404);
    expect((await answer(approved.id, true, 'x')).status).toBe(400); // already answered
    await deniedHub.connection.stop();
    await approvedHub.connection.stop();
  }, 60_000);

  it('expired request → clear error on poll, answer and login', async () => {
    const request = await newRequest();
    const ds = t.app.get<DataSource>(DATA_SOURCE);
    await ds.query(`UPDATE auth_requests SET creation_date = ? WHERE id = ?`, [`${new Date(Date.now() - 16 * 60_000).toISOString().slice(0, 23)}000Z`, request.id]);
    const poll = await fetch(`${t.baseUrl}/api/auth-requests/${request.id}/response?code=${request.accessCode}`);
    expect(poll.status).toBe(400);
    expect(((await poll.json()) as { message: string }).message).toBe('Auth request has expired.');
    const res = await answer(request.id, true, 'x');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe('Auth request has expired.');
  });

  it('anonymous hub: missing or invalid Token → 400 before upgrade; 26th socket from one IP → 429', async () => {
    const base = `${t.baseUrl.replace('https://', 'wss://')}/notifications/anonymous-hub`;
    expect((await tryUpgrade(base)).status).toBe(400);
    expect((await tryUpgrade(`${base}?Token=not-an-id`)).status).toBe(400);
    const token = randomUUID();
    const open: HubConnection[] = [];
    try {
      for (let i = 0; i < 25; i++) open.push((await anonymousHub(t.baseUrl, token)).connection);
      const rejected = await tryUpgrade(`${base}?token=${token}`);
      expect(rejected.status).toBe(429);
      expect(JSON.parse(rejected.body).message).toBe('Too many connections');
    } finally {
      await Promise.all(open.map((c) => c.stop()));
    }
  }, 60_000);
});
