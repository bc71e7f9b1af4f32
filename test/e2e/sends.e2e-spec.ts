// Sends over HTTP as the clients call them (docs/sends-plan.md): the owner's routes and the 12/13/14 they send to
// the owner's other devices (the official SignalR client), the date rules, the send_access grant and the routes its
// token opens, the per-address password budget, file Sends on disk, the purge, the Send policies and the legacy
// anonymous routes.
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnitOfWork } from '../../src/db/unit-of-work';
import { SendPurgeJob } from '../../src/sends/send-purge.job';
import { createTestApp, TestApp } from '../support/app';
import { fetchLink, multipartForm, postMultipart, sha256 } from '../support/attachments';
import { HubClient, HubNotification } from '../support/hub-client';
import { addMembers, call, connectHub, createOrganization, Json, JsonResponse, newPerson, nothingReaches, Person } from '../support/org-harness';
import { decodeJwtPayload, encryptType2 } from '../support/test-crypto';
import { withClockShifted } from '../support/clock';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const KIB = 1024;
const MIB = 1024 * KIB;
const NOT_FOUND = 'Resource not found.';
const POLICY_MESSAGE = 'Due to an Enterprise policy, you are only able to delete an existing Send.';
/** §3.3: every key of `send`, nothing else. */
const SEND_KEYS = [
  'accessCount', 'accessId', 'authType', 'deletionDate', 'disabled', 'emails', 'expirationDate', 'file', 'hideEmail', 'id', 'key',
  'maxAccessCount', 'name', 'notes', 'object', 'password', 'revisionDate', 'text', 'type',
];

const inFuture = (ms: number): string => new Date(Date.now() + ms).toISOString();
/** What a client sends as the password of a Send: a base64 PBKDF2 of it (the server never sees the password). */
const clientPasswordHash = (): string => randomBytes(32).toString('base64');

const enc = (p: Person, plain: string): string => encryptType2(plain, p.account.secrets.userKey);

/** The body of POST /api/sends for a text Send, as the clients build it. */
function textSend(p: Person, text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 0, name: enc(p, 'a note'), notes: null, key: encryptType2(randomBytes(16), p.account.secrets.userKey),
    text: { text: enc(p, text), hidden: false }, deletionDate: inFuture(7 * DAY), expirationDate: null, maxAccessCount: null,
    disabled: false, hideEmail: false, password: null, authType: 2, ...extra,
  };
}

/** The body of POST /api/sends/file/v2. */
function fileSend(p: Person, fileLength: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 1, name: enc(p, 'a file'), notes: null, key: encryptType2(randomBytes(16), p.account.secrets.userKey),
    file: { fileName: enc(p, 'report.pdf') }, fileLength, text: null, deletionDate: inFuture(7 * DAY), expirationDate: null, maxAccessCount: null,
    disabled: false, hideEmail: false, password: null, authType: 2, ...extra,
  };
}

async function createText(t: TestApp, p: Person, text: string, extra: Record<string, unknown> = {}): Promise<Json> {
  const res = await call(t, p.token, 'POST', '/api/sends', textSend(p, text, extra));
  expect(res.status).toBe(200);
  return res.body;
}

/** The edit body the clients send for an existing Send (its own fields back, with changes). */
const editBody = (send: Json, changes: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: send.type, name: send.name, notes: send.notes, key: send.key, text: send.text, file: send.file, deletionDate: send.deletionDate,
  expirationDate: send.expirationDate, maxAccessCount: send.maxAccessCount, disabled: send.disabled, hideEmail: send.hideEmail,
  password: null, authType: send.authType, ...changes,
});

function expectError(res: JsonResponse, status: number, message: string): void {
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ object: 'error', message });
}

