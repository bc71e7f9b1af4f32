import { randomUUID } from 'node:crypto';
import { createTestApp, TestApp, TLS_CERT } from '../support/app';
import { BwCliVersion, BwProfile } from '../support/bw-cli';
import { createPbkdf2User, decodeJwtPayload, passwordLogin, TestAccount, WEB_VAULT } from '../support/test-crypto';

describe.each<BwCliVersion>(['2026.6.0', '2026.9.0'])('official CLI %s: register, login, sync, lock, logout', (version) => {
  const password = 'correct horse battery staple';
  let t: TestApp;
  let account: TestAccount;

  beforeAll(async () => {
    t = await createTestApp();
    account = await createPbkdf2User(t.baseUrl, `cli-${randomUUID()}@example.com`, password, 5_000);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('login, status unlocked, sync --force, lock + unlock, logout, login --apikey', async () => {
    const cli = new BwProfile(TLS_CERT, version);
    await cli.login(t.baseUrl, account.email, password);
    const status = await cli.json<{ status: string; userEmail: string; serverUrl: string }>(['status']);
    expect(status.status).toBe('unlocked');
    expect(status.userEmail).toBe(account.email);

    const sync = await cli.run(['sync', '--force']);
    expect(sync.code).toBe(0);
    expect(sync.stdout).toMatch(/Syncing complete/);

    expect((await cli.run(['lock'])).code).toBe(0);
    expect((await cli.json<{ status: string }>(['status'])).status).toBe('locked');
    const unlock = await cli.run(['unlock', password, '--raw']);
    expect(unlock.code).toBe(0);
    cli.session = unlock.stdout;
    expect((await cli.json<{ status: string }>(['status'])).status).toBe('unlocked');

    expect((await cli.run(['logout'])).code).toBe(0);
    expect((await cli.json<{ status: string }>(['status'])).status).toBe('unauthenticated');

    // Personal API key: fetched over the API with the master password hash, then `bw login --apikey`.
    const web = await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() });
    const keyRes = await fetch(`${t.baseUrl}/api/accounts/api-key`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${web.access_token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ masterPasswordHash: account.masterPasswordHash }),
    });
    expect(keyRes.status).toBe(200);
    const { apiKey } = (await keyRes.json()) as { apiKey: string };
    const userId = String(decodeJwtPayload(web.access_token).sub);
    const apiCli = new BwProfile(TLS_CERT, version);
    expect((await apiCli.loginWithApiKey(t.baseUrl, userId, apiKey)).code).toBe(0);
    expect((await apiCli.json<{ status: string }>(['status'])).status).toBe('locked');
  }, 180_000);

  it('wrong password → the CLI friendly "Invalid master password" message', async () => {
    const cli = new BwProfile(TLS_CERT, version);
    await cli.run(['config', 'server', t.baseUrl]);
    const result = await cli.run(['login', account.email, 'not the password']);
    expect(result.code).toBe(1);
    expect(result.stderr + result.stdout).toMatch(/Invalid master password/);
  }, 60_000);

  it('after POST /api/accounts/security-stamp the CLI is logged out at its next sync', async () => {
    const cli = new BwProfile(TLS_CERT, version);
    await cli.login(t.baseUrl, account.email, password);
    const web = await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() });
    const res = await fetch(`${t.baseUrl}/api/accounts/security-stamp`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${web.access_token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ masterPasswordHash: account.masterPasswordHash }),
    });
    expect(res.status).toBe(200);
    await cli.run(['sync']);
    expect((await cli.json<{ status: string }>(['status'])).status).toBe('unauthenticated');
  }, 120_000);
});
