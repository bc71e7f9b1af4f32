// The account-settings routes an owner reaches without (or around) a session, as the web vault calls them:
// the master password hint (PASSWORD_HINTS_ALLOWED, SHOW_PASSWORD_HINT; mailed when mail is on), deleting an
// account through the mailed delete-recover link, the avatar colour, set-password for an account created without
// keys, and GET /api/auth-requests/pending. Mail goes through a real SMTP server (test/support/smtp-server.ts).
import { randomBytes, randomUUID } from 'node:crypto';
import { capturedLogs, createTestApp, TestApp } from '../support/app';
import { rotationRequest } from '../support/key-rotation';
import { call } from '../support/org-harness';
import { ReceivedMail, TestSmtpServer } from '../support/smtp-server';
import {
  createPbkdf2User, decryptType2Text, encryptType2, makePbkdf2Account, masterPasswordHash, passwordLogin, pbkdf2MasterKey, stretchMasterKey,
  TestAccount, WEB_VAULT,
} from '../support/test-crypto';

const PASSWORD = 'correct horse battery staple';
const device = () => ({ ...WEB_VAULT, identifier: randomUUID() });
const secrets = new Set<string>();

async function tryLogin(t: TestApp, email: string, hash: string): Promise<number> {
  const d = device();
  const form = new URLSearchParams({
    scope: 'api offline_access', client_id: d.clientId, deviceType: String(d.type), deviceIdentifier: d.identifier, deviceName: d.name,
    grant_type: 'password', username: email, password: hash,
  });
  const res = await fetch(`${t.baseUrl}/identity/connect/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString() });
  return res.status;
}

async function userWithHint(t: TestApp, hint: string | null): Promise<{ account: TestAccount; token: string }> {
  const account = await createPbkdf2User(t.baseUrl, `recover-${randomUUID()}@example.test`, PASSWORD, 5_000);
  const token = (await passwordLogin(t.baseUrl, account, device())).access_token;
  if (hint !== null) expect((await call(t, token, 'PUT', '/api/accounts/profile', { name: 'R', masterPasswordHint: hint })).status).toBe(200);
  return { account, token };
}

describe('with mail: the hint and the deletion link are mailed, and nobody learns which addresses exist', () => {
  let smtp: TestSmtpServer;
  let t: TestApp;
  beforeAll(async () => {
    smtp = await TestSmtpServer.start({ security: 'off' });
    t = await createTestApp(smtp.env());
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('password-hint mails the hint (trimmed as stored), or says there is none; an unknown address gets the same 200 and no mail', async () => {
    const { account } = await userWithHint(t, '  the blue door  ');
    expect(await call(t, null, 'POST', '/api/accounts/password-hint', { email: account.email.toUpperCase() })).toEqual({ status: 200, body: undefined });
    const mail = await smtp.waitFor('the hint mail', () => smtp.mailsTo(account.email).find((m) => m.subject === 'Your Master Password Hint'));
    expect(mail.text).toContain('Your hint is:\n\nthe blue door\n');
    expect(mail.text).not.toContain('  the blue door');

    const bare = await userWithHint(t, null);
    expect((await call(t, null, 'POST', '/api/accounts/password-hint', { email: bare.account.email })).status).toBe(200);
    const none = await smtp.waitFor('the no-hint mail', () => smtp.mailsTo(bare.account.email).find((m) => m.subject === 'Your Master Password Hint'));
    expect(none.text).toContain('it has no hint');

    const before = smtp.received.length;
    const ghost = `ghost-${randomUUID()}@example.test`;
    expect(await call(t, null, 'POST', '/api/accounts/password-hint', { email: ghost })).toEqual({ status: 200, body: undefined });
    // A mail for the ghost would be in the outbox already: a later mail to someone else arrives, none to the ghost.
    await call(t, null, 'POST', '/api/accounts/password-hint', { email: bare.account.email });
    await smtp.waitFor('the later mail', () => smtp.received.length >= before + 1);
    expect(smtp.mailsTo(ghost)).toEqual([]);
    expect((await call(t, null, 'POST', '/api/accounts/password-hint', {})).status).toBe(400);
  }, 60_000);

  it('delete-recover mails a link; its token deletes exactly that account; forged, foreign or reused tokens are refused', async () => {
    const { account } = await userWithHint(t, null);
    const other = await userWithHint(t, null);
    expect(await call(t, null, 'POST', '/api/accounts/delete-recover', { email: account.email })).toEqual({ status: 200, body: undefined });
    expect((await call(t, null, 'POST', '/api/accounts/delete-recover', { email: `nobody-${randomUUID()}@example.test` })).status).toBe(200);
    const mail: ReceivedMail = await smtp.waitFor('the delete mail', () => smtp.mailsTo(account.email).find((m) => m.subject === 'Delete Your Account'));
    const link = /(\S+\/#\/verify-recover-delete\?\S+)/.exec(mail.text)?.[1];
    expect(link).toBeDefined();
    const query = new URLSearchParams(link!.split('?')[1]);
    const userId = query.get('userId')!;
    const token = query.get('token')!;
    secrets.add(token);
    expect(query.get('email')).toBe(account.email);

    // The token is bound to its account: presented for another, or tampered with, it deletes nothing.
    const otherId = (await call(t, other.token, 'GET', '/api/accounts/profile')).body.id as string;
    expect(await call(t, null, 'POST', '/api/accounts/delete-recover-token', { userId: otherId, token })).toMatchObject({ status: 400, body: { message: 'Invalid claim' } });
    expect(await call(t, null, 'POST', '/api/accounts/delete-recover-token', { userId, token: `${token.slice(0, -4)}AAAA` })).toMatchObject({ status: 400, body: { message: 'Invalid claim' } });
    expect(await tryLogin(t, account.email, account.masterPasswordHash)).toBe(200);

    expect(await call(t, null, 'POST', '/api/accounts/delete-recover-token', { userId, token })).toEqual({ status: 200, body: undefined });
    expect(await tryLogin(t, account.email, account.masterPasswordHash)).toBe(400);
    expect(await tryLogin(t, other.account.email, other.account.masterPasswordHash)).toBe(200);
    expect(await call(t, null, 'POST', '/api/accounts/delete-recover-token', { userId, token })).toMatchObject({ status: 400, body: { message: "User doesn't exist" } });
  }, 60_000);

  it('no hint or deletion token reaches a log line at info or above', () => {
    const lines = capturedLogs.flatMap((chunk) => chunk.split('\n')).filter(Boolean).map((line) => JSON.parse(line) as { level: number });
    const visible = lines.filter((line) => line.level >= 30).map((line) => JSON.stringify(line));
    expect(secrets.size).toBeGreaterThan(0);
    for (const secret of [...secrets, 'the blue door']) expect(visible.filter((line) => line.includes(secret))).toEqual([]);
  });
});

/** One app per describe, each closed before the next one starts. */
function withApp(env: Record<string, string>): () => TestApp {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp(env);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });
  return () => app;
}

describe('without mail', () => {
  const app = withApp({});

  it('password-hint is refused (no mail, no SHOW_PASSWORD_HINT); delete-recover says to ask the admin', async () => {
    const t = app();
    const { account } = await userWithHint(t, 'blue');
    expect(await call(t, null, 'POST', '/api/accounts/password-hint', { email: account.email })).toMatchObject({ status: 400, body: { message: 'This server is not configured to provide password hints.' } });
    expect(await call(t, null, 'POST', '/api/accounts/delete-recover', { email: account.email })).toMatchObject({ status: 400, body: { message: 'Please contact the administrator to delete your account' } });
    expect(await tryLogin(t, account.email, account.masterPasswordHash)).toBe(200);
  }, 60_000);

  it('avatar: PUT sets a #rrggbb colour that the profile shows; null clears it; other forms are refused', async () => {
    const t = app();
    const { token } = await userWithHint(t, null);
    const set = await call(t, token, 'PUT', '/api/accounts/avatar', { avatarColor: '#1a2b3c' });
    expect(set).toMatchObject({ status: 200, body: { object: 'profile', avatarColor: '#1a2b3c' } });
    expect((await call(t, token, 'GET', '/api/accounts/profile')).body.avatarColor).toBe('#1a2b3c');
    for (const bad of ['#fff', 'red', '#12345g', '#1234567']) {
      expect(await call(t, token, 'PUT', '/api/accounts/avatar', { avatarColor: bad })).toMatchObject({ status: 400, body: { message: 'The field AvatarColor must be a HTML/Hex color code with a length of 7 characters' } });
    }
    expect((await call(t, token, 'GET', '/api/accounts/profile')).body.avatarColor).toBe('#1a2b3c');
    expect((await call(t, token, 'POST', '/api/accounts/avatar', { avatarColor: null })).body.avatarColor).toBeNull();
  });

  it('set-password: refused for an account that has keys; an account registered without keys gets its password, KDF and key pair', async () => {
    const t = app();
    const { account, token } = await userWithHint(t, null);
    const body = { masterPasswordHash: account.masterPasswordHash, key: account.wrappedUserKey, kdf: 0, kdfIterations: 600_000 };
    expect(await call(t, token, 'POST', '/api/accounts/set-password', body)).toMatchObject({ status: 400, body: { message: 'Account already initialized, cannot set password' } });

    // An account without a key pair (the older registration allowed it).
    const first = makePbkdf2Account(`keyless-${randomUUID()}@example.test`, 'first password', 5_000);
    const registered = await fetch(`${t.baseUrl}/identity/accounts/register`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: first.email, masterPasswordHash: first.masterPasswordHash, key: first.wrappedUserKey, kdf: 0, kdfIterations: 5_000 }),
    });
    expect(registered.status).toBe(200);
    const session = (await passwordLogin(t.baseUrl, first, device())).access_token;

    // The new master password, with another KDF: a new master key wraps a fresh user key.
    const masterKey = pbkdf2MasterKey('second password', first.email, 7_000);
    const userKey = randomBytes(64);
    const wrapped = encryptType2(userKey, stretchMasterKey(masterKey));
    const hash = masterPasswordHash(masterKey, 'second password');
    expect(await call(t, session, 'POST', '/api/accounts/set-password', { ...body, kdfIterations: 1 })).toMatchObject({ status: 400 });
    const done = await call(t, session, 'POST', '/api/accounts/set-password', {
      masterPasswordHash: hash, key: wrapped, masterPasswordHint: ' new hint ', kdf: 0, kdfIterations: 7_000,
      keys: { publicKey: account.publicKey, encryptedPrivateKey: encryptType2('private', userKey) },
    });
    expect(done).toEqual({ status: 200, body: { object: 'set-password', captchaBypassToken: '' } });
    expect((await call(t, null, 'POST', '/api/accounts/prelogin', { email: first.email })).body).toMatchObject({ kdf: 0, kdfIterations: 7_000 });
    expect(await tryLogin(t, first.email, first.masterPasswordHash)).toBe(400);
    const login = await passwordLogin(t.baseUrl, { ...first, masterPasswordHash: hash }, device());
    const stored = (await call(t, login.access_token, 'GET', '/api/sync')).body.profile;
    expect(decryptType2Text(stored.privateKey, userKey)).toBe('private');
    expect(stored.key).toBe(wrapped);
    // Now it has keys: a second set-password is refused.
    expect((await call(t, login.access_token, 'POST', '/api/accounts/set-password', { ...body, masterPasswordHash: hash })).status).toBe(400);
  }, 60_000);

  it('GET /api/auth-requests/pending lists the account\'s unanswered login requests', async () => {
    const t = app();
    const { account, token } = await userWithHint(t, null);
    const requested = await call(t, null, 'POST', '/api/auth-requests', {
      email: account.email, publicKey: account.publicKey, deviceIdentifier: randomUUID(), accessCode: 'abcdefghijklmnopqrstu', type: 0,
    });
    expect(requested.status).toBe(200);
    const pending = await call(t, token, 'GET', '/api/auth-requests/pending');
    expect(pending).toMatchObject({ status: 200, body: { object: 'list', data: [{ id: requested.body.id, object: 'auth-request', requestApproved: false }] } });
    expect(pending.body.data).toHaveLength(1);
    expect((await call(t, null, 'GET', '/api/auth-requests/pending')).status).toBe(401);
    const other = await userWithHint(t, null);
    expect((await call(t, other.token, 'GET', '/api/auth-requests/pending')).body.data).toEqual([]);
  });
});

describe('SHOW_PASSWORD_HINT=true without mail', () => {
  const app = withApp({ SHOW_PASSWORD_HINT: 'true' });

  it('SHOW_PASSWORD_HINT without mail answers the hint itself, and the same for a bare and an unknown address', async () => {
    const shown = app();
    const withHint = await userWithHint(shown, 'green gate');
    expect(await call(shown, null, 'POST', '/api/accounts/password-hint', { email: withHint.account.email })).toMatchObject({ status: 400, body: { message: 'Your password hint is: green gate' } });
    const bare = await userWithHint(shown, null);
    expect(await call(shown, null, 'POST', '/api/accounts/password-hint', { email: bare.account.email })).toMatchObject({ status: 400, body: { message: 'Sorry, you have no password hint...' } });
    expect(await call(shown, null, 'POST', '/api/accounts/password-hint', { email: `ghost-${randomUUID()}@example.test` })).toMatchObject({ status: 400, body: { message: 'Sorry, you have no password hint...' } });
  }, 60_000);
});

describe('PASSWORD_HINTS_ALLOWED=false', () => {
  const app = withApp({ PASSWORD_HINTS_ALLOWED: 'false' });

  it('PASSWORD_HINTS_ALLOWED=false: a hint is refused at registration, profile and password change (before anything is stored); blank is fine', async () => {
    const noHints = app();
    const message = 'Password hints have been disabled by the administrator. Remove the hint and try again.';
    const account = makePbkdf2Account(`nohint-${randomUUID()}@example.test`, PASSWORD, 5_000);
    const res = await fetch(`${noHints.baseUrl}/identity/accounts/register`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: account.email, masterPasswordHash: account.masterPasswordHash, masterPasswordHint: 'nope', key: account.wrappedUserKey, kdf: 0, kdfIterations: 5_000 }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe(message);
    expect(await tryLogin(noHints, account.email, account.masterPasswordHash)).toBe(400);

    const { account: user, token } = await userWithHint(noHints, null);
    expect(await call(noHints, token, 'PUT', '/api/accounts/profile', { name: 'x', masterPasswordHint: 'nope' })).toMatchObject({ status: 400, body: { message } });
    expect((await call(noHints, token, 'PUT', '/api/accounts/profile', { name: 'x', masterPasswordHint: '   ' })).status).toBe(200);
    const change = await call(noHints, token, 'POST', '/api/accounts/password', {
      masterPasswordHash: user.masterPasswordHash, newMasterPasswordHash: 'bmV3', key: user.wrappedUserKey, masterPasswordHint: 'nope',
    });
    expect(change).toMatchObject({ status: 400, body: { message } });
    // The key rotation carries a hint too (the web vault's change of master password with rotation).
    const sync = (await call(noHints, token, 'GET', '/api/sync')).body;
    const rotation = rotationRequest(user, sync.profile.id, sync, randomBytes(64));
    rotation.accountUnlockData.masterPasswordUnlockData.masterPasswordHint = 'nope';
    expect(await call(noHints, token, 'POST', '/api/accounts/key-management/rotate-user-account-keys', rotation)).toMatchObject({ status: 400, body: { message } });
    expect(await tryLogin(noHints, user.email, user.masterPasswordHash)).toBe(200);
  }, 60_000);
});