/** POST /identity/connect/token with the send_access grant as the SDK sends it; `ip` via X-Real-IP (trusted from 127.0.0.1). */
async function grant(t: TestApp, fields: Record<string, string | undefined>, ip?: string): Promise<JsonResponse & { retryAfter: string | null }> {
  const form: Record<string, string> = {};
  for (const [k, v] of Object.entries({ client_id: 'send', grant_type: 'send_access', scope: 'api.send.access', ...fields })) if (v !== undefined) form[k] = v;
  const res = await fetch(`${t.baseUrl}/identity/connect/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8', Accept: 'application/json', ...(ip ? { 'X-Real-IP': ip } : {}) },
    body: new URLSearchParams(form).toString(),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, retryAfter: res.headers.get('retry-after') };
}

/** A send-access token for `accessId` (asserting the grant answers 200). */
async function sendToken(t: TestApp, accessId: string, passwordHash?: string): Promise<string> {
  const res = await grant(t, { send_id: accessId, password_hash_b64: passwordHash });
  expect(res).toMatchObject({ status: 200 });
  return res.body.access_token as string;
}

/** POST with a bearer token and no body at all (the CLI sends none to /api/sends/access). */
async function postBare(t: TestApp, token: string | null, path: string): Promise<JsonResponse> {
  const res = await fetch(`${t.baseUrl}${path}`, { method: 'POST', headers: token ? { Authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const grantError = (error: string, type: string, description: string): Json => ({ error, error_description: description, send_access_error_type: type });
const SEND_ID_INVALID = grantError('invalid_grant', 'send_id_invalid', 'send_id_invalid');

/** A hub message of `type` about `sendId`. */
const aboutSend = (sendId: string, type: number) => (n: HubNotification): boolean => n.Type === type && String(n.Payload.Id).toLowerCase() === sendId;

/** Waits for `type` about the Send and checks its payload (RevisionDate = `revisionDate`) and ContextId. */
async function expectPush(hub: HubClient, owner: Person, sendId: string, type: number, revisionDate: string, contextId: string | null): Promise<void> {
  const n = await hub.waitFor(aboutSend(sendId, type));
  expect(n.ContextId).toBe(contextId);
  expect(String(n.Payload.UserId).toLowerCase()).toBe(owner.userId);
  expect((n.Payload.RevisionDate as Date).toISOString()).toBe(revisionDate);
}

/** Every entry under SENDS_FOLDER: `<sendId>/<fileId>` and `.tmp/<name>`. */
function sendFilesOnDisk(t: TestApp): string[] {
  const root = t.config.sends.folder;
  if (!existsSync(root)) return [];
  const out: string[] = [];
  for (const dir of readdirSync(root)) for (const file of readdirSync(join(root, dir))) out.push(`${dir}/${file}`);
  return out;
}

const upload = (t: TestApp, p: Person, sendId: string, fileId: string, bytes: Buffer, fileName: string): Promise<JsonResponse> =>
  postMultipart(t, p.token, `/api/sends/${sendId}/file/${fileId}`, multipartForm([['data', new Blob([bytes], { type: 'application/octet-stream' })]], fileName));


describe('sends: owner routes, grant and access, files, purge, policies, legacy routes', () => {
  let t: TestApp;
  let alice: Person;
  let aliceDevice: string;
  let aliceHub: HubClient;
  let mallory: Person;
  let malloryHub: HubClient;

  beforeAll(async () => {
    t = await createTestApp({}, { reachableDomain: true });
    alice = await newPerson(t, 'alice');
    mallory = await newPerson(t, 'mallory');
    aliceDevice = String(decodeJwtPayload(alice.token).device);
    aliceHub = await connectHub(t, alice.account);
    malloryHub = await connectHub(t, mallory.account);
  }, 60_000);
  afterAll(async () => {
    await aliceHub?.stop();
    await malloryHub?.stop();
    await t?.close();
  });

  it('create (12), edit (13), remove-password (13), delete (14) reach the owner\'s other device with the acting device as ContextId; another user gets 404 and nothing', async () => {
    expect(aliceDevice).toMatch(/^[0-9a-f-]{36}$/);
    const body = textSend(alice, 'hello');
    const created = await call(t, alice.token, 'POST', '/api/sends', body);
    expect(created.status).toBe(200);
    const send = created.body;
    expect(Object.keys(send).sort()).toEqual(SEND_KEYS);
    expect(send).toEqual({
      object: 'send', id: expect.stringMatching(/^[0-9a-f-]{36}$/), accessId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), type: 0, authType: 2,
      name: body.name, notes: null, file: null, text: body.text, key: body.key, maxAccessCount: null, accessCount: 0, password: null, emails: null,
      disabled: false, revisionDate: expect.any(String), expirationDate: null, deletionDate: new Date(body.deletionDate as string).toISOString(), hideEmail: false,
    });
    // Vaultwarden's byte order (§3.2): the id's bytes in text order.
    expect(Buffer.from(send.accessId, 'base64url').toString('hex')).toBe(send.id.replace(/-/g, ''));
    await expectPush(aliceHub, alice, send.id, 12, send.revisionDate, aliceDevice);

    expect(await call(t, alice.token, 'GET', `/api/sends/${send.id}`)).toEqual({ status: 200, body: send });
    const listed = await call(t, alice.token, 'GET', '/api/sends');
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ object: 'list', continuationToken: null });
    expect(listed.body.data).toContainEqual(send);
    const sync = await call(t, alice.token, 'GET', '/api/sync');
    expect(sync.status).toBe(200);
    expect(sync.body.sends).toContainEqual(send);
    expect((await call(t, mallory.token, 'GET', '/api/sync')).body.sends.some((s: Json) => s.id === send.id)).toBe(false);
    expect((await call(t, mallory.token, 'GET', '/api/sends')).body.data.some((s: Json) => s.id === send.id)).toBe(false);

    // Edit: a new name and a password.
    const edited = await call(t, alice.token, 'PUT', `/api/sends/${send.id}`, editBody(send, { name: enc(alice, 'renamed'), password: clientPasswordHash(), authType: 1 }));
    expect(edited.status).toBe(200);
    expect(Object.keys(edited.body).sort()).toEqual(SEND_KEYS);
    expect(edited.body).toMatchObject({ object: 'send', id: send.id, accessId: send.accessId, authType: 1, password: expect.any(String) });
    expect(Date.parse(edited.body.revisionDate)).toBeGreaterThan(Date.parse(send.revisionDate));
    await expectPush(aliceHub, alice, send.id, 13, edited.body.revisionDate, aliceDevice);

    aliceHub.clear();
    const removed = await call(t, alice.token, 'PUT', `/api/sends/${send.id}/remove-password`);
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ object: 'send', id: send.id, authType: 2, password: null });
    expect(Date.parse(removed.body.revisionDate)).toBeGreaterThan(Date.parse(edited.body.revisionDate));
    await expectPush(aliceHub, alice, send.id, 13, removed.body.revisionDate, aliceDevice);

    // Another user: 404 on every owner route, the Send unchanged.
    expectError(await call(t, mallory.token, 'GET', `/api/sends/${send.id}`), 404, NOT_FOUND);
    expectError(await call(t, mallory.token, 'PUT', `/api/sends/${send.id}`, editBody(removed.body, { name: enc(mallory, 'mine') })), 404, NOT_FOUND);
    expectError(await call(t, mallory.token, 'PUT', `/api/sends/${send.id}/remove-password`), 404, NOT_FOUND);
    expectError(await call(t, mallory.token, 'DELETE', `/api/sends/${send.id}`), 404, NOT_FOUND);
    expect(await call(t, alice.token, 'GET', `/api/sends/${send.id}`)).toEqual({ status: 200, body: removed.body });

    aliceHub.clear();
    const deleted = await call(t, alice.token, 'DELETE', `/api/sends/${send.id}`);
    expect(deleted).toEqual({ status: 200, body: undefined });
    const push = await aliceHub.waitFor(aboutSend(send.id, 14));
    expect(push.ContextId).toBe(aliceDevice);
    expect(String(push.Payload.UserId).toLowerCase()).toBe(alice.userId);
    expect((push.Payload.RevisionDate as Date).getTime()).toBeGreaterThanOrEqual(Date.parse(removed.body.revisionDate));
    expectError(await call(t, alice.token, 'GET', `/api/sends/${send.id}`), 404, NOT_FOUND);
    expectError(await call(t, alice.token, 'DELETE', `/api/sends/${send.id}`), 404, NOT_FOUND);
    expect((await call(t, alice.token, 'GET', '/api/sync')).body.sends.some((s: Json) => s.id === send.id)).toBe(false);

    await nothingReaches(t, { token: mallory.token, hub: malloryHub }, (n) => String(n.Payload.Id).toLowerCase() === send.id);
  });

  it('§6.1 date rules, type change, file type on POST /api/sends, emails: 400 with the exact messages', async () => {
    const now = Date.now();
    expectError(await call(t, alice.token, 'POST', '/api/sends', textSend(alice, 'x', { deletionDate: new Date(now - MINUTE).toISOString() })), 400,
      'You cannot have a Send with a deletion date in the past. Adjust the deletion date and try again.');
    expectError(await call(t, alice.token, 'POST', '/api/sends', textSend(alice, 'x', { deletionDate: new Date(now + 32 * DAY).toISOString() })), 400,
      'You cannot have a Send with a deletion date that far into the future. Adjust the Deletion Date to a value less than 31 days from now and try again.');
    expectError(await call(t, alice.token, 'POST', '/api/sends', textSend(alice, 'x', { deletionDate: new Date(now + 7 * DAY).toISOString(), expirationDate: new Date(now + 8 * DAY).toISOString() })), 400,
      'You cannot have a Send with an expiration date greater than the deletion date. Adjust the expiration date and try again.');
    expectError(await call(t, alice.token, 'POST', '/api/sends', textSend(alice, 'x', { expirationDate: new Date(now - 60 * MINUTE).toISOString() })), 400,
      'You cannot create a Send that is already expired. Adjust the expiration date and try again.');
    expectError(await call(t, alice.token, 'POST', '/api/sends/file/v2', fileSend(alice, 100, { expirationDate: new Date(now - 60 * MINUTE).toISOString() })), 400,
      'You cannot create a Send that is already expired. Adjust the expiration date and try again.');
    expectError(await call(t, alice.token, 'POST', '/api/sends', { ...textSend(alice, 'x'), type: 1, file: { fileName: enc(alice, 'f') } }), 400, 'File sends should use /api/sends/file/v2');
    expectError(await call(t, alice.token, 'POST', '/api/sends', textSend(alice, 'x', { emails: 'bob@example.com', authType: 0 })), 400, 'Sends with email verification is not supported');
    expectError(await call(t, alice.token, 'POST', '/api/sends', textSend(alice, 'x', { emails: 'bob@example.com' })), 400, 'Sends with email verification is not supported');

    const send = await createText(t, alice, 'dates');
    expectError(await call(t, alice.token, 'PUT', `/api/sends/${send.id}`, editBody(send, { expirationDate: new Date(now - 60 * MINUTE).toISOString() })), 400,
      'You cannot have a Send with an expiration date in the past. Adjust the expiration date and try again.');
    expectError(await call(t, alice.token, 'PUT', `/api/sends/${send.id}`, editBody(send, { deletionDate: new Date(now - MINUTE).toISOString() })), 400,
      'You cannot have a Send with a deletion date in the past. Adjust the deletion date and try again.');
    expectError(await call(t, alice.token, 'PUT', `/api/sends/${send.id}`, editBody(send, { deletionDate: new Date(now + 32 * DAY).toISOString() })), 400,
      'You cannot have a Send with a deletion date that far into the future. Adjust the Deletion Date to a value less than 31 days from now and try again.');
    expectError(await call(t, alice.token, 'PUT', `/api/sends/${send.id}`, editBody(send, { type: 1, text: null, file: { fileName: enc(alice, 'f') } })), 400, "Cannot change a Send's type");
    expectError(await call(t, alice.token, 'PUT', `/api/sends/${send.id}`, editBody(send, { emails: 'bob@example.com' })), 400, 'Sends with email verification is not supported');
    // None of the refusals changed it.
    expect(await call(t, alice.token, 'GET', `/api/sends/${send.id}`)).toEqual({ status: 200, body: send });
  });

  it('grant then POST /api/sends/access: the text, the owner\'s email (null with hideEmail), accessCount +1 and 13 to the owner with no ContextId; tokens do not cross', async () => {
    const body = textSend(alice, 'the secret text');
    const send = (await call(t, alice.token, 'POST', '/api/sends', body)).body;
    const granted = await grant(t, { send_id: send.accessId });
    expect(granted.status).toBe(200);
    expect(granted.body).toEqual({ access_token: expect.any(String), expires_in: 300, token_type: 'Bearer', scope: 'api.send.access' });
    // The grant counts nothing (official).
    expect((await call(t, alice.token, 'GET', `/api/sends/${send.id}`)).body.accessCount).toBe(0);

    aliceHub.clear();
    const accessed = await postBare(t, granted.body.access_token, '/api/sends/access');
    expect(accessed.status).toBe(200);
    expect(accessed.body).toEqual({
      object: 'send-access', id: send.accessId, type: 0, authType: 2, name: send.name, file: null, text: { text: (body.text as Json).text, hidden: false },
      expirationDate: null, creatorIdentifier: alice.account.email,
    });
    const after = (await call(t, alice.token, 'GET', `/api/sends/${send.id}`)).body;
    expect(after.accessCount).toBe(1);
    expect(Date.parse(after.revisionDate)).toBeGreaterThan(Date.parse(send.revisionDate));
    await expectPush(aliceHub, alice, send.id, 13, after.revisionDate, null);

    // A second read with the same token counts again.
    expect((await postBare(t, granted.body.access_token, '/api/sends/access')).status).toBe(200);
    expect((await call(t, alice.token, 'GET', `/api/sends/${send.id}`)).body.accessCount).toBe(2);

    const hidden = await createText(t, alice, 'hidden owner', { hideEmail: true });
    const hiddenAccess = await postBare(t, await sendToken(t, hidden.accessId), '/api/sends/access');
    expect(hiddenAccess.status).toBe(200);
    expect(hiddenAccess.body.creatorIdentifier).toBeNull();

    // A user's token is not a send-access token, and the other way round.
    expect((await postBare(t, alice.token, '/api/sends/access')).status).toBe(401);
    expect((await postBare(t, null, '/api/sends/access')).status).toBe(401);
    expect((await postBare(t, 'not-a-token', '/api/sends/access')).status).toBe(401);
    expect((await call(t, granted.body.access_token, 'GET', '/api/sends')).status).toBe(401);
    expect((await call(t, granted.body.access_token, 'GET', `/api/sends/${send.id}`)).status).toBe(401);
    expect((await call(t, granted.body.access_token, 'GET', '/api/sync')).status).toBe(401);

    // Text Sends have no download URL.
    expectError(await postBare(t, granted.body.access_token, '/api/sends/access/file/abc'), 400, 'Can only get a download URL for a file type of Send');

    // Deleted since the token was issued: 400 Could not locate send (official).
    expect((await call(t, alice.token, 'DELETE', `/api/sends/${send.id}`)).status).toBe(200);
    expectError(await postBare(t, granted.body.access_token, '/api/sends/access'), 400, 'Could not locate send');
    expect(await grant(t, { send_id: send.accessId })).toMatchObject({ status: 400 });
  });

  it('the grant\'s error table (§5.3), passwords, max access count, disabled and expired Sends', async () => {
    expect(await grant(t, {})).toMatchObject({ status: 400, body: grantError('invalid_request', 'send_id_required', 'send_id is required.') });
    for (const malformed of ['abc', 'A'.repeat(21), '!'.repeat(22), 'AAAAAAAAAAAAAAAAAAAAAA' /* the empty guid */]) {
      const res = await grant(t, { send_id: malformed });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'invalid_grant', error_description: 'send_id is invalid.', send_access_error_type: 'send_id_invalid' });
    }

    // An id that names no Send: one of the answers an existing Send gives, the same every time.
    const unknown = Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url');
    const first = await grant(t, { send_id: unknown });
    expect(first.status).toBe(400);
    expect(['send_id_invalid', 'password_hash_b64_required']).toContain(first.body.send_access_error_type);
    expect((await grant(t, { send_id: unknown })).body).toEqual(first.body);

    const password = clientPasswordHash();
    const locked = await createText(t, alice, 'behind a password', { password, authType: 1 });
    expect(locked).toMatchObject({ authType: 1, password: expect.any(String) });
    expect(locked.password).not.toBe(password);
    expect(await grant(t, { send_id: locked.accessId })).toMatchObject({ status: 400, body: grantError('invalid_request', 'password_hash_b64_required', 'password_hash_b64 is required.') });
    expect(await grant(t, { send_id: locked.accessId, password_hash_b64: clientPasswordHash() }))
      .toMatchObject({ status: 400, body: grantError('invalid_grant', 'password_hash_b64_invalid', 'password_hash_b64 is invalid.') });
    expect(await grant(t, { send_id: locked.accessId, password_hash_b64: '' })).toMatchObject({ status: 400 });
    const opened = await postBare(t, await sendToken(t, locked.accessId, password), '/api/sends/access');
    expect(opened.status).toBe(200);
    expect(opened.body).toMatchObject({ object: 'send-access', id: locked.accessId, authType: 1, text: locked.text });

    // maxAccessCount 1: one read, then the Send is no longer there for anyone.
    const once = await createText(t, alice, 'read once', { maxAccessCount: 1 });
    const onceToken = await sendToken(t, once.accessId);
    const secondToken = await sendToken(t, once.accessId);
    expect((await postBare(t, onceToken, '/api/sends/access')).status).toBe(200);
    expect(await grant(t, { send_id: once.accessId })).toMatchObject({ status: 400, body: SEND_ID_INVALID });
    expectError(await postBare(t, secondToken, '/api/sends/access'), 404, NOT_FOUND);
    expect((await call(t, alice.token, 'GET', `/api/sends/${once.id}`)).body.accessCount).toBe(1);

    const disabled = await createText(t, alice, 'disabled', { disabled: true });
    expect(await grant(t, { send_id: disabled.accessId })).toMatchObject({ status: 400, body: SEND_ID_INVALID });

    // Disabled after a token was issued: the token opens nothing.
    const later = await createText(t, alice, 'disabled later');
    const laterToken = await sendToken(t, later.accessId);
    expect((await call(t, alice.token, 'PUT', `/api/sends/${later.id}`, editBody(later, { disabled: true }))).status).toBe(200);
    expectError(await postBare(t, laterToken, '/api/sends/access'), 404, NOT_FOUND);

    const expiring = await createText(t, alice, 'expires in an hour', { expirationDate: inFuture(60 * MINUTE) });
    const expiringToken = await sendToken(t, expiring.accessId);
    await withClockShifted(t, 2 * 60 * MINUTE, async () => {
      expect(await grant(t, { send_id: expiring.accessId })).toMatchObject({ status: 400, body: SEND_ID_INVALID });
      expectError(await postBare(t, expiringToken, '/api/sends/access'), 404, NOT_FOUND);
    });
    expect((await grant(t, { send_id: expiring.accessId })).status).toBe(200);

    // Wrong client or scope: the standard OAuth errors.
    expect(await grant(t, { send_id: expiring.accessId, client_id: 'web' })).toMatchObject({ status: 400, body: { error: 'invalid_client' } });
    expect(await grant(t, { send_id: expiring.accessId, scope: 'api' })).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
  });

  it('file Sends: v2 metadata (12), upload (13), grant, download link, byte-identical without auth, tampered link 404, delete removes the folder', async () => {
    const bytes = Buffer.concat([randomBytes(200_000), Buffer.from(Array.from({ length: 256 }, (_, i) => i))]);
    const body = fileSend(alice, bytes.length);
    aliceHub.clear();
    const created = await call(t, alice.token, 'POST', '/api/sends/file/v2', body);
    expect(created.status).toBe(200);
    const send = created.body.sendResponse;
    const fileId = send.file.id as string;
    expect(fileId).toMatch(/^[a-z0-9]{32}$/);
    expect(created.body).toEqual({ object: 'send-fileUpload', url: `/sends/${send.id}/file/${fileId}`, fileUploadType: 0, sendResponse: send });
    expect(Object.keys(send).sort()).toEqual(SEND_KEYS);
    expect(send).toMatchObject({
      object: 'send', type: 1, authType: 2, text: null, password: null, accessCount: 0,
      file: { id: fileId, fileName: (body.file as Json).fileName, size: String(bytes.length), sizeName: '195.56 KB' },
    });
    await expectPush(aliceHub, alice, send.id, 12, send.revisionDate, aliceDevice);

    // Not yet uploaded: no download.
    expectError(await postBare(t, await sendToken(t, send.accessId), `/api/sends/access/file/${fileId}`), 404, NOT_FOUND);
    // Another user cannot upload to it; a wrong file id is 404.
    expectError(await upload(t, mallory, send.id, fileId, bytes, 'x'), 404, NOT_FOUND);
    expectError(await upload(t, alice, send.id, 'b'.repeat(32), bytes, 'x'), 404, NOT_FOUND);

    expect(await upload(t, alice, send.id, fileId, bytes, (body.file as Json).fileName)).toEqual({ status: 200, body: undefined });
    const uploaded = (await call(t, alice.token, 'GET', `/api/sends/${send.id}`)).body;
    expect(Date.parse(uploaded.revisionDate)).toBeGreaterThan(Date.parse(send.revisionDate));
    expect(uploaded.file).toEqual(send.file);
    await expectPush(aliceHub, alice, send.id, 13, uploaded.revisionDate, aliceDevice);
    expect(sendFilesOnDisk(t)).toContain(`${send.id}/${fileId}`);
    expectError(await upload(t, alice, send.id, fileId, bytes, 'x'), 400, 'File has already been uploaded.');

    const token = await sendToken(t, send.accessId);
    const meta = await postBare(t, token, '/api/sends/access');
    expect(meta.status).toBe(200);
    expect(meta.body).toEqual({
      object: 'send-access', id: send.accessId, type: 1, authType: 2, name: send.name, file: send.file, text: null, expirationDate: null, creatorIdentifier: alice.account.email,
    });
    // Reading a file Send's metadata counts nothing; the download URL does.
    expect((await call(t, alice.token, 'GET', `/api/sends/${send.id}`)).body.accessCount).toBe(0);
    expectError(await postBare(t, token, '/api/sends/access/file/c'.concat('0'.repeat(31))), 404, NOT_FOUND);
    const link = await postBare(t, token, `/api/sends/access/file/${fileId}`);
    expect(link.status).toBe(200);
    const origin = new URL(t.baseUrl).origin;
    expect(link.body).toEqual({ object: 'send-fileDownload', id: fileId, url: expect.stringMatching(new RegExp(`^${origin.replace(/\./g, '\\.')}/api/sends/${send.id}/${fileId}\\?t=`)) });
    expect((await call(t, alice.token, 'GET', `/api/sends/${send.id}`)).body.accessCount).toBe(1);

    expect(await fetchLink(link.body.url)).toEqual({ status: 200, sha: sha256(bytes) });
    const url = new URL(link.body.url);
    const t0 = url.searchParams.get('t') as string;
    const flipped = `${t0.slice(0, -2)}${t0.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const bad of [flipped, 'garbage', '']) {
      expect((await fetch(`${url.origin}${url.pathname}?t=${encodeURIComponent(bad)}`)).status).toBe(404);
    }
    expect((await fetch(`${url.origin}${url.pathname}`)).status).toBe(404);
    // The token names this file only.
    expect((await fetch(`${url.origin}/api/sends/${randomUUID()}/${fileId}?t=${encodeURIComponent(t0)}`)).status).toBe(404);
    // The link lives two minutes.
    await withClockShifted(t, 3 * MINUTE, async () => expect((await fetch(url)).status).toBe(404));

    // The legacy download route (older clients): {id} is the access id (official) or the Send id (Vaultwarden).
    for (const id of [send.accessId, send.id]) {
      const legacy = await call(t, null, 'POST', `/api/sends/${id}/access/file/${fileId}`, { password: null });
      expect(legacy.status).toBe(200);
      expect(legacy.body).toEqual({ object: 'send-fileDownload', id: fileId, url: expect.stringContaining(`/api/sends/${send.id}/${fileId}?t=`) });
      expect(await fetchLink(legacy.body.url)).toEqual({ status: 200, sha: sha256(bytes) });
    }
    expect((await call(t, alice.token, 'GET', `/api/sends/${send.id}`)).body.accessCount).toBe(3);

    aliceHub.clear();
    expect((await call(t, alice.token, 'DELETE', `/api/sends/${send.id}`)).status).toBe(200);
    await aliceHub.waitFor(aboutSend(send.id, 14));
    await t.app.get(UnitOfWork).drain();
    expect(existsSync(join(t.config.sends.folder, send.id))).toBe(false);
    expect((await fetch(url)).status).toBe(404);
  });

  it('an upload far from the announced length deletes the Send (14) and leaves no file', async () => {
    const created = await call(t, alice.token, 'POST', '/api/sends/file/v2', fileSend(alice, 10 * KIB));
    expect(created.status).toBe(200);
    const send = created.body.sendResponse;
    aliceHub.clear();
    expectError(await upload(t, alice, send.id, send.file.id, randomBytes(2 * MIB), 'x'), 400, 'File received does not match expected file length.');
    const push = await aliceHub.waitFor(aboutSend(send.id, 14));
    expect(push.ContextId).toBe(aliceDevice);
    expect(String(push.Payload.UserId).toLowerCase()).toBe(alice.userId);
    expect((push.Payload.RevisionDate as Date).getTime()).toBeGreaterThanOrEqual(Date.parse(send.revisionDate));
    expectError(await call(t, alice.token, 'GET', `/api/sends/${send.id}`), 404, NOT_FOUND);
    await t.app.get(UnitOfWork).drain();
    expect(sendFilesOnDisk(t).filter((f) => f.startsWith(send.id) || f.startsWith('.tmp/'))).toEqual([]);
  });

  it('purge: a Send past its deletion date is deleted with its file, 14 to the owner with no ContextId', async () => {
    const bytes = randomBytes(5000);
    const created = await call(t, alice.token, 'POST', '/api/sends/file/v2', fileSend(alice, bytes.length, { deletionDate: inFuture(5 * MINUTE) }));
    expect(created.status).toBe(200);
    const send = created.body.sendResponse;
    expect((await upload(t, alice, send.id, send.file.id, bytes, 'x')).status).toBe(200);
    const keep = await createText(t, alice, 'stays');
    expect(existsSync(join(t.config.sends.folder, send.id, send.file.id))).toBe(true);

    aliceHub.clear();
    // Before its deletion date: nothing to do for it.
    await t.app.get(SendPurgeJob).runOnce();
    expect((await call(t, alice.token, 'GET', `/api/sends/${send.id}`)).status).toBe(200);
    const report = await withClockShifted(t, 10 * MINUTE, () => t.app.get(SendPurgeJob).runOnce());
    expect(report.deleted).toBeGreaterThanOrEqual(1);
    expectError(await call(t, alice.token, 'GET', `/api/sends/${send.id}`), 404, NOT_FOUND);
    expect((await call(t, alice.token, 'GET', `/api/sends/${keep.id}`)).status).toBe(200);
    const push = await aliceHub.waitFor(aboutSend(send.id, 14));
    expect(push.ContextId).toBeNull();
    expect(String(push.Payload.UserId).toLowerCase()).toBe(alice.userId);
    await t.app.get(UnitOfWork).drain();
    expect(existsSync(join(t.config.sends.folder, send.id))).toBe(false);
    expect((await call(t, alice.token, 'GET', '/api/sync')).body.sends.some((s: Json) => s.id === send.id)).toBe(false);
  });

  it('DisableSend (policy 6): a member may only delete; the organization owner is exempt', async () => {
    const boss = await newPerson(t, 'boss');
    const member = await newPerson(t, 'member');
    const org = await createOrganization(t, boss, 'Send policy');
    await addMembers(t, boss, org, [member]);
    const before = await createText(t, member, 'made before the policy');
    const bytes = randomBytes(1000);
    const pending = (await call(t, member.token, 'POST', '/api/sends/file/v2', fileSend(member, bytes.length))).body.sendResponse;

    const saved = await call(t, boss.token, 'PUT', `/api/organizations/${org.id}/policies/6`, { policy: { type: 6, enabled: true, data: null }, metadata: {} });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ object: 'policy', type: 6, enabled: true });

    expectError(await call(t, member.token, 'POST', '/api/sends', textSend(member, 'new')), 400, POLICY_MESSAGE);
    expectError(await call(t, member.token, 'POST', '/api/sends/file/v2', fileSend(member, 100)), 400, POLICY_MESSAGE);
    expectError(await call(t, member.token, 'PUT', `/api/sends/${before.id}`, editBody(before, { name: enc(member, 'renamed') })), 400, POLICY_MESSAGE);
    expectError(await call(t, member.token, 'PUT', `/api/sends/${before.id}/remove-password`), 400, POLICY_MESSAGE);
    expectError(await upload(t, member, pending.id, pending.file.id, bytes, 'x'), 400, POLICY_MESSAGE);
    expect(await call(t, member.token, 'GET', `/api/sends/${before.id}`)).toEqual({ status: 200, body: before });
    // Access is never blocked by policies.
    expect((await postBare(t, await sendToken(t, before.accessId), '/api/sends/access')).status).toBe(200);
    expect((await call(t, member.token, 'DELETE', `/api/sends/${before.id}`)).status).toBe(200);
    expectError(await call(t, member.token, 'GET', `/api/sends/${before.id}`), 404, NOT_FOUND);

    // The owner of the organization is exempt.
    expect((await call(t, boss.token, 'POST', '/api/sends', textSend(boss, 'owner may'))).status).toBe(200);

    // Policy off again: the member may save.
    expect((await call(t, boss.token, 'PUT', `/api/organizations/${org.id}/policies/6`, { policy: { type: 6, enabled: false, data: null }, metadata: {} })).status).toBe(200);
    expect((await call(t, member.token, 'POST', '/api/sends', textSend(member, 'allowed again'))).status).toBe(200);
  });

  it('passwords on edit follow the official rules (§4.4); an access id in .NET byte order (an official server\'s link) works too', async () => {
    const first = clientPasswordHash();
    const send = await createText(t, alice, 'protected', { password: first, authType: 1 });
    // authType 1 on a protected Send keeps the stored password, whatever `password` says.
    const kept = await call(t, alice.token, 'PUT', `/api/sends/${send.id}`, editBody(send, { authType: 1, password: clientPasswordHash() }));
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ authType: 1, password: send.password });
    expect((await grant(t, { send_id: send.accessId, password_hash_b64: first })).status).toBe(200);
    // authType 2 removes it.
    const cleared = await call(t, alice.token, 'PUT', `/api/sends/${send.id}`, editBody(kept.body, { authType: 2, password: null }));
    expect(cleared.body).toMatchObject({ authType: 2, password: null });
    expect((await grant(t, { send_id: send.accessId })).status).toBe(200);
    // authType null (older clients) with a password sets one.
    const second = clientPasswordHash();
    const set = await call(t, alice.token, 'PUT', `/api/sends/${send.id}`, editBody(cleared.body, { authType: null, password: second }));
    expect(set.body).toMatchObject({ authType: 1, password: expect.any(String) });
    expect((await grant(t, { send_id: send.accessId, password_hash_b64: second })).status).toBe(200);

    const bytes = Buffer.from(send.id.replace(/-/g, ''), 'hex');
    const dotNet = Buffer.concat([Buffer.from(bytes.subarray(0, 4)).reverse(), Buffer.from(bytes.subarray(4, 6)).reverse(), Buffer.from(bytes.subarray(6, 8)).reverse(), bytes.subarray(8)]);
    const officialAccessId = dotNet.toString('base64url');
    expect(officialAccessId).not.toBe(send.accessId);
    const token = await sendToken(t, officialAccessId, second);
    expect((await postBare(t, token, '/api/sends/access')).body).toMatchObject({ object: 'send-access', id: send.accessId });
    expect((await call(t, null, 'POST', `/api/sends/access/${officialAccessId}`, { password: second })).status).toBe(200);
  });

  it('legacy POST /api/sends/access/{accessId}: open text Send; password Send 401 without, 400 wrong, 200 right; unknown 404', async () => {
    const open = await createText(t, alice, 'legacy open');
    const res = await call(t, null, 'POST', `/api/sends/access/${open.accessId}`, { password: null });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      object: 'send-access', id: open.accessId, type: 0, authType: 2, name: open.name, file: null, text: open.text, expirationDate: null, creatorIdentifier: alice.account.email,
    });
    expect((await call(t, alice.token, 'GET', `/api/sends/${open.id}`)).body.accessCount).toBe(1);

    const password = clientPasswordHash();
    const locked = await createText(t, alice, 'legacy locked', { password, authType: 1 });
    expectError(await call(t, null, 'POST', `/api/sends/access/${locked.accessId}`, { password: null }), 401, 'Unauthorized.');
    expectError(await call(t, null, 'POST', `/api/sends/access/${locked.accessId}`, {}), 401, 'Unauthorized.');
    expectError(await call(t, null, 'POST', `/api/sends/access/${locked.accessId}`, { password: clientPasswordHash() }), 400, 'Invalid password.');
    const right = await call(t, null, 'POST', `/api/sends/access/${locked.accessId}`, { password });
    expect(right.status).toBe(200);
    expect(right.body).toMatchObject({ object: 'send-access', id: locked.accessId, authType: 1, text: locked.text });

    const unknown = Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url');
    expectError(await call(t, null, 'POST', `/api/sends/access/${unknown}`, { password: null }), 404, NOT_FOUND);
    expectError(await call(t, null, 'POST', '/api/sends/access/not-an-access-id', { password: null }), 404, NOT_FOUND);
    const disabled = await createText(t, alice, 'legacy disabled', { disabled: true });
    expectError(await call(t, null, 'POST', `/api/sends/access/${disabled.accessId}`, { password: null }), 404, NOT_FOUND);
  });
});

