import { randomUUID } from 'node:crypto';
import { capturedLogs, createTestApp, TestApp } from '../support/app';
import {
  createPbkdf2User, decodeJwtPayload, makePbkdf2Account, passwordLogin, registerAccount, RegistrationShape, TestAccount, WEB_VAULT,
} from '../support/test-crypto';

const form = (fields: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

describe('identity and accounts over HTTP', () => {
  let t: TestApp;
  let account: TestAccount;
  const device = { ...WEB_VAULT, identifier: randomUUID() };

  beforeAll(async () => {
    t = await createTestApp({ LOGIN_RATELIMIT_MAX_BURST: '3', LOGIN_RATELIMIT_SECONDS: '60' });
    account = await createPbkdf2User(t.baseUrl, `id-${randomUUID()}@example.com`, 'correct horse', 5_000);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const token = (fields: Record<string, string>) => fetch(`${t.baseUrl}/identity/connect/token`, form(fields));
  const passwordFields = (a: TestAccount, password: string, identifier = device.identifier): Record<string, string> => ({
    scope: 'api offline_access', client_id: 'web', deviceType: '9', deviceIdentifier: identifier, deviceName: 'chrome',
    grant_type: 'password', username: a.email, password,
  });

  it.each<RegistrationShape>(['finish', 'finish-v2', 'finish-flat-kdf', 'legacy-register'])('registration shape %s → login works, prelogin returns the KDF', async (shape) => {
    const a = makePbkdf2Account(`Shape-${shape}-${randomUUID()}@Example.com `, 'pw', 6_000);
    await registerAccount(t.baseUrl, a, { shape });
    const pre = (await (await fetch(`${t.baseUrl}/identity/accounts/prelogin/password`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: a.email.toUpperCase() }) })).json()) as Record<string, unknown>;
    expect(pre).toMatchObject({ kdf: 0, kdfIterations: 6_000, kdfSettings: { kdfType: 0, iterations: 6_000 } });
    const tokens = await passwordLogin(t.baseUrl, a, { ...WEB_VAULT, identifier: randomUUID() });
    expect(tokens.Key).toBe(a.wrappedUserKey);
  }, 30_000);

  it('prelogin of an unknown email answers the defaults (no enumeration), on all three paths', async () => {
    for (const path of ['/identity/accounts/prelogin/password', '/identity/accounts/prelogin', '/api/accounts/prelogin']) {
      const res = await fetch(`${t.baseUrl}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: `nobody-${randomUUID()}@example.com` }) });
      expect(await res.json()).toMatchObject({ kdf: 0, kdfIterations: 600_000, kdfMemory: null, kdfParallelism: null });
    }
  });

  it('password grant: full success shape and claims', async () => {
    const res = await token(passwordFields(account, account.masterPasswordHash));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      token_type: 'Bearer', expires_in: 3600, scope: 'api offline_access', Key: account.wrappedUserKey, PrivateKey: account.wrappedPrivateKey,
      Kdf: 0, KdfIterations: 5_000, KdfMemory: null, KdfParallelism: null, ResetMasterPassword: false, ForcePasswordReset: false,
      MasterPasswordPolicy: { Object: 'masterPasswordPolicy' },
      AccountKeys: { publicKeyEncryptionKeyPair: { wrappedPrivateKey: account.wrappedPrivateKey, publicKey: account.publicKey } },
      UserDecryptionOptions: { HasMasterPassword: true, MasterPasswordUnlock: { Kdf: { KdfType: 0, Iterations: 5_000 }, MasterKeyWrappedUserKey: account.wrappedUserKey, Salt: account.email } },
    });
    expect(typeof body.refresh_token).toBe('string');
    const claims = decodeJwtPayload(String(body.access_token));
    expect(claims).toMatchObject({ email: account.email, device: device.identifier, devicetype: 'ChromeBrowser', client_id: 'web', scope: ['api', 'offline_access'], amr: ['Application'], premium: true });
    // No mail configured here: nobody can verify an address, so the claim says verified, as the profile does.
    expect(claims.email_verified).toBe(true);
    expect(typeof claims.exp).toBe('number');
    expect(claims.iss).toBe('https://127.0.0.1/identity');
  });

  it('snake_case device fields are accepted too', async () => {
    const fields = passwordFields(account, account.masterPasswordHash, randomUUID());
    const snake = { ...fields, device_type: fields.deviceType!, device_identifier: fields.deviceIdentifier!, device_name: fields.deviceName! };
    delete (snake as Record<string, string>).deviceType;
    delete (snake as Record<string, string>).deviceIdentifier;
    delete (snake as Record<string, string>).deviceName;
    expect((await token(snake)).status).toBe(200);
  });

  it('refresh grant works; a revoked or unknown refresh token → invalid_grant', async () => {
    const login = (await (await token(passwordFields(account, account.masterPasswordHash, randomUUID()))).json()) as { refresh_token: string; access_token: string };
    const refreshed = await token({ grant_type: 'refresh_token', client_id: 'web', refresh_token: login.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(((await refreshed.json()) as { access_token: string }).access_token).toBeTruthy();
    const bad = await token({ grant_type: 'refresh_token', client_id: 'web', refresh_token: 'nope' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe('invalid_grant');
    // Deactivating the device revokes its refresh token.
    const me = String(decodeJwtPayload(login.access_token).device);
    const dev = (await (await fetch(`${t.baseUrl}/api/devices/identifier/${me}`, { headers: { Authorization: `Bearer ${login.access_token}` } })).json()) as { id: string };
    expect((await fetch(`${t.baseUrl}/api/devices/${dev.id}/deactivate`, { method: 'POST', headers: { Authorization: `Bearer ${login.access_token}` } })).status).toBe(200);
    expect((await token({ grant_type: 'refresh_token', client_id: 'web', refresh_token: login.refresh_token })).status).toBe(400);
    expect((await fetch(`${t.baseUrl}/api/accounts/profile`, { headers: { Authorization: `Bearer ${login.access_token}` } })).status).toBe(401);
  });

  it('bad grant type, missing fields, wrong client secret → OAuth errors', async () => {
    const unsupported = await token({ grant_type: 'implicit' });
    expect(unsupported.status).toBe(400);
    expect(((await unsupported.json()) as { error: string }).error).toBe('unsupported_grant_type');
    const missing = await token({ grant_type: 'password', username: account.email });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: string }).error).toBe('invalid_request');
    const noGrant = await token({});
    expect(noGrant.status).toBe(400);
    const client = await token({ grant_type: 'client_credentials', client_id: `user.${randomUUID()}`, client_secret: 'x', scope: 'api', deviceType: '25', deviceIdentifier: randomUUID(), deviceName: 'linux' });
    expect(client.status).toBe(400);
    expect(((await client.json()) as { error: string }).error).toBe('invalid_client');
  });

  it('expired or forged access tokens on /api → 401 with the Bitwarden body', async () => {
    const { access_token } = await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() });
    const [h, p, s] = access_token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')) as Record<string, unknown>;
    const expired = `${h}.${Buffer.from(JSON.stringify({ ...claims, exp: 1_000_000 })).toString('base64url')}.${s}`;
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`;
    for (const bad of [expired, unsigned, 'garbage']) {
      const res = await fetch(`${t.baseUrl}/api/accounts/profile`, { headers: { Authorization: `Bearer ${bad}` } });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { message: string }).message).toBe('Invalid token');
    }
    expect((await fetch(`${t.baseUrl}/api/accounts/profile`)).status).toBe(401);
  });

  it('account endpoints: profile, revision-date as a bare number, user-key-id echoed in sync, keys, public key', async () => {
    const { access_token } = await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() });
    const auth = { Authorization: `Bearer ${access_token}` };
    const userId = String(decodeJwtPayload(access_token).sub);
    const profile = (await (await fetch(`${t.baseUrl}/api/accounts/profile`, { headers: auth })).json()) as Record<string, unknown>;
    expect(profile).toMatchObject({ object: 'profile', id: userId, email: account.email, key: account.wrappedUserKey });
    const revision = await (await fetch(`${t.baseUrl}/api/accounts/revision-date`, { headers: auth })).text();
    expect(revision).toMatch(/^\d{13}$/);
    const keyId = 'a'.repeat(32);
    expect((await fetch(`${t.baseUrl}/api/accounts/key-management/user-key-id`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ userKeyId: keyId }) })).status).toBe(200);
    const keys = (await (await fetch(`${t.baseUrl}/api/accounts/keys`, { headers: auth })).json()) as Record<string, unknown>;
    expect(keys).toMatchObject({ publicKey: account.publicKey, privateKey: account.wrappedPrivateKey, object: 'keys' });
    const pub = (await (await fetch(`${t.baseUrl}/api/users/${userId}/public-key`, { headers: auth })).json()) as Record<string, unknown>;
    expect(pub).toEqual({ userId, publicKey: account.publicKey, object: 'userKey' });
    const badPassword = await fetch(`${t.baseUrl}/api/accounts/verify-password`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ masterPasswordHash: 'wrong' }) });
    expect(badPassword.status).toBe(400);
    expect(((await badPassword.json()) as { message: string }).message).toBe('Invalid password');
  });

  it('duplicate email → clear error', async () => {
    const dup = makePbkdf2Account(account.email, 'other', 5_000);
    await expect(registerAccount(t.baseUrl, dup)).rejects.toThrow(/Registration not allowed or user already exists/);
  });

  it('wrong password: exact message; then the per-account rate limit → 429', async () => {
    const victim = await createPbkdf2User(t.baseUrl, `rl-${randomUUID()}@example.com`, 'pw', 5_000);
    const res = await token(passwordFields(victim, 'wrong'));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid_grant', error_description: 'invalid_username_or_password', ErrorModel: { Message: 'Username or password is incorrect. Try again.', Object: 'error' } });
    await token(passwordFields(victim, 'wrong'));
    await token(passwordFields(victim, 'wrong'));
    const limited = await token(passwordFields(victim, victim.masterPasswordHash));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('no master password hash, key, refresh or access token in any log line', () => {
    const logs = capturedLogs.join('');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(account.masterPasswordHash);
    expect(logs).not.toContain(account.wrappedUserKey);
    expect(logs).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/);
  });
});

describe('SIGNUPS_ALLOWED=false', () => {
  it('refuses registration, except for whitelisted domains', async () => {
    const t = await createTestApp({ SIGNUPS_ALLOWED: 'false', SIGNUPS_DOMAINS_WHITELIST: 'allowed.example' });
    try {
      await expect(createPbkdf2User(t.baseUrl, `x-${randomUUID()}@example.com`, 'pw', 5_000)).rejects.toThrow(/Registration not allowed/);
      await expect(createPbkdf2User(t.baseUrl, `x-${randomUUID()}@allowed.example`, 'pw', 5_000)).resolves.toBeDefined();
      const config = (await (await fetch(`${t.baseUrl}/api/config`)).json()) as { settings: { disableUserRegistration: boolean } };
      expect(config.settings.disableUserRegistration).toBe(false);
    } finally {
      await t.close();
    }
  });
});
