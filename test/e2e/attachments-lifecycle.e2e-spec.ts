// Attachments over their whole life (docs/attachments-plan.md §7 and §10): every path that deletes ciphers also
// removes their files (the cipher folder on disk, and the download link then answers 404), moving to the trash does
// not; organization items follow the organization's collection access for members, the admin routes for the
// owner, and the members who can see the item (only they) hear of each attachment change on the hub.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TrashPurgeJob } from '../../src/ciphers/trash-purge.job';
import { Clock } from '../../src/common/time/clock';
import { UnitOfWork } from '../../src/db/unit-of-work';
import { createTestApp, TestApp } from '../support/app';
import { fetchLink, sha256, uploadAttachment } from '../support/attachments';
import { HubClient, HubNotification } from '../support/hub-client';
import {
  addMembers, call as callApi, connectHub, createOrganization, Json, JsonResponse, newPerson, nothingReaches, Organization, Person,
} from '../support/org-harness';
import { encryptType2 } from '../support/test-crypto';

const NOT_FOUND = 'Resource not found.';
const DAY_MS = 24 * 60 * 60 * 1000;

const call = (t: TestApp, token: string | null, method: string, path: string, body?: unknown): Promise<JsonResponse> => callApi(t, token, method, path, body);

/** Who encrypts: a person's own vault (user key) or an organization's items (organization key). */
const keyOf = (owner: Person | Organization): Buffer => ('key' in owner ? owner.key : owner.account.secrets.userKey);
const enc = (owner: Person | Organization, text: string): string => encryptType2(text, keyOf(owner));

async function personalCipher(t: TestApp, person: Person): Promise<Json> {
  const res = await call(t, person.token, 'POST', '/api/ciphers', { type: 2, name: enc(person, 'note'), secureNote: { type: 0 } });
  expect(res.status).toBe(200);
  return res.body;
}

/** An organization item (secure note) in `collectionIds`, created by `by` as the web vault does. */
async function orgCipher(t: TestApp, by: Person, org: Organization, collectionIds: string[] = [org.collectionId]): Promise<Json> {
  const res = await call(t, by.token, 'POST', '/api/ciphers/create', {
    cipher: { type: 2, name: enc(org, 'shared note'), notes: null, secureNote: { type: 0 }, organizationId: org.id, reprompt: 0 }, collectionIds,
  });
  expect(res.status).toBe(200);
  return res.body;
}

/** The v2 metadata call as the clients make it, against the caller's current copy of the cipher. */
async function announce(t: TestApp, person: Person, cipherId: string, fileSize: number, keyOwner: Person | Organization, extra: Record<string, unknown> = {}): Promise<JsonResponse> {
  const current = await call(t, person.token, 'GET', `/api/ciphers/${cipherId}${extra.adminRequest ? '/admin' : ''}`);
  return call(t, person.token, 'POST', `/api/ciphers/${cipherId}/attachment/v2`, {
    key: enc(keyOwner, 'attachment key'), fileName: enc(keyOwner, 'scan.pdf'), fileSize, adminRequest: false,
    lastKnownRevisionDate: current.status === 200 ? current.body.revisionDate : new Date().toISOString(), ...extra,
  });
}

const upload = (t: TestApp, person: Person, cipherId: string, attachmentId: string, bytes: Buffer, fileName: string): Promise<JsonResponse> =>
  uploadAttachment(t, person.token, cipherId, attachmentId, bytes, fileName);

interface Stored { attachmentId: string; bytes: Buffer; link: string }

/** Announces and uploads an attachment by `person`; answers its id, its bytes and a fresh download link (checked to serve them). */
async function attach(t: TestApp, person: Person, cipherId: string, keyOwner: Person | Organization, size = 5000): Promise<Stored> {
  const bytes = randomBytes(size);
  const created = await announce(t, person, cipherId, bytes.length, keyOwner);
  expect(created.status).toBe(200);
  const { attachmentId } = created.body as { attachmentId: string };
  expect((await upload(t, person, cipherId, attachmentId, bytes, enc(keyOwner, 'file.bin'))).status).toBe(200);
  const meta = await call(t, person.token, 'GET', `/api/ciphers/${cipherId}/attachment/${attachmentId}`);
  expect(meta.status).toBe(200);
  const link = meta.body.url as string;
  await expectDownload(link, bytes);
  return { attachmentId, bytes, link };
}

