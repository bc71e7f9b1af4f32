// Mail (issue 16) and organization invitations with accept tokens (issue 15), against a real SMTP server
// (nodemailer's smtp-server, test/support/smtp-server.ts): the invite mail arrives over STARTTLS with AUTH and
// carries the web vault's accept link; the invited user registers with its token or accepts with it; wrong,
// expired and other people's tokens are refused; an SMTP outage, a 4xx answer and a restart delay mail and lose
// none, and several instances on one database send each mail once; the SMTP password and the tokens never reach a
// log line at info level or above.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { TokenService } from '../../src/common/auth/token.service';
import { loadConfig } from '../../src/config/app-config';
import { MailOutboxEntity } from '../../src/db/entities';
import { DATA_SOURCE } from '../../src/db/unit-of-work';
import { MailSender } from '../../src/mail/mail-sender';
import { MailService } from '../../src/mail/mail.service';
import { capturedLogs, createTestApp, TestApp } from '../support/app';
import { call, Json, organizationRequest as webVaultOrganization, PASSWORD } from '../support/org-harness';
import { createPostgresDatabase, describeWithServices } from '../support/services';
import { ReceivedMail, TestSmtpServer } from '../support/smtp-server';
import {
  createPbkdf2User, decodeJwtPayload, decryptType4, encryptType4, makePbkdf2Account, passwordLogin, TestAccount, WEB_VAULT,
} from '../support/test-crypto';

const SMTP_PASSWORD = `smtp-${randomBytes(12).toString('hex')}`;
/** Every SMTP password any test here configured, and every token any mail carried: none may be logged at info. */
const secrets = new Set<string>([SMTP_PASSWORD]);
const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/** POST /api/organizations as the web vault builds it. */
const organizationRequest = (account: TestAccount, name: string) => webVaultOrganization(account, name, 'Everyone');

