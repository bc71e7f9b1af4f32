// Attachments over HTTP as the clients call them (docs/attachments-plan.md): the v2 flow, the legacy single
// request, download links, deletes, limits, and the SyncCipherUpdate every add and delete sends to the owner's
// other devices (the official SignalR client). Files are checked on disk: a refused upload leaves nothing.
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AttachmentSweepJob } from '../../src/attachments/attachment-sweep.job';
import { Clock } from '../../src/common/time/clock';
import { UnitOfWork } from '../../src/db/unit-of-work';
import { capturedLogs, createTestApp, TestApp } from '../support/app';
import { multipartForm, postMultipart, sha256, uploadAttachment } from '../support/attachments';
import { HubClient } from '../support/hub-client';
import { call as callApi, connectHub, createOrganization, Json, JsonResponse, newPerson, Person } from '../support/org-harness';
import { encryptType2 } from '../support/test-crypto';

const MIB = 1024 * 1024;
const NOT_FOUND = 'Resource not found.';

interface Harness { t: TestApp; call: (token: string | null, method: string, path: string, body?: unknown) => Promise<JsonResponse> }

function harness(t: TestApp): Harness {
  return { t, call: (token, method, path, body) => callApi(t, token, method, path, body) };
}

const encName = (person: Person, name: string): string => encryptType2(name, person.account.secrets.userKey);

async function newCipher(h: Harness, person: Person): Promise<Json> {
  const res = await h.call(person.token, 'POST', '/api/ciphers', { type: 2, name: encName(person, 'note'), secureNote: { type: 0 } });
  expect(res.status).toBe(200);
  return res.body;
}

/** The v2 metadata call as the clients make it. */
function announce(h: Harness, person: Person, cipher: Json, fileSize: number, extra: Record<string, unknown> = {}): Promise<JsonResponse> {
  return h.call(person.token, 'POST', `/api/ciphers/${cipher.id}/attachment/v2`, {
    key: encName(person, 'attachment key'), fileName: encName(person, 'scan.pdf'), fileSize, adminRequest: false, lastKnownRevisionDate: cipher.revisionDate, ...extra,
  });
}

const form = multipartForm;
const post = (h: Harness, token: string, path: string, body: FormData | string, headers: Record<string, string> = {}): Promise<JsonResponse> => postMultipart(h.t, token, path, body, headers);
const uploadFile = (h: Harness, person: Person, cipherId: string, attachmentId: string, bytes: Buffer, fileName: string): Promise<JsonResponse> =>
  uploadAttachment(h.t, person.token, cipherId, attachmentId, bytes, fileName);
const sha = sha256;

/** Everything under the attachments folder (cipher folders and their files, and temporaries). */
function filesOnDisk(t: TestApp): string[] {
  const root = t.config.attachments.folder;
  if (!existsSync(root)) return [];
  const out: string[] = [];
  for (const dir of readdirSync(root)) for (const file of readdirSync(join(root, dir))) out.push(`${dir}/${file}`);
  return out;
}

function expectError(res: JsonResponse, status: number, message: string): void {
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ object: 'error', message });
}