async function expectDownload(link: string, bytes: Buffer): Promise<void> {
  expect(await fetchLink(link)).toEqual({ status: 200, sha: sha256(bytes) });
}

async function expectGone(link: string): Promise<void> {
  const res = await fetch(link);
  expect(res.status).toBe(404);
  expect(await res.json()).toMatchObject({ message: NOT_FOUND });
}

const folderOf = (t: TestApp, cipherId: string): string => join(t.config.attachments.folder, cipherId);
const filesIn = (t: TestApp, cipherId: string): string[] => (existsSync(folderOf(t, cipherId)) ? readdirSync(folderOf(t, cipherId)).sort() : []);
const drain = (t: TestApp): Promise<void> => t.app.get(UnitOfWork).drain();

function expectError(res: JsonResponse, status: number, message: string): void {
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ object: 'error', message });
}

describe('attachments lifecycle: files go with their ciphers', () => {
  let t: TestApp;
  let alice: Person;

  /** After the deletion has committed and its after-commit work ran: no folder for any of `cipherIds`, every link 404. */
  const expectRemoved = async (cipherIds: string[], stored: Stored[]): Promise<void> => {
    await drain(t);
    for (const id of cipherIds) expect(existsSync(folderOf(t, id))).toBe(false);
    for (const s of stored) await expectGone(s.link);
  };
  /** Still there: the folder with these files, and the links serve the same bytes. */
  const expectKept = async (cipherId: string, stored: Stored[]): Promise<void> => {
    await drain(t);
    expect(filesIn(t, cipherId)).toEqual(stored.map((s) => s.attachmentId).sort());
    for (const s of stored) await expectDownload(s.link, s.bytes);
  };

  beforeAll(async () => {
    t = await createTestApp({ TRASH_AUTO_DELETE_DAYS: '30' }, { reachableDomain: true });
    alice = await newPerson(t, 'alice');
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('moving to the trash keeps the file: the link serves it while trashed and after restore', async () => {
    const cipher = await personalCipher(t, alice);
    const stored = await attach(t, alice, cipher.id, alice);
    expect((await call(t, alice.token, 'PUT', `/api/ciphers/${cipher.id}/delete`)).status).toBe(200);
    expect((await call(t, alice.token, 'GET', `/api/ciphers/${cipher.id}`)).body.deletedDate).not.toBeNull();
    await expectKept(cipher.id, [stored]);
    const restored = await call(t, alice.token, 'PUT', `/api/ciphers/${cipher.id}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ deletedDate: null, attachments: [expect.objectContaining({ id: stored.attachmentId })] });
    await expectKept(cipher.id, [stored]);
    const fresh = await call(t, alice.token, 'GET', `/api/ciphers/${cipher.id}/attachment/${stored.attachmentId}`);
    await expectDownload(fresh.body.url, stored.bytes);
  });

  it('(1) hard delete DELETE /api/ciphers/{id} removes the folder; another cipher of the same user keeps its file', async () => {
    const cipher = await personalCipher(t, alice);
    const other = await personalCipher(t, alice);
    const stored = [await attach(t, alice, cipher.id, alice), await attach(t, alice, cipher.id, alice)];
    const kept = await attach(t, alice, other.id, alice);
    expect(filesIn(t, cipher.id)).toEqual(stored.map((s) => s.attachmentId).sort());
    expect((await call(t, alice.token, 'DELETE', `/api/ciphers/${cipher.id}`)).status).toBe(200);
    await expectRemoved([cipher.id], stored);
    await expectKept(other.id, [kept]);
  });

  it('(2) bulk delete DELETE /api/ciphers {ids} removes every listed folder, and only those', async () => {
    const [a, b, c] = [await personalCipher(t, alice), await personalCipher(t, alice), await personalCipher(t, alice)];
    const sa = await attach(t, alice, a.id, alice);
    const sb = await attach(t, alice, b.id, alice);
    const sc = await attach(t, alice, c.id, alice);
    expect((await call(t, alice.token, 'DELETE', '/api/ciphers', { ids: [a.id, b.id] })).status).toBe(200);
    expect((await call(t, alice.token, 'GET', `/api/ciphers/${a.id}`)).status).toBe(404);
    await expectRemoved([a.id, b.id], [sa, sb]);
    await expectKept(c.id, [sc]);
  });

  it('(3) personal vault purge POST /api/ciphers/purge removes the folders of the personal items; organization items keep theirs', async () => {
    const carl = await newPerson(t, 'carl');
    const org = await createOrganization(t, carl, 'Carl & Co');
    const [p1, p2] = [await personalCipher(t, carl), await personalCipher(t, carl)];
    const shared = await orgCipher(t, carl, org);
    const s1 = await attach(t, carl, p1.id, carl);
    const s2 = await attach(t, carl, p2.id, carl);
    const sOrg = await attach(t, carl, shared.id, org);
    // The wrong password purges nothing.
    expect((await call(t, carl.token, 'POST', '/api/ciphers/purge', { masterPasswordHash: 'wrong' })).status).toBe(400);
    await expectKept(p1.id, [s1]);
    expect((await call(t, carl.token, 'POST', '/api/ciphers/purge', { masterPasswordHash: carl.account.masterPasswordHash })).status).toBe(200);
    await expectRemoved([p1.id, p2.id], [s1, s2]);
    await expectKept(shared.id, [sOrg]);
  });

  it('(4) trash auto-purge: nothing before TRASH_AUTO_DELETE_DAYS; past it the trashed cipher\'s folder goes, a live one stays', async () => {
    const trashed = await personalCipher(t, alice);
    const live = await personalCipher(t, alice);
    const st = await attach(t, alice, trashed.id, alice);
    const sl = await attach(t, alice, live.id, alice);
    expect((await call(t, alice.token, 'PUT', `/api/ciphers/${trashed.id}/delete`)).status).toBe(200);
    const job = t.app.get(TrashPurgeJob);
    expect(await job.runOnce()).toBe(0);
    await expectKept(trashed.id, [st]);

    const clock = t.app.get(Clock);
    const now = clock.now.bind(clock);
    clock.now = () => new Date(now().getTime() + (t.config.trashAutoDeleteDays! + 1) * DAY_MS);
    let purged: number;
    try {
      purged = await job.runOnce();
    } finally {
      clock.now = now;
    }
    expect(purged).toBeGreaterThanOrEqual(1);
    expect((await call(t, alice.token, 'GET', `/api/ciphers/${trashed.id}`)).status).toBe(404);
    await expectRemoved([trashed.id], [st]);
    await expectKept(live.id, [sl]);
  });

  it('(5) account deletion DELETE /api/accounts removes the account\'s folders; another user\'s stay', async () => {
    const dora = await newPerson(t, 'dora');
    const [d1, d2] = [await personalCipher(t, dora), await personalCipher(t, dora)];
    const s1 = await attach(t, dora, d1.id, dora);
    const s2 = await attach(t, dora, d2.id, dora);
    const mine = await personalCipher(t, alice);
    const sm = await attach(t, alice, mine.id, alice);
    expect((await call(t, dora.token, 'DELETE', '/api/accounts', { masterPasswordHash: dora.account.masterPasswordHash })).status).toBe(200);
    await expectRemoved([d1.id, d2.id], [s1, s2]);
    await expectKept(mine.id, [sm]);
  });

  it('(6) organization deletion DELETE /api/organizations/{id} removes the folders of the organization\'s items; the owner\'s personal items keep theirs', async () => {
    const olga = await newPerson(t, 'olga');
    const org = await createOrganization(t, olga, 'Doomed');
    const [o1, o2] = [await orgCipher(t, olga, org), await orgCipher(t, olga, org)];
    const s1 = await attach(t, olga, o1.id, org);
    const s2 = await attach(t, olga, o2.id, org);
    const personal = await personalCipher(t, olga);
    const sp = await attach(t, olga, personal.id, olga);
    // The sole owner may not delete their account while the organization exists: its items and files would be out of everyone's reach.
    const refused = await call(t, olga.token, 'DELETE', '/api/accounts', { masterPasswordHash: olga.account.masterPasswordHash });
    expect(refused).toMatchObject({ status: 400, body: { message: expect.stringContaining('sole owner of at least one organization') } });
    await expectKept(o1.id, [s1]);
    expect((await call(t, olga.token, 'DELETE', `/api/organizations/${org.id}`, { masterPasswordHash: olga.account.masterPasswordHash })).status).toBe(200);
    expect((await call(t, olga.token, 'GET', `/api/ciphers/${o1.id}`)).status).toBe(404);
    await expectRemoved([o1.id, o2.id], [s1, s2]);
    await expectKept(personal.id, [sp]);
    expect((await call(t, olga.token, 'DELETE', '/api/accounts', { masterPasswordHash: olga.account.masterPasswordHash })).status).toBe(200);
    await expectRemoved([personal.id], [sp]);
  });

  it('(7) organization vault purge POST /api/ciphers/purge?organizationId= removes the organization\'s folders; personal items keep theirs', async () => {
    const pia = await newPerson(t, 'pia');
    const org = await createOrganization(t, pia, 'Purged');
    const [o1, o2] = [await orgCipher(t, pia, org), await orgCipher(t, pia, org)];
    const s1 = await attach(t, pia, o1.id, org);
    const s2 = await attach(t, pia, o2.id, org);
    const personal = await personalCipher(t, pia);
    const sp = await attach(t, pia, personal.id, pia);
    expect((await call(t, pia.token, 'POST', `/api/ciphers/purge?organizationId=${org.id}`, { masterPasswordHash: pia.account.masterPasswordHash })).status).toBe(200);
    expect((await call(t, pia.token, 'GET', `/api/ciphers/${o1.id}/admin`)).status).toBe(404);
    await expectRemoved([o1.id, o2.id], [s1, s2]);
    await expectKept(personal.id, [sp]);
  });

  it('(8) -admin delete DELETE /api/ciphers/{id}/admin removes the folder of that organization item only', async () => {
    const otto = await newPerson(t, 'otto');
    const org = await createOrganization(t, otto, 'Admin deletes');
    const [gone, stays] = [await orgCipher(t, otto, org), await orgCipher(t, otto, org)];
    const sg = await attach(t, otto, gone.id, org);
    const ss = await attach(t, otto, stays.id, org);
    expect((await call(t, otto.token, 'DELETE', `/api/ciphers/${gone.id}/admin`)).status).toBe(200);
    expect((await call(t, otto.token, 'GET', `/api/ciphers/${gone.id}/admin`)).status).toBe(404);
    await expectRemoved([gone.id], [sg]);
    await expectKept(stays.id, [ss]);
  });
});

interface Member extends Person { hub: HubClient; memberId: string }

describe('attachments lifecycle: organization items follow the organization\'s access', () => {
  let t: TestApp;
  let owner: Member;
  let bob: Member; // read-write on the collection
  let carol: Member; // read-only on the collection
  let eve: Member; // outsider
  let org: Organization;

  const person = async (name: string): Promise<Member> => {
    const p = await newPerson(t, name);
    return { ...p, hub: await connectHub(t, p.account), memberId: '' };
  };
  /** SyncCipherUpdate (0) about the organization item `cipherId`. */
  const update = (cipherId: string) => (n: HubNotification): boolean => n.Type === 0 && String(n.Payload.Id).toLowerCase() === cipherId;
  const expectOrgUpdate = async (p: Member, cipherId: string): Promise<void> => {
    const n = await p.hub.waitFor(update(cipherId));
    expect(String(n.Payload.OrganizationId).toLowerCase()).toBe(org.id);
    expect(n.Payload.UserId ?? null).toBeNull();
  };
  const nothingAbout = (p: Member, cipherId: string): Promise<void> => nothingReaches(t, p, (n) => String(n.Payload.Id ?? '').toLowerCase() === cipherId);

  beforeAll(async () => {
    t = await createTestApp({}, { reachableDomain: true });
    [owner, bob, carol, eve] = await Promise.all(['owner', 'bob', 'carol', 'eve'].map(person)) as [Member, Member, Member, Member];
    org = await createOrganization(t, owner, 'Family');
    const memberId = await addMembers(t, owner, org, [bob, carol]);
    for (const p of [owner, bob, carol]) p.memberId = memberId(p);
    const access = await call(t, owner.token, 'PUT', `/api/organizations/${org.id}/collections/${org.collectionId}`, {
      name: enc(org, 'Shared'), users: [{ id: owner.memberId, manage: true }, { id: bob.memberId, readOnly: false }, { id: carol.memberId, readOnly: true }],
    });
    expect(access.status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    for (const p of [owner, bob, carol, eve]) await p?.hub.stop();
    await t?.close();
  });

  it('bob (read-write) adds one: bob\'s other device and carol hear of it with OrganizationId, eve does not; both download the same bytes', async () => {
    const cipher = await orgCipher(t, owner, org);
    for (const p of [bob, carol]) p.hub.clear();
    const bytes = randomBytes(20_000);
    const created = await announce(t, bob, cipher.id, bytes.length, org);
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ object: 'attachment-fileUpload', cipherMiniResponse: null, cipherResponse: { id: cipher.id, organizationId: org.id } });
    const { attachmentId } = created.body as { attachmentId: string };
    for (const p of [bob, carol]) await expectOrgUpdate(p, cipher.id);
    await nothingAbout(eve, cipher.id);

    expect((await upload(t, bob, cipher.id, attachmentId, bytes, enc(org, 'photo.jpg'))).status).toBe(200);
    expect(filesIn(t, cipher.id)).toEqual([attachmentId]);
    for (const p of [bob, carol]) {
      const meta = await call(t, p.token, 'GET', `/api/ciphers/${cipher.id}/attachment/${attachmentId}`);
      expect(meta.status).toBe(200);
      expect(meta.body).toMatchObject({ object: 'attachment', id: attachmentId, size: String(bytes.length) });
      await expectDownload(meta.body.url, bytes);
    }
    const carolView = await call(t, carol.token, 'GET', `/api/ciphers/${cipher.id}`);
    expect(carolView.body).toMatchObject({ edit: false, attachments: [expect.objectContaining({ id: attachmentId })] });
  });

  it('carol (read-only) reads but can neither add nor delete; eve (outsider) gets 404 everywhere and the file stays', async () => {
    const cipher = await orgCipher(t, owner, org);
    const stored = await attach(t, bob, cipher.id, org);

    const meta = await call(t, carol.token, 'GET', `/api/ciphers/${cipher.id}/attachment/${stored.attachmentId}`);
    expect(meta.status).toBe(200);
    await expectDownload(meta.body.url, stored.bytes);
    expectError(await announce(t, carol, cipher.id, 100, org), 400, 'You do not have permissions to edit this.');
    expectError(await call(t, carol.token, 'DELETE', `/api/ciphers/${cipher.id}/attachment/${stored.attachmentId}`), 400, 'You do not have permissions to delete this.');
    // Nor through the upload route of an attachment bob announced.
    const pending = await announce(t, bob, cipher.id, 100, org);
    expect(pending.status).toBe(200);
    expect((await upload(t, carol, cipher.id, pending.body.attachmentId, randomBytes(100), enc(org, 'x'))).status).toBe(400);

    expectError(await call(t, eve.token, 'GET', `/api/ciphers/${cipher.id}/attachment/${stored.attachmentId}`), 404, NOT_FOUND);
    expectError(await announce(t, eve, cipher.id, 100, eve), 404, NOT_FOUND);
    expectError(await call(t, eve.token, 'DELETE', `/api/ciphers/${cipher.id}/attachment/${stored.attachmentId}`), 404, NOT_FOUND);
    expectError(await upload(t, eve, cipher.id, pending.body.attachmentId, randomBytes(100), enc(eve, 'x')), 404, NOT_FOUND);

    await drain(t);
    expect(filesIn(t, cipher.id)).toEqual([stored.attachmentId]);
    const still = await call(t, bob.token, 'GET', `/api/ciphers/${cipher.id}`);
    expect(still.body.attachments.map((a: Json) => a.id).sort()).toEqual([stored.attachmentId, pending.body.attachmentId].sort());
    await expectDownload((await call(t, bob.token, 'GET', `/api/ciphers/${cipher.id}/attachment/${stored.attachmentId}`)).body.url, stored.bytes);
  });

  it('a delete by bob reaches bob\'s other device and carol with OrganizationId, not eve; the file and the link are gone', async () => {
    const cipher = await orgCipher(t, owner, org);
    const stored = await attach(t, bob, cipher.id, org);
    for (const p of [bob, carol]) p.hub.clear();
    const deleted = await call(t, bob.token, 'DELETE', `/api/ciphers/${cipher.id}/attachment/${stored.attachmentId}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ object: 'deleteAttachment', cipher: { object: 'cipherMini', id: cipher.id, organizationId: org.id, attachments: null } });
    for (const p of [bob, carol]) await expectOrgUpdate(p, cipher.id);
    await nothingAbout(eve, cipher.id);
    await drain(t);
    expect(filesIn(t, cipher.id)).toEqual([]);
    await expectGone(stored.link);
  });

  it('the owner\'s admin routes: GET …/admin, v2 with adminRequest (cipherMiniResponse only), upload, DELETE …/admin; eve is refused the admin routes', async () => {
    const cipher = await orgCipher(t, owner, org);
    const stored = await attach(t, bob, cipher.id, org);

    const meta = await call(t, owner.token, 'GET', `/api/ciphers/${cipher.id}/attachment/${stored.attachmentId}/admin`);
    expect(meta.status).toBe(200);
    expect(meta.body).toMatchObject({ object: 'attachment', id: stored.attachmentId, size: String(stored.bytes.length) });
    await expectDownload(meta.body.url, stored.bytes);

    for (const p of [bob, carol]) p.hub.clear();
    const bytes = randomBytes(3000);
    const created = await announce(t, owner, cipher.id, bytes.length, org, { adminRequest: true });
    expect(created.status).toBe(200);
    expect(created.body.cipherResponse).toBeNull();
    expect(created.body.cipherMiniResponse).toMatchObject({ object: 'cipherMini', id: cipher.id, organizationId: org.id });
    const { attachmentId } = created.body as { attachmentId: string };
    for (const p of [bob, carol]) await expectOrgUpdate(p, cipher.id);
    expect((await upload(t, owner, cipher.id, attachmentId, bytes, enc(org, 'admin.bin'))).status).toBe(200);
    await expectDownload((await call(t, bob.token, 'GET', `/api/ciphers/${cipher.id}/attachment/${attachmentId}`)).body.url, bytes);

    expectError(await call(t, eve.token, 'GET', `/api/ciphers/${cipher.id}/attachment/${attachmentId}/admin`), 404, NOT_FOUND);
    expectError(await call(t, eve.token, 'DELETE', `/api/ciphers/${cipher.id}/attachment/${attachmentId}/admin`), 404, NOT_FOUND);
    // A member without admin rights cannot use the admin variants either, not even bob who can edit the item.
    expect((await call(t, bob.token, 'GET', `/api/ciphers/${cipher.id}/attachment/${attachmentId}/admin`)).status).toBe(404);

    for (const p of [bob, carol]) p.hub.clear();
    const deleted = await call(t, owner.token, 'DELETE', `/api/ciphers/${cipher.id}/attachment/${stored.attachmentId}/admin`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ object: 'deleteAttachment', cipher: { object: 'cipherMini', id: cipher.id, attachments: [expect.objectContaining({ id: attachmentId })] } });
    for (const p of [bob, carol]) await expectOrgUpdate(p, cipher.id);
    await drain(t);
    expect(filesIn(t, cipher.id)).toEqual([attachmentId]);
    await expectGone(stored.link);
  });

  it('ORG_ATTACHMENT_LIMIT (KB) limits the organization\'s items, not the same user\'s personal items', async () => {
    const limited = await createTestApp({ ORG_ATTACHMENT_LIMIT: '50' }, { reachableDomain: true });
    try {
      const boss = await newPerson(limited, 'boss');
      const limitedOrg = await createOrganization(limited, boss, 'Small');
      const shared = await orgCipher(limited, boss, limitedOrg);
      expectError(await announce(limited, boss, shared.id, 60 * 1024, limitedOrg), 400, 'Attachment storage limit exceeded with this file');
      expect((await call(limited, boss.token, 'GET', `/api/ciphers/${shared.id}`)).body.attachments).toBeNull();
      const fits = await attach(limited, boss, shared.id, limitedOrg, 40 * 1024);
      expect(filesIn(limited, shared.id)).toEqual([fits.attachmentId]);

      const personal = await personalCipher(limited, boss);
      const big = await attach(limited, boss, personal.id, boss, 60 * 1024);
      expect(filesIn(limited, personal.id)).toEqual([big.attachmentId]);
      // The organization's room is what its own items use: 40 KB stored, 20 KB more is over 50.
      expectError(await announce(limited, boss, shared.id, 20 * 1024, limitedOrg), 400, 'Attachment storage limit exceeded with this file');
    } finally {
      await limited.close();
    }
  }, 60_000);
});
