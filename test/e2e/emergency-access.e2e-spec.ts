// Emergency access over HTTP with real client crypto: a grantor A names a trusted contact B (invitation mailed
// through a real SMTP server, accepted with its token, confirmed with A's user key wrapped to B's public key), B asks
// for access, the timeout job approves it once the wait time has passed (the server's clock moved), B views A's
// items and takes the account over (new master password; A's devices are logged out). Then the refusals, and
// EMERGENCY_ACCESS_ALLOWED=false.
import { randomBytes, randomUUID } from 'node:crypto';
import { AccountsService } from '../../src/accounts/accounts.service';
import { EmergencyAccessJobs } from '../../src/emergency-access/emergency-access.jobs';
import { capturedLogs, createTestApp, TestApp } from '../support/app';
import { fetchLink, sha256, uploadAttachment } from '../support/attachments';
import { HubClient } from '../support/hub-client';
import { addMembers, call, connectHub, createOrganization, Json, newPerson, PASSWORD, Person } from '../support/org-harness';
import { ReceivedMail, TestSmtpServer } from '../support/smtp-server';
import {
  createLoginItem, createPbkdf2User, decodeJwtPayload, decryptType2Text, makePbkdf2Account, registerAccount, decryptType4, encryptType2, encryptType4, HttpError, masterPasswordHash, passwordLogin, pbkdf2MasterKey,
  stretchMasterKey, TestAccount, unwrapUserKey, WEB_VAULT,
} from '../support/test-crypto';
import { withClockShifted } from '../support/clock';

const DAY = 24 * 3600_000;
const NOT_VALID = 'Emergency access not valid.';
const TAKEOVER = 1;
const VIEW = 0;
const LOG_OUT = 11;


/** The accept-emergency link of an invitation mail, and its query. */
function acceptLink(mail: ReceivedMail): { link: string; query: URLSearchParams } {
  const link = /https:\/\/\S+\/#\/accept-emergency\?\S+/.exec(mail.text)?.[0];
  if (!link) throw new Error(`no accept-emergency link in: ${mail.text}`);
  return { link, query: new URLSearchParams(link.split('?')[1]) };
}

jest.setTimeout(60_000);

const login = (t: TestApp, account: TestAccount) => passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() });

/**
 * A invites B with the web vault's request; with mail B accepts with the mailed token (without mail B's account
 * accepts at once); A confirms with its user key wrapped to B's public key (as the web vault: from /users/{id}/public-key).
 */
async function confirmedGrant(t: TestApp, smtp: TestSmtpServer | null, a: Person, b: Person, type: number, waitTimeDays: number): Promise<string> {
  expect(await call(t, a.token, 'POST', '/api/emergency-access/invite', { email: b.account.email, type, waitTimeDays })).toMatchObject({ status: 200 });
  const [row] = ((await call(t, a.token, 'GET', '/api/emergency-access/trusted')).body.data as Json[]).filter((g) => g.email === b.account.email);
  const id = row.id as string;
  if (smtp) {
    const mail = await smtp.waitFor('the invitation', () => smtp.mailsTo(b.account.email).find((m) => m.subject.startsWith('Emergency access contact invited') && m.text.includes(id)));
    const accepted = await call(t, b.token, 'POST', `/api/emergency-access/${id}/accept`, { token: acceptLink(mail).query.get('token') });
    expect([accepted.status, accepted.body?.message]).toEqual([200, undefined]);
  } else {
    expect(row).toMatchObject({ status: 1, granteeId: b.userId });
  }
  const publicKey = (await call(t, a.token, 'GET', `/api/users/${b.userId}/public-key`)).body.publicKey as string;
  const confirmed = await call(t, a.token, 'POST', `/api/emergency-access/${id}/confirm`, { key: encryptType4(a.account.secrets.userKey, publicKey) });
  expect(confirmed).toMatchObject({ status: 200, body: { id, status: 2, type, waitTimeDays, object: 'emergencyAccess' } });
  return id;
}

