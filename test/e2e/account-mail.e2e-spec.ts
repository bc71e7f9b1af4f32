// The account mails of issue 16 against a real SMTP server (test/support/smtp-server.ts): email verification
// (SIGNUPS_VERIFY: the mail at registration, the token from its link verifies, logins refused until then with the
// mail re-sent within SIGNUPS_VERIFY_RESEND_TIME / _LIMIT), the new-device mail (first login of a device, not a
// repeat), REQUIRE_DEVICE_EMAIL without mail, and the email change with the mailed code (wrong code, taken address,
// the other sessions logged out over the hub, then login with the new address). No token or code reaches a log line
// at info or above.
import { randomBytes, randomUUID } from 'node:crypto';
import { capturedLogs, createTestApp, TestApp } from '../support/app';
import { HubClient } from '../support/hub-client';
import { ReceivedMail, TestSmtpServer } from '../support/smtp-server';
import {
  ClientDevice, createPbkdf2User, decodeJwtPayload, encryptType2, makePbkdf2Account, masterPasswordHash, passwordLogin, pbkdf2MasterKey, registerAccount,
  stretchMasterKey, TestAccount, WEB_VAULT,
} from '../support/test-crypto';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const PASSWORD = 'correct horse battery staple';
/** Every token any mail here carried, and every emailed code: none may be logged at info or above. */
const secrets = new Set<string>();
const codes = new Set<string>();

