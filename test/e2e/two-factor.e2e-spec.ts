// Two-step login (issue 16) over HTTP and with the official CLI: the authenticator (TOTP) with replay protection
// and wrong codes, the login challenge the clients parse, remember-this-device (refused from another device and
// after changes), the recovery code, WebAuthn with a software authenticator, email codes and emailed OTPs through
// a real SMTP server, Duo and YubiKey refused clearly, the API key bypassing it, wrong codes counting against the
// login limits, incomplete logins reported; and no secret of any of it in a log line.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { TwoFactorIncompleteEntity } from '../../src/db/entities';
import { DATA_SOURCE } from '../../src/db/unit-of-work';
import { IncompleteTwoFactorJob } from '../../src/two-factor/incomplete-two-factor.job';
import { capturedLogs, createTestApp, TestApp, TLS_CERT } from '../support/app';
import { BwCliVersion, BwProfile } from '../support/bw-cli';
import { createMysqlDatabase, createPostgresDatabase, describeWithServices, TestDatabase } from '../support/services';
import { ReceivedMail, TestSmtpServer } from '../support/smtp-server';
import { SoftAuthenticator } from '../support/soft-authenticator';
import { createPbkdf2User, decodeJwtPayload, passwordLogin, TestAccount, WEB_VAULT } from '../support/test-crypto';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const PASSWORD = 'correct horse battery staple';
/** Every secret of these tests (keys, codes, tokens, challenges): none may reach a log line. */
const secrets = new Set<string>();
const keep = <T extends string | null | undefined>(value: T): T => {
  if (value) secrets.add(value);
  return value;
};

// --- an authenticator app, written independently of the server's (RFC 6238: HMAC-SHA-1, 6 digits, 30 s) ---
function base32(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of text.toUpperCase().replace(/=+$/, '')) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}
const stepNow = (): number => Math.floor(Date.now() / 30_000);
/** The mails to `email` other than "New Device Logged In" (each device's first completed login sends one). */
const codeMails = (smtp: TestSmtpServer, email: string): ReceivedMail[] => smtp.mailsTo(email).filter((mail) => !mail.subject.startsWith('New Device Logged In'));
function totp(key: string, step = stepNow()): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32(key)).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return keep(String(code).padStart(6, '0'));
}

