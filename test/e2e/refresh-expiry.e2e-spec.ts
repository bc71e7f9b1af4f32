import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DeviceEntity } from '../../src/db/entities';
import { DATA_SOURCE } from '../../src/db/unit-of-work';
import { createTestApp, TestApp } from '../support/app';
import { createPbkdf2User, TestAccount } from '../support/test-crypto';

const DAY_MS = 86_400_000;
const form = (fields: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

/**
 * Refresh tokens expire after REFRESH_TOKEN_IDLE_DAYS without use; each refresh restarts the window. Time is
 * moved by writing the stored last-used time back, never by waiting.
 */
describe.each<{ env: Record<string, string>; days: number }>([
  { env: {}, days: 30 },
  { env: { REFRESH_TOKEN_IDLE_DAYS: '7' }, days: 7 },
])('refresh token sliding expiry ($days days)', ({ env, days }) => {
  let t: TestApp;
  let db: DataSource;
  let account: TestAccount;

  beforeAll(async () => {
    t = await createTestApp(env);
    db = t.app.get<DataSource>(DATA_SOURCE);
    account = await createPbkdf2User(t.baseUrl, `refresh-${randomUUID()}@example.com`, 'pw', 5_000);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const token = (fields: Record<string, string>) => fetch(`${t.baseUrl}/identity/connect/token`, form(fields));
  const login = async (identifier: string): Promise<string> => {
    const res = await token({
      scope: 'api offline_access', client_id: 'web', deviceType: '9', deviceIdentifier: identifier, deviceName: 'chrome',
      grant_type: 'password', username: account.email, password: account.masterPasswordHash,
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { refresh_token: string }).refresh_token;
  };
  const refresh = (refreshToken: string) => token({ grant_type: 'refresh_token', client_id: 'web', refresh_token: refreshToken });
  const lastUsed = async (identifier: string): Promise<Date | null> =>
    (await db.getRepository(DeviceEntity).findOneByOrFail({ identifier })).refreshTokenLastUsedAt;
  const setLastUsed = (identifier: string, at: Date) => db.getRepository(DeviceEntity).update({ identifier }, { refreshTokenLastUsedAt: at });
  const unknownTokenBody = async (): Promise<unknown> => {
    const res = await refresh(`unknown-${randomUUID()}`);
    expect(res.status).toBe(400);
    return res.json();
  };

  it('login stores the issue time as last use', async () => {
    const identifier = randomUUID();
    const before = new Date();
    await login(identifier);
    expect((await lastUsed(identifier))!.getTime()).toBeGreaterThanOrEqual(before.getTime());
  });

  it('a token used within the window works and slides the window to now', async () => {
    const identifier = randomUUID();
    const refreshToken = await login(identifier);
    const almostIdle = new Date(Date.now() - days * DAY_MS + 60_000);
    await setLastUsed(identifier, almostIdle);
    const before = new Date();
    const res = await refresh(refreshToken);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { access_token: string }).access_token).toBeTruthy();
    // Slid: the window now starts at this refresh, not at the old last use (which leaves it a minute from now).
    expect((await lastUsed(identifier))!.getTime()).toBeGreaterThanOrEqual(before.getTime());
    expect((await refresh(refreshToken)).status).toBe(200);
  });

  it('a token unused past the window → 400 invalid_grant, the same body as an unknown token; the refusal does not slide it', async () => {
    const identifier = randomUUID();
    const refreshToken = await login(identifier);
    const idle = new Date(Date.now() - days * DAY_MS - 60_000);
    await setLastUsed(identifier, idle);
    const res = await refresh(refreshToken);
    expect(res.status).toBe(400);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ error: 'invalid_grant', error_description: 'invalid_refresh_token' });
    expect(body).toEqual(await unknownTokenBody());
    expect((await lastUsed(identifier))!.getTime()).toBe(idle.getTime());
    // Asking again changes nothing.
    expect((await refresh(refreshToken)).status).toBe(400);
  });

  it('after expiry, logging in again on the device gives a working refresh token (the old one stays refused)', async () => {
    const identifier = randomUUID();
    const old = await login(identifier);
    await setLastUsed(identifier, new Date(Date.now() - days * DAY_MS - 60_000));
    expect((await refresh(old)).status).toBe(400);
    const fresh = await login(identifier);
    expect((await refresh(fresh)).status).toBe(200);
    expect((await refresh(old)).status).toBe(400);
  });

  it('the window is per device: an idle device does not affect another of the same account', async () => {
    const [idleDevice, activeDevice] = [randomUUID(), randomUUID()];
    const idleToken = await login(idleDevice);
    const activeToken = await login(activeDevice);
    await setLastUsed(idleDevice, new Date(Date.now() - days * DAY_MS - 60_000));
    expect((await refresh(idleToken)).status).toBe(400);
    expect((await refresh(activeToken)).status).toBe(200);
  });
});