/** The accept link of an invitation mail, its base (before `?`) and its query. */
function acceptLink(mail: ReceivedMail): { link: string; base: string; query: URLSearchParams } {
  const link = /(\S+\/#\/accept-organization\?\S+)/.exec(mail.text)?.[1];
  if (!link) throw new Error(`no accept link in: ${mail.text}`);
  const [base, query] = link.split('?') as [string, string];
  secrets.add(new URLSearchParams(query).get('token')!);
  return { link, base, query: new URLSearchParams(query) };
}

/**
 * Registration as the web vault finishes it for an invited address: no email verification token, the invite's
 * token and member id instead (RegisterFinishRequest.orgInviteToken / organizationUserId).
 */
async function registerWithInvite(t: TestApp, account: TestAccount, invite: { token: string; memberId: string }): Promise<{ status: number; body: Json }> {
  const kdf = { kdfType: 0, iterations: account.kdf.iterations };
  return call(t, null, 'POST', '/identity/accounts/register/finish', {
    email: account.email, masterPasswordHash: account.masterPasswordHash, masterPasswordHint: '', userSymmetricKey: account.wrappedUserKey,
    userAsymmetricKeys: { publicKey: account.publicKey, encryptedPrivateKey: account.wrappedPrivateKey },
    masterPasswordAuthentication: { kdf, masterPasswordAuthenticationHash: account.masterPasswordHash, salt: account.email },
    masterPasswordUnlock: { kdf, masterKeyWrappedUserKey: account.wrappedUserKey, salt: account.email },
    orgInviteToken: invite.token, organizationUserId: invite.memberId,
  });
}

const outbox = (t: TestApp) => t.app.get<DataSource>(DATA_SOURCE).getRepository(MailOutboxEntity);

describe('organization invitations by mail (SMTP with STARTTLS and AUTH)', () => {
  let smtp: TestSmtpServer;
  let t: TestApp;
  let owner: TestAccount;
  let ownerToken: string;
  let orgId: string;
  let orgKey: Buffer;

  beforeAll(async () => {
    smtp = await TestSmtpServer.start({ security: 'starttls', auth: { username: 'vault-mailer', password: SMTP_PASSWORD } });
    // Signups closed except for one domain: an invited address registers with its token only.
    t = await createTestApp(smtp.env({ SIGNUPS_ALLOWED: 'false', SIGNUPS_DOMAINS_WHITELIST: 'open.example' }));
    owner = await createPbkdf2User(t.baseUrl, `owner-${randomUUID()}@open.example`, PASSWORD, 5_000);
    ownerToken = (await passwordLogin(t.baseUrl, owner, { ...WEB_VAULT, identifier: randomUUID() })).access_token;
    const request = organizationRequest(owner, 'Household & <Friends>');
    orgKey = request.orgKey;
    orgId = (await call(t, ownerToken, 'POST', '/api/organizations', request.body)).body.id as string;
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  const memberOf = async (email: string): Promise<Json> =>
    ((await call(t, ownerToken, 'GET', `/api/organizations/${orgId}/users`)).body.data as Json[]).find((m) => m.email === email.toLowerCase());

  it('invite: the mail arrives over STARTTLS with AUTH, with the accept link under DOMAIN; the new user registers with its token and accepts', async () => {
    const invitee = makePbkdf2Account(`new-${randomUUID()}@invited.example`, PASSWORD, 5_000);
    const started = Date.now();
    const invited = await call(t, ownerToken, 'POST', `/api/organizations/${orgId}/users/invite`, { emails: [invitee.email], type: 2, collections: [], groups: [], accessSecretsManager: false });
    expect(invited.status).toBe(200);
    const member = await memberOf(invitee.email);
    expect(member).toMatchObject({ status: 0, userId: null, email: invitee.email.toLowerCase() });

    const mail = await smtp.waitFor('the invitation', () => smtp.mailsTo(invitee.email)[0]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(mail).toMatchObject({ secure: true, user: 'vault-mailer', envelopeFrom: 'vault@example.test', envelopeTo: [invitee.email.toLowerCase()], subject: 'Join Household & <Friends>' });
    expect(mail.headers.get('from')).toBe('Vaultwave <vault@example.test>');
    expect(mail.messageId).toMatch(/^<[0-9a-f-]{36}@127\.0\.0\.1>$/);
    const { link, base, query } = acceptLink(mail);
    // The link follows DOMAIN (https://127.0.0.1 here, whatever port the test server listens on).
    expect(base).toBe(`${t.config.publicUrl}/#/accept-organization`);
    expect([...query.keys()]).toEqual(['organizationId', 'organizationUserId', 'email', 'organizationName', 'token', 'initOrganization', 'orgUserHasExistingUser']);
    expect(Object.fromEntries(query)).toMatchObject({
      organizationId: orgId, organizationUserId: member.id, email: invitee.email.toLowerCase(), organizationName: 'Household & <Friends>',
      initOrganization: 'False', orgUserHasExistingUser: 'False',
    });
    expect(mail.html).toContain(link.replace(/&/g, '&amp;'));
    expect(mail.html).toContain('<strong>Household &amp; &lt;Friends&gt;</strong>');
    const token = query.get('token')!;
    expect(decodeJwtPayload(token)).toMatchObject({ org_id: orgId, member_id: member.id, email: invitee.email.toLowerCase(), purpose: 'org-invite' });

    // Signups are closed for this domain: only the invitation opens the registration, and only a genuine one.
    const forged = await registerWithInvite(t, invitee, { token: `${token.slice(0, -4)}AAAA`, memberId: member.id });
    expect(forged).toMatchObject({ status: 400, body: { message: 'Organization invite token is invalid.' } });
    expect((await registerWithInvite(t, invitee, { token, memberId: randomUUID() })).status).toBe(400);
    expect((await registerWithInvite(t, invitee, { token, memberId: member.id })).status).toBe(200);

    const login = await passwordLogin(t.baseUrl, invitee, { ...WEB_VAULT, identifier: randomUUID() });
    expect(decodeJwtPayload(login.access_token)).toMatchObject({ email_verified: true });
    const userId = String(decodeJwtPayload(login.access_token).sub);
    expect(await memberOf(invitee.email)).toMatchObject({ id: member.id, status: 1, userId });
    // The web vault then posts the accept with the same token: the invitation is already this account's, 200.
    expect((await call(t, login.access_token, 'POST', `/api/organizations/${orgId}/users/${member.id}/accept`, { token })).status).toBe(200);

    const confirmed = await call(t, ownerToken, 'POST', `/api/organizations/${orgId}/users/${member.id}/confirm`, { key: encryptType4(orgKey, invitee.publicKey) });
    expect(confirmed.status).toBe(200);
    const [entry] = (await call(t, login.access_token, 'GET', '/api/sync')).body.profile.organizations as Json[];
    expect(entry).toMatchObject({ id: orgId, status: 2, organizationUserId: member.id });
    expect(decryptType4(entry.key, invitee.secrets.privateKeyDer).equals(orgKey)).toBe(true);
  }, 60_000);

  it('an existing account is invited too (not joined at once) and accepts with its token; wrong, expired, other-invitation and other-account tokens get 400', async () => {
    const bob = await createPbkdf2User(t.baseUrl, `bob-${randomUUID()}@open.example`, PASSWORD, 5_000);
    const dave = await createPbkdf2User(t.baseUrl, `dave-${randomUUID()}@open.example`, PASSWORD, 5_000);
    const bobToken = (await passwordLogin(t.baseUrl, bob, { ...WEB_VAULT, identifier: randomUUID() })).access_token;
    const daveToken = (await passwordLogin(t.baseUrl, dave, { ...WEB_VAULT, identifier: randomUUID() })).access_token;
    expect((await call(t, ownerToken, 'POST', `/api/organizations/${orgId}/users/invite`, { emails: [bob.email, dave.email], type: 2 })).status).toBe(200);
    const bobMember = await memberOf(bob.email);
    const daveMember = await memberOf(dave.email);
    expect(bobMember).toMatchObject({ status: 0, userId: null });
    // Their logins sent new-device mails first: the invitation is the mail whose subject is "Join …".
    const bobMail = acceptLink(await smtp.waitFor('bob\'s invitation', () => smtp.mailsTo(bob.email).find((m) => m.subject.startsWith('Join'))));
    const daveMail = acceptLink(await smtp.waitFor('dave\'s invitation', () => smtp.mailsTo(dave.email).find((m) => m.subject.startsWith('Join'))));
    expect(bobMail.query.get('orgUserHasExistingUser')).toBe('True');
    const token = bobMail.query.get('token')!;
    const accept = (as: string, memberId: string, body: unknown) => call(t, as, 'POST', `/api/organizations/${orgId}/users/${memberId}/accept`, body);

    const expired = t.app.get(TokenService).signPurposeToken('org-invite', bob.email, { org_id: orgId, member_id: bobMember.id, email: bob.email }, -60);
    const refusals: Array<[string, Promise<{ status: number; body: Json }>, string]> = [
      ['garbage', accept(bobToken, bobMember.id, { token: 'not-a-token' }), 'Invalid token.'],
      ['expired', accept(bobToken, bobMember.id, { token: expired }), 'Invalid token.'],
      ['dave\'s token on bob\'s invitation', accept(bobToken, bobMember.id, { token: daveMail.query.get('token') }), 'Invalid token.'],
      ['bob\'s token used by dave', accept(daveToken, bobMember.id, { token }), 'User email does not match invite.'],
      ['a member id that does not exist', accept(bobToken, randomUUID(), { token }), 'User invalid.'],
    ];
    for (const [what, response, message] of refusals) {
      const { status, body } = await response;
      expect({ what, status, message: body?.message }).toEqual({ what, status: 400, message });
    }
    expect((await accept(bobToken, bobMember.id, {})).status).toBe(400);
    expect(await memberOf(bob.email)).toMatchObject({ status: 0, userId: null });

    expect((await accept(bobToken, bobMember.id, { token })).status).toBe(200);
    // The row now names the account (its email is the user's), no longer the invited address.
    const bobRow = ((await call(t, ownerToken, 'GET', `/api/organizations/${orgId}/users`)).body.data as Json[]).find((m) => m.id === bobMember.id);
    expect(bobRow).toMatchObject({ status: 1, userId: String(decodeJwtPayload(bobToken).sub), email: bob.email.toLowerCase() });
    // Dave still holds his own invitation.
    expect((await accept(daveToken, daveMember.id, { token: daveMail.query.get('token') })).status).toBe(200);
  }, 60_000);

  it('reinvite sends a fresh link to an invitation; an accepted member is refused', async () => {
    const email = `later-${randomUUID()}@invited.example`;
    await call(t, ownerToken, 'POST', `/api/organizations/${orgId}/users/invite`, { emails: [email], type: 2 });
    const member = await memberOf(email);
    const first = acceptLink(await smtp.waitFor('the first invitation', () => smtp.mailsTo(email)[0]));
    expect((await call(t, ownerToken, 'POST', `/api/organizations/${orgId}/users/${member.id}/reinvite`)).status).toBe(200);
    const bulk = await call(t, ownerToken, 'POST', `/api/organizations/${orgId}/users/reinvite`, { ids: [member.id] });
    expect(bulk.body.data).toEqual([{ object: 'OrganizationBulkConfirmResponseModel', id: member.id, error: '' }]);
    const mails = await smtp.waitFor('two more invitations', () => (smtp.mailsTo(email).length === 3 ? smtp.mailsTo(email) : null));
    const second = acceptLink(mails[1]!);
    expect(second.query.get('organizationUserId')).toBe(member.id);
    expect(new Set(mails.map((m) => m.messageId)).size).toBe(3);

    const accepted = ((await call(t, ownerToken, 'GET', `/api/organizations/${orgId}/users`)).body.data as Json[]).find((m) => m.type === 2 && (m.status === 1 || m.status === 2))!;
    const refused = await call(t, ownerToken, 'POST', `/api/organizations/${orgId}/users/${accepted.id}/reinvite`);
    expect(refused).toMatchObject({ status: 400, body: { message: 'User invalid.' } });
    expect(first.query.get('token')).not.toBe('');
  }, 30_000);
});

describe('an SMTP outage, a restart and 4xx/5xx answers delay mail and lose none', () => {
  let smtp: TestSmtpServer;
  let folder: string;
  let t: TestApp;
  let ownerToken: string;
  let orgId: string;

  const start = async (): Promise<TestApp> => createTestApp(smtp.env({ DATA_FOLDER: folder }));
  const invite = async (emails: string[]): Promise<void> => {
    const res = await call(t, ownerToken, 'POST', `/api/organizations/${orgId}/users/invite`, { emails, type: 2 });
    expect(res.status).toBe(200);
  };
  const attemptsOf = async (email: string): Promise<number> => (await outbox(t).find()).filter((r) => r.recipients.includes(email)).reduce((n, r) => n + r.attempts, 0);
  const waitForAttempts = async (email: string, count: number): Promise<void> => {
    const deadline = Date.now() + 15_000;
    while ((await attemptsOf(email)) < count) {
      if (Date.now() > deadline) throw new Error(`no ${count} delivery attempts to ${email}`);
      await sleep(50);
    }
  };

  beforeAll(async () => {
    smtp = await TestSmtpServer.start({ security: 'off' });
    folder = mkdtempSync(join(tmpdir(), 'vault-mail-outage-'));
    t = await start();
    const owner = await createPbkdf2User(t.baseUrl, `outage-owner-${randomUUID()}@example.com`, PASSWORD, 5_000);
    ownerToken = (await passwordLogin(t.baseUrl, owner, { ...WEB_VAULT, identifier: randomUUID() })).access_token;
    orgId = (await call(t, ownerToken, 'POST', '/api/organizations', organizationRequest(owner, 'Outage').body)).body.id as string;
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  afterEach(async () => {
    smtp.refuse(null);
    await smtp.resume();
  });

  it('SMTP down during the invite: the request does not wait, retries follow, and each mail arrives once when the server is back', async () => {
    await smtp.stop();
    const emails = [0, 1, 2].map((i) => `outage-${i}-${randomUUID()}@example.com`);
    const started = Date.now();
    await invite(emails);
    expect(Date.now() - started).toBeLessThan(5_000);
    for (const email of emails) await waitForAttempts(email, 2);
    // The three invitations (a new-device mail of the owner's login may be pending too).
    expect(await outbox(t).countBy({ status: 'pending', template: 'org-invite' })).toBe(3);
    expect(capturedLogs.some((l) => l.includes('"msg":"mail.retrying"') && l.includes('ECONNREFUSED') && l.includes('"hint":"the SMTP server could not be reached'))).toBe(true);

    await smtp.resume();
    await smtp.waitFor('the three invitations', () => emails.every((e) => smtp.mailsTo(e).length > 0));
    await sleep(1_500);
    for (const email of emails) expect(smtp.mailsTo(email)).toHaveLength(1);
    expect(await t.app.get(MailService).counts()).toMatchObject({ pending: 0 });
    expect(await outbox(t).countBy({ status: 'sent', template: 'org-invite' })).toBe(3);
    for (const email of emails) acceptLink(smtp.mailsTo(email)[0]!);
  }, 40_000);

  it('a restart while SMTP is down loses nothing: the next run sends the pending mail, once', async () => {
    await smtp.stop();
    const email = `restart-${randomUUID()}@example.com`;
    await invite([email]);
    await waitForAttempts(email, 1);
    const [row] = (await outbox(t).find()).filter((r) => r.recipients.includes(email));
    await t.close();

    await smtp.resume();
    t = await start();
    const mail = await smtp.waitFor('the mail queued before the restart', () => smtp.mailsTo(email)[0]);
    expect(mail.messageId).toBe(row!.messageId);
    acceptLink(mail);
    await sleep(1_000);
    expect(smtp.mailsTo(email)).toHaveLength(1);
    expect((await outbox(t).findOneByOrFail({ id: row!.id })).status).toBe('sent');
  }, 40_000);

  it('a 4xx answer is retried until the server takes the mail; a 5xx refusal of the recipient ends it as failed, without retries', async () => {
    smtp.refuse({ command: 'RCPT', code: 451, message: '4.3.0 Try again later', times: 2 });
    const soft = `soft-${randomUUID()}@example.com`;
    await invite([soft]);
    await smtp.waitFor('the mail after two 451 answers', () => smtp.mailsTo(soft)[0]);
    // The server has the mail; the worker records it as sent right after the server's answer.
    const deadline = Date.now() + 5_000;
    while ((await outbox(t).find()).find((r) => r.recipients.includes(soft))?.status !== 'sent' && Date.now() < deadline) await sleep(25);
    expect((await outbox(t).find()).find((r) => r.recipients.includes(soft))).toMatchObject({ status: 'sent', attempts: 3 });
    expect(capturedLogs.some((l) => l.includes('"msg":"mail.retrying"') && l.includes('"responseCode":451'))).toBe(true);

    smtp.refuse({ command: 'RCPT', code: 550, message: '5.1.1 No such user' });
    const hard = `hard-${randomUUID()}@example.com`;
    await invite([hard]);
    const failedBy = Date.now() + 10_000;
    let row: MailOutboxEntity | undefined;
    while (!(row = (await outbox(t).find()).find((r) => r.recipients.includes(hard) && r.status === 'failed'))) {
      if (Date.now() > failedBy) throw new Error('the refused mail did not end as failed');
      await sleep(50);
    }
    expect(row).toMatchObject({ attempts: 1, lastError: expect.stringContaining('550') });
    const connections = smtp.connections;
    await sleep(1_500);
    expect(smtp.connections).toBe(connections);
    expect(capturedLogs.some((l) => l.includes('"msg":"mail.failed"') && l.includes('"level":50'))).toBe(true);
  }, 40_000);
});

describeWithServices(['TEST_POSTGRES_URL'], 'two instances sharing a PostgreSQL database send each mail once', () => {
  let smtp: TestSmtpServer;
  let db: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let folder: string;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    smtp = await TestSmtpServer.start({ security: 'starttls' });
    db = await createPostgresDatabase();
    folder = mkdtempSync(join(tmpdir(), 'vault-mail-pg-'));
    a = await createTestApp(smtp.env({ DATABASE_URL: db.url, DATA_FOLDER: folder }));
    b = await createTestApp(smtp.env({ DATABASE_URL: db.url, DATA_FOLDER: folder }));
  }, 60_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await smtp?.close();
    await db?.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('queued while SMTP is down, both workers race for the rows when it is back: every mail arrives exactly once', async () => {
    const owner = await createPbkdf2User(a.baseUrl, `pg-owner-${randomUUID()}@example.com`, PASSWORD, 5_000);
    const token = (await passwordLogin(a.baseUrl, owner, { ...WEB_VAULT, identifier: randomUUID() })).access_token;
    const orgId = (await call(a, token, 'POST', '/api/organizations', organizationRequest(owner, 'Shared').body)).body.id as string;
    await smtp.stop();
    const emails = Array.from({ length: 16 }, (_, i) => `pg-${i}-${randomUUID()}@example.com`);
    expect((await call(a, token, 'POST', `/api/organizations/${orgId}/users/invite`, { emails, type: 2 })).status).toBe(200);
    // Both instances have tried (and failed) before the server comes back, so both hold retries.
    await sleep(1_200);
    await smtp.resume();
    await smtp.waitFor('all sixteen invitations', () => emails.every((e) => smtp.mailsTo(e).length > 0), 30_000);
    await sleep(2_000);
    for (const email of emails) expect(smtp.mailsTo(email)).toHaveLength(1);
    expect(await a.app.get(MailService).counts()).toMatchObject({ pending: 0 });
    expect(await outbox(a).countBy({ status: 'sent', template: 'org-invite' })).toBe(16);
    for (const email of emails) acceptLink(smtp.mailsTo(email)[0]!);
  }, 60_000);
});

describe('SMTP transport settings against a real server', () => {
  const servers: TestSmtpServer[] = [];
  const folder = mkdtempSync(join(tmpdir(), 'vault-mail-transport-'));
  afterAll(async () => {
    for (const server of servers) await server.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const server = async (options: Parameters<typeof TestSmtpServer.start>[0]): Promise<TestSmtpServer> => {
    const started = await TestSmtpServer.start(options);
    servers.push(started);
    return started;
  };
  const send = async (env: Record<string, string>) => {
    const sender = new MailSender(loadConfig({ DATA_FOLDER: folder, ...env }).config);
    try {
      return await sender.send({ to: ['someone@example.test'], subject: 'Hello', text: 'plain', html: '<p>html</p>', messageId: `<${randomUUID()}@example.test>` });
    } finally {
      sender.onModuleDestroy();
    }
  };

  it('force_tls speaks TLS from the first byte; starttls refuses a server that offers no STARTTLS instead of sending in clear', async () => {
    const implicit = await server({ security: 'force_tls' });
    expect(await send(implicit.env())).toMatchObject({ kind: 'sent', accepted: 1 });
    expect(implicit.received[0]).toMatchObject({ secure: true, subject: 'Hello', text: 'plain', html: '<p>html</p>' });

    const plain = await server({ security: 'off' });
    const refused = await send(plain.env({ SMTP_SECURITY: 'starttls' }));
    expect(refused).toMatchObject({ kind: 'failed', failure: { kind: 'transient' } });
    expect(plain.received).toHaveLength(0);
    expect(await send(plain.env())).toMatchObject({ kind: 'sent' });
    expect(plain.received[0]!.secure).toBe(false);
  }, 30_000);

  it('a wrong password is a login failure (retried, with a hint) whose message does not hold the password; the mechanism follows SMTP_AUTH_MECHANISM', async () => {
    const wrong = `wrong-${randomBytes(8).toString('hex')}`;
    secrets.add(wrong);
    const authenticated = await server({ security: 'starttls', auth: { username: 'mailer', password: SMTP_PASSWORD } });
    const outcome = await send(authenticated.env({ SMTP_PASSWORD: wrong }));
    expect(outcome).toMatchObject({ kind: 'failed', failure: { kind: 'transient', code: 'EAUTH', responseCode: 535 } });
    expect(JSON.stringify(outcome)).not.toContain(wrong);
    expect(await send(authenticated.env({ SMTP_AUTH_MECHANISM: 'Login' }))).toMatchObject({ kind: 'sent' });
    expect(authenticated.authAttempts).toEqual([{ username: 'mailer', ok: false }, { username: 'mailer', ok: true }]);
    expect(authenticated.received[0]).toMatchObject({ secure: true, user: 'mailer' });
  }, 30_000);

  it('an untrusted certificate is refused unless SMTP_ACCEPT_INVALID_CERTS; a certificate for another host unless SMTP_ACCEPT_INVALID_HOSTNAMES', async () => {
    const untrusted = await server({ security: 'starttls', certificate: 'tls-ca' });
    expect(await send(untrusted.env())).toMatchObject({ kind: 'failed', failure: { kind: 'transient' } });
    expect(await send(untrusted.env({ SMTP_ACCEPT_INVALID_CERTS: 'true' }))).toMatchObject({ kind: 'sent' });

    // The trusted test certificate names 127.0.0.1 and localhost, not 127.0.0.2.
    const elsewhere = await server({ security: 'force_tls', host: '127.0.0.2' });
    const mismatch = await send(elsewhere.env());
    expect(mismatch).toMatchObject({ kind: 'failed', failure: { kind: 'transient' } });
    expect(JSON.stringify(mismatch)).toMatch(/altnames|IP: 127\.0\.0\.2/i);
    expect(await send(elsewhere.env({ SMTP_ACCEPT_INVALID_HOSTNAMES: 'true' }))).toMatchObject({ kind: 'sent' });
    expect(elsewhere.received).toHaveLength(1);
  }, 30_000);
});

describe('logs', () => {
  it('no SMTP password and no invitation token in any log line at info or above; mail logs name the template and count recipients', () => {
    const lines = capturedLogs.flatMap((chunk) => chunk.split('\n')).filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown> & { level: number; msg: string });
    expect(secrets.size).toBeGreaterThan(3);
    const visible = lines.filter((line) => line.level >= 30);
    for (const line of visible) {
      const text = JSON.stringify(line);
      for (const secret of secrets) expect(text.includes(secret)).toBe(false);
      expect(text).not.toContain('accept-organization');
    }
    const sent = visible.filter((line) => line.msg === 'mail.sent');
    expect(sent.length).toBeGreaterThan(5);
    for (const line of sent) {
      // Invitations, acceptance notices, and the new-device mail of each device's first login.
      expect(line).toMatchObject({ level: 30, template: expect.stringMatching(/^(org-invite|org-user-accepted|new-device-login)$/), recipients: 1 });
      expect(JSON.stringify(line)).not.toContain('@');
    }
    // The SMTP password is not even at debug level.
    for (const line of lines) expect(JSON.stringify(line).includes(SMTP_PASSWORD)).toBe(false);
  });
});