describe('two-step login', () => {
  let t: TestApp;
  let smtp: TestSmtpServer;

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    t = await createTestApp({ ...smtp.env(), LOGIN_RATELIMIT_MAX_BURST: '1000', INCOMPLETE_2FA_SCHEDULE: '' });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  async function call(token: string | null, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Json }> {
    const all: Record<string, string> = { ...headers };
    if (token) all.Authorization = `Bearer ${token}`;
    if (body !== undefined) all['Content-Type'] = 'application/json';
    const res = await fetch(`${t.baseUrl}${path}`, { method, headers: all, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  const tokenFields = (a: TestAccount, device: string, extra: Record<string, string> = {}): Record<string, string> => ({
    scope: 'api offline_access', client_id: 'web', deviceType: '9', deviceIdentifier: device, deviceName: 'chrome',
    grant_type: 'password', username: a.email, password: a.masterPasswordHash, ...extra,
  });
  async function grant(fields: Record<string, string>, baseUrl = t.baseUrl): Promise<{ status: number; body: Json }> {
    const res = await fetch(`${baseUrl}/identity/connect/token`, {
      method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(),
    });
    const body = (await res.json()) as Json;
    if (typeof body?.TwoFactorToken === 'string') keep(body.TwoFactorToken);
    if (typeof body?.SsoEmail2faSessionToken === 'string') keep(body.SsoEmail2faSessionToken);
    return { status: res.status, body };
  }
  const login = (a: TestAccount, device: string, extra: Record<string, string> = {}) => grant(tokenFields(a, device, extra));

  interface Member { account: TestAccount; token: string; device: string; userId: string }
  async function member(baseUrl = t.baseUrl): Promise<Member> {
    const account = await createPbkdf2User(baseUrl, `2fa-${randomUUID()}@example.com`, PASSWORD, 5_000);
    const device = randomUUID();
    const tokens = await passwordLogin(baseUrl, account, { ...WEB_VAULT, identifier: device });
    return { account, token: tokens.access_token, device, userId: String(decodeJwtPayload(tokens.access_token).sub) };
  }

  /** Turns the authenticator on (code of the current step) and returns the key. */
  async function enableTotp(m: Member): Promise<string> {
    const got = await call(m.token, 'POST', '/api/two-factor/get-authenticator', { masterPasswordHash: m.account.masterPasswordHash });
    expect(got.status).toBe(200);
    const key = keep(got.body.key as string);
    keep(got.body.userVerificationToken);
    const put = await call(m.token, 'PUT', '/api/two-factor/authenticator', { key, token: totp(key), userVerificationToken: got.body.userVerificationToken });
    expect(put.status).toBe(200);
    return key;
  }

  it('GET /api/two-factor, get-device-verification-settings; nothing on for a new account', async () => {
    const m = await member();
    expect(await call(m.token, 'GET', '/api/two-factor')).toEqual({ status: 200, body: { data: [], object: 'list', continuationToken: null } });
    expect(await call(m.token, 'GET', '/api/two-factor/get-device-verification-settings')).toEqual({
      status: 200, body: { isDeviceVerificationSectionEnabled: false, unknownDeviceVerificationEnabled: false, object: 'deviceVerificationSettings' },
    });
    expect((await call(null, 'GET', '/api/two-factor')).status).toBe(401);
  });

  it('authenticator setup: the password, then a current code; profile and sync say twoFactorEnabled', async () => {
    const m = await member();
    expect((await call(m.token, 'POST', '/api/two-factor/get-authenticator', { masterPasswordHash: 'wrong' })).body.message).toBe('User verification failed.');
    const got = await call(m.token, 'POST', '/api/two-factor/get-authenticator', { masterPasswordHash: m.account.masterPasswordHash });
    const key = keep(got.body.key as string);
    expect(got.body).toEqual({ enabled: false, key, authenticator: { enabled: false, key }, userVerificationToken: expect.any(String), object: 'twoFactorAuthenticator' });
    expect(key).toMatch(/^[A-Z2-7]{32}$/);
    const uvt = keep(got.body.userVerificationToken as string);
    const wrong = totp(key, stepNow() + 7);
    const refused = await call(m.token, 'PUT', '/api/two-factor/authenticator', { key, token: wrong, userVerificationToken: uvt });
    expect(refused).toMatchObject({ status: 400, body: { message: 'Invalid token.', validationErrors: { Token: ['Invalid token.'] } } });
    // Older clients: POST, the secret instead of the token, the code as a number.
    const ok = await call(m.token, 'POST', '/api/two-factor/authenticator', { key, token: Number(totp(key)), masterPasswordHash: m.account.masterPasswordHash });
    expect(ok).toEqual({ status: 200, body: { enabled: true, key, authenticator: { enabled: true, key }, object: 'twoFactorAuthenticator' } });
    expect((await call(m.token, 'GET', '/api/two-factor')).body.data).toEqual([{ enabled: true, type: 0, object: 'twoFactorProvider' }]);
    expect((await call(m.token, 'GET', '/api/accounts/profile')).body.twoFactorEnabled).toBe(true);
    expect((await call(m.token, 'GET', '/api/sync')).body.profile.twoFactorEnabled).toBe(true);
  });

  it('login: the challenge the clients parse, no token without the code, wrong codes and replays refused', async () => {
    const m = await member();
    const key = await enableTotp(m);
    const device = randomUUID();
    const challenge = await login(m.account, device);
    expect(challenge).toEqual({
      status: 400,
      body: {
        error: 'invalid_grant', error_description: 'Two factor required.',
        TwoFactorProviders: ['0'], TwoFactorProviders2: { 0: null }, MasterPasswordPolicy: { Object: 'masterPasswordPolicy' },
      },
    });
    // The challenge is what a wrong password is not: a wrong password still says so.
    expect((await login({ ...m.account, masterPasswordHash: 'wrong' }, device)).body.error_description).toBe('invalid_username_or_password');
    const invalid = { error: 'invalid_grant', error_description: 'Two-step token is invalid. Try again.', ErrorModel: { Message: 'Two-step token is invalid. Try again.', Object: 'error' } };
    expect(await login(m.account, device, { twoFactorProvider: '0', twoFactorToken: totp(key, stepNow() + 9) })).toEqual({ status: 400, body: invalid });
    expect((await login(m.account, device, { twoFactorProvider: '0', twoFactorToken: 'abc' })).status).toBe(400);

    // The setup used the current step: the next one (drift) logs in once.
    const code = totp(key, stepNow() + 1);
    const ok = await login(m.account, device, { twoFactorProvider: '0', twoFactorToken: code });
    expect(ok.status).toBe(200);
    expect(typeof ok.body.access_token).toBe('string');
    expect(ok.body.TwoFactorToken).toBeUndefined();
    // Replay of the same code, and a code of an older step: refused.
    expect(await login(m.account, randomUUID(), { twoFactorProvider: '0', twoFactorToken: code })).toEqual({ status: 400, body: invalid });
    expect(await login(m.account, device, { twoFactorProvider: '0', twoFactorToken: totp(key) })).toEqual({ status: 400, body: invalid });
  });

  it('remember this device: TwoFactorToken works from its device only, and goes when two-step login or the password changes', async () => {
    const m = await member();
    const key = await enableTotp(m);
    const device = randomUUID();
    const first = await login(m.account, device, { twoFactorProvider: '0', twoFactorToken: totp(key, stepNow() + 1), twoFactorRemember: '1' });
    expect(first.status).toBe(200);
    const remember = first.body.TwoFactorToken as string;
    expect(remember).toMatch(/^[\w-]{43}$/);

    const again = await login(m.account, device, { twoFactorProvider: '5', twoFactorToken: remember, twoFactorRemember: '0' });
    expect(again.status).toBe(200);
    expect(again.body.TwoFactorToken).toBeUndefined();
    // From another device: the challenge, not a token.
    const elsewhere = await login(m.account, randomUUID(), { twoFactorProvider: '5', twoFactorToken: remember });
    expect(elsewhere).toMatchObject({ status: 400, body: { error_description: 'Two factor required.', TwoFactorProviders: ['0'] } });
    // Still fine from its own device.
    expect((await login(m.account, device, { twoFactorProvider: '5', twoFactorToken: remember })).status).toBe(200);

    // A two-step change (the authenticator off, and on again with a new key) revokes it.
    expect((await call(m.token, 'PUT', '/api/two-factor/disable', { type: 0, masterPasswordHash: m.account.masterPasswordHash })).body)
      .toEqual({ enabled: false, type: 0, object: 'twoFactorProvider' });
    const key2 = await enableTotp(m);
    expect(key2).not.toBe(key);
    expect((await login(m.account, device, { twoFactorProvider: '5', twoFactorToken: remember })).body.error_description).toBe('Two factor required.');

    // A new remember token; then a password change revokes it.
    const fresh = await login(m.account, device, { twoFactorProvider: '0', twoFactorToken: totp(key2, stepNow() + 1), twoFactorRemember: '1' });
    expect(fresh.status).toBe(200);
    const remember2 = fresh.body.TwoFactorToken as string;
    expect((await login(m.account, device, { twoFactorProvider: '5', twoFactorToken: remember2 })).status).toBe(200);
    const newHash = randomBytes(32).toString('base64');
    const changed = await call(m.token, 'POST', '/api/accounts/password', { masterPasswordHash: m.account.masterPasswordHash, newMasterPasswordHash: newHash, key: m.account.wrappedUserKey });
    expect(changed.status).toBe(200);
    const renamed = { ...m.account, masterPasswordHash: newHash };
    expect((await login(renamed, device, { twoFactorProvider: '5', twoFactorToken: remember2 })).body.error_description).toBe('Two factor required.');
  });

  it('recovery code: get-recover, POST /api/two-factor/recover turns two-step login off and makes a new code; provider 8 at login', async () => {
    const m = await member();
    await enableTotp(m);
    const got = await call(m.token, 'POST', '/api/two-factor/get-recover', { masterPasswordHash: m.account.masterPasswordHash });
    expect(got.body).toEqual({ code: expect.stringMatching(/^[A-Z2-7]{32}$/), object: 'twoFactorRecover' });
    const code = keep(got.body.code as string);
    const refused = await call(null, 'POST', '/api/two-factor/recover', { email: m.account.email, masterPasswordHash: m.account.masterPasswordHash, recoveryCode: 'A'.repeat(32) });
    expect(refused).toMatchObject({ status: 400, body: { message: 'Invalid information. Try again.' } });
    const wrongPassword = await call(null, 'POST', '/api/two-factor/recover', { email: m.account.email, masterPasswordHash: 'x', recoveryCode: code });
    expect(wrongPassword.body.message).toBe('Invalid information. Try again.');
    // The web vault sends it lowercased, without spaces.
    expect((await call(null, 'POST', '/api/two-factor/recover', { email: m.account.email, masterPasswordHash: m.account.masterPasswordHash, recoveryCode: code.toLowerCase() })).status).toBe(200);
    expect((await call(m.token, 'GET', '/api/two-factor')).body.data).toEqual([]);
    expect((await login(m.account, randomUUID())).status).toBe(200);
    const next = keep((await call(m.token, 'POST', '/api/two-factor/get-recover', { masterPasswordHash: m.account.masterPasswordHash })).body.code as string);
    expect(next).not.toBe(code);

    // The recovery code as provider 8 of the login (current clients): logs in and turns two-step login off.
    const other = await member();
    await enableTotp(other);
    const code2 = keep((await call(other.token, 'POST', '/api/two-factor/get-recover', { masterPasswordHash: other.account.masterPasswordHash })).body.code as string);
    expect((await login(other.account, randomUUID(), { twoFactorProvider: '8', twoFactorToken: 'WRONG' })).body.error_description).toBe('Two-step token is invalid. Try again.');
    expect((await login(other.account, randomUUID(), { twoFactorProvider: '8', twoFactorToken: code2 })).status).toBe(200);
    expect((await call(other.token, 'GET', '/api/two-factor')).body.data).toEqual([]);
  });

  it('DELETE /api/two-factor/authenticator with the key and the user verification token of get-authenticator', async () => {
    const m = await member();
    const key = await enableTotp(m);
    const got = await call(m.token, 'POST', '/api/two-factor/get-authenticator', { masterPasswordHash: m.account.masterPasswordHash });
    const uvt = keep(got.body.userVerificationToken as string);
    expect(got.body).toMatchObject({ enabled: true, key });
    const otherKey = 'B'.repeat(32);
    expect((await call(m.token, 'DELETE', '/api/two-factor/authenticator', { key: otherKey, userVerificationToken: uvt })).body.message).toBe('User verification failed.');
    expect(await call(m.token, 'DELETE', '/api/two-factor/authenticator', { key, userVerificationToken: uvt })).toEqual({ status: 200, body: { enabled: false, type: 0, object: 'twoFactorProvider' } });
    expect((await call(m.token, 'GET', '/api/accounts/profile')).body.twoFactorEnabled).toBe(false);
    expect((await login(m.account, randomUUID())).status).toBe(200);
  });

  it('WebAuthn: registration with a software authenticator, the assertion at login, keys listed and deleted', async () => {
    const m = await member();
    const rpId = '127.0.0.1';
    const origin = 'https://127.0.0.1';
    const keyA = new SoftAuthenticator(rpId, origin);
    const keyB = new SoftAuthenticator(rpId, origin);
    const got = await call(m.token, 'POST', '/api/two-factor/get-webauthn', { masterPasswordHash: m.account.masterPasswordHash });
    expect(got.body).toEqual({ enabled: false, keys: [], webAuthn: { enabled: false, keys: [] }, userVerificationToken: expect.any(String), object: 'twoFactorWebAuthn' });
    const uvt = keep(got.body.userVerificationToken as string);

    const register = async (authenticator: SoftAuthenticator, id: number, name: string, originSeen = origin): Promise<{ status: number; body: Json }> => {
      const challenge = await call(m.token, 'POST', '/api/two-factor/get-webauthn-challenge', { userVerificationToken: uvt });
      expect(challenge.status).toBe(200);
      keep(challenge.body.challenge);
      // Older clients read the options at the top level, newer ones under `options`.
      expect(challenge.body).toMatchObject({ status: 'ok', errorMessage: '', rp: { id: rpId }, attestation: 'none', options: { challenge: challenge.body.challenge, rp: { id: rpId } } });
      expect(challenge.body.authenticatorSelection).toMatchObject({ userVerification: 'discouraged' });
      return call(m.token, 'PUT', '/api/two-factor/webauthn', { id, name, deviceResponse: authenticator.registrationBody(challenge.body, originSeen), userVerificationToken: uvt });
    };

    // An attestation made for another origin is refused.
    expect((await register(keyA, 1, 'Key A', 'https://evil.example')).body.message).toBe('WebAuthn credential creation failed.');
    const first = await register(keyA, 1, 'Key A');
    expect(first).toEqual({ status: 200, body: { enabled: true, keys: [{ name: 'Key A', id: 1, migrated: false }], webAuthn: { enabled: true, keys: [{ name: 'Key A', id: 1, migrated: false }] }, object: 'twoFactorWebAuthn' } });
    expect((await call(m.token, 'GET', '/api/two-factor')).body.data).toEqual([{ enabled: true, type: 7, object: 'twoFactorProvider' }]);

    // Login: the challenge carries the request options; the software key signs them.
    const device = randomUUID();
    const challenge = await login(m.account, device);
    expect(challenge.body).toMatchObject({ error_description: 'Two factor required.', TwoFactorProviders: ['7'] });
    const options = challenge.body.TwoFactorProviders2['7'];
    keep(options.challenge);
    expect(options).toMatchObject({ rpId, userVerification: 'discouraged', allowCredentials: [{ id: keyA.id, type: 'public-key' }], status: 'ok' });
    const assertion = keyA.assertionToken(options);
    const ok = await login(m.account, device, { twoFactorProvider: '7', twoFactorToken: assertion });
    expect(ok.status).toBe(200);
    // The challenge answers once.
    expect((await login(m.account, device, { twoFactorProvider: '7', twoFactorToken: assertion })).body.error_description).toBe('Two-step token is invalid. Try again.');
    // Another key's signature on a fresh challenge: refused.
    const second = (await login(m.account, device)).body.TwoFactorProviders2['7'];
    keep(second.challenge);
    expect((await login(m.account, device, { twoFactorProvider: '7', twoFactorToken: keyB.assertionToken(second) })).status).toBe(400);

    // The last key cannot be deleted (turn the provider off instead); with two, one can.
    expect((await call(m.token, 'DELETE', '/api/two-factor/webauthn', { id: 1, userVerificationToken: uvt })).body.message).toBe('Unable to delete WebAuthn credential.');
    expect((await register(keyB, 2, 'Key B')).body.keys).toEqual([{ name: 'Key A', id: 1, migrated: false }, { name: 'Key B', id: 2, migrated: false }]);
    const deleted = await call(m.token, 'DELETE', '/api/two-factor/webauthn', { id: 1, userVerificationToken: uvt });
    expect(deleted.body.keys).toEqual([{ name: 'Key B', id: 2, migrated: false }]);
    const third = (await login(m.account, device)).body.TwoFactorProviders2['7'];
    keep(third.challenge);
    expect((await login(m.account, device, { twoFactorProvider: '7', twoFactorToken: keyB.assertionToken(third) })).status).toBe(200);
    // DELETE webauthn/all: the provider off.
    expect((await call(m.token, 'DELETE', '/api/two-factor/webauthn/all', { userVerificationToken: uvt })).status).toBe(204);
    expect((await login(m.account, device)).status).toBe(200);
  });

  it('email codes: setup by mail, the masked address in the challenge, send-email-login, attempts limited', async () => {
    const m = await member();
    const got = await call(m.token, 'POST', '/api/two-factor/get-email', { masterPasswordHash: m.account.masterPasswordHash });
    expect(got.body).toEqual({ enabled: false, email: null, userVerificationToken: expect.any(String), object: 'twoFactorEmail' });
    const uvt = keep(got.body.userVerificationToken as string);
    expect((await call(m.token, 'POST', '/api/two-factor/send-email', { email: m.account.email, userVerificationToken: uvt })).status).toBe(200);
    const setupMail = await smtp.waitFor('the setup code', () => codeMails(smtp, m.account.email).find((mail) => mail.subject.includes('Setup Code')));
    const setupCode = keep(/^(\d{6})$/m.exec(setupMail.text)?.[1]);
    expect(setupCode).toMatch(/^\d{6}$/);
    expect((await call(m.token, 'PUT', '/api/two-factor/email', { email: m.account.email, token: '000000', userVerificationToken: uvt })).status).toBe(400);
    // Newer clients (Bitwarden-Client-Version 2026.7 and later) read the nested shape.
    const put = await call(m.token, 'PUT', '/api/two-factor/email', { email: m.account.email, token: setupCode, userVerificationToken: uvt }, { 'Bitwarden-Client-Version': '2026.9.0' });
    expect(put).toEqual({ status: 200, body: { enabled: true, email: { enabled: true, email: m.account.email }, object: 'twoFactorEmail' } });

    const device = randomUUID();
    const challenge = await login(m.account, device);
    const local = m.account.email.split('@')[0]!;
    expect(challenge.body).toMatchObject({
      TwoFactorProviders: ['1'], TwoFactorProviders2: { 1: { Email: `${local.slice(0, 2)}${'*'.repeat(local.length - 2)}@example.com` } },
      Email: m.account.email, SsoEmail2faSessionToken: expect.any(String),
    });
    // send-email-login: the password, or the challenge's session token; a wrong password is refused.
    expect((await call(null, 'POST', '/api/two-factor/send-email-login', { email: m.account.email, masterPasswordHash: 'wrong' })).body.message).toBe('Cannot send two-factor email.');
    const before = codeMails(smtp, m.account.email).length;
    expect((await call(null, 'POST', '/api/two-factor/send-email-login', { email: m.account.email, ssoEmail2FaSessionToken: challenge.body.SsoEmail2faSessionToken })).status).toBe(200);
    const loginMail = await smtp.waitFor('the login code', () => codeMails(smtp, m.account.email).length > before && codeMails(smtp, m.account.email).at(-1));
    expect(loginMail.subject).toContain('Two-step Login Verification Code');
    const code = keep(/^(\d{6})$/m.exec(loginMail.text)?.[1]);
    expect((await login(m.account, device, { twoFactorProvider: '1', twoFactorToken: code! })).status).toBe(200);
    // Used once.
    expect((await login(m.account, device, { twoFactorProvider: '1', twoFactorToken: code! })).status).toBe(400);

    // EMAIL_ATTEMPTS_LIMIT (3): three wrong entries void the code.
    const count = codeMails(smtp, m.account.email).length;
    expect((await call(null, 'POST', '/api/two-factor/send-email-login', { email: m.account.email, masterPasswordHash: m.account.masterPasswordHash })).status).toBe(200);
    const voided = keep(/^(\d{6})$/m.exec((await smtp.waitFor('another code', () => codeMails(smtp, m.account.email).length > count && codeMails(smtp, m.account.email).at(-1))).text)?.[1]);
    const wrong = voided === '111111' ? '222222' : '111111';
    for (let i = 0; i < 3; i++) expect((await login(m.account, device, { twoFactorProvider: '1', twoFactorToken: wrong })).status).toBe(400);
    expect((await login(m.account, device, { twoFactorProvider: '1', twoFactorToken: voided! })).status).toBe(400);

    // DELETE email (current clients): off.
    const uvt2 = keep((await call(m.token, 'POST', '/api/two-factor/get-email', { masterPasswordHash: m.account.masterPasswordHash })).body.userVerificationToken as string);
    expect((await call(m.token, 'DELETE', '/api/two-factor/email', { userVerificationToken: uvt2 })).status).toBe(204);
    expect((await login(m.account, device)).status).toBe(200);
  });

  it('emailed OTP (request-otp, verify-otp) proves the user instead of the master password', async () => {
    const m = await member();
    const before = codeMails(smtp, m.account.email).length;
    expect((await call(m.token, 'POST', '/api/accounts/request-otp')).status).toBe(200);
    // At most one every 30 seconds.
    expect((await call(m.token, 'POST', '/api/accounts/request-otp')).body.message).toMatch(/^Please wait \d+ seconds/);
    const mail = await smtp.waitFor('the OTP', () => codeMails(smtp, m.account.email).length > before && codeMails(smtp, m.account.email).at(-1));
    expect(mail.subject).toContain('Verification Code');
    const otp = keep(/^(\d{6})$/m.exec(mail.text)?.[1])!;
    const got = await call(m.token, 'POST', '/api/two-factor/get-authenticator', { otp });
    expect(got.status).toBe(200);
    keep(got.body.key);
    keep(got.body.userVerificationToken);
    expect((await call(m.token, 'POST', '/api/accounts/verify-otp', { otp: otp === '000000' ? '000001' : '000000' })).body.message).toBe('Token is invalid');
    expect((await call(m.token, 'POST', '/api/accounts/verify-otp', { otp })).status).toBe(200);
    // Used up.
    expect((await call(m.token, 'POST', '/api/accounts/verify-otp', { otp })).status).toBe(400);
  });

  it('Duo and YubiKey: a clear 400, not a 404', async () => {
    const m = await member();
    const orgId = randomUUID();
    for (const [method, path] of [
      ['POST', '/api/two-factor/get-duo'], ['PUT', '/api/two-factor/duo'], ['POST', '/api/two-factor/duo'], ['DELETE', '/api/two-factor/duo'],
      ['POST', `/api/organizations/${orgId}/two-factor/get-duo`], ['PUT', `/api/organizations/${orgId}/two-factor/duo`],
    ] as const) {
      expect(await call(m.token, method, path, { masterPasswordHash: m.account.masterPasswordHash })).toMatchObject({ status: 400, body: { message: 'Duo two-step login is not supported on this server.' } });
    }
    for (const [method, path] of [['POST', '/api/two-factor/get-yubikey'], ['PUT', '/api/two-factor/yubikey'], ['POST', '/api/two-factor/yubikey'], ['DELETE', '/api/two-factor/yubikey']] as const) {
      expect(await call(m.token, method, path, {})).toMatchObject({ status: 400, body: { message: 'YubiKey two-step login is not supported on this server.' } });
    }
    expect((await call(m.token, 'GET', `/api/organizations/${orgId}/two-factor`)).body).toEqual({ data: [], object: 'list', continuationToken: null });
  });

  it('the personal API key (client_credentials) is not asked for a second factor', async () => {
    const m = await member();
    await enableTotp(m);
    const key = await call(m.token, 'POST', '/api/accounts/api-key', { masterPasswordHash: m.account.masterPasswordHash });
    keep(key.body.apiKey);
    const res = await grant({ grant_type: 'client_credentials', scope: 'api', client_id: `user.${m.userId}`, client_secret: key.body.apiKey, deviceType: '25', deviceIdentifier: randomUUID(), deviceName: 'linux' });
    expect(res.status).toBe(200);
    expect(typeof res.body.access_token).toBe('string');
  });

  it('a login left at the second factor is reported by mail after INCOMPLETE_2FA_TIME_LIMIT', async () => {
    const m = await member();
    await enableTotp(m);
    const device = randomUUID();
    expect((await login(m.account, device)).status).toBe(400);
    const db = t.app.get<DataSource>(DATA_SOURCE);
    const rows = await db.getRepository(TwoFactorIncompleteEntity).findBy({ userId: m.userId });
    expect(rows.map((r) => [r.deviceIdentifier, r.deviceName, r.deviceType])).toEqual([[device, 'chrome', 9]]);
    // Not yet due: nothing reported.
    expect(await t.app.get(IncompleteTwoFactorJob).runOnce()).toBe(0);
    await db.getRepository(TwoFactorIncompleteEntity).update({ userId: m.userId }, { loginTime: new Date(Date.now() - 10 * 60_000) });
    expect(await t.app.get(IncompleteTwoFactorJob).runOnce()).toBeGreaterThanOrEqual(1);
    const mail = await smtp.waitFor('the incomplete-login mail', () => codeMails(smtp, m.account.email).find((x) => x.subject.includes('Incomplete Two-Step Login')));
    expect(mail.text).toContain('127.0.0.1');
    expect(await db.getRepository(TwoFactorIncompleteEntity).findBy({ userId: m.userId })).toEqual([]);
  });

  it('no TOTP key, code, recovery code, remember token, OTP, user verification token or WebAuthn challenge in any log line', () => {
    const logs = capturedLogs.join('');
    expect(secrets.size).toBeGreaterThan(10);
    // Numeric codes are looked for as whole numbers (timestamps and ids are longer runs of digits).
    const logged = (secret: string): boolean => (/^\d+$/.test(secret) ? new RegExp(`(?<!\\d)${secret}(?!\\d)`).test(logs) : logs.includes(secret));
    for (const secret of secrets) expect(logged(secret) ? secret : null).toBeNull();
  });
});

describe('two-step login: wrong codes count against the login limits', () => {
  it('LOGIN_RATELIMIT_MAX_BURST wrong codes, then even the right one waits (429)', async () => {
    const t = await createTestApp({ LOGIN_RATELIMIT_MAX_BURST: '3', LOGIN_RATELIMIT_SECONDS: '60' });
    try {
      const account = await createPbkdf2User(t.baseUrl, `2fa-rl-${randomUUID()}@example.com`, PASSWORD, 5_000);
      const web = await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() });
      const headers = { Authorization: `Bearer ${web.access_token}`, 'Content-Type': 'application/json' };
      const got = (await (await fetch(`${t.baseUrl}/api/two-factor/get-authenticator`, { method: 'POST', headers, body: JSON.stringify({ masterPasswordHash: account.masterPasswordHash }) })).json()) as Json;
      const key = got.key as string;
      await fetch(`${t.baseUrl}/api/two-factor/authenticator`, { method: 'PUT', headers, body: JSON.stringify({ key, token: totp(key), userVerificationToken: got.userVerificationToken }) });
      const attempt = (code?: string): Promise<Response> => fetch(`${t.baseUrl}/identity/connect/token`, {
        method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'password', scope: 'api offline_access', client_id: 'web', deviceType: '9', deviceIdentifier: 'b0a8f4c2-1d1e-4a55-9d43-5e8a1c0f0001', deviceName: 'chrome',
          username: account.email, password: account.masterPasswordHash, ...(code ? { twoFactorProvider: '0', twoFactorToken: code } : {}),
        }).toString(),
      });
      // The challenge itself is not a failure.
      for (let i = 0; i < 4; i++) expect((await attempt()).status).toBe(400);
      for (let i = 0; i < 3; i++) expect((await attempt(totp(key, stepNow() + 10 + i))).status).toBe(400);
      const limited = await attempt(totp(key, stepNow() + 1));
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    } finally {
      await t.close();
    }
  }, 60_000);
});