describe('emergency access (mail on)', () => {
  let smtp: TestSmtpServer;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await TestSmtpServer.start({ security: 'off' });
    // The jobs are run by the tests (on the server's clock), never by their timers.
    t = await createTestApp(smtp.env({ EMERGENCY_REQUEST_TIMEOUT_SCHEDULE: '', EMERGENCY_NOTIFICATION_REMINDER_SCHEDULE: '' }));
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  const mailTo = (p: Person, subject: string): Promise<ReceivedMail> =>
    smtp.waitFor(`"${subject}" to ${p.account.email}`, () => smtp.mailsTo(p.account.email).find((m) => m.subject.startsWith(subject)));

  const grant = (a: Person, b: Person, type: number, waitTimeDays: number): Promise<string> => confirmedGrant(t, smtp, a, b, type, waitTimeDays);

  it('invite by mail, accept with its token, confirm, initiate, approval after the wait time, takeover with a new master password', async () => {
    const [a, b] = [await newPerson(t, 'grantor'), await newPerson(t, 'grantee')];
    const item = await createLoginItem(t.baseUrl, a.token, a.account, { name: 'Bank', username: 'ann', password: 'hunter2', uri: 'https://bank.example' });

    // Invitation: the mail carries the web vault's accept link (id, name, email, token).
    expect(await call(t, a.token, 'POST', '/api/emergency-access/invite', { email: b.account.email, type: TAKEOVER, waitTimeDays: 1 })).toMatchObject({ status: 200 });
    const invitation = await mailTo(b, 'Emergency access contact invited');
    const { link, query } = acceptLink(invitation);
    expect(link.startsWith(`${t.config.publicUrl}/#/accept-emergency?`)).toBe(true);
    expect([...query.keys()]).toEqual(['id', 'name', 'email', 'token']);
    expect(query.get('email')).toBe(b.account.email);
    const id = query.get('id')!;
    const [invited] = (await call(t, a.token, 'GET', '/api/emergency-access/trusted')).body.data as Json[];
    expect(invited).toMatchObject({ id, status: 0, type: TAKEOVER, waitTimeDays: 1, email: b.account.email, object: 'emergencyAccessGranteeDetails' });
    // The grantee does not see it as theirs until accepted.
    expect((await call(t, b.token, 'GET', '/api/emergency-access/granted')).body.data).toEqual([]);

    // A token is bound to the invited address and to this grant.
    const stranger = await newPerson(t, 'stranger');
    expect((await call(t, stranger.token, 'POST', `/api/emergency-access/${id}/accept`, { token: query.get('token') })).body.message).toBe('Claim email does not match current users email');
    expect((await call(t, b.token, 'POST', `/api/emergency-access/${id}/accept`, { token: 'not.a.token' })).body.message).toBe('Invalid claim');
    expect((await call(t, b.token, 'POST', `/api/emergency-access/${id}/accept`, { token: query.get('token') })).status).toBe(200);
    expect((await mailTo(a, 'Accepted Emergency Access')).text).toContain(b.account.email);
    expect((await call(t, b.token, 'POST', `/api/emergency-access/${id}/accept`, { token: query.get('token') })).body.message).toBe(NOT_VALID);
    // The token travels in the mail only: never in a log line.
    expect(capturedLogs.some((line) => line.includes(query.get('token')!))).toBe(false);

    // Confirm: A's user key, wrapped to B's public key as the web vault does.
    const [accepted] = (await call(t, a.token, 'GET', '/api/emergency-access/trusted')).body.data as Json[];
    expect(accepted).toMatchObject({ id, status: 1, granteeId: b.userId });
    const publicKey = (await call(t, a.token, 'GET', `/api/users/${accepted.granteeId}/public-key`)).body.publicKey as string;
    expect((await call(t, a.token, 'POST', `/api/emergency-access/${id}/confirm`, { key: encryptType4(a.account.secrets.userKey, publicKey) })).status).toBe(200);
    await mailTo(b, 'You Have Been Confirmed');
    expect((await call(t, b.token, 'GET', '/api/emergency-access/granted')).body.data).toEqual([
      expect.objectContaining({ id, status: 2, grantorId: a.userId, email: a.account.email, object: 'emergencyAccessGrantorDetails' }),
    ]);

    // B asks; nothing is open before approval.
    expect((await call(t, b.token, 'POST', `/api/emergency-access/${id}/initiate`)).body).toMatchObject({ id, status: 3 });
    expect((await mailTo(a, 'Emergency Access Initiated')).text).toContain('take over your vault');
    expect((await call(t, b.token, 'POST', `/api/emergency-access/${id}/takeover`)).body.message).toBe(NOT_VALID);
    const jobs = t.app.get(EmergencyAccessJobs);
    expect(await withClockShifted(t, DAY - 60_000, () => jobs.approveTimedOut())).toBe(0);
    expect((await call(t, b.token, 'POST', `/api/emergency-access/${id}/takeover`)).status).toBe(400);

    // The wait time passes: the job approves it and tells both.
    // (The mails are due at the job's time: the clock stays ahead until they are out.)
    await withClockShifted(t, DAY + 60_000, async () => {
      expect(await jobs.approveTimedOut()).toBe(1);
      await mailTo(a, 'Emergency Access Granted');
      await mailTo(b, 'Emergency Access Approved');
    });
    expect((await call(t, b.token, 'GET', '/api/emergency-access/granted')).body.data[0]).toMatchObject({ id, status: 4 });
    expect((await call(t, b.token, 'POST', `/api/emergency-access/${id}/view`)).body.message).toBe(NOT_VALID);

    // Takeover: B opens A's user key with its private key and wraps it under a new master key of A's KDF.
    const takeover = await call(t, b.token, 'POST', `/api/emergency-access/${id}/takeover`);
    expect(takeover.body).toMatchObject({ kdf: 0, kdfIterations: a.account.kdf.iterations, kdfMemory: null, kdfParallelism: null, object: 'emergencyAccessTakeover' });
    const userKey = decryptType4(takeover.body.keyEncrypted as string, b.account.secrets.privateKeyDer);
    expect(userKey.equals(a.account.secrets.userKey)).toBe(true);
    expect(await call(t, b.token, 'GET', `/api/emergency-access/${id}/policies`)).toMatchObject({ status: 200, body: { object: 'list', data: [] } });

    const hub: HubClient = await connectHub(t, a.account);
    try {
      const newPassword = 'a brand new master password';
      const newMasterKey = pbkdf2MasterKey(newPassword, a.account.email, a.account.kdf.iterations);
      const password = await call(t, b.token, 'POST', `/api/emergency-access/${id}/password`, {
        newMasterPasswordHash: masterPasswordHash(newMasterKey, newPassword), key: encryptType2(userKey, stretchMasterKey(newMasterKey)),
      });
      expect(password.status).toBe(200);
      // A's devices are logged out (LogOut, 11), and A's old session is over.
      await hub.waitFor((n) => n.Type === LOG_OUT);
      expect((await call(t, a.token, 'GET', '/api/sync')).status).toBe(401);

      // The old password no longer logs in; the new one does, and A's items still open with the same user key.
      const failed = await login(t, a.account).then(() => null, (e: unknown) => e);
      expect(failed).toBeInstanceOf(HttpError);
      expect((failed as HttpError).status).toBe(400);
      const renewed: TestAccount = { ...a.account, password: newPassword, masterPasswordHash: masterPasswordHash(newMasterKey, newPassword) };
      const session = await login(t, renewed);
      expect(unwrapUserKey((session.Key ?? session.key)!, newMasterKey).equals(a.account.secrets.userKey)).toBe(true);
      const sync = await call(t, session.access_token, 'GET', '/api/sync');
      const mine = (sync.body.ciphers as Json[]).find((c) => c.id === item.id);
      expect(decryptType2Text(mine.name as string, a.account.secrets.userKey)).toBe('Bank');
    } finally {
      await hub.connection.stop();
    }
  });

  it('an address without an account: the invitation is mailed (and again on reinvite); after registering, its token accepts', async () => {
    const a = await newPerson(t, 'grantor');
    const invitee = makePbkdf2Account(`newcomer-${randomUUID()}@example.com`, PASSWORD, 5_000);
    expect((await call(t, a.token, 'POST', '/api/emergency-access/invite', { email: invitee.email, type: VIEW, waitTimeDays: 2 })).status).toBe(200);
    const [pending] = (await call(t, a.token, 'GET', '/api/emergency-access/trusted')).body.data as Json[];
    expect(pending).toMatchObject({ status: 0, granteeId: null, name: null, email: invitee.email });
    expect((await call(t, a.token, 'POST', `/api/emergency-access/${pending.id}/reinvite`)).status).toBe(200);
    const mails = await smtp.waitFor('two invitations', () => {
      const found = smtp.mailsTo(invitee.email).filter((m) => m.subject.startsWith('Emergency access contact invited'));
      return found.length >= 2 ? found : null;
    });
    const { query } = acceptLink(mails[1]!);
    expect(query.get('id')).toBe(pending.id);

    await registerAccount(t.baseUrl, invitee, { shape: 'legacy-register' });
    const token = (await login(t, invitee)).access_token;
    // Registering linked the invitation to the account; it is accepted with the token only (mail is on).
    expect((await call(t, a.token, 'GET', `/api/emergency-access/${pending.id}`)).body).toMatchObject({ status: 0, email: invitee.email });
    expect((await call(t, token, 'POST', `/api/emergency-access/${pending.id}/accept`, { token: query.get('token') })).status).toBe(200);
    expect((await call(t, token, 'GET', '/api/emergency-access/granted')).body.data).toEqual([expect.objectContaining({ id: pending.id, status: 1, grantorId: a.userId })]);
  });

  it('an invited account that is deleted takes the invitation with it', async () => {
    const [a, b] = [await newPerson(t, 'grantor'), await newPerson(t, 'leaver')];
    expect((await call(t, a.token, 'POST', '/api/emergency-access/invite', { email: b.account.email, type: TAKEOVER, waitTimeDays: 1 })).status).toBe(200);
    expect((await call(t, a.token, 'GET', '/api/emergency-access/trusted')).body.data).toEqual([expect.objectContaining({ status: 0, granteeId: b.userId })]);
    expect((await call(t, b.token, 'DELETE', '/api/accounts', { masterPasswordHash: b.account.masterPasswordHash })).status).toBe(200);
    expect((await call(t, a.token, 'GET', '/api/emergency-access/trusted')).body.data).toEqual([]);
  });

  it('refuses the wrong user on every route (400 "Emergency access not valid."), oneself, duplicates; either side deletes', async () => {
    const [a, b, c] = [await newPerson(t, 'grantor'), await newPerson(t, 'grantee'), await newPerson(t, 'stranger')];
    expect((await call(t, a.token, 'POST', '/api/emergency-access/invite', { email: a.account.email, type: 0, waitTimeDays: 1 })).body.message)
      .toBe('You can not set yourself as an emergency contact.');
    expect((await call(t, a.token, 'POST', '/api/emergency-access/invite', { email: b.account.email, type: 7, waitTimeDays: 1 })).body.message).toBe('Invalid emergency access type.');
    const id = await grant(a, b, TAKEOVER, 1);
    expect((await call(t, a.token, 'POST', '/api/emergency-access/invite', { email: b.account.email, type: 0, waitTimeDays: 1 })).body.message)
      .toBe(`Grantee user already invited: ${b.account.email}`);

    const routes: Array<[string, string, unknown?]> = [
      ['GET', ''], ['PUT', '', { type: 0, waitTimeDays: 2 }], ['POST', '', { type: 0, waitTimeDays: 2 }], ['DELETE', ''], ['POST', '/delete'],
      ['POST', '/reinvite'], ['POST', '/accept', { token: 'x' }], ['POST', '/confirm', { key: 'k' }], ['POST', '/initiate'], ['POST', '/approve'],
      ['POST', '/reject'], ['POST', '/view'], ['POST', '/takeover'], ['POST', '/password', { newMasterPasswordHash: 'h', key: 'k' }], ['GET', '/policies'],
    ];
    for (const [method, suffix, body] of routes) {
      const answer = await call(t, c.token, method, `/api/emergency-access/${id}${suffix}`, body);
      expect([method, suffix, answer.status]).toEqual([method, suffix, 400]);
      expect(answer.body.message).toMatch(/^(Emergency access not valid\.|Invalid claim)$/);
    }
    // The grantee cannot act as the grantor, nor the grantor as the grantee.
    for (const suffix of ['/confirm', '/approve', '/reject', '/reinvite']) expect((await call(t, b.token, 'POST', `/api/emergency-access/${id}${suffix}`, { key: 'k' })).status).toBe(400);
    for (const suffix of ['/initiate', '/view', '/takeover']) expect((await call(t, a.token, 'POST', `/api/emergency-access/${id}${suffix}`)).status).toBe(400);
    expect((await call(t, a.token, 'GET', `/api/emergency-access/${randomUUID()}`)).body.message).toBe(NOT_VALID);

    // The grantor edits type and wait time.
    expect((await call(t, a.token, 'PUT', `/api/emergency-access/${id}`, { type: 'View', waitTimeDays: 3 })).body).toMatchObject({ id, type: 0, waitTimeDays: 3 });
    expect((await call(t, a.token, 'GET', `/api/emergency-access/${id}`)).body).toMatchObject({ id, type: 0, waitTimeDays: 3, granteeId: b.userId, object: 'emergencyAccessGranteeDetails' });

    // Either side deletes.
    expect((await call(t, b.token, 'DELETE', `/api/emergency-access/${id}`)).status).toBe(200);
    expect((await call(t, a.token, 'GET', '/api/emergency-access/trusted')).body.data).toEqual([]);
    const again = await grant(a, b, VIEW, 1);
    expect((await call(t, a.token, 'POST', `/api/emergency-access/${again}/delete`)).status).toBe(200);
    expect((await call(t, b.token, 'GET', '/api/emergency-access/granted')).body.data).toEqual([]);
  });
});

