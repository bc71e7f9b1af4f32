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

  it('JSON protocol: handshake reply, SignalR ping, text frames', async () => {
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
    // The old token no longer opens a hub.
    expect((await tryUpgrade(hubUrl, { Authorization: `Bearer ${other.access_token}` })).status).toBe(401);
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