describe('attachments: v2 upload, download link, delete, live updates', () => {
  let h: Harness;
  let alice: Person;
  let aliceOther: HubClient;
  let mallory: Person;

  beforeAll(async () => {
    h = harness(await createTestApp({}, { reachableDomain: true }));
    alice = await newPerson(h.t, 'alice');
    mallory = await newPerson(h.t, 'mallory');
    aliceOther = await connectHub(h.t, alice.account);
  }, 60_000);
  afterAll(async () => {
    await aliceOther?.stop();
    await h?.t.close();
  });

  it('v2 metadata → SyncCipherUpdate with the new revision date; upload; the link serves the same bytes without a bearer token; sync lists it', async () => {
    const cipher = await newCipher(h, alice);
    const bytes = Buffer.concat([randomBytes(300_000), Buffer.from(Array.from({ length: 256 }, (_, i) => i))]);
    const fileName = encName(alice, 'scan.pdf');
    aliceOther.clear();
    const created = await announce(h, alice, cipher, bytes.length, { fileName });
    expect(created.status).toBe(200);
    const { attachmentId } = created.body;
    expect(created.body).toMatchObject({ object: 'attachment-fileUpload', fileUploadType: 0, url: `${cipher.id}/attachment/${attachmentId}`, cipherMiniResponse: null });
    expect(attachmentId).toMatch(/^[a-z0-9]{32}$/);
    expect(created.body.cipherResponse).toMatchObject({ object: 'cipherDetails', id: cipher.id });
    const revisionDate = created.body.cipherResponse.revisionDate as string;
    expect(Date.parse(revisionDate)).toBeGreaterThan(Date.parse(cipher.revisionDate));
    const pushed = await aliceOther.waitFor((n) => n.Type === 0 && n.Payload.Id === cipher.id);
    expect((pushed.Payload.RevisionDate as Date).toISOString()).toBe(revisionDate);
    expect(pushed.Payload.UserId).toBe(alice.userId);

    expect((await uploadFile(h, alice, cipher.id, attachmentId, bytes, fileName)).status).toBe(200);
    expect(filesOnDisk(h.t)).toContain(`${cipher.id}/${attachmentId}`);

    const meta = await h.call(alice.token, 'GET', `/api/ciphers/${cipher.id}/attachment/${attachmentId}`);
    expect(meta.status).toBe(200);
    expect(meta.body).toEqual({
      object: 'attachment', id: attachmentId, fileName, key: expect.stringMatching(/^2\./), size: String(bytes.length), sizeName: '293.22 KB',
      url: expect.stringMatching(new RegExp(`^https://127\\.0\\.0\\.1:\\d+/attachments/${cipher.id}/${attachmentId}\\?token=`)),
    });
    const download = await fetch(meta.body.url);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/octet-stream');
    expect(sha(Buffer.from(await download.arrayBuffer()))).toBe(sha(bytes));

    const sync = await h.call(alice.token, 'GET', '/api/sync');
    const listed = sync.body.ciphers.find((c: Json) => c.id === cipher.id);
    expect(listed.revisionDate).toBe(revisionDate);
    expect(listed.attachments).toEqual([expect.objectContaining({ id: attachmentId, fileName, size: String(bytes.length), sizeName: '293.22 KB' })]);
    expect((await fetch(listed.attachments[0].url)).status).toBe(200);
    // A cipher without attachments says null, as the clients expect.
    expect(sync.body.ciphers.find((c: Json) => c.id !== cipher.id)?.attachments ?? null).toBeNull();
  });

  it('delete → deleteAttachment with the new revision date, SyncCipherUpdate, the file and the row are gone', async () => {
    const cipher = await newCipher(h, alice);
    const bytes = randomBytes(4096);
    const { attachmentId } = (await announce(h, alice, cipher, bytes.length)).body;
    expect((await uploadFile(h, alice, cipher.id, attachmentId, bytes, encName(alice, 'a'))).status).toBe(200);
    const link = (await h.call(alice.token, 'GET', `/api/ciphers/${cipher.id}/attachment/${attachmentId}`)).body.url as string;
    aliceOther.clear();
    const deleted = await h.call(alice.token, 'DELETE', `/api/ciphers/${cipher.id}/attachment/${attachmentId}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ object: 'deleteAttachment', cipher: { object: 'cipherMini', id: cipher.id, attachments: null } });
    const pushed = await aliceOther.waitFor((n) => n.Type === 0 && n.Payload.Id === cipher.id);
    expect((pushed.Payload.RevisionDate as Date).toISOString()).toBe(deleted.body.cipher.revisionDate);
    await h.t.app.get(UnitOfWork).drain();
    expect(filesOnDisk(h.t)).not.toContain(`${cipher.id}/${attachmentId}`);
    expect((await fetch(link)).status).toBe(404);
    expectError(await h.call(alice.token, 'GET', `/api/ciphers/${cipher.id}/attachment/${attachmentId}`), 404, NOT_FOUND);
    expectError(await h.call(alice.token, 'DELETE', `/api/ciphers/${cipher.id}/attachment/${attachmentId}`), 404, NOT_FOUND);
  });

  it('another user can neither read, upload to, download through another path, nor delete', async () => {
    const cipher = await newCipher(h, alice);
    const bytes = randomBytes(1000);
    const { attachmentId } = (await announce(h, alice, cipher, bytes.length)).body;
    expectError(await uploadFile(h, mallory, cipher.id, attachmentId, bytes, encName(mallory, 'x')), 404, NOT_FOUND);
    expect((await uploadFile(h, alice, cipher.id, attachmentId, bytes, encName(alice, 'a'))).status).toBe(200);
    expectError(await h.call(mallory.token, 'GET', `/api/ciphers/${cipher.id}/attachment/${attachmentId}`), 404, NOT_FOUND);
    expectError(await h.call(mallory.token, 'DELETE', `/api/ciphers/${cipher.id}/attachment/${attachmentId}`), 404, NOT_FOUND);
    expectError(await h.call(mallory.token, 'POST', `/api/ciphers/${cipher.id}/attachment/${attachmentId}/delete`), 404, NOT_FOUND);
    expectError(await announce(h, mallory, cipher, 10), 404, NOT_FOUND);
    // A link for alice's attachment serves that attachment only: not on another cipher's path, not under another id.
    const own = await newCipher(h, mallory);
    const link = new URL((await h.call(alice.token, 'GET', `/api/ciphers/${cipher.id}/attachment/${attachmentId}`)).body.url);
    const token = link.searchParams.get('token') as string;
    expect((await fetch(`${h.t.baseUrl}/attachments/${own.id}/${attachmentId}?token=${encodeURIComponent(token)}`)).status).toBe(404);
    expect((await fetch(`${h.t.baseUrl}/attachments/${cipher.id}/${'a'.repeat(32)}?token=${encodeURIComponent(token)}`)).status).toBe(404);
    expect((await fetch(`${h.t.baseUrl}/attachments/${cipher.id}/${attachmentId}`)).status).toBe(404);
    // The official form of the same link works with the same token.
    const official = await fetch(`${h.t.baseUrl}/api/ciphers/attachment/download?token=${encodeURIComponent(token)}`);
    expect(official.status).toBe(200);
    expect(sha(Buffer.from(await official.arrayBuffer()))).toBe(sha(bytes));
    expect(await h.call(alice.token, 'GET', `/api/ciphers/${cipher.id}`)).toMatchObject({ status: 200, body: { attachments: [expect.objectContaining({ id: attachmentId })] } });
  });

  it('a tampered or expired download token serves nothing', async () => {
    const cipher = await newCipher(h, alice);
    const bytes = randomBytes(2048);
    const { attachmentId } = (await announce(h, alice, cipher, bytes.length)).body;
    expect((await uploadFile(h, alice, cipher.id, attachmentId, bytes, encName(alice, 'a'))).status).toBe(200);
    const url = new URL((await h.call(alice.token, 'GET', `/api/ciphers/${cipher.id}/attachment/${attachmentId}`)).body.url);
    const token = url.searchParams.get('token') as string;
    const [head, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const forged = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 3600 })).toString('base64url');
    const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const bad of [`${head}.${forged}.${signature}`, `${head}.${payload}.${flipped}`, `${head}.${payload}.`, 'not-a-token']) {
      const res = await fetch(`${url.origin}${url.pathname}?token=${encodeURIComponent(bad)}`);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ message: NOT_FOUND });
    }
    expect((await fetch(url)).status).toBe(200);
    // A minute later (the lifetime of the link GET …/attachment/{id} answers), the same link is refused.
    const clock = h.t.app.get(Clock);
    const now = clock.now.bind(clock);
    clock.now = () => new Date(now().getTime() + 61_000);
    try {
      expect((await fetch(url)).status).toBe(404);
    } finally {
      clock.now = now;
    }
    expect((await fetch(url)).status).toBe(200);
    // Download links are credentials: no log line carries their token (request lines log the path only).
    expect(capturedLogs.some((line) => line.includes(token) || line.includes(encodeURIComponent(token)))).toBe(false);
    expect(capturedLogs.some((line) => line.includes(`/attachments/${cipher.id}/${attachmentId}`))).toBe(true);
  });

  it('legacy single request: key after the file, any order; answers the cipher with the attachment; SyncCipherUpdate', async () => {
    const cipher = await newCipher(h, alice);
    const bytes = randomBytes(10_000);
    const fileName = encName(alice, 'legacy.bin');
    const key = encName(alice, 'k');
    aliceOther.clear();
    const res = await post(h, alice.token, `/api/ciphers/${cipher.id}/attachment`, form([['data', new Blob([bytes])], ['key', key], ['lastKnownRevisionDate', cipher.revisionDate]], fileName));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ object: 'cipherDetails', id: cipher.id, attachments: [{ object: 'attachment', fileName, key, size: '10000', sizeName: '9.77 KB' }] });
    const pushed = await aliceOther.waitFor((n) => n.Type === 0 && n.Payload.Id === cipher.id);
    expect((pushed.Payload.RevisionDate as Date).toISOString()).toBe(res.body.revisionDate);
    const download = await fetch(res.body.attachments[0].url);
    expect(sha(Buffer.from(await download.arrayBuffer()))).toBe(sha(bytes));
  });

  it('bad input: not multipart, no file, stale copy, bad sizes and names get clear 400s', async () => {
    const cipher = await newCipher(h, alice);
    const { attachmentId } = (await announce(h, alice, cipher, 100)).body;
    expectError(await post(h, alice.token, `/api/ciphers/${cipher.id}/attachment/${attachmentId}`, 'plain', { 'Content-Type': 'text/plain' }), 400, 'Invalid content.');
    expectError(await post(h, alice.token, `/api/ciphers/${cipher.id}/attachment/${attachmentId}`, form([['key', 'x']])), 400, 'Invalid content.');
    expectError(await post(h, alice.token, `/api/ciphers/${cipher.id}/attachment/${attachmentId}`, '--b\r\nbroken', { 'Content-Type': 'multipart/form-data; boundary=b' }), 400, 'Invalid content.');
    // A file part cut off before its closing boundary, and two file parts: refused, and the server stays up.
    const part = (name: string): string => `--b\r\nContent-Disposition: form-data; name="${name}"; filename="2.a|b|c"\r\nContent-Type: application/octet-stream\r\n\r\n${'x'.repeat(50)}`;
    const multipart = { 'Content-Type': 'multipart/form-data; boundary=b' };
    expectError(await post(h, alice.token, `/api/ciphers/${cipher.id}/attachment/${attachmentId}`, part('data'), multipart), 400, 'Invalid content.');
    expectError(await post(h, alice.token, `/api/ciphers/${cipher.id}/attachment/${attachmentId}`, `${part('data')}\r\n${part('more')}\r\n--b--\r\n`, multipart), 400, 'Invalid content.');
    expectError(await post(h, alice.token, `/api/ciphers/${cipher.id}/attachment`, part('data'), multipart), 400, 'Invalid content.');
    expectError(await announce(h, alice, cipher, 100, { lastKnownRevisionDate: '2020-01-01T00:00:00.000Z' }), 400, 'The client copy of this cipher is out of date. Resync the client and try again.');
    const fresh = (await h.call(alice.token, 'GET', `/api/ciphers/${cipher.id}`)).body;
    expectError(await announce(h, alice, fresh, 0), 400, 'No data to attach.');
    expectError(await announce(h, alice, fresh, 502 * MIB), 400, 'Max file size is 500 MB.');
    expect((await announce(h, alice, fresh, 'abc' as unknown as number)).status).toBe(400);
    expect((await announce(h, alice, fresh, 10, { fileName: 'plain text name' })).status).toBe(400);
    expect((await h.call(alice.token, 'GET', `/api/ciphers/${cipher.id}/attachment/..%2F..%2Fdb.sqlite3`)).status).toBe(404);
    expect(filesOnDisk(h.t).filter((f) => f.startsWith('.tmp/'))).toEqual([]);
  });

  it('an upload far from the announced size is refused; the pending attachment is gone and nothing stays on disk', async () => {
    const cipher = await newCipher(h, alice);
    const longer = await announce(h, alice, cipher, 10);
    aliceOther.clear();
    expectError(await uploadFile(h, alice, cipher.id, longer.body.attachmentId, randomBytes(MIB + 100), encName(alice, 'a')), 400, 'File received does not match expected file length.');
    await aliceOther.waitFor((n) => n.Type === 0 && n.Payload.Id === cipher.id);
    const shorter = await announce(h, alice, (await h.call(alice.token, 'GET', `/api/ciphers/${cipher.id}`)).body, 3 * MIB);
    expectError(await uploadFile(h, alice, cipher.id, shorter.body.attachmentId, randomBytes(1000), encName(alice, 'a')), 400, 'File received does not match expected file length.');
    expect((await h.call(alice.token, 'GET', `/api/ciphers/${cipher.id}`)).body.attachments).toBeNull();
    expect(filesOnDisk(h.t).filter((f) => f.startsWith(cipher.id) || f.startsWith('.tmp/'))).toEqual([]);
  });
});

describe('attachments: names follow the cipher, the sweep removes leftovers', () => {
  let h: Harness;
  let alice: Person;

  beforeAll(async () => {
    h = harness(await createTestApp({}, { reachableDomain: true }));
    alice = await newPerson(h.t, 'alice');
  }, 60_000);
  afterAll(async () => {
    await h?.t.close();
  });

  it('an edit with attachments2 re-keys the attachment; the legacy attachments map renames it and clears the key; unknown ids are ignored', async () => {
    const cipher = await newCipher(h, alice);
    const bytes = randomBytes(500);
    const { attachmentId } = (await announce(h, alice, cipher, bytes.length)).body;
    expect((await uploadFile(h, alice, cipher.id, attachmentId, bytes, encName(alice, 'a'))).status).toBe(200);
    const current = (await h.call(alice.token, 'GET', `/api/ciphers/${cipher.id}`)).body;
    const [fileName, key] = [encName(alice, 'renamed.pdf'), encName(alice, 'new key')];
    const edit = { type: 2, name: current.name, secureNote: { type: 0 }, lastKnownRevisionDate: current.revisionDate };
    const edited = await h.call(alice.token, 'PUT', `/api/ciphers/${cipher.id}`, { ...edit, attachments2: { [attachmentId]: { fileName, key }, [randomUUID().replace(/-/g, '')]: { fileName, key } } });
    expect(edited.status).toBe(200);
    expect(edited.body.attachments).toEqual([expect.objectContaining({ id: attachmentId, fileName, key })]);
    const legacyName = encName(alice, 'legacy.pdf');
    const legacy = await h.call(alice.token, 'PUT', `/api/ciphers/${cipher.id}`, { ...edit, lastKnownRevisionDate: edited.body.revisionDate, attachments: { [attachmentId]: legacyName } });
    expect(legacy.body.attachments).toEqual([expect.objectContaining({ id: attachmentId, fileName: legacyName, key: null })]);
    expect((await h.call(alice.token, 'PUT', `/api/ciphers/${cipher.id}`, { ...edit, lastKnownRevisionDate: legacy.body.revisionDate, attachments2: { [attachmentId]: { fileName: 'plain' } } })).status).toBe(400);
  });

  it('sharing an attachment without a key: a re-encrypted copy is staged, then swapped in by the share, keeping its id', async () => {
    const cipher = await newCipher(h, alice);
    const original = randomBytes(3000);
    const legacy = await post(h, alice.token, `/api/ciphers/${cipher.id}/attachment`, form([['data', new Blob([original])]], encName(alice, 'old.pdf')));
    expect(legacy.status).toBe(200);
    const [attachment] = legacy.body.attachments as Json[];
    expect(attachment.key).toBeNull();
    const org = await createOrganization(h.t, alice, 'Family');
    const reencrypted = randomBytes(3010);
    const [orgName, orgKey] = [encryptType2('old.pdf', org.key), encryptType2('attachment key', org.key)];
    const stagePath = `/api/ciphers/${cipher.id}/attachment/${attachment.id}/share?organizationId=${org.id}`;
    expect((await post(h, alice.token, stagePath, form([['key', orgKey], ['data', new Blob([reencrypted])]], orgName))).status).toBe(200);
    // Staged only: the personal item still has its attachment as it was.
    const before = (await h.call(alice.token, 'GET', `/api/ciphers/${cipher.id}/attachment/${attachment.id}`)).body;
    expect(before).toMatchObject({ fileName: attachment.fileName, key: null, size: '3000' });
    expect(sha(Buffer.from(await (await fetch(before.url)).arrayBuffer()))).toBe(sha(original));
    const current = (await h.call(alice.token, 'GET', `/api/ciphers/${cipher.id}`)).body;
    const shared = await h.call(alice.token, 'PUT', `/api/ciphers/${cipher.id}/share`, {
      cipher: { type: 2, name: encryptType2('note', org.key), secureNote: { type: 0 }, organizationId: org.id, lastKnownRevisionDate: current.revisionDate }, collectionIds: [org.collectionId],
    });
    expect(shared.status).toBe(200);
    expect(shared.body.attachments).toEqual([expect.objectContaining({ id: attachment.id, fileName: orgName, key: orgKey, size: '3010' })]);
    expect(sha(Buffer.from(await (await fetch(shared.body.attachments[0].url)).arrayBuffer()))).toBe(sha(reencrypted));
    // Now in the organization: staging again is refused; so are unknown attachments and organizations one is not in.
    expectError(await post(h, alice.token, stagePath, form([['data', new Blob([reencrypted])]], orgName)), 400, 'Cipher belongs to an organization already.');
    const other = await newCipher(h, alice);
    expectError(await post(h, alice.token, `/api/ciphers/${other.id}/attachment/${'d'.repeat(32)}/share?organizationId=${org.id}`, form([['data', new Blob([reencrypted])]], orgName)), 400, 'Cipher does not own specified attachment');
    const elsewhere = await createOrganization(h.t, await newPerson(h.t, 'stranger'), 'Other');
    expect((await post(h, alice.token, `/api/ciphers/${other.id}/attachment/${'d'.repeat(32)}/share?organizationId=${elsewhere.id}`, form([['data', new Blob([reencrypted])]], orgName))).status).toBe(404);
  });

  it('the sweep drops day-old announced attachments without a file, stale temporaries and files no row names; it keeps everything else', async () => {
    const root = h.t.config.attachments.folder;
    const cipher = await newCipher(h, alice);
    const kept = await announce(h, alice, cipher, 100);
    expect((await uploadFile(h, alice, cipher.id, kept.body.attachmentId, randomBytes(100), encName(alice, 'a'))).status).toBe(200);
    const pending = await announce(h, alice, (await h.call(alice.token, 'GET', `/api/ciphers/${cipher.id}`)).body, 100);
    expect(pending.status).toBe(200);
    const old = new Date(Date.now() - 2 * 3600_000);
    const orphanCipher = randomUUID();
    mkdirSync(join(root, orphanCipher), { recursive: true });
    writeFileSync(join(root, orphanCipher, 'a'.repeat(32)), 'left by a crash');
    utimesSync(join(root, orphanCipher, 'a'.repeat(32)), old, old);
    writeFileSync(join(root, cipher.id, 'b'.repeat(32)), 'no row names it');
    utimesSync(join(root, cipher.id, 'b'.repeat(32)), old, old);
    writeFileSync(join(root, cipher.id, 'c'.repeat(32)), 'too recent to judge');
    mkdirSync(join(root, '.tmp'), { recursive: true });
    writeFileSync(join(root, '.tmp', 'cut-off-upload'), 'partial');
    utimesSync(join(root, '.tmp', 'cut-off-upload'), old, old);

    const sweep = h.t.app.get(AttachmentSweepJob);
    expect(await sweep.runOnce()).toEqual({ pending: 0, temporaries: 1, orphans: 2 });
    const here = (): string[] => filesOnDisk(h.t).filter((f) => f.startsWith(cipher.id) || f.startsWith(orphanCipher) || f.startsWith('.tmp/')).sort();
    expect(here()).toEqual([`${cipher.id}/${kept.body.attachmentId}`, `${cipher.id}/${'c'.repeat(32)}`].sort());
    expect(existsSync(join(root, orphanCipher))).toBe(false);
    const clock = h.t.app.get(Clock);
    const now = clock.now.bind(clock);
    clock.now = () => new Date(now().getTime() + 25 * 3600_000);
    try {
      expect((await sweep.runOnce()).pending).toBe(1);
    } finally {
      clock.now = now;
    }
    const attachments = (await h.call(alice.token, 'GET', `/api/ciphers/${cipher.id}`)).body.attachments as Json[];
    expect(attachments.map((a) => a.id)).toEqual([kept.body.attachmentId]);
  });
});

describe('attachments: USER_ATTACHMENT_LIMIT', () => {
  let h: Harness;
  let alice: Person;

  beforeAll(async () => {
    h = harness(await createTestApp({ USER_ATTACHMENT_LIMIT: '100' }, { reachableDomain: true }));
    alice = await newPerson(h.t, 'alice');
  }, 60_000);
  afterAll(async () => {
    await h?.t.close();
  });

  it('over the limit: announced → 400; announced small but streamed large → 400 with no row and no file; 0 disables', async () => {
    const cipher = await newCipher(h, alice);
    expectError(await announce(h, alice, cipher, 101 * 1024), 400, 'Attachment storage limit exceeded with this file');
    const small = await announce(h, alice, cipher, 90 * 1024);
    expect(small.status).toBe(200);
    // Within the announced-size leeway, but past the quota: cut off while streaming.
    expectError(await uploadFile(h, alice, cipher.id, small.body.attachmentId, randomBytes(200 * 1024), encName(alice, 'a')), 400, 'Attachment storage limit exceeded with this file');
    expect((await h.call(alice.token, 'GET', `/api/ciphers/${cipher.id}`)).body.attachments).toBeNull();
    expect(filesOnDisk(h.t)).toEqual([]);
    const legacy = await post(h, alice.token, `/api/ciphers/${cipher.id}/attachment`, form([['key', encName(alice, 'k')], ['data', new Blob([randomBytes(150 * 1024)])]], encName(alice, 'n')));
    expectError(legacy, 400, 'Attachment storage limit exceeded with this file');
    expect(filesOnDisk(h.t)).toEqual([]);
    const fits = await announce(h, alice, (await h.call(alice.token, 'GET', `/api/ciphers/${cipher.id}`)).body, 60 * 1024);
    expect((await uploadFile(h, alice, cipher.id, fits.body.attachmentId, randomBytes(60 * 1024), encName(alice, 'a'))).status).toBe(200);
    expectError(await announce(h, alice, (await h.call(alice.token, 'GET', `/api/ciphers/${cipher.id}`)).body, 50 * 1024), 400, 'Attachment storage limit exceeded with this file');
  });
});

describe('attachments: USER_ATTACHMENT_LIMIT=0', () => {
  it('disables personal attachments', async () => {
    const h = harness(await createTestApp({ USER_ATTACHMENT_LIMIT: '0' }));
    try {
      const alice = await newPerson(h.t, 'alice');
      expectError(await announce(h, alice, await newCipher(h, alice), 10), 400, 'Attachments are disabled');
    } finally {
      await h.t.close();
    }
  }, 60_000);
});