describe('emergency access (mail off)', () => {
  let t: TestApp;
  const grant = (a: Person, b: Person, type: number, waitTimeDays: number): Promise<string> => confirmedGrant(t, null, a, b, type, waitTimeDays);

  beforeAll(async () => {
    // Attachment links name DOMAIN: it must reach this server.
    t = await createTestApp({ EMERGENCY_REQUEST_TIMEOUT_SCHEDULE: '', EMERGENCY_NOTIFICATION_REMINDER_SCHEDULE: '' }, { reachableDomain: true });
  }, 60_000);
  afterAll(() => t?.close());

  it('a View grant approved by the grantor: the grantee reads the grantor\'s own items (not organization items) with the unwrapped key', async () => {
    const [a, b, other] = [await newPerson(t, 'grantor'), await newPerson(t, 'viewer'), await newPerson(t, 'org-owner')];
    const item = await createLoginItem(t.baseUrl, a.token, a.account, { name: 'Mail account', username: 'ann', password: 'pw', uri: 'https://mail.example' });
    // An attachment on A's item (v2: announce, then upload the encrypted bytes).
    const bytes = randomBytes(2048);
    const announced = await call(t, a.token, 'POST', `/api/ciphers/${item.id}/attachment/v2`, {
      key: encryptType2(randomBytes(64), a.account.secrets.userKey), fileName: encryptType2('scan.pdf', a.account.secrets.userKey), fileSize: bytes.length,
      adminRequest: false, lastKnownRevisionDate: item.revisionDate,
    });
    expect(announced.status).toBe(200);
    expect((await uploadAttachment(t, a.token, item.id as string, announced.body.attachmentId as string, bytes, 'scan.pdf')).status).toBe(200);
    // An organization item A can see, in a collection of another person's organization.
    const org = await createOrganization(t, other, 'Other Org');
    await addMembers(t, other, org, [a], { collections: [{ id: org.collectionId, readOnly: false, hidePasswords: false, manage: false }] });
    const shared = await call(t, other.token, 'POST', '/api/ciphers/create', {
      cipher: { type: 2, name: encryptType2('Shared note', org.key), secureNote: { type: 0 }, organizationId: org.id, reprompt: 0 }, collectionIds: [org.collectionId],
    });
    expect(shared.status).toBe(200);
    expect(((await call(t, a.token, 'GET', '/api/sync')).body.ciphers as Json[]).map((c) => c.id)).toContain(shared.body.id);
    const id = await grant(a, b, VIEW, 7);
    expect((await call(t, b.token, 'POST', `/api/emergency-access/${id}/initiate`)).status).toBe(200);
    expect((await call(t, b.token, 'POST', `/api/emergency-access/${id}/view`)).body.message).toBe(NOT_VALID);
    expect((await call(t, a.token, 'POST', `/api/emergency-access/${id}/approve`)).body).toMatchObject({ id, status: 4 });
    
    const view = await call(t, b.token, 'POST', `/api/emergency-access/${id}/view`);
    expect(view.status).toBe(200);
    expect(view.body.object).toBe('emergencyAccessView');
    const userKey = decryptType4(view.body.keyEncrypted as string, b.account.secrets.privateKeyDer);
    const ciphers = view.body.ciphers as Json[];
    expect(ciphers.map((c) => decryptType2Text(c.name as string, userKey))).toEqual(['Mail account']);
    expect(decryptType2Text(ciphers[0].login.password as string, userKey)).toBe('pw');
    // The attachment's download link works for the grantee as for the owner.
    const [attachment] = ciphers[0].attachments as Json[];
    expect(await fetchLink(attachment.url as string)).toEqual({ status: 200, sha: sha256(bytes) });
    // A View grant does not take over; the grantor can take it back.
    expect((await call(t, b.token, 'POST', `/api/emergency-access/${id}/takeover`)).body.message).toBe(NOT_VALID);
    expect((await call(t, b.token, 'POST', `/api/emergency-access/${id}/password`, { newMasterPasswordHash: 'x', key: 'y' })).body.message).toBe(NOT_VALID);
    expect((await call(t, a.token, 'POST', `/api/emergency-access/${id}/reject`)).body).toMatchObject({ status: 2 });
    expect((await call(t, b.token, 'POST', `/api/emergency-access/${id}/view`)).body.message).toBe(NOT_VALID);
  });

  it('GET {id}/{cipherId}/attachment/{attachmentId}: the approved View grantee gets a download link to the grantor\'s own attachment, nobody else', async () => {
    const [a, b, c, stranger, other] = [await newPerson(t, 'grantor'), await newPerson(t, 'viewer'), await newPerson(t, 'heir'), await newPerson(t, 'stranger'), await newPerson(t, 'org-owner')];
    const attach = async (token: string, cipher: Json, key: Buffer, bytes: Buffer): Promise<string> => {
      const announced = await call(t, token, 'POST', `/api/ciphers/${cipher.id}/attachment/v2`, {
        key: encryptType2(randomBytes(64), key), fileName: encryptType2('scan.pdf', key), fileSize: bytes.length, adminRequest: false, lastKnownRevisionDate: cipher.revisionDate,
      });
      expect(announced.status).toBe(200);
      expect((await uploadAttachment(t, token, cipher.id as string, announced.body.attachmentId as string, bytes, 'scan.pdf')).status).toBe(200);
      return announced.body.attachmentId as string;
    };
    const item = await createLoginItem(t.baseUrl, a.token, a.account, { name: 'Bank', username: 'ann', password: 'pw', uri: 'https://bank.example' });
    const bytes = randomBytes(3000);
    const attachmentId = await attach(a.token, item, a.account.secrets.userKey, bytes);
    // An organization item A sees, with an attachment; and an item of a stranger, with one.
    const org = await createOrganization(t, other, 'Other Org');
    await addMembers(t, other, org, [a], { collections: [{ id: org.collectionId, readOnly: false, hidePasswords: false, manage: false }] });
    const shared = await call(t, other.token, 'POST', '/api/ciphers/create', {
      cipher: { type: 2, name: encryptType2('Shared note', org.key), secureNote: { type: 0 }, organizationId: org.id, reprompt: 0 }, collectionIds: [org.collectionId],
    });
    expect(shared.status).toBe(200);
    const sharedAttachment = await attach(other.token, shared.body as Json, org.key, randomBytes(100));
    const foreign = await createLoginItem(t.baseUrl, stranger.token, stranger.account, { name: 'Foreign', username: 's', password: 'p', uri: 'https://s.example' });
    const foreignAttachment = await attach(stranger.token, foreign, stranger.account.secrets.userKey, randomBytes(100));

    const id = await grant(a, b, VIEW, 7);
    const path = (grantId: string, cipherId: string, attId: string): string => `/api/emergency-access/${grantId}/${cipherId}/attachment/${attId}`;
    // Confirmed, then asked, but not approved: refused as the other grant routes.
    expect(await call(t, b.token, 'GET', path(id, item.id as string, attachmentId))).toMatchObject({ status: 400, body: { message: NOT_VALID } });
    expect((await call(t, b.token, 'POST', `/api/emergency-access/${id}/initiate`)).status).toBe(200);
    expect(await call(t, b.token, 'GET', path(id, item.id as string, attachmentId))).toMatchObject({ status: 400, body: { message: NOT_VALID } });
    expect((await call(t, a.token, 'POST', `/api/emergency-access/${id}/approve`)).status).toBe(200);

    const got = await call(t, b.token, 'GET', path(id, item.id as string, attachmentId));
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ object: 'attachment', id: attachmentId, size: String(bytes.length), url: expect.stringContaining(`/attachments/${item.id}/${attachmentId}?token=`) });
    expect(decryptType2Text(got.body.fileName as string, a.account.secrets.userKey)).toBe('scan.pdf');
    expect(await fetchLink(got.body.url as string)).toEqual({ status: 200, sha: sha256(bytes) });

    // Another user with the grant's id, the grantor itself: 400. An organization item, someone else's item, an unknown attachment: 404.
    for (const who of [stranger, a]) expect(await call(t, who.token, 'GET', path(id, item.id as string, attachmentId))).toMatchObject({ status: 400, body: { message: NOT_VALID } });
    expect((await call(t, b.token, 'GET', path(id, shared.body.id as string, sharedAttachment))).status).toBe(404);
    expect((await call(t, b.token, 'GET', path(id, foreign.id as string, foreignAttachment))).status).toBe(404);
    expect((await call(t, b.token, 'GET', path(id, item.id as string, 'nosuchattachment'))).status).toBe(404);
    expect((await call(t, b.token, 'GET', path(id, randomUUID(), attachmentId))).status).toBe(404);
    expect((await call(t, b.token, 'GET', path('not-a-uuid', item.id as string, attachmentId))).status).toBe(400);

    // An approved Takeover grant does not serve attachments.
    const takeoverId = await grant(a, c, TAKEOVER, 1);
    expect((await call(t, c.token, 'POST', `/api/emergency-access/${takeoverId}/initiate`)).status).toBe(200);
    expect((await call(t, a.token, 'POST', `/api/emergency-access/${takeoverId}/approve`)).status).toBe(200);
    expect(await call(t, c.token, 'GET', path(takeoverId, item.id as string, attachmentId))).toMatchObject({ status: 400, body: { message: NOT_VALID } });

    // Rejected, the View grant serves nothing any more.
    expect((await call(t, a.token, 'POST', `/api/emergency-access/${id}/reject`)).status).toBe(200);
    expect(await call(t, b.token, 'GET', path(id, item.id as string, attachmentId))).toMatchObject({ status: 400, body: { message: NOT_VALID } });
  });

  it('a takeover removes the grantor from organizations it does not own, keeps its ownerships, and answers those policies', async () => {
    const [a, b, other] = [await newPerson(t, 'grantor'), await newPerson(t, 'heir'), await newPerson(t, 'org-owner')];
    const foreign = await createOrganization(t, other, 'Foreign Org');
    await addMembers(t, other, foreign, [a]);
    const own = await createOrganization(t, a, 'Own Org');
    const rule = { minComplexity: null, minLength: 14, requireUpper: true, requireLower: false, requireNumbers: false, requireSpecial: false, enforceOnLogin: false };
    expect((await call(t, a.token, 'PUT', `/api/organizations/${own.id}/policies/1`, { policy: { type: 1, enabled: true, data: rule }, metadata: {} })).status).toBe(200);
    const id = await grant(a, b, TAKEOVER, 2);
    expect((await call(t, b.token, 'POST', `/api/emergency-access/${id}/initiate`)).status).toBe(200);
    expect((await call(t, a.token, 'POST', `/api/emergency-access/${id}/approve`)).status).toBe(200);
    // A owns an organization: its policies are what the new password must meet (official GetPoliciesAsync).
    const policies = await call(t, b.token, 'GET', `/api/emergency-access/${id}/policies`);
    expect(policies.status).toBe(200);
    expect(policies.body.data).toEqual([expect.objectContaining({ organizationId: own.id, type: 1, enabled: true, data: expect.objectContaining({ minLength: 14 }), object: 'policy' })]);

    const newMasterKey = pbkdf2MasterKey('another new password', a.account.email, a.account.kdf.iterations);
    const userKey = decryptType4((await call(t, b.token, 'POST', `/api/emergency-access/${id}/takeover`)).body.keyEncrypted as string, b.account.secrets.privateKeyDer);
    expect((await call(t, b.token, 'POST', `/api/emergency-access/${id}/password`, {
      newMasterPasswordHash: masterPasswordHash(newMasterKey, 'another new password'), key: encryptType2(userKey, stretchMasterKey(newMasterKey)),
    })).status).toBe(200);
    const foreignMembers = (await call(t, other.token, 'GET', `/api/organizations/${foreign.id}/users`)).body.data as Json[];
    expect(foreignMembers.map((m) => m.email)).not.toContain(a.account.email);
    const session = await login(t, { ...a.account, masterPasswordHash: masterPasswordHash(newMasterKey, 'another new password') });
    const ownMembers = (await call(t, session.access_token, 'GET', `/api/organizations/${own.id}/users`)).body.data as Json[];
    expect(ownMembers.map((m) => m.email)).toContain(a.account.email);
  });

});