async function call(t: TestApp, token: string | null, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${t.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** The password grant as a raw form post: the refused answers are read, not thrown. */
async function tryLogin(t: TestApp, email: string, hash: string, device: ClientDevice): Promise<{ status: number; body: Json }> {
  const form = new URLSearchParams({
    scope: 'api offline_access', client_id: device.clientId, deviceType: String(device.type), deviceIdentifier: device.identifier,
    deviceName: device.name, grant_type: 'password', username: email, password: hash,
  });
  const res = await fetch(`${t.baseUrl}/identity/connect/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString() });
  return { status: res.status, body: await res.json() };
}

const device = (): ClientDevice => ({ ...WEB_VAULT, identifier: randomUUID() });
const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/** The verify-email link of a mail: user id and token (recorded as a secret). */
function verifyLink(mail: ReceivedMail): { userId: string; token: string } {
  const link = /(\S+\/#\/verify-email\?\S+)/.exec(mail.text)?.[1];
  if (!link) throw new Error(`no verify link in: ${mail.text}`);
  const query = new URLSearchParams(link.split('?')[1]);
  secrets.add(query.get('token')!);
  return { userId: query.get('userId')!, token: query.get('token')! };
}

describe('email verification (SIGNUPS_VERIFY)', () => {
  let smtp: TestSmtpServer;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await TestSmtpServer.start({ security: 'off' });
    t = await createTestApp(smtp.env({ SIGNUPS_VERIFY: 'true', SIGNUPS_VERIFY_RESEND_TIME: '1', SIGNUPS_VERIFY_RESEND_LIMIT: '2' }));
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('registration mails the verify link; login is refused until verified (re-sent at most RESEND_LIMIT times); the link verifies', async () => {
    const account = makePbkdf2Account(`verify-${randomUUID()}@example.test`, PASSWORD, 5_000);
    await registerAccount(t.baseUrl, account, { shape: 'legacy-register' });
    const welcome = await smtp.waitFor('the welcome mail', () => smtp.mailsTo(account.email)[0]);
    expect(welcome.subject).toBe('Welcome to Vaultwave');
    const { userId, token } = verifyLink(welcome);

    const refused = await tryLogin(t, account.email, account.masterPasswordHash, device());
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'invalid_grant', ErrorModel: { Message: 'Please verify your email before trying again.' } });
    expect(refused.body.access_token).toBeUndefined();
    // RESEND_TIME is 1 s: each later refused login re-sends, until RESEND_LIMIT (2) re-sends.
    for (let i = 0; i < 3; i += 1) {
      await sleep(1_100);
      expect((await tryLogin(t, account.email, account.masterPasswordHash, device())).status).toBe(400);
    }
    await smtp.waitFor('two re-sent mails', () => smtp.mailsTo(account.email).length >= 3);
    await sleep(500);
    expect(smtp.mailsTo(account.email)).toHaveLength(3);
    for (const mail of smtp.mailsTo(account.email).slice(1)) {
      expect(mail.subject).toBe('Verify Your Email');
      verifyLink(mail);
    }

    expect((await call(t, null, 'POST', '/api/accounts/verify-email-token', { userId, token: `${token}x` })).status).toBe(400);
    expect((await call(t, null, 'POST', '/api/accounts/verify-email-token', { userId, token })).status).toBe(200);
    const login = await passwordLogin(t.baseUrl, account, device());
    const profile = await call(t, login.access_token, 'GET', '/api/accounts/profile');
    expect(profile.body.emailVerified).toBe(true);
    expect(decodeJwtPayload(login.access_token).email_verified).toBe(true);
  }, 30_000);

  it('the official flow: send-verification-email answers 204 and mails the finish-signup link; the token registers a verified account', async () => {
    const account = makePbkdf2Account(`flow-${randomUUID()}@example.test`, PASSWORD, 5_000);
    const sent = await fetch(`${t.baseUrl}/identity/accounts/register/send-verification-email`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: account.email, name: 'Flow', receiveMarketingEmails: false }),
    });
    expect(sent.status).toBe(204);
    const mail = await smtp.waitFor('the registration mail', () => smtp.mailsTo(account.email)[0]);
    const link = /(\S+\/#\/finish-signup\?\S+)/.exec(mail.text)![1]!;
    const query = new URLSearchParams(link.split('?')[1]);
    const token = query.get('token')!;
    secrets.add(token);
    expect(query.get('fromEmail')).toBe('true');
    expect((await call(t, null, 'POST', '/identity/accounts/register/verification-email-clicked', { email: account.email, emailVerificationToken: token })).status).toBe(200);
    const kdf = { kdfType: 0, iterations: 5_000 };
    const finished = await call(t, null, 'POST', '/identity/accounts/register/finish', {
      email: account.email, masterPasswordHash: account.masterPasswordHash, userSymmetricKey: account.wrappedUserKey, emailVerificationToken: token,
      userAsymmetricKeys: { publicKey: account.publicKey, encryptedPrivateKey: account.wrappedPrivateKey },
      masterPasswordAuthentication: { kdf, masterPasswordAuthenticationHash: account.masterPasswordHash, salt: account.email },
      masterPasswordUnlock: { kdf, masterKeyWrappedUserKey: account.wrappedUserKey, salt: account.email },
    });
    expect(finished.status).toBe(200);
    const login = await passwordLogin(t.baseUrl, account, device());
    expect((await call(t, login.access_token, 'GET', '/api/sync')).body.profile.emailVerified).toBe(true);
  }, 30_000);
});

describe('new-device mail and email change (mail on, SIGNUPS_VERIFY off)', () => {
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

  const newDeviceMails = (email: string): ReceivedMail[] => smtp.mailsTo(email).filter((m) => m.subject.startsWith('New Device Logged In'));

  it('the first login of a device sends the new-device mail (date, IP, type; no token); a repeat login does not', async () => {
    const account = await createPbkdf2User(t.baseUrl, `device-${randomUUID()}@example.test`, PASSWORD, 5_000);
    const laptop = { ...WEB_VAULT, identifier: randomUUID(), name: 'firefox', type: 10 };
    const first = await passwordLogin(t.baseUrl, account, laptop);
    // Mail is on and this address was never verified: the token and the profile say so.
    expect(decodeJwtPayload(first.access_token).email_verified).toBe(false);
    expect((await call(t, first.access_token, 'GET', '/api/accounts/profile')).body.emailVerified).toBe(false);
    const mail = await smtp.waitFor('the new-device mail', () => newDeviceMails(account.email)[0]);
    expect(mail.subject).toBe('New Device Logged In From Firefox');
    expect(mail.text).toMatch(/Date: \w+day, \d+ \w+ \d{4} at \d\d:\d\d UTC/);
    expect(mail.text).toContain('IP address: 127.0.0.1');
    expect(mail.text).toContain('Device type: FirefoxBrowser');
    expect(mail.text).not.toContain(first.access_token);
    expect(mail.text).not.toContain(first.refresh_token!);
    expect(mail.raw).not.toContain(first.refresh_token!);

    await passwordLogin(t.baseUrl, account, laptop);
    await sleep(700);
    expect(newDeviceMails(account.email)).toHaveLength(1);
    await passwordLogin(t.baseUrl, account, device());
    await smtp.waitFor('a second new-device mail', () => newDeviceMails(account.email).length === 2);
  }, 30_000);

  it('email change: the code goes to the new address; wrong code and taken address 400; other sessions get LogOut; the new email logs in', async () => {
    const account = await createPbkdf2User(t.baseUrl, `change-${randomUUID()}@example.test`, PASSWORD, 5_000);
    const other = await createPbkdf2User(t.baseUrl, `taken-${randomUUID()}@example.test`, PASSWORD, 5_000);
    const acting = await passwordLogin(t.baseUrl, account, device());
    const elsewhere = await passwordLogin(t.baseUrl, account, device());
    const hub = await HubClient.connect(t.baseUrl, elsewhere.access_token);
    try {
      const target = `moved-${randomBytes(4).toString('hex')}@example.test`;
      expect((await call(t, acting.access_token, 'POST', '/api/accounts/email-token', { newEmail: other.email, masterPasswordHash: account.masterPasswordHash })).body)
        .toMatchObject({ message: 'Email already in use' });
      expect((await call(t, acting.access_token, 'POST', '/api/accounts/email-token', { newEmail: target, masterPasswordHash: 'wrong' })).status).toBe(400);
      expect((await call(t, acting.access_token, 'POST', '/api/accounts/email-token', { newEmail: target, masterPasswordHash: account.masterPasswordHash })).status).toBe(200);
      const mail = await smtp.waitFor('the change-email code', () => smtp.mailsTo(target)[0]);
      expect(mail.subject).toBe('Your Email Change');
      const code = /^(\d{6})$/m.exec(mail.text)![1]!;
      codes.add(code);

      // The client re-derives the master key with the new address as salt and wraps the same user key again.
      const masterKey = pbkdf2MasterKey(PASSWORD, target, 5_000);
      const userKey = Buffer.from(account.secrets.userKey);
      const body = {
        newEmail: target, masterPasswordHash: account.masterPasswordHash, newMasterPasswordHash: masterPasswordHash(masterKey, PASSWORD),
        key: encryptType2(userKey, stretchMasterKey(masterKey)), token: code === '000000' ? '000001' : '000000',
      };
      const wrong = await call(t, acting.access_token, 'POST', '/api/accounts/email', body);
      expect(wrong.status).toBe(400);
      expect(wrong.body.message).toBe('Token mismatch');
      const taken = await call(t, acting.access_token, 'POST', '/api/accounts/email', { ...body, newEmail: other.email, token: code });
      expect(taken.status).toBe(400);
      expect(taken.body.message).toBe('Email already in use');

      const logout = hub.waitFor((n) => n.Type === 11);
      expect((await call(t, acting.access_token, 'POST', '/api/accounts/email', { ...body, token: code })).status).toBe(200);
      expect((await logout).Type).toBe(11);
      // The other device's refresh token is dead; the old address no longer logs in; the new one does.
      const refresh = await fetch(`${t.baseUrl}/identity/connect/token`, {
        method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'web', refresh_token: elsewhere.refresh_token! }).toString(),
      });
      expect(refresh.status).toBe(400);
      expect((await tryLogin(t, account.email, account.masterPasswordHash, device())).status).toBe(400);
      const moved: TestAccount = { ...account, email: target, masterPasswordHash: body.newMasterPasswordHash, wrappedUserKey: body.key };
      const login = await passwordLogin(t.baseUrl, moved, device());
      const profile = await call(t, login.access_token, 'GET', '/api/accounts/profile');
      expect(profile.body).toMatchObject({ email: target, emailVerified: true });
    } finally {
      await hub.connection.stop();
    }
  }, 30_000);
});

describe('REQUIRE_DEVICE_EMAIL without mail', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ REQUIRE_DEVICE_EMAIL: 'true' });
  }, 60_000);
  afterAll(() => t?.close());

  it('a login from a new device is refused with Vaultwarden\'s message, and the device is not recorded', async () => {
    const account = makePbkdf2Account(`required-${randomUUID()}@example.test`, PASSWORD, 5_000);
    await registerAccount(t.baseUrl, account);
    const refused = await tryLogin(t, account.email, account.masterPasswordHash, device());
    expect(refused.status).toBe(400);
    expect(refused.body.ErrorModel.Message).toBe('Could not send login notification email. Please contact your administrator.');
  });
});

describe('logs', () => {
  it('no verification token or email-change code in any log line at info or above', () => {
    const lines = capturedLogs.flatMap((chunk) => chunk.split('\n')).filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown> & { level: number });
    expect(secrets.size).toBeGreaterThan(3);
    expect(codes.size).toBe(1);
    for (const line of lines.filter((l) => l.level >= 30)) {
      const text = JSON.stringify(line);
      for (const secret of secrets) expect(text.includes(secret)).toBe(false);
      // A 6-digit code as a value of its own (not as digits of a timestamp).
      for (const code of codes) expect(new RegExp(`(?<![0-9])${code}(?![0-9])`).test(text)).toBe(false);
      expect(text).not.toContain('verify-email?');
    }
  });
});