describe('sends: wrong passwords are limited per client address', () => {
  let t: TestApp;
  let owner: Person;

  beforeAll(async () => {
    t = await createTestApp({ UNAUTHENTICATED_RATELIMIT_MAX_BURST: '3' });
    owner = await newPerson(t, 'limited');
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('the grant answers 429 after the burst for that address; another address (X-Real-IP from a trusted proxy) is still answered', async () => {
    expect(t.config.trustedProxies).toContain('127.0.0.1');
    expect(t.config.ipHeader?.toLowerCase()).toBe('x-real-ip');
    const password = clientPasswordHash();
    const send = await createText(t, owner, 'limited', { password, authType: 1 });
    const answers: number[] = [];
    let limited: Awaited<ReturnType<typeof grant>> | null = null;
    for (let i = 0; i < 6; i += 1) {
      const res = await grant(t, { send_id: send.accessId, password_hash_b64: clientPasswordHash() });
      answers.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(answers).toEqual([400, 400, 400, 429, 429, 429]);
    expect(limited?.retryAfter).toMatch(/^\d+$/);
    // The legacy route spends the same budget.
    expect((await call(t, null, 'POST', `/api/sends/access/${send.accessId}`, { password: clientPasswordHash() })).status).toBe(429);

    // Another client behind the trusted proxy.
    const other = await grant(t, { send_id: send.accessId, password_hash_b64: clientPasswordHash() }, '198.51.100.7');
    expect(other).toMatchObject({ status: 400, body: grantError('invalid_grant', 'password_hash_b64_invalid', 'password_hash_b64 is invalid.') });
    const ok = await grant(t, { send_id: send.accessId, password_hash_b64: password }, '198.51.100.8');
    expect(ok.status).toBe(200);
    // The legacy route answers the other address too.
    expectError(await fetch(`${t.baseUrl}/api/sends/access/${send.accessId}`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Real-IP': '198.51.100.9' }, body: JSON.stringify({ password: clientPasswordHash() }),
    }).then(async (r) => ({ status: r.status, body: await r.json() })), 400, 'Invalid password.');
  });
});

describe('sends: USER_SEND_LIMIT', () => {
  let t: TestApp;
  let owner: Person;
  let hub: HubClient;

  beforeAll(async () => {
    t = await createTestApp({ USER_SEND_LIMIT: '100' });
    owner = await newPerson(t, 'quota');
    hub = await connectHub(t, owner.account);
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
    await t?.close();
  });

  it('announcing more than the quota → 400; uploading more than announced past the quota → 400, the Send gone, nothing on disk', async () => {
    expectError(await call(t, owner.token, 'POST', '/api/sends/file/v2', fileSend(owner, 150 * KIB)), 400, 'Send storage limit exceeded with this file');
    expect((await call(t, owner.token, 'GET', '/api/sends')).body.data).toEqual([]);

    const created = await call(t, owner.token, 'POST', '/api/sends/file/v2', fileSend(owner, 50 * KIB));
    expect(created.status).toBe(200);
    const send = created.body.sendResponse;
    hub.clear();
    expectError(await upload(t, owner, send.id, send.file.id, randomBytes(2 * MIB), 'x'), 400, 'Send storage limit exceeded with this file');
    expectError(await call(t, owner.token, 'GET', `/api/sends/${send.id}`), 404, NOT_FOUND);
    const push = await hub.waitFor(aboutSend(send.id, 14));
    expect(String(push.Payload.UserId).toLowerCase()).toBe(owner.userId);
    await t.app.get(UnitOfWork).drain();
    expect(sendFilesOnDisk(t)).toEqual([]);
    const root = t.config.sends.folder;
    expect(existsSync(root) ? readdirSync(root).filter((d) => d !== '.tmp') : []).toEqual([]);
    expect(existsSync(join(root, '.tmp')) ? readdirSync(join(root, '.tmp')) : []).toEqual([]);

    // Within the quota it works, and the quota counts it.
    const bytes = randomBytes(60 * KIB);
    const fits = (await call(t, owner.token, 'POST', '/api/sends/file/v2', fileSend(owner, bytes.length))).body.sendResponse;
    expect((await upload(t, owner, fits.id, fits.file.id, bytes, 'x')).status).toBe(200);
    expectError(await call(t, owner.token, 'POST', '/api/sends/file/v2', fileSend(owner, 50 * KIB)), 400, 'Send storage limit exceeded with this file');
  });
});

describe('sends: SENDS_ALLOWED=false', () => {
  const dataFolder = mkdtempSync(join(tmpdir(), 'vault-test-'));
  let t: TestApp | null = null;
  afterAll(async () => {
    await t?.close();
    rmSync(dataFolder, { recursive: true, force: true });
  });

  it('create (text and file), edit, remove-password and a pending upload → 400 with the policy message; delete works', async () => {
    // Made while Sends were allowed: a text Send and a file Send whose file has not arrived yet.
    const before = await createTestApp({ DATA_FOLDER: dataFolder });
    const p = await newPerson(before, 'nosends');
    const text = await createText(before, p, 'made before');
    const bytes = randomBytes(1000);
    const pending = (await call(before, p.token, 'POST', '/api/sends/file/v2', fileSend(p, bytes.length))).body.sendResponse;
    await before.close();

    t = await createTestApp({ DATA_FOLDER: dataFolder, SENDS_ALLOWED: 'false' });
    expectError(await call(t, p.token, 'POST', '/api/sends', textSend(p, 'x')), 400, POLICY_MESSAGE);
    expectError(await call(t, p.token, 'POST', '/api/sends/file/v2', fileSend(p, 100)), 400, POLICY_MESSAGE);
    expectError(await call(t, p.token, 'PUT', `/api/sends/${text.id}`, editBody(text, { name: enc(p, 'renamed') })), 400, POLICY_MESSAGE);
    expectError(await call(t, p.token, 'PUT', `/api/sends/${text.id}/remove-password`), 400, POLICY_MESSAGE);
    expectError(await upload(t, p, pending.id, pending.file.id, bytes, 'x'), 400, POLICY_MESSAGE);
    expect((await call(t, p.token, 'DELETE', `/api/sends/${text.id}`)).status).toBe(200);
    expect((await call(t, p.token, 'GET', '/api/sends')).body.data.map((s: Json) => s.id)).not.toContain(text.id);
  });
});
