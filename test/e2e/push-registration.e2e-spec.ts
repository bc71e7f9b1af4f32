import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DeviceEntity, PushOutboxEntity } from '../../src/db/entities';
import { DATA_SOURCE } from '../../src/db/unit-of-work';
import { PushDiagnosticsService } from '../../src/push/push-diagnostics.service';
import { capturedLogs, createTestApp, TestApp } from '../support/app';
import { WEB_VAULT } from '../support/test-crypto';
import { RelayStandIn } from '../stand-ins/relay-stand-in';
import { ANDROID, api, folderBody, IOS, login, newPushToken, newPushUser, sleep } from './push-harness';

describe('push relay: device registration (notifications.md §10.4, §10.5, §10.11)', () => {
  let relay: RelayStandIn;
  let t: TestApp;
  let db: DataSource;

  beforeAll(async () => {
    relay = await RelayStandIn.start();
    t = await createTestApp(relay.env());
    db = t.app.get<DataSource>(DATA_SOURCE);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await relay?.close();
  });

  const device = (id: string): Promise<DeviceEntity | null> => db.getRepository(DeviceEntity).findOne({ where: { id } });

  it('PUT …/token registers the device at the relay with the documented body; the device records the registration', async () => {
    const user = await newPushUser(t, relay);
    const registers = relay.bodies('register').filter((b) => b.deviceId === user.mobile.deviceId);
    expect(registers).toEqual([{
      deviceId: user.mobile.deviceId,
      pushToken: user.mobile.pushToken,
      userId: user.userId,
      type: 0,
      identifier: user.mobile.identifier,
      organizationIds: [],
      installationId: relay.installationId,
    }]);
    expect(Object.keys(registers[0])).toEqual(['deviceId', 'pushToken', 'userId', 'type', 'identifier', 'organizationIds', 'installationId']);
    const deadline = Date.now() + 5000;
    let row = await device(user.mobile.deviceId);
    while (row?.pushRegistration !== 'registered' && Date.now() < deadline) {
      await sleep(20);
      row = await device(user.mobile.deviceId);
    }
    expect(row).toMatchObject({ pushToken: user.mobile.pushToken, pushRegistration: 'registered', pushRelayUri: relay.relayUri, pushInstallationId: relay.installationId, pushRegistrationError: null });
    expect(row?.pushLastSuccessAt).toBeInstanceOf(Date);
  });

  it('the same token again is a no-op; a new token registers again; POST is an alias', async () => {
    const user = await newPushUser(t, relay);
    const count = (): number => relay.bodies('register').filter((b) => b.deviceId === user.mobile.deviceId).length;
    expect(count()).toBe(1);
    const same = await api(t.baseUrl, user.mobile.accessToken, 'PUT', `/api/devices/identifier/${user.mobile.identifier}/token`, { pushToken: user.mobile.pushToken });
    expect(same.status).toBe(200);
    expect(same.text).toBe('');
    const fresh = newPushToken();
    const post = await api(t.baseUrl, user.mobile.accessToken, 'POST', `/api/devices/identifier/${user.mobile.identifier}/token`, { pushToken: fresh });
    expect(post.status).toBe(200);
    await relay.waitFor('second register', () => count() === 2);
    const last = relay.bodies('register').filter((b) => b.deviceId === user.mobile.deviceId).at(-1);
    expect(last.pushToken).toBe(fresh);
    expect(count()).toBe(2);
  });

  it('iOS devices register with type 1; a web device with a token is never registered', async () => {
    const user = await newPushUser(t, relay, { mobileDevice: IOS });
    expect(relay.bodies('register').find((b) => b.deviceId === user.mobile.deviceId)?.type).toBe(1);
    const before = relay.accepted.length;
    const res = await api(t.baseUrl, user.web.accessToken, 'PUT', `/api/devices/identifier/${user.web.identifier}/token`, { pushToken: newPushToken() });
    expect(res.status).toBe(200);
    await sleep(300);
    expect(relay.bodies('register').some((b) => b.deviceId === user.web.deviceId)).toBe(false);
    expect(relay.accepted.length).toBe(before);
  });

  it('…/token looks the device up by identifier AND the caller: unknown or another user\'s identifier → 404; body validated; auth required', async () => {
    const alice = await newPushUser(t, relay);
    const bob = await newPushUser(t, relay, { mobile: false });
    const path = `/api/devices/identifier/${alice.mobile.identifier}/token`;
    const other = await api(t.baseUrl, bob.web.accessToken, 'PUT', path, { pushToken: newPushToken() });
    expect(other.status).toBe(404);
    expect(other.body).toMatchObject({ message: 'Device not found.', object: 'error' });
    expect((await api(t.baseUrl, alice.web.accessToken, 'PUT', `/api/devices/identifier/${randomUUID()}/token`, { pushToken: 'x' })).status).toBe(404);
    expect((await api(t.baseUrl, alice.mobile.accessToken, 'PUT', path, {})).status).toBe(400);
    expect((await api(t.baseUrl, null, 'PUT', path, { pushToken: 'x' })).status).toBe(401);
    const row = await device(alice.mobile.deviceId);
    expect(row?.pushToken).toBe(alice.mobile.pushToken);
  });

  it('clear-token (no auth) clears the token and deletes the registration with {"id"}; unknown identifiers answer 200', async () => {
    const user = await newPushUser(t, relay);
    const res = await api(t.baseUrl, null, 'PUT', `/api/devices/identifier/${user.mobile.identifier}/clear-token`);
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    await relay.waitFor('delete', () => relay.bodies('delete').some((b) => b.id === user.mobile.deviceId));
    expect(relay.bodies('delete').filter((b) => b.id === user.mobile.deviceId)).toEqual([{ id: user.mobile.deviceId }]);
    expect((await device(user.mobile.deviceId))?.pushToken).toBeNull();
    // Nothing is pushed to a user whose only mobile device has no token any more.
    const sendsBefore = relay.sends().length;
    expect((await api(t.baseUrl, user.web.accessToken, 'POST', '/api/folders', folderBody())).status).toBe(200);
    expect((await api(t.baseUrl, null, 'POST', `/api/devices/identifier/${randomUUID()}/clear-token`)).status).toBe(200);
    expect((await api(t.baseUrl, null, 'POST', `/api/devices/identifier/${user.mobile.identifier}/clear-token`)).status).toBe(200);
    await sleep(300);
    expect(relay.sends().length).toBe(sendsBefore);
    expect(relay.bodies('delete').filter((b) => b.id === user.mobile.deviceId)).toHaveLength(1);
  });

  it('deactivating or deleting a mobile device deletes its registration', async () => {
    const user = await newPushUser(t, relay);
    const res = await api(t.baseUrl, user.web.accessToken, 'POST', `/api/devices/${user.mobile.deviceId}/deactivate`);
    expect(res.status).toBe(200);
    await relay.waitFor('delete after deactivate', () => relay.bodies('delete').some((b) => b.id === user.mobile.deviceId));
    const second = await newPushUser(t, relay);
    expect((await api(t.baseUrl, second.web.accessToken, 'DELETE', `/api/devices/${second.mobile.deviceId}`)).status).toBe(200);
    await relay.waitFor('delete after DELETE', () => relay.bodies('delete').some((b) => b.id === second.mobile.deviceId));
  });

  it('devicePushToken sent with the password grant is stored and registered', async () => {
    const user = await newPushUser(t, relay, { mobile: false });
    const pushToken = newPushToken();
    const mobile = await login(t.baseUrl, user.account, { ...ANDROID, identifier: randomUUID() }, { devicePushToken: pushToken });
    await relay.waitFor('register from login', () => relay.bodies('register').some((b) => b.deviceId === mobile.deviceId));
    expect(relay.bodies('register').find((b) => b.deviceId === mobile.deviceId)).toMatchObject({ pushToken, userId: user.userId, identifier: mobile.identifier, type: 0 });
  });

  it('login re-registers a known mobile device whose registration failed; the failure is recorded with the relay\'s message', async () => {
    relay.scriptNext({ kind: 'status', status: 400, body: { message: 'The model state is invalid.', validationErrors: { PushToken: ['The PushToken field is not valid.'] }, exceptionMessage: null, exceptionStackTrace: null, innerExceptionMessage: null, object: 'error' } });
    const user = await newPushUser(t, relay, { mobile: false });
    const mobileDevice = { ...ANDROID, identifier: randomUUID() };
    const mobile = await login(t.baseUrl, user.account, mobileDevice);
    const pushToken = newPushToken();
    expect((await api(t.baseUrl, mobile.accessToken, 'PUT', `/api/devices/identifier/${mobile.identifier}/token`, { pushToken })).status).toBe(200);
    const deadline = Date.now() + 10_000;
    let row = await device(mobile.deviceId);
    while (row?.pushRegistration !== 'failed' && Date.now() < deadline) {
      await sleep(20);
      row = await device(mobile.deviceId);
    }
    expect(row?.pushRegistration).toBe('failed');
    expect(row?.pushRegistrationError).toContain('400: The model state is invalid.');
    expect(capturedLogs.some((line) => line.includes('push.relay_failed') && line.includes('"status":400') && line.includes('The PushToken field is not valid.'))).toBe(true);
    expect(relay.bodies('register').some((b) => b.deviceId === mobile.deviceId)).toBe(false);
    // The next login of that device queues a new register, which the relay now accepts.
    await login(t.baseUrl, user.account, mobileDevice);
    await relay.waitFor('re-register at login', () => relay.bodies('register').some((b) => b.deviceId === mobile.deviceId));
    expect(relay.bodies('register').filter((b) => b.deviceId === mobile.deviceId)).toEqual([expect.objectContaining({ pushToken })]);
    // A login of a device whose registration is current queues nothing.
    await login(t.baseUrl, user.account, mobileDevice);
    await sleep(300);
    expect(relay.bodies('register').filter((b) => b.deviceId === mobile.deviceId)).toHaveLength(1);
  });

  it('users without a registered mobile device produce no outbox rows', async () => {
    const user = await newPushUser(t, relay, { mobile: false });
    await login(t.baseUrl, user.account, { ...WEB_VAULT, identifier: randomUUID() });
    expect((await api(t.baseUrl, user.web.accessToken, 'POST', '/api/folders', folderBody())).status).toBe(200);
    expect(await db.getRepository(PushOutboxEntity).count({ where: { userId: user.userId } })).toBe(0);
  });

  it('diagnostics expose the pending and failed counts', async () => {
    const diagnostics = await t.app.get(PushDiagnosticsService).diagnostics();
    expect(diagnostics).toMatchObject({ enabled: true, relayUri: relay.relayUri, pending: 0, oldestPendingAt: null });
    expect(diagnostics.failed).toBeGreaterThanOrEqual(1);
  });

  it('no installation key, relay token or push token in any log line', () => {
    const secrets = [relay.installationKey, ...relay.issuedTokens, ...relay.bodies('register').map((b) => b.pushToken as string)];
    for (const line of capturedLogs) for (const secret of secrets) expect(line.includes(secret)).toBe(false);
  });
});

describe('push disabled (PUSH_ENABLED unset)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ UNAUTHENTICATED_RATELIMIT_MAX_BURST: '3' });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('tokens are stored, nothing is queued, clear-token answers 200 and is rate-limited per IP', async () => {
    const user = await newPushUser(t, null);
    const db = t.app.get<DataSource>(DATA_SOURCE);
    expect((await db.getRepository(DeviceEntity).findOne({ where: { id: user.mobile.deviceId } }))?.pushToken).toBe(user.mobile.pushToken);
    expect((await api(t.baseUrl, user.web.accessToken, 'POST', '/api/folders', folderBody())).status).toBe(200);
    expect(await db.getRepository(PushOutboxEntity).count()).toBe(0);
    expect(await t.app.get(PushDiagnosticsService).diagnostics()).toMatchObject({ enabled: false, pending: 0, failed: 0 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await api(t.baseUrl, null, 'PUT', `/api/devices/identifier/${user.mobile.identifier}/clear-token`)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await db.getRepository(DeviceEntity).findOne({ where: { id: user.mobile.deviceId } }))?.pushToken).toBeNull();
    expect(await db.getRepository(PushOutboxEntity).count()).toBe(0);
  });
});
