import { randomUUID } from 'node:crypto';
import { createServiceHarness, encString, ServiceHarness, TestUser } from '../../test/unit/support/service-module';
import { AccountsService } from '../accounts/accounts.service';
import { ErrorCode } from '../common/errors/error-code';
import { CipherEntity, FavoriteEntity, FolderCipherEntity, FolderEntity } from '../db/entities';
import { Actor } from '../event-bus/domain-events';
import { FoldersService } from '../folders/folders.service';
import { CiphersService } from './ciphers.service';
import { CipherRequestDto } from './dto/cipher-request.dto';

/** CiphersService on the real modules and an in-memory SQLite database with the real migrations. */
describe('CiphersService', () => {
  let h: ServiceHarness;
  let ciphers: CiphersService;
  let folders: FoldersService;
  let accounts: AccountsService;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    h = await createServiceHarness();
    ciphers = h.get(CiphersService);
    folders = h.get(FoldersService);
    accounts = h.get(AccountsService);
  });
  afterAll(() => h.close());

  beforeEach(async () => {
    alice = await h.newUser();
    bob = await h.newUser();
    await h.events.take();
  });

  const note = (overrides: Partial<CipherRequestDto> = {}): CipherRequestDto => ({ type: 2, name: encString('note'), secureNote: { type: 0 }, ...overrides });
  const row = (id: string): Promise<CipherEntity | null> => h.db.getRepository(CipherEntity).findOneBy({ id });
  const rowsOf = (user: TestUser): Promise<CipherEntity[]> => h.db.getRepository(CipherEntity).findBy({ userId: user.id });
  const folderOf = async (cipherId: string): Promise<string | null> => (await h.db.getRepository(FolderCipherEntity).findOneBy({ cipherId }))?.folderId ?? null;
  const isFavorite = async (user: TestUser, cipherId: string): Promise<boolean> => (await h.db.getRepository(FavoriteEntity).countBy({ userId: user.id, cipherId })) === 1;
  const revisionOf = (user: TestUser): Promise<number> => accounts.revisionDate(user.auth);
  const change = (user: TestUser, cipherId: string, revisionDate: Date, actor: Actor | null = user.auth.actor) => ({
    cipherId, userId: user.id, organizationId: null, collectionIds: null, revisionDate, recipients: [user.id], actor,
  });
  /** Three of the user's ciphers, created one second apart; the recorded events are cleared. */
  const three = async (user: TestUser): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      h.clock.advance();
      ids.push((await ciphers.create(user.auth, note())).id);
    }
    await h.events.take();
    return ids;
  };

  describe('create', () => {
    it('stores the cipher with its folder and favourite, bumps the account revision date and emits CipherCreated', async () => {
      const folder = await folders.create(alice.auth, { name: encString('f') });
      await h.events.take();
      const now = h.clock.advance();
      const name = encString('login');
      const created = await ciphers.create(alice.auth, {
        type: 1, name, folderId: folder.id, favorite: true,
        login: { response: null, username: encString('u'), uris: [{ response: null, uri: encString('uri'), match: null }], futureKey: 1 },
      });

      const stored = await row(created.id);
      expect(stored).toMatchObject({ userId: alice.id, organizationId: null, type: 1, name, deletedDate: null, archivedDate: null });
      expect(stored?.creationDate.getTime()).toBe(now.getTime());
      expect(stored?.revisionDate.getTime()).toBe(now.getTime());
      // Stored as sent, minus the `response` keys clients echo back (unknown keys kept).
      const data = JSON.parse(stored?.data ?? '{}') as Record<string, unknown>;
      expect(data).not.toHaveProperty('response');
      expect(data.futureKey).toBe(1);
      expect((data.uris as Array<Record<string, unknown>>)[0]).not.toHaveProperty('response');
      expect(await folderOf(created.id)).toBe(folder.id);
      expect(await isFavorite(alice, created.id)).toBe(true);
      expect(created).toMatchObject({ id: created.id, folderId: folder.id, favorite: true, revisionDate: now.toISOString() });
      expect(await revisionOf(alice)).toBe(now.getTime());
      expect(await h.events.take()).toEqual([{ name: 'CipherCreated', payload: change(alice, created.id, now) }]);
    });

    it('accepts encryptedFor naming the caller in any case', async () => {
      const created = await ciphers.create(alice.auth, note({ encryptedFor: alice.id.toUpperCase() }));
      expect(await row(created.id)).not.toBeNull();
    });

    it.each([
      ['an organization id without collections (POST /api/ciphers)', (): Partial<CipherRequestDto> => ({ organizationId: randomUUID() }), ErrorCode.CollectionsRequired, 400],
      ['encryptedFor another user', (): Partial<CipherRequestDto> => ({ encryptedFor: bob.id }), ErrorCode.CipherNotEncryptedForUser, 400],
      ['a folder that is not the caller’s', (): Partial<CipherRequestDto> => ({ folderId: randomUUID() }), ErrorCode.FolderNotFound, 400],
    ])('refuses %s: nothing stored, no revision bump, no event', async (_what, overrides, code, status) => {
      const before = await revisionOf(alice);
      h.clock.advance();
      await expect(ciphers.create(alice.auth, note(overrides()))).rejects.toMatchObject({ code, status });
      expect(await rowsOf(alice)).toEqual([]);
      expect(await revisionOf(alice)).toBe(before);
      expect(await h.events.take()).toEqual([]);
    });

    it('refuses another user’s folder', async () => {
      const bobsFolder = await folders.create(bob.auth, { name: encString('b') });
      await expect(ciphers.create(alice.auth, note({ folderId: bobsFolder.id }))).rejects.toMatchObject({ code: ErrorCode.FolderNotFound });
      expect(await rowsOf(alice)).toEqual([]);
    });

    it('createWithCollections refuses collection ids on a personal cipher, an organization cipher with no collection or in an organization the caller is not in, and creates a personal one', async () => {
      await expect(ciphers.createWithCollections(alice.auth, { cipher: note(), collectionIds: [randomUUID()] })).rejects.toMatchObject({ code: ErrorCode.CollectionsNeedOrganization });
      await expect(ciphers.createWithCollections(alice.auth, { cipher: note({ organizationId: randomUUID() }) })).rejects.toMatchObject({ code: ErrorCode.CollectionsRequired });
      await expect(ciphers.createWithCollections(alice.auth, { cipher: note({ organizationId: randomUUID() }), collectionIds: [randomUUID()] })).rejects.toMatchObject({ code: ErrorCode.CipherNotFound });
      expect(await h.events.take()).toEqual([]);
      const created = await ciphers.createWithCollections(alice.auth, { cipher: note(), collectionIds: [] });
      expect((await row(created.id))?.userId).toBe(alice.id);
    });
  });

  describe('update', () => {
    it('writes the content, moves the cipher and account revision dates, keeps the creation date, emits CipherUpdated', async () => {
      const created = await ciphers.create(alice.auth, note());
      const createdAt = h.clock.now();
      await h.events.take();
      const later = h.clock.advance(10_000);
      const name = encString('renamed');
      const updated = await ciphers.update(alice.auth, created.id, note({ name, notes: encString('notes'), lastKnownRevisionDate: created.revisionDate }));

      const stored = await row(created.id);
      expect(stored?.name).toBe(name);
      expect(stored?.notes).not.toBeNull();
      expect(stored?.revisionDate.getTime()).toBe(later.getTime());
      expect(stored?.creationDate.getTime()).toBe(createdAt.getTime());
      expect(updated.revisionDate).toBe(later.toISOString());
      expect(await revisionOf(alice)).toBe(later.getTime());
      expect(await h.events.take()).toEqual([{ name: 'CipherUpdated', payload: change(alice, created.id, later) }]);
    });

    it('refuses a stale lastKnownRevisionDate (StaleCipher, 400): nothing written, no event', async () => {
      const created = await ciphers.create(alice.auth, note());
      h.clock.advance();
      await ciphers.update(alice.auth, created.id, note());
      await h.events.take();
      const before = await row(created.id);
      h.clock.advance();

      await expect(ciphers.update(alice.auth, created.id, note({ name: encString('late'), lastKnownRevisionDate: created.revisionDate })))
        .rejects.toMatchObject({ code: ErrorCode.StaleCipher, status: 400 });
      expect(await row(created.id)).toEqual(before);
      expect(await h.events.take()).toEqual([]);
    });

    it('sets the folder and favourite as sent: omitting them takes the cipher out of its folder and unmarks it', async () => {
      const folder = await folders.create(alice.auth, { name: encString('f') });
      const created = await ciphers.create(alice.auth, note({ folderId: folder.id, favorite: true }));
      h.clock.advance();
      const updated = await ciphers.update(alice.auth, created.id, note());
      expect(updated).toMatchObject({ folderId: null, favorite: false });
      expect(await folderOf(created.id)).toBeNull();
      expect(await isFavorite(alice, created.id)).toBe(false);
    });

    it('partial sets folder and favourite only: the cipher keeps its revision date, the account date moves, no event', async () => {
      const created = await ciphers.create(alice.auth, note());
      const folder = await folders.create(alice.auth, { name: encString('f') });
      await h.events.take();
      const later = h.clock.advance();
      const result = await ciphers.partial(alice.auth, created.id, { folderId: folder.id, favorite: true });

      expect(result).toMatchObject({ folderId: folder.id, favorite: true, revisionDate: created.revisionDate });
      expect(await folderOf(created.id)).toBe(folder.id);
      expect(await isFavorite(alice, created.id)).toBe(true);
      expect((await row(created.id))?.revisionDate.toISOString()).toBe(created.revisionDate);
      expect(await revisionOf(alice)).toBe(later.getTime());
      expect(await h.events.take()).toEqual([]);

      const bobsFolder = await folders.create(bob.auth, { name: encString('b') });
      await expect(ciphers.partial(alice.auth, created.id, { folderId: bobsFolder.id })).rejects.toMatchObject({ code: ErrorCode.FolderNotFound });
      expect(await folderOf(created.id)).toBe(folder.id);
    });
  });

  describe('another user’s cipher', () => {
    it('is Resource not found (404) for every read and write, and stays untouched', async () => {
      const bobs = await ciphers.create(bob.auth, note());
      await h.events.take();
      const before = await row(bobs.id);
      const bobRevision = await revisionOf(bob);
      h.clock.advance();

      const attempts: Array<[string, () => Promise<unknown>]> = [
        ['get', () => ciphers.get(alice.auth, bobs.id)],
        ['update', () => ciphers.update(alice.auth, bobs.id, note())],
        ['partial', () => ciphers.partial(alice.auth, bobs.id, { favorite: true })],
        ['trash', () => ciphers.trash(alice.auth, bobs.id)],
        ['restore', () => ciphers.restore(alice.auth, bobs.id)],
        ['archive', () => ciphers.archive(alice.auth, bobs.id)],
        ['unarchive', () => ciphers.unarchive(alice.auth, bobs.id)],
        ['delete', () => ciphers.delete(alice.auth, bobs.id)],
      ];
      for (const [what, attempt] of attempts) {
        await expect(attempt().then(() => what)).rejects.toMatchObject({ code: ErrorCode.CipherNotFound, status: 404, message: 'Resource not found.' });
      }
      expect((await ciphers.list(alice.auth)).data).toEqual([]);
      expect(await row(bobs.id)).toEqual(before);
      expect(await isFavorite(alice, bobs.id)).toBe(false);
      expect(await revisionOf(bob)).toBe(bobRevision);
      expect(await h.events.take()).toEqual([]);
    });

    it('is skipped by the multi-item operations, which then change and emit nothing', async () => {
      const bobs = await ciphers.create(bob.auth, note());
      await h.events.take();
      const before = await row(bobs.id);
      h.clock.advance();
      const ids = { ids: [bobs.id, randomUUID()] };

      await ciphers.bulkTrash(alice.auth, ids);
      expect((await ciphers.bulkRestore(alice.auth, ids)).data).toEqual([]);
      expect((await ciphers.bulkArchive(alice.auth, ids)).data).toEqual([]);
      expect((await ciphers.bulkUnarchive(alice.auth, ids)).data).toEqual([]);
      await ciphers.move(alice.auth, { ids: [bobs.id], folderId: null });
      await ciphers.bulkDelete(alice.auth, ids);

      expect(await row(bobs.id)).toEqual(before);
      expect(await h.events.take()).toEqual([]);
    });
  });

  describe('trash, restore, archive, unarchive', () => {
    it('trash sets the deleted date and revision date to one instant and emits CipherUpdated; trashing again does nothing', async () => {
      const created = await ciphers.create(alice.auth, note());
      await h.events.take();
      const now = h.clock.advance();
      await ciphers.trash(alice.auth, created.id);

      const trashed = await row(created.id);
      expect(trashed?.deletedDate?.getTime()).toBe(now.getTime());
      expect(trashed?.revisionDate.getTime()).toBe(now.getTime());
      expect(await revisionOf(alice)).toBe(now.getTime());
      expect(await h.events.take()).toEqual([{ name: 'CipherUpdated', payload: change(alice, created.id, now) }]);

      h.clock.advance();
      await ciphers.trash(alice.auth, created.id);
      expect(await row(created.id)).toEqual(trashed);
      expect(await revisionOf(alice)).toBe(now.getTime());
      expect(await h.events.take()).toEqual([]);
    });

    it('restore clears the deleted date with a new revision date; restoring a cipher not in the trash emits nothing', async () => {
      const created = await ciphers.create(alice.auth, note());
      h.clock.advance();
      await ciphers.trash(alice.auth, created.id);
      await h.events.take();
      const now = h.clock.advance();
      const restored = await ciphers.restore(alice.auth, created.id);

      expect(restored).toMatchObject({ id: created.id, deletedDate: null, revisionDate: now.toISOString() });
      expect((await row(created.id))?.deletedDate).toBeNull();
      expect(await h.events.take()).toEqual([{ name: 'CipherUpdated', payload: change(alice, created.id, now) }]);

      h.clock.advance();
      expect((await ciphers.restore(alice.auth, created.id)).revisionDate).toBe(now.toISOString());
      expect(await h.events.take()).toEqual([]);
    });

    it('archive and unarchive set and clear the archived date, each once, with CipherUpdated', async () => {
      const created = await ciphers.create(alice.auth, note());
      await h.events.take();
      const archivedAt = h.clock.advance();
      const archived = await ciphers.archive(alice.auth, created.id);
      expect(archived.archivedDate).toBe(archivedAt.toISOString());
      expect((await row(created.id))?.archivedDate?.getTime()).toBe(archivedAt.getTime());
      h.clock.advance();
      expect((await ciphers.archive(alice.auth, created.id)).archivedDate).toBe(archivedAt.toISOString());
      expect(await h.events.take()).toEqual([{ name: 'CipherUpdated', payload: change(alice, created.id, archivedAt) }]);

      const unarchivedAt = h.clock.advance();
      const unarchived = await ciphers.unarchive(alice.auth, created.id);
      expect(unarchived).toMatchObject({ archivedDate: null, revisionDate: unarchivedAt.toISOString() });
      expect((await row(created.id))?.archivedDate).toBeNull();
      await ciphers.unarchive(alice.auth, created.id);
      expect(await h.events.take()).toEqual([{ name: 'CipherUpdated', payload: change(alice, created.id, unarchivedAt) }]);
    });

    it('delete removes the row with its folder link and favourite, and emits CipherDeleted at the time of deletion', async () => {
      const folder = await folders.create(alice.auth, { name: encString('f') });
      const created = await ciphers.create(alice.auth, note({ folderId: folder.id, favorite: true }));
      await h.events.take();
      const now = h.clock.advance();
      await ciphers.delete(alice.auth, created.id);

      expect(await row(created.id)).toBeNull();
      expect(await folderOf(created.id)).toBeNull();
      expect(await isFavorite(alice, created.id)).toBe(false);
      expect(await h.db.getRepository(FolderEntity).countBy({ id: folder.id })).toBe(1);
      expect(await revisionOf(alice)).toBe(now.getTime());
      expect(await h.events.take()).toEqual([{ name: 'CipherDeleted', payload: change(alice, created.id, now) }]);
      await expect(ciphers.get(alice.auth, created.id)).rejects.toMatchObject({ code: ErrorCode.CipherNotFound, status: 404 });
    });
  });

  describe('multi-item operations: one CiphersBulkChanged for the user, nothing per item', () => {
    const bulk = (user: TestUser, reason: string, kind = 'ciphers') => ({ name: 'CiphersBulkChanged', payload: { userIds: [user.id], kind, reason, actor: user.auth.actor } });

    it('bulk trash trashes the caller’s ciphers among the ids (skipping ones already trashed), bulk restore brings them back', async () => {
      const [a, b, c] = (await three(alice)) as [string, string, string];
      const bobs = (await ciphers.create(bob.auth, note())).id;
      h.clock.advance();
      await ciphers.trash(alice.auth, c);
      const cTrashed = await row(c);
      await h.events.take();

      const now = h.clock.advance();
      await ciphers.bulkTrash(alice.auth, { ids: [a, b, c, bobs, randomUUID()] });
      expect((await row(a))?.deletedDate?.getTime()).toBe(now.getTime());
      expect((await row(b))?.revisionDate.getTime()).toBe(now.getTime());
      expect(await row(c)).toEqual(cTrashed);
      expect((await row(bobs))?.deletedDate).toBeNull();
      expect(await revisionOf(alice)).toBe(now.getTime());
      expect(await h.events.take()).toEqual([bulk(alice, 'bulk-trash')]);

      h.clock.advance();
      await ciphers.bulkTrash(alice.auth, { ids: [a, b] });
      expect(await h.events.take()).toEqual([]);

      const restoredAt = h.clock.advance();
      const restored = await ciphers.bulkRestore(alice.auth, { ids: [a, b, c, bobs] });
      expect(restored.data.map((r) => r.id).sort()).toEqual([a, b, c].sort());
      expect(restored.data.every((r) => r.deletedDate === null && r.revisionDate === restoredAt.toISOString())).toBe(true);
      expect(await h.events.take()).toEqual([bulk(alice, 'bulk-restore')]);
    });

    it('bulk delete removes only the caller’s ciphers among the ids', async () => {
      const [a, b, c] = (await three(alice)) as [string, string, string];
      const bobs = (await ciphers.create(bob.auth, note())).id;
      await h.events.take();
      const now = h.clock.advance();
      await ciphers.bulkDelete(alice.auth, { ids: [a, b, bobs] });

      expect((await rowsOf(alice)).map((r) => r.id)).toEqual([c]);
      expect(await row(bobs)).not.toBeNull();
      expect(await revisionOf(alice)).toBe(now.getTime());
      expect(await h.events.take()).toEqual([bulk(alice, 'bulk-delete')]);
    });

    it('bulk archive and unarchive change only the ciphers whose state differs, and answer with them', async () => {
      const [a, b, c] = (await three(alice)) as [string, string, string];
      h.clock.advance();
      await ciphers.archive(alice.auth, c);
      await h.events.take();

      const archivedAt = h.clock.advance();
      const archived = await ciphers.bulkArchive(alice.auth, { ids: [a, b, c] });
      expect(archived.data.map((r) => r.id).sort()).toEqual([a, b].sort());
      expect(archived.data.every((r) => r.archivedDate === archivedAt.toISOString())).toBe(true);
      expect(await h.events.take()).toEqual([bulk(alice, 'bulk-archive')]);

      h.clock.advance();
      const unarchived = await ciphers.bulkUnarchive(alice.auth, { ids: [a, c] });
      expect(unarchived.data.map((r) => r.id).sort()).toEqual([a, c].sort());
      expect((await row(a))?.archivedDate).toBeNull();
      expect((await row(b))?.archivedDate?.getTime()).toBe(archivedAt.getTime());
      expect(await h.events.take()).toEqual([bulk(alice, 'bulk-unarchive')]);
    });

    it('move puts several ciphers in a folder without touching their revision dates: one bulk event', async () => {
      const ids = await three(alice);
      const folder = await folders.create(alice.auth, { name: encString('f') });
      const before = await Promise.all(ids.map(row));
      await h.events.take();
      const now = h.clock.advance();
      await ciphers.move(alice.auth, { ids, folderId: folder.id });

      expect(await Promise.all(ids.map(folderOf))).toEqual([folder.id, folder.id, folder.id]);
      expect((await Promise.all(ids.map(row))).map((r) => r?.revisionDate.getTime())).toEqual(before.map((r) => r?.revisionDate.getTime()));
      expect(await revisionOf(alice)).toBe(now.getTime());
      expect(await h.events.take()).toEqual([bulk(alice, 'bulk-move')]);

      h.clock.advance();
      await ciphers.move(alice.auth, { ids, folderId: null });
      expect(await Promise.all(ids.map(folderOf))).toEqual([null, null, null]);
      expect(await h.events.take()).toEqual([bulk(alice, 'bulk-move')]);
    });

    it('move of one cipher (even named twice) emits CipherUpdated with the cipher’s own revision date', async () => {
      const created = await ciphers.create(alice.auth, note());
      const folder = await folders.create(alice.auth, { name: encString('f') });
      await h.events.take();
      h.clock.advance();
      await ciphers.move(alice.auth, { ids: [created.id, created.id], folderId: folder.id });

      expect(await folderOf(created.id)).toBe(folder.id);
      expect(await h.events.take()).toEqual([{ name: 'CipherUpdated', payload: change(alice, created.id, new Date(created.revisionDate)) }]);
    });

    it('move into another user’s folder is Invalid folder and changes nothing', async () => {
      const ids = await three(alice);
      const bobsFolder = await folders.create(bob.auth, { name: encString('b') });
      await h.events.take();
      await expect(ciphers.move(alice.auth, { ids, folderId: bobsFolder.id })).rejects.toMatchObject({ code: ErrorCode.FolderNotFound, status: 400 });
      expect(await Promise.all(ids.map(folderOf))).toEqual([null, null, null]);
      expect(await h.events.take()).toEqual([]);
    });
  });

  describe('import', () => {
    it('creates new folders, reuses the caller’s existing ones, links ciphers by index, and emits one SyncVault-kind bulk event', async () => {
      const existing = await folders.create(alice.auth, { name: encString('existing') });
      const bobsFolder = await folders.create(bob.auth, { name: encString('bobs') });
      await h.events.take();
      const newName = encString('new');
      const claimedName = encString('claimed');
      const now = h.clock.advance();

      await ciphers.import(alice.auth, {
        folders: [{ name: newName }, { id: existing.id, name: encString('ignored') }, { id: bobsFolder.id, name: claimedName }],
        ciphers: [note({ favorite: true }), note(), note(), note({ folderId: existing.id })],
        folderRelationships: [{ key: 0, value: 0 }, { key: 1, value: 1 }, { key: 2, value: 2 }],
      });

      const aliceFolders = await h.db.getRepository(FolderEntity).findBy({ userId: alice.id });
      expect(aliceFolders).toHaveLength(3);
      const created = aliceFolders.find((f) => f.name === newName);
      // A folder id that is not the caller's is not reused: a new folder of the caller's is made instead.
      const claimed = aliceFolders.find((f) => f.name === claimedName);
      expect(created).toBeDefined();
      expect(claimed?.id).not.toBe(bobsFolder.id);
      expect((await h.db.getRepository(FolderEntity).findOneBy({ id: existing.id }))?.name).toBe(existing.name);
      expect((await h.db.getRepository(FolderEntity).findOneBy({ id: bobsFolder.id }))?.userId).toBe(bob.id);

      const imported = (await rowsOf(alice)).sort((x, y) => x.id.localeCompare(y.id));
      expect(imported).toHaveLength(4);
      expect(imported.every((c) => c.revisionDate.getTime() === now.getTime())).toBe(true);
      const links = new Map((await h.db.getRepository(FolderCipherEntity).findBy({})).map((l) => [l.cipherId, l.folderId]));
      const listed = (await ciphers.list(alice.auth)).data;
      expect(listed.map((c) => c.folderId).sort()).toEqual([created?.id, existing.id, claimed?.id, existing.id].sort());
      expect(listed.filter((c) => c.favorite)).toHaveLength(1);
      expect(imported.every((c) => links.has(c.id))).toBe(true);
      expect(await revisionOf(alice)).toBe(now.getTime());
      expect(await h.events.take()).toEqual([{ name: 'CiphersBulkChanged', payload: { userIds: [alice.id], kind: 'vault', reason: 'import', actor: alice.auth.actor } }]);
    });

    it('refuses a relationship to a missing cipher or folder index, and rolls everything back', async () => {
      const dto = { folders: [{ name: encString('f') }], ciphers: [note()], folderRelationships: [{ key: 0, value: 1 }] };
      await expect(ciphers.import(alice.auth, dto)).rejects.toMatchObject({ code: ErrorCode.InvalidFolderRelationship, status: 400 });
      await expect(ciphers.import(alice.auth, { ...dto, folderRelationships: [{ key: 1, value: 0 }] })).rejects.toMatchObject({ code: ErrorCode.InvalidFolderRelationship });
      expect(await rowsOf(alice)).toEqual([]);
      expect(await h.db.getRepository(FolderEntity).countBy({ userId: alice.id })).toBe(0);
      expect(await h.events.take()).toEqual([]);
    });

    it('refuses a cipher whose own folder id is not the caller’s', async () => {
      const bobsFolder = await folders.create(bob.auth, { name: encString('b') });
      await expect(ciphers.import(alice.auth, { ciphers: [note(), note({ folderId: bobsFolder.id })] })).rejects.toMatchObject({ code: ErrorCode.FolderNotFound });
      expect(await rowsOf(alice)).toEqual([]);
    });

    it('an import of nothing new writes and emits nothing', async () => {
      const existing = await folders.create(alice.auth, { name: encString('existing') });
      await h.events.take();
      const before = await revisionOf(alice);
      h.clock.advance();
      await ciphers.import(alice.auth, { ciphers: [], folders: [{ id: existing.id, name: encString('x') }] });
      expect(await revisionOf(alice)).toBe(before);
      expect(await h.events.take()).toEqual([]);
    });
  });

  describe('purge', () => {
    it('with the wrong master password: Invalid password (400), nothing deleted', async () => {
      await three(alice);
      await expect(ciphers.purge(alice.auth, { masterPasswordHash: 'wrong' }, undefined)).rejects.toMatchObject({ code: ErrorCode.InvalidPassword, status: 400 });
      // An organization the caller is not a confirmed member of: 404, as from bitwarden/server.
      await expect(ciphers.purge(alice.auth, { masterPasswordHash: alice.masterPasswordHash }, randomUUID())).rejects.toMatchObject({ code: ErrorCode.OrganizationNotFound, status: 404 });
      expect(await rowsOf(alice)).toHaveLength(3);
      expect(await h.events.take()).toEqual([]);
    });

    it('with the master password: every cipher and folder of the caller goes, nobody else’s; one vault bulk event', async () => {
      const folder = await folders.create(alice.auth, { name: encString('f') });
      await ciphers.create(alice.auth, note({ folderId: folder.id, favorite: true }));
      await three(alice);
      const bobs = await ciphers.create(bob.auth, note());
      const bobsFolder = await folders.create(bob.auth, { name: encString('b') });
      await h.events.take();
      const now = h.clock.advance();

      await ciphers.purge(alice.auth, { masterPasswordHash: alice.masterPasswordHash }, undefined);
      expect(await rowsOf(alice)).toEqual([]);
      expect(await h.db.getRepository(FolderEntity).countBy({ userId: alice.id })).toBe(0);
      expect(await h.db.getRepository(FavoriteEntity).countBy({ userId: alice.id })).toBe(0);
      expect(await row(bobs.id)).not.toBeNull();
      expect(await h.db.getRepository(FolderEntity).countBy({ id: bobsFolder.id })).toBe(1);
      expect(await revisionOf(alice)).toBe(now.getTime());
      expect(await h.events.take()).toEqual([{ name: 'CiphersBulkChanged', payload: { userIds: [alice.id], kind: 'vault', reason: 'purge', actor: alice.auth.actor } }]);
    });
  });

  it('the trash purge hard-deletes what was trashed before the cutoff, without events, and moves the owners’ revision dates', async () => {
    const [old, recent, kept] = (await three(alice)) as [string, string, string];
    h.clock.advance();
    await ciphers.trash(alice.auth, old);
    const cutoff = h.clock.advance(60_000);
    await ciphers.trash(alice.auth, recent);
    await h.events.take();
    const now = h.clock.advance();

    expect(await ciphers.purgeTrashedBefore(cutoff)).toBeGreaterThanOrEqual(1);
    expect(await row(old)).toBeNull();
    expect(await row(recent)).not.toBeNull();
    expect(await row(kept)).not.toBeNull();
    expect(await revisionOf(alice)).toBe(now.getTime());
    expect(await h.events.take()).toEqual([]);
  });
});
