import type { HubConnection } from '@microsoft/signalr';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AUTH_REQUEST_TTL_MS, MAX_PENDING_AUTH_REQUESTS, TOO_MANY_PENDING_MESSAGE } from '../../src/auth-requests/auth-request-limits';
import { AuthRequestPurgeJob } from '../../src/auth-requests/auth-request-purge.job';
import { AuthRequestEntity, PushOutboxEntity } from '../../src/db/entities';
import { DATA_SOURCE } from '../../src/db/unit-of-work';
import { RelayStandIn } from '../stand-ins/relay-stand-in';
import { createTestApp, TestApp } from '../support/app';
import { HubClient, HubNotification } from '../support/hub-client';
import { tryUpgrade } from '../support/raw-ws';
import { createPbkdf2User, decodeJwtPayload, decryptType4, encryptType4, passwordLogin, TestAccount, WEB_VAULT } from '../support/test-crypto';
import { anonymousHub, waitUntil } from '../support/anonymous-hub';
import { api, folderBody, newPushUser } from './push-harness';

/** Parsed JSON of a response, read freely by the assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const PUBLIC_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

/** POST /api/auth-requests as the official clients send it, from client IP `ip` (X-Real-IP via the trusted local proxy). */
async function postAuthRequest(baseUrl: string, body: { email: string; deviceIdentifier?: string; accessCode?: string }, ip: string): Promise<{ status: number; body: Json; headers: Headers }> {
  const res = await fetch(`${baseUrl}/api/auth-requests`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Device-Type': '8', 'X-Real-IP': ip },
    body: JSON.stringify({ email: body.email, publicKey: PUBLIC_KEY, deviceIdentifier: body.deviceIdentifier ?? randomUUID(), accessCode: body.accessCode ?? randomBytes(16).toString('base64url'), type: 0 }),
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

describe('login with device: auth requests and the anonymous hub', () => {
  let t: TestApp;
  let account: TestAccount;
  let ownerToken: string;
  let ownerHub: HubClient;
  let userId: string;

  beforeAll(async () => {
    // The purge job only runs when a test calls it (an empty schedule disables the timer); the unauthenticated
    // limit at its default (the tests below send from distinct client IPs through X-Real-IP).
    t = await createTestApp({ AUTH_REQUEST_PURGE_SCHEDULE: '', UNAUTHENTICATED_RATELIMIT_MAX_BURST: '50' });
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

  // --- Abuse resistance (issue 12) ---

  const db = (): DataSource => t.app.get<DataSource>(DATA_SOURCE);
  const minutesAgo = (minutes: number): Date => new Date(Date.now() - minutes * 60_000);
  const listPending = async (token: string): Promise<string[]> => {
    const res = await fetch(`${t.baseUrl}/api/auth-requests`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { data: Array<{ id: string }> }).data.map((r) => r.id);
  };
  const poll = async (id: string, code: string): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${t.baseUrl}/api/auth-requests/${id}/response?code=${encodeURIComponent(code)}`);
    return { status: res.status, body: await res.json() };
  };
  const freshAccount = async (): Promise<{ account: TestAccount; token: string; userId: string }> => {
    const acc = await createPbkdf2User(t.baseUrl, `lwd-${randomUUID()}@example.com`, 'pw', 5_000);
    const token = (await passwordLogin(t.baseUrl, acc, { ...WEB_VAULT, identifier: randomUUID() })).access_token;
    return { account: acc, token, userId: String(decodeJwtPayload(token).sub) };
  };

  it("a new request from the same device replaces that device's pending one", async () => {
    const device = randomUUID();
    const firstCode = randomBytes(16).toString('base64url');
    const first = await postAuthRequest(t.baseUrl, { email: account.email, deviceIdentifier: device, accessCode: firstCode }, '203.0.113.10');
    const second = await postAuthRequest(t.baseUrl, { email: account.email, deviceIdentifier: device.toUpperCase() }, '203.0.113.10');
    expect([first.status, second.status]).toEqual([200, 200]);
    const pending = await listPending(ownerToken);
    expect(pending).toContain(second.body.id);
    expect(pending).not.toContain(first.body.id);
    expect((await poll(first.body.id, firstCode)).status).toBe(404);
    expect(await db().getRepository(AuthRequestEntity).countBy({ requestDeviceIdentifier: device })).toBe(1);
  });

  it('an expired request is never listed as pending, and the list is limited to the cap, newest first', async () => {
    const owner = await freshAccount();
    const old = await postAuthRequest(t.baseUrl, { email: owner.account.email }, '203.0.113.11');
    const young = await postAuthRequest(t.baseUrl, { email: owner.account.email }, '203.0.113.11');
    await db().getRepository(AuthRequestEntity).update({ id: old.body.id }, { creationDate: new Date(Date.now() - AUTH_REQUEST_TTL_MS - 60_000) });
    expect(await listPending(owner.token)).toEqual([young.body.id]);
    // Rows written past the API (as a race on another database could): the SELECT itself stops at the cap.
    const repo = db().getRepository(AuthRequestEntity);
    const template = await repo.findOneByOrFail({ id: young.body.id });
    const extra = Array.from({ length: MAX_PENDING_AUTH_REQUESTS + 2 }, (_, i) =>
      Object.assign(new AuthRequestEntity(), { ...template, id: randomUUID(), requestDeviceIdentifier: randomUUID(), creationDate: new Date(Date.now() + (i + 1) * 1_000) }));
    await repo.save(extra);
    expect(await listPending(owner.token)).toEqual(extra.slice(-MAX_PENDING_AUTH_REQUESTS).reverse().map((r) => r.id));
  });

  it('an email without an account gets exactly the answers of a real one: create, poll, cap, replace; nothing is stored', async () => {
    const owner = await freshAccount();
    const unknown = `nobody-${randomUUID()}@example.com`;
    const ip = '203.0.113.12';
    const stable = (body: Json): Json => ({ ...body, id: '<id>', creationDate: '<date>' });
    const known: Array<{ id: string; code: string }> = [];
    const decoy: Array<{ id: string; code: string }> = [];
    const unknownDevices: string[] = [];
    for (let i = 0; i < MAX_PENDING_AUTH_REQUESTS; i += 1) {
      const device = randomUUID();
      const [codeA, codeB] = [randomBytes(16).toString('base64url'), randomBytes(16).toString('base64url')];
      const a = await postAuthRequest(t.baseUrl, { email: owner.account.email, deviceIdentifier: device, accessCode: codeA }, ip);
      const b = await postAuthRequest(t.baseUrl, { email: unknown, deviceIdentifier: device.replace(/^.{8}/, '00000000'), accessCode: codeB }, ip);
      unknownDevices.push(device.replace(/^.{8}/, '00000000'));
      expect([a.status, b.status]).toEqual([200, 200]);
      expect(Object.keys(b.body)).toEqual(Object.keys(a.body));
      expect(stable({ ...b.body, requestDeviceIdentifier: '<device>' })).toEqual(stable({ ...a.body, requestDeviceIdentifier: '<device>' }));
      expect(b.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(Number.isNaN(Date.parse(b.body.creationDate))).toBe(false);
      known.push({ id: a.body.id, code: codeA });
      decoy.push({ id: b.body.id, code: codeB });
    }
    // The requesting device's poll: pending for both, 404 for a wrong code for both.
    const [pa, pb] = [await poll(known[0]!.id, known[0]!.code), await poll(decoy[0]!.id, decoy[0]!.code)];
    expect([pa.status, pb.status]).toEqual([200, 200]);
    expect(stable({ ...pb.body, requestDeviceIdentifier: '<device>' })).toEqual(stable({ ...pa.body, requestDeviceIdentifier: '<device>' }));
    const [wa, wb] = [await poll(known[0]!.id, 'wrong'), await poll(decoy[0]!.id, 'wrong')];
    expect([wa.status, wb.status]).toEqual([404, 404]);
    expect(wb.body).toEqual(wa.body);
    // Over the cap: the same 400 for both.
    const [ca, cb] = [await postAuthRequest(t.baseUrl, { email: owner.account.email }, ip), await postAuthRequest(t.baseUrl, { email: unknown }, ip)];
    expect([ca.status, cb.status]).toEqual([400, 400]);
    expect(ca.body.message).toBe(TOO_MANY_PENDING_MESSAGE);
    expect(cb.body).toEqual(ca.body);
    // A device with a pending request may still ask again (it replaces its own), for both.
    const [ra, rb] = [
      await postAuthRequest(t.baseUrl, { email: owner.account.email, deviceIdentifier: (await db().getRepository(AuthRequestEntity).findOneByOrFail({ id: known[1]!.id })).requestDeviceIdentifier }, ip),
      await postAuthRequest(t.baseUrl, { email: unknown, deviceIdentifier: unknownDevices[1]! }, ip),
    ];
    expect([ra.status, rb.status]).toEqual([200, 200]);
    expect([(await poll(known[1]!.id, known[1]!.code)).status, (await poll(decoy[1]!.id, decoy[1]!.code)).status]).toEqual([404, 404]);
    // Nothing of the unknown email reached the database.
    const stored = await db().getRepository(AuthRequestEntity).createQueryBuilder('r').where('r.request_device_identifier IN (:...devices)', { devices: unknownDevices }).getCount();
    expect(stored).toBe(0);
    expect(await db().getRepository(AuthRequestEntity).countBy({ userId: owner.userId })).toBe(MAX_PENDING_AUTH_REQUESTS);
  }, 60_000);

  it('per client IP: beyond UNAUTHENTICATED_RATELIMIT_MAX_BURST requests a window → 429 with Retry-After; other IPs are unaffected', async () => {
    const ip = '198.51.100.20';
    const burst = t.config.unauthenticatedRateLimit.maxBurst;
    const statuses: number[] = [];
    for (let i = 0; i < burst; i += 1) statuses.push((await postAuthRequest(t.baseUrl, { email: `flood-${randomUUID()}@example.com` }, ip)).status);
    expect(statuses.every((status) => status === 200)).toBe(true);
    const over = await postAuthRequest(t.baseUrl, { email: account.email }, ip);
    expect(over.status).toBe(429);
    expect(over.body).toMatchObject({ message: 'Too many requests, please try again later.', object: 'error' });
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await postAuthRequest(t.baseUrl, { email: `other-${randomUUID()}@example.com` }, '198.51.100.21')).status).toBe(200);
  }, 60_000);

  it('the purge job deletes expired requests and answered ones past the read window, and keeps the rest', async () => {
    const owner = await freshAccount();
    const repo = db().getRepository(AuthRequestEntity);
    const ids: string[] = [];
    for (let i = 0; i < MAX_PENDING_AUTH_REQUESTS; i += 1) ids.push((await postAuthRequest(t.baseUrl, { email: owner.account.email }, '203.0.113.13')).body.id);
    const [pending, expired, approvedLongAgo, deniedJustNow, approvedJustNow] = ids as [string, string, string, string, string];
    await repo.update({ id: expired }, { creationDate: minutesAgo(16) });
    await repo.update({ id: approvedLongAgo }, { creationDate: minutesAgo(7), approved: true, encKey: 'k', responseDate: minutesAgo(6) });
    await repo.update({ id: deniedJustNow }, { creationDate: minutesAgo(2), approved: false, responseDate: minutesAgo(1) });
    await repo.update({ id: approvedJustNow }, { creationDate: minutesAgo(14), approved: true, encKey: 'k', responseDate: minutesAgo(4) });
    // One more, now that only one request is pending: denied six minutes ago.
    const deniedLongAgo = (await postAuthRequest(t.baseUrl, { email: owner.account.email }, '203.0.113.13')).body.id as string;
    await repo.update({ id: deniedLongAgo }, { creationDate: minutesAgo(8), approved: false, responseDate: minutesAgo(6) });

    expect(await t.app.get(AuthRequestPurgeJob).runOnce()).toBeGreaterThanOrEqual(3);
    const left = (await repo.findBy({ userId: owner.userId })).map((r) => r.id).sort();
    expect(left).toEqual([pending, deniedJustNow, approvedJustNow].sort());
    expect(await repo.createQueryBuilder('r').where('r.creation_date < :cutoff', { cutoff: `${new Date(Date.now() - AUTH_REQUEST_TTL_MS).toISOString().slice(0, 23)}000Z` }).getCount()).toBe(0);
  });
});

describe('login with device under a flood (issue 12): real HTTP, hub socket and push relay stand-in', () => {
  let relay: RelayStandIn;
  let t: TestApp;

  beforeAll(async () => {
    relay = await RelayStandIn.start();
    t = await createTestApp(relay.env({ AUTH_REQUEST_PURGE_SCHEDULE: '', UNAUTHENTICATED_RATELIMIT_MAX_BURST: '50' }));
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await relay?.close();
  });

  it('100 requests for one victim from 100 IPs: at most the cap is stored and shown on the hub, and the phone gets one push', async () => {
    const victim = await newPushUser(t, relay);
    const hub = await HubClient.connect(t.baseUrl, victim.web.accessToken);
    const authRequestMessages: HubNotification[] = [];
    hub.connection.on('ReceiveMessage', (n: HubNotification) => {
      if (n.Type === 15) authRequestMessages.push(n);
    });
    const ds = t.app.get<DataSource>(DATA_SOURCE);
    try {
      // The first request's push goes out before the rest arrive, so coalescing must also hold against a push already sent.
      const first = await postAuthRequest(t.baseUrl, { email: victim.account.email }, '203.0.113.1');
      await relay.waitFor('the first AuthRequest push', () => relay.sends().some((b) => b.userId === victim.userId && b.type === 15));
      const rest = await Promise.all(Array.from({ length: 99 }, (_, i) => postAuthRequest(t.baseUrl, { email: victim.account.email }, `203.0.113.${i + 2}`)));
      const answers = [first, ...rest];
      const count = (status: number): number => answers.filter((a) => a.status === status).length;
      const burst = t.config.unauthenticatedRateLimit.maxBurst; // per email, whatever the IP
      expect(count(200)).toBe(MAX_PENDING_AUTH_REQUESTS);
      expect(count(400)).toBe(burst - MAX_PENDING_AUTH_REQUESTS);
      expect(count(429)).toBe(100 - burst);
      expect(answers.filter((a) => a.status === 400).every((a) => a.body.message === TOO_MANY_PENDING_MESSAGE)).toBe(true);
      expect(await ds.getRepository(AuthRequestEntity).countBy({ userId: victim.userId })).toBe(MAX_PENDING_AUTH_REQUESTS);

      // Push: every outbox row was written with its request; once none is left pending, nothing more will be sent.
      const outbox = ds.getRepository(PushOutboxEntity);
      const deadline = Date.now() + 20_000;
      while ((await outbox.countBy({ userId: victim.userId, status: 'pending' })) > 0) {
        if (Date.now() > deadline) throw new Error('the push outbox did not drain');
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await outbox.countBy({ userId: victim.userId, pushType: 15 })).toBe(1);
      expect(relay.sends().filter((b) => b.userId === victim.userId && b.type === 15)).toHaveLength(1);

      // Hub: delivery is ordered, so once a later message has arrived every AuthRequest message has too.
      const folder = await api(t.baseUrl, victim.web.accessToken, 'POST', '/api/folders', folderBody());
      expect(folder.status).toBe(200);
      await hub.waitFor((n) => n.Type === 7 && n.Payload.Id === folder.body.id);
      const created = answers.filter((a) => a.status === 200).map((a) => a.body.id as string).sort();
      expect(authRequestMessages.map((n) => String(n.Payload.Id)).sort()).toEqual(created);
    } finally {
      await hub.stop();
    }
  }, 120_000);
});
