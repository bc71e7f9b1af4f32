import { randomUUID } from 'node:crypto';
import { CipherEntity } from '../../src/db/entities';
import { TrashPurgeJob } from '../../src/ciphers/trash-purge.job';
import { UnitOfWork } from '../../src/db/unit-of-work';
import { SeededUser } from '../support/seed';
import { encString, Json, loginBody, randomName, sleep, startVault, VaultHarness } from './vault-harness';

const INVALID_FOLDER = 'Invalid folder';

describe('vault: multi-item operations, move, import, purge', () => {
  let h: VaultHarness;
  let alice: SeededUser;
  let bob: SeededUser;

  beforeAll(async () => {
    // Unset, TRASH_AUTO_DELETE_DAYS purges nothing (Vaultwarden's default); the auto-purge tests below need it set.
    h = await startVault({ TRASH_AUTO_DELETE_DAYS: '30' });
    bob = await h.newUser();
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    alice = await h.newUser();
    h.take();
  });

  const createCiphers = async (user: SeededUser, n: number): Promise<Json[]> => {
    const out: Json[] = [];
    for (let i = 0; i < n; i += 1) {
      const res = await h.call(user, 'POST', '/api/ciphers', loginBody());
      expect(res.status).toBe(200);
      out.push(res.body);
    }
    h.take();
    return out;
  };
  const createFolder = async (user: SeededUser): Promise<Json> => {
    const res = await h.call(user, 'POST', '/api/folders', { name: randomName() });
    h.take();
    return res.body;
  };
  const get = async (user: SeededUser, id: string): Promise<Json> => (await h.call(user, 'GET', `/api/ciphers/${id}`)).body;
  const bulkEvent = (reason: string, user: SeededUser, kind = 'ciphers') => ({
    name: 'CiphersBulkChanged',
    payload: { userIds: [user.id], kind, reason, actor: { userId: user.id, deviceId: user.deviceId, deviceIdentifier: user.deviceIdentifier } },
  });

  describe('bulk delete, trash, restore, archive', () => {
    it.each([
      ['DELETE', '/api/ciphers'],
      ['POST', '/api/ciphers/delete'],
    ])('%s %s hard-deletes own ciphers only → exactly one CiphersBulkChanged(ciphers)', async (method, path) => {
      const mine = await createCiphers(alice, 3);
      const [theirs] = await createCiphers(bob, 1);
      const before = await h.revisionDate(alice);
      await sleep(5);
      const res = await h.call(alice, method, path, { ids: [mine[0].id, mine[1].id, theirs.id, randomUUID()] });
      expect(res.status).toBe(200);
      expect(res.text).toBe('');
      expect(h.take()).toEqual([bulkEvent('bulk-delete', alice)]);
      expect((await h.call(alice, 'GET', `/api/ciphers/${mine[0].id}`)).status).toBe(404);
      expect((await h.call(alice, 'GET', `/api/ciphers/${mine[1].id}`)).status).toBe(404);
      expect(await get(alice, mine[2].id)).toEqual(mine[2]);
      expect(await get(bob, theirs.id)).toEqual(theirs);
      expect(await h.revisionDate(alice)).toBeGreaterThan(before);
    });

    it('PUT /api/ciphers/delete trashes → one event; PUT /api/ciphers/restore returns the restored list → one event', async () => {
      const mine = await createCiphers(alice, 3);
      const [theirs] = await createCiphers(bob, 1);
      await sleep(5);
      const ids = mine.map((c) => c.id);
      const trashed = await h.call(alice, 'PUT', '/api/ciphers/delete', { ids: [...ids, theirs.id] });
      expect(trashed.status).toBe(200);
      expect(h.take()).toEqual([bulkEvent('bulk-trash', alice)]);
      for (const c of mine) {
        const now = await get(alice, c.id);
        expect(now.deletedDate).not.toBeNull();
        expect(Date.parse(now.revisionDate)).toBeGreaterThan(Date.parse(c.revisionDate));
      }
      expect((await get(bob, theirs.id)).deletedDate).toBeNull();

      await sleep(5);
      const restored = await h.call(alice, 'PUT', '/api/ciphers/restore', { ids: [ids[0], ids[1], theirs.id] });
      expect(restored.status).toBe(200);
      expect(restored.body).toEqual({ data: expect.any(Array), object: 'list', continuationToken: null });
      expect(restored.body.data.map((c: Json) => c.id).sort()).toEqual([ids[0], ids[1]].sort());
      expect(restored.body.data.every((c: Json) => c.object === 'cipherDetails' && c.deletedDate === null)).toBe(true);
      expect(h.take()).toEqual([bulkEvent('bulk-restore', alice)]);
      expect((await get(alice, ids[2])).deletedDate).not.toBeNull();
    });

    it('PUT /api/ciphers/archive and /unarchive → list of changed ciphers, one event each', async () => {
      const mine = await createCiphers(alice, 2);
      const [theirs] = await createCiphers(bob, 1);
      const ids = mine.map((c) => c.id);
      const archived = await h.call(alice, 'PUT', '/api/ciphers/archive', { ids: [...ids, theirs.id] });
      expect(archived.status).toBe(200);
      expect(archived.body.object).toBe('list');
      expect(archived.body.data).toHaveLength(2);
      expect(archived.body.data.every((c: Json) => c.archivedDate !== null)).toBe(true);
      expect(h.take()).toEqual([bulkEvent('bulk-archive', alice)]);
      expect((await get(bob, theirs.id)).archivedDate).toBeNull();

      const unarchived = await h.call(alice, 'PUT', '/api/ciphers/unarchive', { ids });
      expect(unarchived.status).toBe(200);
      expect(unarchived.body.data.every((c: Json) => c.archivedDate === null)).toBe(true);
      expect(h.take()).toEqual([bulkEvent('bulk-unarchive', alice)]);
    });

    it("only another user's ids, or nothing to change → no event and nothing modified", async () => {
      const [theirs] = await createCiphers(bob, 1);
      const bobBefore = await h.revisionDate(bob);
      for (const [method, path] of [['DELETE', '/api/ciphers'], ['POST', '/api/ciphers/delete'], ['PUT', '/api/ciphers/delete'], ['PUT', '/api/ciphers/restore'], ['PUT', '/api/ciphers/archive'], ['PUT', '/api/ciphers/unarchive']]) {
        const res = await h.call(alice, method!, path!, { ids: [theirs.id] });
        expect(res.status).toBe(200);
      }
      expect(h.take()).toEqual([]);
      expect(await get(bob, theirs.id)).toEqual(theirs);
      expect(await h.revisionDate(bob)).toBe(bobBefore);
    });

    it('invalid bodies (no ids, non-UUID ids, more than 500) → 400, nothing modified', async () => {
      const mine = await createCiphers(alice, 1);
      for (const body of [{}, { ids: 'x' }, { ids: ['not-a-uuid'] }, { ids: Array.from({ length: 501 }, () => randomUUID()) }]) {
        const res = await h.call(alice, 'DELETE', '/api/ciphers', body);
        expect(res.status).toBe(400);
        expect(res.body.message).toBe('The model state is invalid.');
      }
      expect(await get(alice, mine[0].id)).toEqual(mine[0]);
      expect(h.take()).toEqual([]);
    });
  });

  describe('move', () => {
    it.each(['PUT', 'POST'])('%s /api/ciphers/move with one id → CipherUpdated carrying the cipher\'s current revision date', async (method) => {
      const [cipher] = await createCiphers(alice, 1);
      const folder = await createFolder(alice);
      const before = await h.revisionDate(alice);
      await sleep(5);
      const res = await h.call(alice, method, '/api/ciphers/move', { ids: [cipher.id], folderId: folder.id });
      expect(res.status).toBe(200);
      expect(h.take()).toEqual([
        {
          name: 'CipherUpdated',
          payload: {
            cipherId: cipher.id, userId: alice.id, organizationId: null, collectionIds: null, revisionDate: new Date(cipher.revisionDate),
            recipients: [alice.id], actor: { userId: alice.id, deviceId: alice.deviceId, deviceIdentifier: alice.deviceIdentifier },
          },
        },
      ]);
      const after = await get(alice, cipher.id);
      expect(after).toEqual({ ...cipher, folderId: folder.id });
      expect(await h.revisionDate(alice)).toBeGreaterThan(before);
    });

    it('several ids → one CiphersBulkChanged(bulk-move); folderId null takes them out of the folder', async () => {
      const mine = await createCiphers(alice, 3);
      const [theirs] = await createCiphers(bob, 1);
      const folder = await createFolder(alice);
      const res = await h.call(alice, 'PUT', '/api/ciphers/move', { ids: [...mine.map((c) => c.id), theirs.id], folderId: folder.id });
      expect(res.status).toBe(200);
      expect(h.take()).toEqual([bulkEvent('bulk-move', alice)]);
      for (const c of mine) expect((await get(alice, c.id)).folderId).toBe(folder.id);
      expect((await get(bob, theirs.id)).folderId).toBeNull();

      expect((await h.call(alice, 'POST', '/api/ciphers/move', { ids: [mine[0].id, mine[1].id], folderId: null })).status).toBe(200);
      expect(h.take()).toEqual([bulkEvent('bulk-move', alice)]);
      expect((await get(alice, mine[0].id)).folderId).toBeNull();
      expect((await get(alice, mine[2].id)).folderId).toBe(folder.id);
    });

    it("another user's folder → 400 Invalid folder; another user's single cipher → no event; nothing moved", async () => {
      const [cipher] = await createCiphers(alice, 1);
      const [theirs] = await createCiphers(bob, 1);
      const bobsFolder = await createFolder(bob);
      const myFolder = await createFolder(alice);
      const res = await h.call(alice, 'PUT', '/api/ciphers/move', { ids: [cipher.id], folderId: bobsFolder.id });
      expect(res.status).toBe(400);
      expect(res.body.message).toBe(INVALID_FOLDER);
      expect((await h.call(alice, 'PUT', '/api/ciphers/move', { ids: [theirs.id], folderId: myFolder.id })).status).toBe(200);
      expect(h.take()).toEqual([]);
      expect(await get(alice, cipher.id)).toEqual(cipher);
      expect(await get(bob, theirs.id)).toEqual(theirs);
    });
  });

  describe('import', () => {
    it('POST /api/ciphers/import creates folders, ciphers and links → exactly one CiphersBulkChanged(vault, import)', async () => {
      const existing = await createFolder(alice);
      const before = await h.revisionDate(alice);
      await sleep(5);
      const folders = [{ name: randomName() }, { name: randomName() }, { id: existing.id, name: existing.name }];
      const ciphers = [
        loginBody({ favorite: true }),
        { type: 2, name: randomName(), secureNote: { type: 0 } },
        loginBody(),
        { type: 3, name: randomName(), card: { number: encString() } },
      ];
      const res = await h.call(alice, 'POST', '/api/ciphers/import', {
        ciphers,
        folders,
        folderRelationships: [{ key: 0, value: 0 }, { key: 1, value: 1 }, { key: 2, value: 2 }],
      });
      expect(res.status).toBe(200);
      expect(res.text).toBe('');
      expect(h.take()).toEqual([bulkEvent('import', alice, 'vault')]);
      expect(await h.revisionDate(alice)).toBeGreaterThan(before);

      const sync = (await h.call(alice, 'GET', '/api/sync?excludeDomains=true')).body;
      expect(sync.folders).toHaveLength(3);
      const byName = new Map<string, Json>(sync.folders.map((f: Json) => [f.name, f]));
      const imported = new Map<string, Json>(sync.ciphers.map((c: Json) => [c.name, c]));
      expect(imported.size).toBe(4);
      expect(imported.get(ciphers[0]!.name as string)).toMatchObject({ folderId: byName.get(folders[0]!.name)!.id, favorite: true, type: 1 });
      expect(imported.get(ciphers[1]!.name as string)).toMatchObject({ folderId: byName.get(folders[1]!.name)!.id, favorite: false, type: 2 });
      expect(imported.get(ciphers[2]!.name as string)).toMatchObject({ folderId: existing.id });
      expect(imported.get(ciphers[3]!.name as string)).toMatchObject({ folderId: null, type: 3, card: { number: (ciphers[3] as Json).card.number } });
    });

    it('bad relationships, foreign folder ids, organization ciphers or invalid items → 400 and nothing written', async () => {
      const bobsFolder = await createFolder(bob);
      const bodies = [
        { ciphers: [loginBody()], folders: [{ name: randomName() }], folderRelationships: [{ key: 1, value: 0 }] },
        { ciphers: [loginBody()], folders: [{ name: randomName() }], folderRelationships: [{ key: 0, value: 1 }] },
        { ciphers: [loginBody({ folderId: bobsFolder.id })], folders: [] },
        { ciphers: [loginBody({ organizationId: randomUUID() })], folders: [] },
        { ciphers: [loginBody(), { type: 1, name: 'not encrypted', login: {} }], folders: [{ name: randomName() }] },
        { ciphers: 'nope' },
      ];
      for (const body of bodies) expect((await h.call(alice, 'POST', '/api/ciphers/import', body)).status).toBe(400);
      const sync = (await h.call(alice, 'GET', '/api/sync?excludeDomains=true')).body;
      expect(sync.ciphers).toEqual([]);
      expect(sync.folders).toEqual([]);
      expect(h.take()).toEqual([]);
      expect((await h.call(bob, 'GET', '/api/sync?excludeDomains=true')).body.folders.map((f: Json) => f.id)).toContain(bobsFolder.id);
    });
  });

  describe('purge', () => {
    it('wrong master password hash → 400 "Invalid password", nothing deleted, no event', async () => {
      const mine = await createCiphers(alice, 2);
      await createFolder(alice);
      const res = await h.call(alice, 'POST', '/api/ciphers/purge', { masterPasswordHash: Buffer.from('wrong').toString('base64') });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ message: 'Invalid password', object: 'error' });
      expect((await h.call(alice, 'POST', '/api/ciphers/purge', {})).status).toBe(400);
      expect(h.take()).toEqual([]);
      const sync = (await h.call(alice, 'GET', '/api/sync?excludeDomains=true')).body;
      expect(sync.ciphers.map((c: Json) => c.id).sort()).toEqual(mine.map((c) => c.id).sort());
      expect(sync.folders).toHaveLength(1);
    });

    it('right hash → every cipher and folder of the caller gone (others untouched), one CiphersBulkChanged(vault, purge)', async () => {
      await createCiphers(alice, 3);
      const folder = await createFolder(alice);
      await h.call(alice, 'PUT', '/api/ciphers/move', { ids: [], folderId: folder.id });
      const [theirs] = await createCiphers(bob, 1);
      const bobsFolder = await createFolder(bob);
      h.take();
      const before = await h.revisionDate(alice);
      await sleep(5);
      const res = await h.call(alice, 'POST', '/api/ciphers/purge', { masterPasswordHash: alice.masterPasswordHash });
      expect(res.status).toBe(200);
      expect(h.take()).toEqual([bulkEvent('purge', alice, 'vault')]);
      const sync = (await h.call(alice, 'GET', '/api/sync?excludeDomains=true')).body;
      expect(sync.ciphers).toEqual([]);
      expect(sync.folders).toEqual([]);
      expect(await h.revisionDate(alice)).toBeGreaterThan(before);
      expect(await get(bob, theirs.id)).toEqual(theirs);
      expect((await h.call(bob, 'GET', `/api/folders/${bobsFolder.id}`)).status).toBe(200);
    });

    it('purge of an organization the caller is not a member of → 404, nothing deleted', async () => {
      const mine = await createCiphers(alice, 1);
      const res = await h.call(alice, 'POST', `/api/ciphers/purge?organizationId=${randomUUID()}`, { masterPasswordHash: alice.masterPasswordHash });
      expect(res.status).toBe(404);
      expect(await get(alice, mine[0].id)).toEqual(mine[0]);
      expect(h.take()).toEqual([]);
    });
  });

  describe('trash auto-purge (TRASH_AUTO_DELETE_DAYS = 30)', () => {
    it('deletes ciphers trashed more than 30 days ago, keeps newer trash and live items, no events, owner revision date moves', async () => {
      const [old, recent, live] = await createCiphers(alice, 3);
      const [bobsOld] = await createCiphers(bob, 1);
      for (const c of [old, recent, bobsOld]) await h.call(c === bobsOld ? bob : alice, 'PUT', `/api/ciphers/${c.id}/delete`);
      const longAgo = new Date(Date.now() - 31 * 24 * 3600 * 1000);
      await h.db.getRepository(CipherEntity).update({ id: old.id }, { deletedDate: longAgo });
      await h.db.getRepository(CipherEntity).update({ id: bobsOld.id }, { deletedDate: longAgo });
      h.take();
      const before = await h.revisionDate(alice);
      const bobBefore = await h.revisionDate(bob);
      await sleep(5);

      const removed = await h.t.app.get(TrashPurgeJob).runOnce();
      expect(removed).toBeGreaterThanOrEqual(2);
      expect((await h.call(alice, 'GET', `/api/ciphers/${old.id}`)).status).toBe(404);
      expect((await h.call(bob, 'GET', `/api/ciphers/${bobsOld.id}`)).status).toBe(404);
      expect((await get(alice, recent.id)).deletedDate).not.toBeNull();
      expect((await get(alice, live.id)).deletedDate).toBeNull();
      expect(await h.revisionDate(alice)).toBeGreaterThan(before);
      expect(await h.revisionDate(bob)).toBeGreaterThan(bobBefore);
      await h.t.app.get(UnitOfWork).drain();
      expect(h.take()).toEqual([]);
    });
  });
});

