import { randomUUID } from 'node:crypto';
import { createTestApp, TestApp } from '../support/app';
import { HubClient } from '../support/hub-client';
import { tryUpgrade } from '../support/raw-ws';
import { createPbkdf2User, decodeJwtPayload, passwordLogin, TestAccount, WEB_VAULT } from '../support/test-crypto';
import { apiCall } from '../support/api';

describe('account lifecycle endpoints, as the web vault calls them', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const call = (token: string, method: string, path: string, body?: unknown): Promise<Response> => apiCall(t.baseUrl, token, method, path, body);
  const newUser = async (): Promise<{ account: TestAccount; token: string }> => {
    const account = await createPbkdf2User(t.baseUrl, `acct-${randomUUID()}@example.com`, 'pw', 5_000);
    return { account, token: (await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() })).access_token };
  };

  it('PUT /api/accounts/profile changes the name and hint and returns the profile', async () => {
    const { token } = await newUser();
    const res = await call(token, 'PUT', '/api/accounts/profile', { name: 'Renamed', culture: 'de-DE', masterPasswordHint: 'a hint' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ object: 'profile', name: 'Renamed', culture: 'de-DE' });
    expect(await (await call(token, 'GET', '/api/accounts/profile')).json()).toMatchObject({ name: 'Renamed' });
  });

  it('api-key needs the master password; rotate-api-key replaces the key and the old one stops working', async () => {
    const { account, token } = await newUser();
    expect((await call(token, 'POST', '/api/accounts/api-key', { masterPasswordHash: 'wrong' })).status).toBe(400);
    const first = (await (await call(token, 'POST', '/api/accounts/api-key', { masterPasswordHash: account.masterPasswordHash })).json()) as { apiKey: string; object: string };
    expect(first.object).toBe('apiKey');
    const rotated = (await (await call(token, 'POST', '/api/accounts/rotate-api-key', { masterPasswordHash: account.masterPasswordHash })).json()) as { apiKey: string };
    expect(rotated.apiKey).not.toBe(first.apiKey);
    const userId = String(decodeJwtPayload(token).sub);
    const grant = (secret: string) => fetch(`${t.baseUrl}/identity/connect/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api', client_id: `user.${userId}`, client_secret: secret, deviceType: '25', deviceIdentifier: randomUUID(), deviceName: 'linux' }).toString(),
    });
    expect((await grant(first.apiKey)).status).toBe(400);
    const ok = await grant(rotated.apiKey);
    expect(ok.status).toBe(200);
    expect((await ok.json()) as Record<string, unknown>).not.toHaveProperty('refresh_token');
  });

  it('POST /api/accounts/keys never replaces an existing key pair', async () => {
    const { account, token } = await newUser();
    expect((await call(token, 'POST', '/api/accounts/keys', { publicKey: account.publicKey, encryptedPrivateKey: account.wrappedPrivateKey })).status).toBe(200);
    const res = await call(token, 'POST', '/api/accounts/keys', { publicKey: 'b3RoZXI=', encryptedPrivateKey: account.wrappedPrivateKey });
    expect(res.status).toBe(400);
  });

  it('DELETE /api/accounts: wrong password refused; then LogOut on the hub, sockets closed, tokens and login dead', async () => {
    const { account, token } = await newUser();
    const other = (await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() })).access_token;
    const hub = await HubClient.connect(t.baseUrl, other);
    const closed = new Promise<void>((resolve) => hub.connection.onclose(() => resolve()));
    expect((await call(token, 'DELETE', '/api/accounts', { masterPasswordHash: 'wrong' })).status).toBe(400);
    expect((await call(token, 'DELETE', '/api/accounts', { masterPasswordHash: account.masterPasswordHash })).status).toBe(200);
    const logout = await hub.waitFor((m) => m.Type === 11);
    expect(logout.ContextId).toBeNull();
    await closed;
    expect((await call(token, 'GET', '/api/accounts/profile')).status).toBe(401);
    expect((await tryUpgrade(`${t.baseUrl.replace('https://', 'wss://')}/notifications/hub`, { Authorization: `Bearer ${other}` })).status).toBe(401);
    await expect(passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() })).rejects.toThrow(/HTTP 400/);
  });
});
