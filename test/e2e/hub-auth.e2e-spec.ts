import { randomUUID } from 'node:crypto';
import { createTestApp, TestApp } from '../support/app';
import { HubClient } from '../support/hub-client';
import { RawHubSocket, tryUpgrade } from '../support/raw-ws';
import { createPbkdf2User, decodeJwtPayload, passwordLogin, TestAccount, WEB_VAULT } from '../support/test-crypto';

const HANDSHAKE_MSGPACK = '{"protocol":"messagepack","version":1}\u001e';

describe('/notifications/hub: authentication before 101, lifecycle, LogOut', () => {
  let t: TestApp;
  let account: TestAccount;
  let hubUrl: string;

  beforeAll(async () => {
    t = await createTestApp();
    account = await createPbkdf2User(t.baseUrl, `hub-${randomUUID()}@example.com`, 'pw', 5_000);
    hubUrl = `${t.baseUrl.replace('https://', 'wss://')}/notifications/hub`;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const login = () => passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() });

  it('no token → 401 "Invalid claim" with the Bitwarden body, never 101', async () => {
    const result = await tryUpgrade(hubUrl);
    expect(result.status).toBe(401);
    expect(JSON.parse(result.body)).toMatchObject({ message: 'Invalid claim', object: 'error', errorModel: { message: 'Invalid claim', object: 'error' } });
  });

  it('forged, expired-looking and garbage tokens → 401 "Invalid token"', async () => {
    const { access_token } = await login();
    const [h, p] = access_token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')) as Record<string, unknown>;
    const expired = `${h}.${Buffer.from(JSON.stringify({ ...claims, exp: 1_000_000 })).toString('base64url')}.${access_token.split('.')[2]}`;
    for (const token of ['garbage', expired, `${access_token.slice(0, -4)}AAAA`]) {
      const header = await tryUpgrade(hubUrl, { Authorization: `Bearer ${token}` });
      expect(header.status).toBe(401);
      expect(JSON.parse(header.body).message).toBe('Invalid token');
      const query = await tryUpgrade(`${hubUrl}?access_token=${encodeURIComponent(token)}`);
      expect(query.status).toBe(401);
    }
  });

  it('token of a deactivated device → 401', async () => {
    const web = await login();
    const deviceIdentifier = String(decodeJwtPayload(web.access_token).device);
    const other = await login();
    const device = (await (await fetch(`${t.baseUrl}/api/devices/identifier/${deviceIdentifier}`, { headers: { Authorization: `Bearer ${other.access_token}` } })).json()) as { id: string };
    const res = await fetch(`${t.baseUrl}/api/devices/${device.id}/deactivate`, { method: 'POST', headers: { Authorization: `Bearer ${other.access_token}` } });
    expect(res.status).toBe(200);
    expect((await tryUpgrade(hubUrl, { Authorization: `Bearer ${web.access_token}` })).status).toBe(401);
  });

  it('device deactivated: that device\'s socket gets LogOut (11) then Close "Unauthorized" 1008; another device\'s socket stays', async () => {
    const doomed = await login();
    const survivor = await login();
    const doomedHub = await RawHubSocket.open(hubUrl, { Authorization: `Bearer ${doomed.access_token}` });
    doomedHub.send(HANDSHAKE_MSGPACK, false);
    const otherHub = await HubClient.connect(t.baseUrl, survivor.access_token);
    await doomedHub.waitFrames(2); // handshake reply + catch-up SyncVault
    const identifier = String(decodeJwtPayload(doomed.access_token).device);
    const device = (await (await fetch(`${t.baseUrl}/api/devices/identifier/${identifier}`, { headers: { Authorization: `Bearer ${survivor.access_token}` } })).json()) as { id: string };
    expect((await fetch(`${t.baseUrl}/api/devices/${device.id}/deactivate`, { method: 'POST', headers: { Authorization: `Bearer ${survivor.access_token}` } })).status).toBe(200);
    expect(await doomedHub.waitClosed()).toBe(1008);
    const frames = doomedHub.frames.map((f) => f.data.toString('hex'));
    // LogOut: ReceiveMessage with Type 11 (a4 54 79 70 65 0b), then the Close [7, "Unauthorized", false].
    expect(frames[frames.length - 2]).toContain('a4547970650b');
    expect(frames[frames.length - 1]).toBe('109307ac556e617574686f72697a6564c2');
    expect(otherHub.connection.state).toBe('Connected');
    await otherHub.stop();
  });

  it('plain GET without upgrade headers → 400 naming the missing header', async () => {
    const res = await fetch(`${t.baseUrl}/notifications/hub`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe('Missing "Upgrade: websocket" header; the reverse proxy must forward Upgrade and Connection');
  });

  it('official client connects with the header token and with ?access_token=, and gets a catch-up SyncVault first', async () => {
    for (const tokenIn of ['header', 'query'] as const) {
      const web = await login(); // a new device: no previous hub connection recorded
      const userId = String(decodeJwtPayload(web.access_token).sub);
      const hub = await HubClient.connect(t.baseUrl, web.access_token, tokenIn);
      const first = await hub.waitFor((m) => m.Type === 5);
      expect(first.ContextId).toBeNull();
      expect(first.Payload.UserId).toBe(userId);
      expect(first.Payload.Date).toBeInstanceOf(Date);
      await hub.stop();
    }
  });

  it('JSON protocol: handshake reply and updates in text frames', async () => {
    const web = await login();
    const socket = await RawHubSocket.open(hubUrl, { Authorization: `Bearer ${web.access_token}` });
    socket.send('{"protocol":"json","version":1}\u001e', false);
    await socket.waitFrames(2);
    expect(socket.frames[0]!.binary).toBe(false);
    expect(socket.frames[0]!.data.toString('utf8')).toBe('{}\u001e');
    const update = JSON.parse(socket.frames[1]!.data.toString('utf8').replace(/\u001e$/, '')) as { type: number; target: string; arguments: Array<{ contextId: null; type: number; payload: { userId: string; date: string } }> };
    expect(update).toMatchObject({ type: 1, target: 'ReceiveMessage', arguments: [{ contextId: null, type: 5 }] });
    expect(update.arguments[0]!.payload.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    socket.ws.close();
  });

  it('bad handshake → error record and close 1002; oversized frame → 1009; garbage after handshake → Close + 1002', async () => {
    const web = await login();
    const headers = { Authorization: `Bearer ${web.access_token}` };
    const bad = await RawHubSocket.open(hubUrl, headers);
    bad.send('{"protocol":"xml","version":1}\u001e', false);
    expect(await bad.waitClosed()).toBe(1002);
    expect(bad.frames[0]!.data.toString('utf8')).toBe(`{"error":"Requested protocol 'xml' is not available."}\u001e`);

    const big = await RawHubSocket.open(hubUrl, headers);
    big.send(Buffer.alloc(5000, 1));
    expect(await big.waitClosed()).toBe(1009);

    const garbage = await RawHubSocket.open(hubUrl, headers);
    garbage.send(HANDSHAKE_MSGPACK, false);
    await garbage.waitFrames(1);
    garbage.send(Buffer.from([0x05, 0xc1, 0xc1, 0xc1, 0xc1, 0xc1]));
    expect(await garbage.waitClosed()).toBe(1002);
    const close = garbage.frames[garbage.frames.length - 1]!.data;
    expect(close.toString('hex')).toBe(Buffer.concat([Buffer.from([0x12, 0x93, 0x07, 0xae]), Buffer.from('Protocol error'), Buffer.from([0xc2])]).toString('hex'));
  });

  it('password change: other devices get LogOut (11) then their socket closes; the acting device stays', async () => {
    const other = await login();
    const actor = await login();
    const hub = await HubClient.connect(t.baseUrl, other.access_token);
    const actorHub = await HubClient.connect(t.baseUrl, actor.access_token);
    const closed = new Promise<void>((resolve) => hub.connection.onclose(() => resolve()));
    const res = await fetch(`${t.baseUrl}/api/accounts/password`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${actor.access_token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ masterPasswordHash: account.masterPasswordHash, newMasterPasswordHash: account.masterPasswordHash, key: account.wrappedUserKey }),
    });
    expect(res.status).toBe(200);
    const logout = await hub.waitFor((m) => m.Type === 11);
    expect(logout.Payload.UserId).toBe(String(decodeJwtPayload(other.access_token).sub));
    expect(logout.ContextId).toBe(String(decodeJwtPayload(actor.access_token).device));
    await closed;
    expect(actorHub.connection.state).toBe('Connected');
    await actorHub.stop();
    // The old token no longer opens a hub.
    expect((await tryUpgrade(hubUrl, { Authorization: `Bearer ${other.access_token}` })).status).toBe(401);
  });
});