describe('vault: trash auto-purge as in Vaultwarden (TRASH_AUTO_DELETE_DAYS unset = never, 0 = all of the trash)', () => {
  for (const [title, env, purged] of [
    ['unset: never deletes anything', {}, false],
    ['0: everything in the trash goes at the next pass, live items stay', { TRASH_AUTO_DELETE_DAYS: '0' }, true],
  ] as const) {
    describe(title, () => {
      let h: VaultHarness;
      beforeAll(async () => {
        h = await startVault(env);
      }, 60_000);
      afterAll(async () => {
        await h?.close();
      });

      it(title, async () => {
        const user = await h.newUser();
        const res = await h.call(user, 'POST', '/api/ciphers', loginBody());
        const live = await h.call(user, 'POST', '/api/ciphers', loginBody());
        await h.call(user, 'PUT', `/api/ciphers/${res.body.id}/delete`);
        await h.db.getRepository(CipherEntity).update({ id: res.body.id }, { deletedDate: new Date(Date.now() - 1000) });
        expect(await h.t.app.get(TrashPurgeJob).runOnce()).toBe(purged ? 1 : 0);
        expect((await h.call(user, 'GET', `/api/ciphers/${res.body.id}`)).status).toBe(purged ? 404 : 200);
        expect((await h.call(user, 'GET', `/api/ciphers/${live.body.id}`)).status).toBe(200);
      });
    });
  }
});