/**
 * Registration as the web vault finishes it for an address invited as an emergency contact (the accept-emergency
 * link, signed out): no email verification token, the invitation's token and grant id instead
 * (RegisterFinishRequest.acceptEmergencyAccessInviteToken / acceptEmergencyAccessId).
 */
function registerWithEmergencyInvite(t: TestApp, account: TestAccount, invite: { token: string; id: string }): Promise<{ status: number; body: Json }> {
  const kdf = { kdfType: 0, iterations: account.kdf.iterations };
  return call(t, null, 'POST', '/identity/accounts/register/finish', {
    email: account.email, masterPasswordHash: account.masterPasswordHash, masterPasswordHint: '', userSymmetricKey: account.wrappedUserKey,
    userAsymmetricKeys: { publicKey: account.publicKey, encryptedPrivateKey: account.wrappedPrivateKey },
    masterPasswordAuthentication: { kdf, masterPasswordAuthenticationHash: account.masterPasswordHash, salt: account.email },
    masterPasswordUnlock: { kdf, masterKeyWrappedUserKey: account.wrappedUserKey, salt: account.email },
    acceptEmergencyAccessInviteToken: invite.token, acceptEmergencyAccessId: invite.id,
  });
}

describe('emergency access: registering with the invitation (mail on, SIGNUPS_ALLOWED=false)', () => {
  let smtp: TestSmtpServer;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await TestSmtpServer.start({ security: 'off' });
    t = await createTestApp(smtp.env({ SIGNUPS_ALLOWED: 'false', EMERGENCY_REQUEST_TIMEOUT_SCHEDULE: '', EMERGENCY_NOTIFICATION_REMINDER_SCHEDULE: '' }));
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  /** Signups are closed: the grantor gets in through an admin invitation. */
  async function grantor(): Promise<Person> {
    const email = `grantor-${randomUUID()}@example.com`;
    await t.app.get(AccountsService).inviteByAdmin(email);
    const account = await createPbkdf2User(t.baseUrl, email, PASSWORD, 5_000);
    const token = (await login(t, account)).access_token;
    return { account, token, userId: String(decodeJwtPayload(token).sub) };
  }

  it('the invited address registers with the mailed token (verified), and the invitation is accepted at once; forged tokens and other addresses are refused', async () => {
    const a = await grantor();
    const invitee = makePbkdf2Account(`contact-${randomUUID()}@example.com`, PASSWORD, 5_000);
    // Signups are closed to this address.
    expect((await call(t, null, 'POST', '/identity/accounts/register/send-verification-email', { email: invitee.email, name: 'x', receiveMarketingEmails: false })).status).toBe(400);
    expect((await call(t, a.token, 'POST', '/api/emergency-access/invite', { email: invitee.email, type: VIEW, waitTimeDays: 3 })).status).toBe(200);
    const [pending] = (await call(t, a.token, 'GET', '/api/emergency-access/trusted')).body.data as Json[];
    expect(pending).toMatchObject({ status: 0, granteeId: null, email: invitee.email });
    const mail = await smtp.waitFor('the invitation', () => smtp.mailsTo(invitee.email).find((m) => m.subject.startsWith('Emergency access contact invited')));
    const { query } = acceptLink(mail);
    const token = query.get('token')!;
    expect(query.get('id')).toBe(pending.id);

    // Refused (400, nothing registered): a forged token, the token for another address or another grant, one field alone.
    // One character of the signature changed.
    const forged = `${token.slice(0, -10)}${token.slice(-10, -9) === 'A' ? 'B' : 'A'}${token.slice(-9)}`;
    const other = makePbkdf2Account(`other-${randomUUID()}@example.com`, PASSWORD, 5_000);
    for (const [account, invite] of [
      [invitee, { token: forged, id: pending.id as string }],
      [invitee, { token: 'not.a.token', id: pending.id as string }],
      [other, { token, id: pending.id as string }],
      [invitee, { token, id: randomUUID() }],
    ] as const) {
      expect(await registerWithEmergencyInvite(t, account, invite)).toMatchObject({ status: 400, body: { message: 'Invalid accept emergency access invite token.' } });
    }
    const alone = await call(t, null, 'POST', '/identity/accounts/register', {
      email: invitee.email, masterPasswordHash: invitee.masterPasswordHash, key: invitee.wrappedUserKey, kdf: 0, kdfIterations: 5_000,
      keys: { publicKey: invitee.publicKey, encryptedPrivateKey: invitee.wrappedPrivateKey }, acceptEmergencyAccessInviteToken: token,
    });
    expect(alone.status).toBe(400);
    expect((await login(t, invitee).then(() => null, (e: unknown) => e))).toBeInstanceOf(HttpError);
    expect((await login(t, other).then(() => null, (e: unknown) => e))).toBeInstanceOf(HttpError);

    // The real token registers the invited address: verified, the grant accepted, the grantor told.
    expect(await registerWithEmergencyInvite(t, invitee, { token, id: pending.id as string })).toMatchObject({ status: 200 });
    const session = await login(t, invitee);
    const b = session.access_token;
    expect((await call(t, b, 'GET', '/api/accounts/profile')).body).toMatchObject({ email: invitee.email, emailVerified: true });
    const userId = (await call(t, b, 'GET', '/api/accounts/profile')).body.id as string;
    expect((await call(t, a.token, 'GET', `/api/emergency-access/${pending.id}`)).body).toMatchObject({ status: 1, granteeId: userId });
    expect((await call(t, b, 'GET', '/api/emergency-access/granted')).body.data).toEqual([expect.objectContaining({ id: pending.id, status: 1, grantorId: a.userId })]);
    await smtp.waitFor('the accepted mail', () => smtp.mailsTo(a.account.email).find((m) => m.subject.startsWith('Accepted Emergency Access')));
    // The token does not register twice, nor accept again.
    expect((await registerWithEmergencyInvite(t, invitee, { token, id: pending.id as string })).status).toBe(400);
    expect((await call(t, b, 'POST', `/api/emergency-access/${pending.id}/accept`, { token })).status).toBe(400);
    // The grantor confirms the new contact as any other.
    const confirmed = await call(t, a.token, 'POST', `/api/emergency-access/${pending.id}/confirm`, { key: encryptType4(a.account.secrets.userKey, invitee.publicKey) });
    expect(confirmed).toMatchObject({ status: 200, body: { status: 2 } });
  });

  it('a deleted invitation no longer opens registration', async () => {
    const a = await grantor();
    const invitee = makePbkdf2Account(`revoked-${randomUUID()}@example.com`, PASSWORD, 5_000);
    expect((await call(t, a.token, 'POST', '/api/emergency-access/invite', { email: invitee.email, type: TAKEOVER, waitTimeDays: 1 })).status).toBe(200);
    const mail = await smtp.waitFor('the invitation', () => smtp.mailsTo(invitee.email).find((m) => m.subject.startsWith('Emergency access contact invited')));
    const { query } = acceptLink(mail);
    expect((await call(t, a.token, 'DELETE', `/api/emergency-access/${query.get('id')}`)).status).toBe(200);
    expect((await registerWithEmergencyInvite(t, invitee, { token: query.get('token')!, id: query.get('id')! })).status).toBe(400);
  });
});

describe('emergency access: EMERGENCY_ACCESS_ALLOWED=false', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ EMERGENCY_ACCESS_ALLOWED: 'false' });
  }, 60_000);
  afterAll(() => t?.close());

  it('answers 400 "Emergency access is not enabled." and empty lists', async () => {
    const [a, b] = [await newPerson(t, 'grantor'), await newPerson(t, 'grantee')];
    const invite = await call(t, a.token, 'POST', '/api/emergency-access/invite', { email: b.account.email, type: 0, waitTimeDays: 1 });
    expect(invite).toMatchObject({ status: 400, body: { message: 'Emergency access is not enabled.' } });
    for (const [method, suffix] of [['GET', ''], ['POST', '/initiate'], ['DELETE', ''], ['POST', '/view']] as const) {
      expect((await call(t, b.token, method, `/api/emergency-access/${randomUUID()}${suffix}`)).body.message).toBe('Emergency access is not enabled.');
    }
    for (const list of ['trusted', 'granted']) {
      expect(await call(t, a.token, 'GET', `/api/emergency-access/${list}`)).toMatchObject({ status: 200, body: { object: 'list', data: [], continuationToken: null } });
    }
  });
});