describe('keep-alive and handshake timeout', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await createTestApp({ HUB_PING_INTERVAL_SECONDS: '1', HUB_HANDSHAKE_TIMEOUT_SECONDS: '1' });
    const account = await createPbkdf2User(t.baseUrl, `ka-${randomUUID()}@example.com`, 'pw', 5_000);
    token = (await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() })).access_token;
  }, 30_000);
  afterAll(async () => {
    await t?.close();
  });

  it('the server sends SignalR Pings (02 91 06) on an idle connection and tolerates client Pings', async () => {
    const socket = await RawHubSocket.open(`${t.baseUrl.replace('https://', 'wss://')}/notifications/hub`, { Authorization: `Bearer ${token}` });
    socket.send(HANDSHAKE_MSGPACK, false);
    socket.send(Buffer.from([0x02, 0x91, 0x06]));
    const deadline = Date.now() + 10_000;
    while (socket.frames.filter((f) => f.data.toString('hex') === '029106').length < 2) {
      if (Date.now() > deadline) throw new Error(`no pings: ${socket.frames.map((f) => f.data.toString('hex')).join(' ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    socket.ws.close();
  });

  it('no handshake within the timeout → closed with 1002 and nothing sent', async () => {
    const socket = await RawHubSocket.open(`${t.baseUrl.replace('https://', 'wss://')}/notifications/hub`, { Authorization: `Bearer ${token}` });
    expect(await socket.waitClosed()).toBe(1002);
    expect(socket.frames).toEqual([]);
  });
});

describe('per-user connection cap', () => {
  it('HUB_MAX_CONNECTIONS_PER_USER sockets are accepted, the next upgrade gets 429 "Too many connections"', async () => {
    const t = await createTestApp({ HUB_MAX_CONNECTIONS_PER_USER: '2' });
    try {
      const account = await createPbkdf2User(t.baseUrl, `cap-${randomUUID()}@example.com`, 'pw', 5_000);
      const { access_token } = await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() });
      const url = `${t.baseUrl.replace('https://', 'wss://')}/notifications/hub`;
      const open = [await RawHubSocket.open(url, { Authorization: `Bearer ${access_token}` }), await RawHubSocket.open(url, { Authorization: `Bearer ${access_token}` })];
      const third = await tryUpgrade(url, { Authorization: `Bearer ${access_token}` });
      expect(third.status).toBe(429);
      expect(JSON.parse(third.body).message).toBe('Too many connections');
      for (const socket of open) socket.ws.close();
    } finally {
      await t.close();
    }
  });
});

describe('ENABLE_WEBSOCKET=false', () => {
  it('leaves the hubs unmounted: upgrade and GET → 404', async () => {
    const t = await createTestApp({ ENABLE_WEBSOCKET: 'false' });
    try {
      const url = `${t.baseUrl.replace('https://', 'wss://')}/notifications/hub`;
      expect((await tryUpgrade(url)).status).toBe(404);
      expect((await fetch(`${t.baseUrl}/notifications/hub`)).status).toBe(404);
    } finally {
      await t.close();
    }
  });
});