describe.each<BwCliVersion>(['2026.6.0', '2026.9.0'])('official CLI %s with two-step login', (version) => {
  let t: TestApp;
  let smtp: TestSmtpServer;

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    t = await createTestApp({ ...smtp.env(), LOGIN_RATELIMIT_MAX_BURST: '1000', INCOMPLETE_2FA_SCHEDULE: '' });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  const api = async (token: string, method: string, path: string, body?: unknown): Promise<Json> => {
    const res = await fetch(`${t.baseUrl}${path}`, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  };

  async function accountWith(provider: 'totp' | 'email'): Promise<{ account: TestAccount; key: string; token: string; userId: string }> {
    const account = await createPbkdf2User(t.baseUrl, `cli-2fa-${randomUUID()}@example.com`, PASSWORD, 5_000);
    const web = await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() });
    const token = web.access_token;
    let key = '';
    if (provider === 'totp') {
      const got = await api(token, 'POST', '/api/two-factor/get-authenticator', { masterPasswordHash: account.masterPasswordHash });
      key = got.key;
      await api(token, 'PUT', '/api/two-factor/authenticator', { key, token: totp(key), userVerificationToken: got.userVerificationToken });
    } else {
      const got = await api(token, 'POST', '/api/two-factor/get-email', { masterPasswordHash: account.masterPasswordHash });
      await api(token, 'POST', '/api/two-factor/send-email', { email: account.email, userVerificationToken: got.userVerificationToken });
      const mail = await smtp.waitFor('the setup code', () => codeMails(smtp, account.email).at(-1));
      await api(token, 'PUT', '/api/two-factor/email', { email: account.email, token: /^(\d{6})$/m.exec(mail.text)?.[1], userVerificationToken: got.userVerificationToken });
    }
    return { account, key, token, userId: String(decodeJwtPayload(token).sub) };
  }

  it('bw login --method 0 --code <totp> logs in; without a code it fails asking for the code; --apikey still logs in', async () => {
    const { account, key, token, userId } = await accountWith('totp');
    const cli = new BwProfile(TLS_CERT, version);
    await cli.run(['config', 'server', t.baseUrl]);
    const without = await cli.run(['login', account.email, PASSWORD]);
    expect(without.code).toBe(1);
    expect(`${without.stdout}\n${without.stderr}`).toMatch(/Code is required/);
    const wrong = await cli.run(['login', account.email, PASSWORD, '--method', '0', '--code', totp(key, stepNow() + 9)]);
    expect(wrong.code).toBe(1);
    expect(`${wrong.stdout}\n${wrong.stderr}`).toMatch(/Two-step token is invalid/);
    const ok = await cli.run(['login', account.email, PASSWORD, '--method', '0', '--code', totp(key, stepNow() + 1), '--raw']);
    expect(ok.code).toBe(0);
    cli.session = ok.stdout;
    expect((await cli.json<{ status: string }>(['status'])).status).toBe('unlocked');

    const apiKey = (await api(token, 'POST', '/api/accounts/api-key', { masterPasswordHash: account.masterPasswordHash })).apiKey as string;
    const apiCli = new BwProfile(TLS_CERT, version);
    expect((await apiCli.loginWithApiKey(t.baseUrl, userId, apiKey)).code).toBe(0);
    expect((await apiCli.json<{ status: string }>(['status'])).status).toBe('locked');
  }, 180_000);

  it('bw login --method 1: the CLI asks for a code by mail; --code with it logs in', async () => {
    const { account } = await accountWith('email');
    const cli = new BwProfile(TLS_CERT, version);
    await cli.run(['config', 'server', t.baseUrl]);
    const before = codeMails(smtp, account.email).length;
    const first = await cli.run(['login', account.email, PASSWORD, '--method', '1']);
    expect(first.code).toBe(1);
    expect(`${first.stdout}\n${first.stderr}`).toMatch(/Code is required/);
    const mail = await smtp.waitFor('the login code', () => codeMails(smtp, account.email).length > before && codeMails(smtp, account.email).at(-1));
    expect(mail.subject).toContain('Two-step Login Verification Code');
    const code = /^(\d{6})$/m.exec(mail.text)?.[1];
    const ok = await cli.run(['login', account.email, PASSWORD, '--method', '1', '--code', code!, '--raw']);
    expect(ok.code).toBe(0);
    cli.session = ok.stdout;
    expect((await cli.json<{ status: string }>(['status'])).status).toBe('unlocked');
  }, 180_000);
});

/** The stored state of two-step login on the server databases: the same flows as on SQLite, in short. */
for (const [kind, variable] of [['PostgreSQL', 'TEST_POSTGRES_URL'], ['MySQL', 'TEST_MYSQL_URL']] as const) {
  describeWithServices([variable], `two-step login on ${kind}`, () => {
    let t: TestApp;
    let database: TestDatabase;

    beforeAll(async () => {
      database = kind === 'PostgreSQL' ? await createPostgresDatabase() : await createMysqlDatabase();
      t = await createTestApp({ DATABASE_URL: database.url, LOGIN_RATELIMIT_MAX_BURST: '1000', INCOMPLETE_2FA_SCHEDULE: '' });
    }, 120_000);
    afterAll(async () => {
      await t?.close();
      await database?.drop();
    });

    it('authenticator with replay refused, remember token bound to its device, WebAuthn, recovery code', async () => {
      const account = await createPbkdf2User(t.baseUrl, `2fa-db-${randomUUID()}@example.com`, PASSWORD, 5_000);
      const token = (await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() })).access_token;
      const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
        const res = await fetch(`${t.baseUrl}${path}`, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
        const text = await res.text();
        return { status: res.status, body: text ? JSON.parse(text) : undefined };
      };
      const login = async (device: string, extra: Record<string, string> = {}): Promise<{ status: number; body: Json }> => {
        const res = await fetch(`${t.baseUrl}/identity/connect/token`, {
          method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'password', scope: 'api offline_access', client_id: 'web', deviceType: '9', deviceIdentifier: device, deviceName: 'chrome', username: account.email, password: account.masterPasswordHash, ...extra }).toString(),
        });
        return { status: res.status, body: await res.json() };
      };

      const got = await call('POST', '/api/two-factor/get-authenticator', { masterPasswordHash: account.masterPasswordHash });
      const key = got.body.key as string;
      expect((await call('PUT', '/api/two-factor/authenticator', { key, token: totp(key), userVerificationToken: got.body.userVerificationToken })).status).toBe(200);
      const device = randomUUID();
      expect((await login(device)).body.TwoFactorProviders).toEqual(['0']);
      const code = totp(key, stepNow() + 1);
      const first = await login(device, { twoFactorProvider: '0', twoFactorToken: code, twoFactorRemember: '1' });
      expect(first.status).toBe(200);
      expect((await login(device, { twoFactorProvider: '0', twoFactorToken: code })).status).toBe(400);
      const remember = first.body.TwoFactorToken as string;
      expect((await login(device, { twoFactorProvider: '5', twoFactorToken: remember })).status).toBe(200);
      expect((await login(randomUUID(), { twoFactorProvider: '5', twoFactorToken: remember })).body.error_description).toBe('Two factor required.');

      const securityKey = new SoftAuthenticator('127.0.0.1', 'https://127.0.0.1');
      const web = await call('POST', '/api/two-factor/get-webauthn', { masterPasswordHash: account.masterPasswordHash });
      const challenge = await call('POST', '/api/two-factor/get-webauthn-challenge', { userVerificationToken: web.body.userVerificationToken });
      const put = await call('PUT', '/api/two-factor/webauthn', { id: 1, name: 'Key', deviceResponse: securityKey.registrationBody(challenge.body), userVerificationToken: web.body.userVerificationToken });
      expect(put.body.keys).toEqual([{ name: 'Key', id: 1, migrated: false }]);
      const options = (await login(device)).body.TwoFactorProviders2['7'];
      expect((await login(device, { twoFactorProvider: '7', twoFactorToken: securityKey.assertionToken(options) })).status).toBe(200);

      const code8 = (await call('POST', '/api/two-factor/get-recover', { masterPasswordHash: account.masterPasswordHash })).body.code as string;
      expect((await login(randomUUID(), { twoFactorProvider: '8', twoFactorToken: code8 })).status).toBe(200);
      expect((await call('GET', '/api/two-factor')).body.data).toEqual([]);
      expect((await call('GET', '/api/accounts/profile')).body.twoFactorEnabled).toBe(false);
    }, 120_000);
  });
}
