import { randomUUID } from 'node:crypto';
import { joinOrganization, membershipOf as membershipIn, newOrganization } from '../../test/unit/support/organizations';
import { createServiceHarness, encString, ServiceHarness, TestUser } from '../../test/unit/support/service-module';
import { AccountsService } from '../accounts/accounts.service';
import { ErrorCode } from '../common/errors/error-code';
import { CipherEntity, CollectionCipherEntity, CollectionEntity, CollectionMemberEntity, FolderCipherEntity, FolderEntity, MembershipEntity } from '../db/entities';
import { FoldersService } from '../folders/folders.service';
import { CollectionsService } from '../organizations/collections.service';
import { OrganizationsService } from '../organizations/organizations.service';
import { CiphersService } from './ciphers.service';
import { CipherRequestDto } from './dto/cipher-request.dto';
import { OrganizationCiphersService } from './organization-ciphers.service';

/**
 * Organization items on the real modules and an in-memory SQLite database: the Admin Console routes
 * (OrganizationCiphersService), and the member-side multi-item operations, import and purge (CiphersService).
 */
describe('organization items: -admin routes, multi-item operations, import, purge', () => {
  let h: ServiceHarness;
  let ciphers: CiphersService;
  let admin: OrganizationCiphersService;
  let organizations: OrganizationsService;
  let collections: CollectionsService;
  let folders: FoldersService;

  let owner: TestUser;
  let bob: TestUser; // user, edit on "shared", manages "bobs"
  let carol: TestUser; // user, read-only on "shared"
  let dave: TestUser; // user, no collection
  let orgId: string;
  let shared: string; // owner (manage), bob (edit), carol (read-only)
  let bobs: string; // bob only (manage): the owner is not assigned

  beforeAll(async () => {
    h = await createServiceHarness();
    ciphers = h.get(CiphersService);
    admin = h.get(OrganizationCiphersService);
    organizations = h.get(OrganizationsService);
    collections = h.get(CollectionsService);
    folders = h.get(FoldersService);
  });
  afterAll(() => h.close());

  const membershipOf = (user: TestUser): Promise<MembershipEntity> => membershipIn(h, orgId, user);
  const join = (user: TestUser, type: number, permissions?: Record<string, boolean>): Promise<string> => joinOrganization(h, orgId, owner, user, type, permissions);
  const note = (overrides: Partial<CipherRequestDto> = {}): CipherRequestDto => ({ type: 2, name: encString('note'), secureNote: { type: 0 }, organizationId: orgId, ...overrides });
  const row = (id: string): Promise<CipherEntity | null> => h.db.getRepository(CipherEntity).findOneBy({ id });
  const linksOf = async (cipherId: string): Promise<string[]> => (await h.db.getRepository(CollectionCipherEntity).findBy({ cipherId })).map((l) => l.collectionId).sort();
  const sorted = (...ids: string[]): string[] => [...ids].sort();
  const setOrg = (settings: { allowAdminAccessToAllCollectionItems?: boolean; limitItemDeletion?: boolean; limitCollectionCreation?: boolean }) =>
    organizations.updateCollectionManagement(owner.auth, orgId, { limitCollectionCreation: false, limitCollectionDeletion: false, ...settings });
  /** A new item in "shared" (or bob's collection), created one second after the previous one. */
  const inShared = async (by: TestUser = owner): Promise<string> => {
    h.clock.advance();
    return (await ciphers.createWithCollections(by.auth, { cipher: note(), collectionIds: [shared] })).id;
  };
  const inBobs = async (): Promise<string> => {
    h.clock.advance();
    return (await ciphers.createWithCollections(bob.auth, { cipher: note(), collectionIds: [bobs] })).id;
  };
  /** The recipients of the one event of `name` that was recorded (sorted), after clearing the others. */
  const recipientsOf = async (name: 'CipherCreated' | 'CipherUpdated' | 'CipherDeleted'): Promise<string[]> => {
    const events = await h.events.of(name);
    expect(events).toHaveLength(1);
    return [...(events[0]?.recipients ?? [])].sort();
  };
  const bulkUsers = async (): Promise<string[]> => {
    const events = await h.events.of('CiphersBulkChanged');
    expect(events).toHaveLength(1);
    return [...(events[0]?.userIds ?? [])].sort();
  };

  beforeEach(async () => {
    [owner, bob, carol, dave] = await Promise.all([h.newUser(), h.newUser(), h.newUser(), h.newUser()]);
    orgId = await newOrganization(h, owner, 'shared');
    shared = (await h.db.getRepository(CollectionEntity).findOneByOrFail({ organizationId: orgId })).id;
    const [bobMember, carolMember] = [await join(bob, 2), await join(carol, 2)];
    await join(dave, 2);
    await collections.update(owner.auth, orgId, shared, {
      name: encString('shared'), users: [{ id: (await membershipOf(owner)).id, manage: true }, { id: bobMember }, { id: carolMember, readOnly: true }],
    });
    bobs = (await collections.create(bob.auth, orgId, { name: encString('bobs') })).id;
    expect(await h.db.getRepository(CollectionMemberEntity).countBy({ collectionId: bobs })).toBe(1);
    await h.events.take();
  });

  describe('-admin routes', () => {
    it('owners act on an item of a collection they are not assigned to while the organization allows it; its members are told, not the owner', async () => {
      const id = await inBobs();
      await h.events.take();

      expect(await admin.getAdmin(owner.auth, id)).toMatchObject({ object: 'cipherMiniDetails', id, organizationId: orgId, collectionIds: [bobs] });
      const name = encString('renamed by the owner');
      const edited = await admin.updateAdmin(owner.auth, id, note({ name }));
      expect(edited).toMatchObject({ object: 'cipherMini', id, name });
      expect(edited).not.toHaveProperty('edit');
      expect((await row(id))?.name).toBe(name);
      expect(await recipientsOf('CipherUpdated')).toEqual([bob.id]);

      await admin.trashAdmin(owner.auth, id);
      expect((await row(id))?.deletedDate).not.toBeNull();
      expect(await recipientsOf('CipherUpdated')).toEqual([bob.id]);
      expect((await admin.restoreAdmin(owner.auth, id)).deletedDate).toBeNull();
      await h.events.take();

      const moved = await admin.setCollectionsAdmin(owner.auth, id, { collectionIds: [shared] });
      expect(moved).toMatchObject({ object: 'cipherMiniDetails', collectionIds: [shared] });
      expect(await linksOf(id)).toEqual([shared]);
      // bob lost it, carol and the owner gained it: everyone told once.
      expect(await recipientsOf('CipherUpdated')).toEqual(sorted(owner.id, bob.id, carol.id));

      await admin.deleteAdmin(owner.auth, id);
      expect(await row(id)).toBeNull();
      expect(await recipientsOf('CipherDeleted')).toEqual(sorted(owner.id, bob.id, carol.id));
    });

    it('without allowAdminAccessToAllCollectionItems the owner may still view, but not change, an item they are not assigned to (404); unassigned items stay theirs', async () => {
      const id = await inBobs();
      await setOrg({ allowAdminAccessToAllCollectionItems: false });
      await h.events.take();
      const before = await row(id);

      expect((await admin.getAdmin(owner.auth, id)).id).toBe(id);
      for (const attempt of [
        () => admin.updateAdmin(owner.auth, id, note()),
        () => admin.setCollectionsAdmin(owner.auth, id, { collectionIds: [shared] }),
        () => admin.trashAdmin(owner.auth, id),
        () => admin.restoreAdmin(owner.auth, id),
        () => admin.deleteAdmin(owner.auth, id),
        () => admin.bulkTrashAdmin(owner.auth, { ids: [id], organizationId: orgId }),
        () => admin.createAdmin(owner.auth, { cipher: note(), collectionIds: [shared] }),
      ]) await expect(attempt()).rejects.toMatchObject({ status: 404 });
      expect(await row(id)).toEqual(before);
      expect(await h.events.take()).toEqual([]);

      // An item the owner is assigned to with edit, and an unassigned one, remain editable as admin.
      const mine = await inShared();
      await admin.updateAdmin(owner.auth, mine, note());
      await admin.setCollectionsAdmin(owner.auth, mine, { collectionIds: [] });
      expect(await linksOf(mine)).toEqual([]);
      await admin.updateAdmin(owner.auth, mine, note({ notes: encString('still mine') }));
      await admin.deleteAdmin(owner.auth, mine);
      expect(await row(mine)).toBeNull();
    });

    it('without allowAdminAccessToAllCollectionItems owners put items only into collections they are assigned to with edit or manage', async () => {
      await setOrg({ allowAdminAccessToAllCollectionItems: false });
      const mine = await inShared();
      await h.events.take();
      // "bobs": the owner is not assigned. Create, collections, collections-admin (unassigned item) and bulk-collections refuse it.
      await expect(ciphers.createWithCollections(owner.auth, { cipher: note(), collectionIds: [bobs] })).rejects.toMatchObject({ code: ErrorCode.CollectionNotWritable });
      await expect(ciphers.setCollections(owner.auth, mine, { collectionIds: [shared, bobs] })).rejects.toMatchObject({ code: ErrorCode.CollectionNotWritable });
      await admin.setCollectionsAdmin(owner.auth, mine, { collectionIds: [] });
      await expect(admin.setCollectionsAdmin(owner.auth, mine, { collectionIds: [bobs] })).rejects.toMatchObject({ status: 404 });
      await expect(admin.bulkCollections(owner.auth, { organizationId: orgId, cipherIds: [mine], collectionIds: [bobs] })).rejects.toMatchObject({ status: 404 });
      expect(await linksOf(mine)).toEqual([]);
      // Assigned with edit (through a direct assignment), it works; and everything works again once admins may reach all items.
      await admin.setCollectionsAdmin(owner.auth, mine, { collectionIds: [shared] });
      await setOrg({ allowAdminAccessToAllCollectionItems: true });
      await ciphers.createWithCollections(owner.auth, { cipher: note(), collectionIds: [bobs] });
      await admin.bulkCollections(owner.auth, { organizationId: orgId, cipherIds: [mine], collectionIds: [bobs] });
      expect(await linksOf(mine)).toEqual(sorted(shared, bobs));
    });

    it('a plain member gets 404 on every -admin route, even on an item they manage; nothing changes', async () => {
      const id = await inBobs();
      await h.events.take();
      const before = await row(id);
      for (const attempt of [
        () => admin.getAdmin(bob.auth, id),
        () => admin.updateAdmin(bob.auth, id, note()),
        () => admin.setCollectionsAdmin(bob.auth, id, { collectionIds: [bobs] }),
        () => admin.trashAdmin(bob.auth, id),
        () => admin.restoreAdmin(bob.auth, id),
        () => admin.deleteAdmin(bob.auth, id),
        () => admin.bulkDeleteAdmin(bob.auth, { ids: [id], organizationId: orgId }),
        () => admin.bulkTrashAdmin(bob.auth, { ids: [id], organizationId: orgId }),
        () => admin.bulkRestoreAdmin(bob.auth, { ids: [id], organizationId: orgId }),
        () => admin.createAdmin(bob.auth, { cipher: note(), collectionIds: [bobs] }),
        () => admin.organizationDetails(bob.auth, orgId),
      ]) await expect(attempt()).rejects.toMatchObject({ status: 404, message: 'Resource not found.' });
      expect(await row(id)).toEqual(before);
      expect(await h.events.take()).toEqual([]);
    });

    it('custom users with editAnyCollection edit every item whatever the setting; deleteAnyCollection only views', async () => {
      const editor = await h.newUser();
      const viewer = await h.newUser();
      await join(editor, 4, { editAnyCollection: true });
      await join(viewer, 4, { deleteAnyCollection: true });
      await setOrg({ allowAdminAccessToAllCollectionItems: false });
      const id = await inBobs();
      await h.events.take();
      await admin.updateAdmin(editor.auth, id, note());
      expect(await recipientsOf('CipherUpdated')).toEqual([bob.id]);
      expect((await admin.getAdmin(viewer.auth, id)).id).toBe(id);
      await expect(admin.updateAdmin(viewer.auth, id, note())).rejects.toMatchObject({ status: 404 });
    });

    it('create as admin: into the organization\'s collections (at least one), encrypted for the caller; answers cipherMini', async () => {
      const created = await admin.createAdmin(owner.auth, { cipher: note(), collectionIds: [bobs] });
      expect(created).toMatchObject({ object: 'cipherMini', organizationId: orgId });
      expect(await linksOf(created.id)).toEqual([bobs]);
      expect(await recipientsOf('CipherCreated')).toEqual([bob.id]);
      await expect(admin.createAdmin(owner.auth, { cipher: note(), collectionIds: [] })).rejects.toMatchObject({ code: ErrorCode.CollectionsRequired });
      await expect(admin.createAdmin(owner.auth, { cipher: note(), collectionIds: [randomUUID()] })).rejects.toMatchObject({ code: ErrorCode.CollectionNotWritable });
      await expect(admin.createAdmin(owner.auth, { cipher: note({ encryptedFor: bob.id }), collectionIds: [shared] })).rejects.toMatchObject({ code: ErrorCode.CipherNotEncryptedForUser });
      await expect(admin.createAdmin(owner.auth, { cipher: note({ organizationId: null }), collectionIds: [shared] })).rejects.toMatchObject({ status: 404 });
    });

    it('bulk -admin routes are all or nothing: one item the caller may not delete (or outside the organization, or no organization id) → 404', async () => {
      const a = await inBobs();
      const b = await inShared();
      const personal = (await ciphers.create(owner.auth, { type: 2, name: encString('p'), secureNote: { type: 0 } })).id;
      await h.events.take();
      await expect(admin.bulkTrashAdmin(owner.auth, { ids: [a, b, personal], organizationId: orgId })).rejects.toMatchObject({ status: 404 });
      await expect(admin.bulkTrashAdmin(owner.auth, { ids: [a, b] })).rejects.toMatchObject({ status: 404 });
      await expect(admin.bulkTrashAdmin(owner.auth, { ids: [a, randomUUID()], organizationId: orgId })).rejects.toMatchObject({ status: 404 });
      expect((await row(a))?.deletedDate).toBeNull();

      await admin.bulkTrashAdmin(owner.auth, { ids: [a, b, a.toUpperCase()], organizationId: orgId });
      expect((await row(a))?.deletedDate).not.toBeNull();
      expect(await bulkUsers()).toEqual(sorted(owner.id, bob.id, carol.id));
      const restored = await admin.bulkRestoreAdmin(owner.auth, { ids: [a, b], organizationId: orgId });
      expect(restored.data.map((c) => c.object)).toEqual(['cipherMini', 'cipherMini']);
      expect((await row(b))?.deletedDate).toBeNull();
      await h.events.take();
      await admin.bulkDeleteAdmin(owner.auth, { ids: [a, b], organizationId: orgId });
      expect(await row(a)).toBeNull();
      expect(await bulkUsers()).toEqual(sorted(owner.id, bob.id, carol.id));
    });
  });

  describe('Admin Console lists and bulk collection changes', () => {
    it('organization-details lists every item with all its collections for owners; assigned lists what the caller sees plus, for admins, unassigned items', async () => {
      const a = await inBobs();
      const b = await inShared();
      const unassigned = await inShared();
      await admin.setCollectionsAdmin(owner.auth, unassigned, { collectionIds: [] });
      const all = await admin.organizationDetails(owner.auth, orgId);
      expect(all.data.map((c) => [c.id, c.collectionIds, c.object])).toEqual([[a, [bobs], 'cipherMiniDetails'], [b, [shared], 'cipherMiniDetails'], [unassigned, [], 'cipherMiniDetails']]);

      const ownerAssigned = await admin.assigned(owner.auth, orgId);
      expect(ownerAssigned.data.map((c) => c.id)).toEqual([b, unassigned]);
      expect(ownerAssigned.data[1]).toMatchObject({ object: 'cipherDetails', edit: true, viewPassword: true, collectionIds: [] });
      const carolAssigned = await admin.assigned(carol.auth, orgId);
      expect(carolAssigned.data.map((c) => [c.id, c.edit])).toEqual([[b, false]]);
      const stranger = await h.newUser();
      await expect(admin.assigned(stranger.auth, orgId)).rejects.toMatchObject({ status: 404 });
    });

    it('bulk-collections adds and removes links without replacing; members who gain or lose the items are told once', async () => {
      const a = await inBobs();
      const b = await inShared(bob);
      await h.events.take();
      await admin.bulkCollections(bob.auth, { organizationId: orgId, cipherIds: [a, b], collectionIds: [bobs] });
      expect(await linksOf(b)).toEqual(sorted(shared, bobs));
      expect(await linksOf(a)).toEqual([bobs]);
      expect(await bulkUsers()).toEqual(sorted(owner.id, bob.id, carol.id));

      await admin.bulkCollections(bob.auth, { organizationId: orgId, cipherIds: [b], collectionIds: [shared], removeCollections: true });
      expect(await linksOf(b)).toEqual([bobs]);
      expect(await bulkUsers()).toEqual(sorted(owner.id, bob.id, carol.id));

      // carol is read-only on "shared": she may not reassign its items (404), nor put items into a collection she cannot write.
      const c = await inShared();
      await h.events.take();
      await expect(admin.bulkCollections(carol.auth, { organizationId: orgId, cipherIds: [c], collectionIds: [shared] })).rejects.toMatchObject({ status: 404 });
      await expect(admin.bulkCollections(bob.auth, { organizationId: orgId, cipherIds: [c], collectionIds: [randomUUID()] })).rejects.toMatchObject({ status: 404 });
      expect(await h.events.take()).toEqual([]);
    });
  });

  describe('multi-item operations of members on organization items', () => {
    it('bulk trash, restore and delete act on the items the caller may delete and reach every member who sees them; read-only items are skipped', async () => {
      const a = await inShared();
      const b = await inShared();
      const hidden = await inBobs();
      const own = (await ciphers.create(carol.auth, { type: 2, name: encString('p'), secureNote: { type: 0 } })).id;
      await h.events.take();

      // carol only reads "shared" and does not see bob's collection: only her own item changes.
      await ciphers.bulkTrash(carol.auth, { ids: [a, b, hidden, own] });
      expect((await row(a))?.deletedDate).toBeNull();
      expect((await row(own))?.deletedDate).not.toBeNull();
      expect(await bulkUsers()).toEqual([carol.id]);
      await ciphers.bulkDelete(carol.auth, { ids: [a, b, hidden] });
      expect(await row(a)).not.toBeNull();
      expect(await h.events.take()).toEqual([]);

      await ciphers.bulkTrash(bob.auth, { ids: [a, b, own] });
      expect((await row(a))?.deletedDate).not.toBeNull();
      expect((await row(b))?.deletedDate).not.toBeNull();
      expect(await bulkUsers()).toEqual(sorted(owner.id, bob.id, carol.id));
      const restored = await ciphers.bulkRestore(bob.auth, { ids: [a, own] });
      expect(restored.data.map((c) => [c.id, c.edit, c.collectionIds])).toEqual([[a, true, [shared]]]);
      expect(await bulkUsers()).toEqual(sorted(owner.id, bob.id, carol.id));
      await ciphers.bulkDelete(bob.auth, { ids: [a, b, hidden] });
      expect(await row(a)).toBeNull();
      expect(await row(b)).toBeNull();
      expect(await bulkUsers()).toEqual(sorted(owner.id, bob.id, carol.id));
    });

    it('under limitItemDeletion only members who manage an item may delete it in bulk', async () => {
      const a = await inShared();
      await setOrg({ limitItemDeletion: true });
      await h.events.take();
      await ciphers.bulkTrash(bob.auth, { ids: [a] });
      expect((await row(a))?.deletedDate).toBeNull();
      expect(await h.events.take()).toEqual([]);
      await ciphers.bulkTrash(owner.auth, { ids: [a] });
      expect((await row(a))?.deletedDate).not.toBeNull();
    });

    it('move puts organization items the caller sees (read-only too) in the caller\'s folder; only the caller is told', async () => {
      const a = await inShared();
      const hidden = await inBobs();
      const folder = await folders.create(carol.auth, { name: encString('f') });
      await h.events.take();
      await ciphers.move(carol.auth, { ids: [a, hidden], folderId: folder.id });
      expect((await h.db.getRepository(FolderCipherEntity).findBy({ folderId: folder.id })).map((l) => l.cipherId)).toEqual([a]);
      expect(await bulkUsers()).toEqual([carol.id]);
    });

    it('bulk share moves several personal items into the collections, answers cipherMini, tells the members; a foreign item refuses it all', async () => {
      const personal = async (user: TestUser): Promise<string> => (await ciphers.create(user.auth, { type: 2, name: encString('p'), secureNote: { type: 0 } })).id;
      const [x, y, carols] = [await personal(bob), await personal(bob), await personal(carol)];
      await h.events.take();
      const body = (ids: string[]) => ({ ciphers: ids.map((id) => ({ ...note(), id })), collectionIds: [shared] });
      await expect(ciphers.shareMany(bob.auth, body([x, carols]))).rejects.toMatchObject({ code: ErrorCode.CipherNotOwned, status: 400 });
      await expect(ciphers.shareMany(dave.auth, body([carols]))).rejects.toMatchObject({ code: ErrorCode.CollectionNotWritable });
      await expect(ciphers.shareMany(bob.auth, { ciphers: [{ ...note({ organizationId: randomUUID() }), id: x }], collectionIds: [shared] })).rejects.toMatchObject({ status: 404 });
      await expect(ciphers.shareMany(bob.auth, { ciphers: [{ ...note(), id: x }, { ...note({ organizationId: randomUUID() }), id: y }], collectionIds: [shared] }))
        .rejects.toMatchObject({ code: ErrorCode.OrganizationMismatch });
      expect((await row(x))?.organizationId).toBeNull();
      expect(await h.events.take()).toEqual([]);

      const result = await ciphers.shareMany(bob.auth, body([x, y]));
      expect(result.data.map((c) => [c.id, c.object, c.organizationId])).toEqual([[x, 'cipherMini', orgId], [y, 'cipherMini', orgId]]);
      expect(await row(y)).toMatchObject({ userId: null, organizationId: orgId });
      expect(await linksOf(x)).toEqual([shared]);
      expect(await bulkUsers()).toEqual(sorted(owner.id, bob.id, carol.id));
    });
  });

  it('the trash purge removes trashed organization items too (they no longer hold back personal ones); members\' revision dates move', async () => {
    const a = await inShared();
    const personal = (await ciphers.create(bob.auth, { type: 2, name: encString('p'), secureNote: { type: 0 } })).id;
    h.clock.advance();
    await admin.bulkTrashAdmin(owner.auth, { ids: [a], organizationId: orgId });
    await ciphers.trash(bob.auth, personal);
    const cutoff = h.clock.advance(60_000);
    await h.events.take();
    const now = h.clock.advance();
    expect(await ciphers.purgeTrashedBefore(cutoff, 1)).toBeGreaterThanOrEqual(2); // batches of one; earlier tests left trash too
    expect(await row(a)).toBeNull();
    expect(await row(personal)).toBeNull();
    const accounts = h.get(AccountsService);
    for (const user of [owner, bob, carol]) expect(await accounts.revisionDate(user.auth)).toBe(now.getTime());
    expect(await h.events.take()).toEqual([]);
  });

  describe('per-user archive of organization items', () => {
    it('archiving a shared item archives it for the caller only (read-only members too); the row and the other members are untouched', async () => {
      const a = await inShared();
      await h.events.take();
      const before = await row(a);
      const now = h.clock.advance();
      const archived = await ciphers.archive(carol.auth, a);
      expect(archived).toMatchObject({ id: a, archivedDate: now.toISOString(), revisionDate: before?.revisionDate.toISOString() });
      expect(await row(a)).toEqual(before);
      expect((await ciphers.get(carol.auth, a)).archivedDate).toBe(now.toISOString());
      expect((await ciphers.get(bob.auth, a)).archivedDate).toBeNull();
      expect((await ciphers.list(carol.auth)).data.find((c) => c.id === a)?.archivedDate).toBe(now.toISOString());
      expect(await recipientsOf('CipherUpdated')).toEqual([carol.id]);
      // Again: nothing to do.
      h.clock.advance();
      expect((await ciphers.archive(carol.auth, a)).archivedDate).toBe(now.toISOString());
      expect(await h.events.take()).toEqual([]);
      expect((await ciphers.unarchive(carol.auth, a)).archivedDate).toBeNull();
      expect(await recipientsOf('CipherUpdated')).toEqual([carol.id]);
      await expect(ciphers.archive(dave.auth, a)).rejects.toMatchObject({ status: 404 });
    });

    it('bulk archive and unarchive mix personal and shared items, one bulk event to the caller; sharing an archived item keeps it archived for the sharer only', async () => {
      const a = await inShared();
      const own = (await ciphers.create(bob.auth, { type: 2, name: encString('p'), secureNote: { type: 0 } })).id;
      await h.events.take();
      const now = h.clock.advance();
      const result = await ciphers.bulkArchive(bob.auth, { ids: [a, own] });
      expect(result.data.map((c) => [c.id, c.archivedDate]).sort()).toEqual([[a, now.toISOString()], [own, now.toISOString()]].sort());
      expect(await bulkUsers()).toEqual([bob.id]);
      expect((await ciphers.get(owner.auth, a)).archivedDate).toBeNull();
      expect((await ciphers.bulkUnarchive(bob.auth, { ids: [a] })).data.map((c) => [c.id, c.archivedDate])).toEqual([[a, null]]);
      await h.events.take();

      await ciphers.share(bob.auth, own, { cipher: note(), collectionIds: [shared] });
      expect((await row(own))?.archivedDate).toBeNull();
      expect((await ciphers.get(bob.auth, own)).archivedDate).toBe(now.toISOString());
      expect((await ciphers.get(carol.auth, own)).archivedDate).toBeNull();
    });
  });

  describe('import into the organization', () => {
    const importBody = (n: number, overrides: object = {}) => ({
      ciphers: Array.from({ length: n }, () => note()),
      collections: [{ name: encString('new one') }, { id: shared, name: encString('ignored') }],
      collectionRelationships: [{ key: 0, value: 0 }, { key: 1, value: 1 }, { key: 1, value: 0 }],
      ...overrides,
    });

    it('the owner creates new collections (managed by the importer), reuses existing ones, links items, and tells every member who sees them once (SyncVault)', async () => {
      const now = h.clock.advance();
      await ciphers.importOrganization(owner.auth, orgId, { ...importBody(3), folders: [{ name: encString('mine') }], folderRelationships: [{ key: 2, value: 0 }] });
      const created = (await h.db.getRepository(CollectionEntity).findBy({ organizationId: orgId })).filter((c) => c.id !== shared && c.id !== bobs);
      expect(created).toHaveLength(1);
      expect(await h.db.getRepository(CollectionMemberEntity).findBy({ collectionId: created[0]?.id })).toEqual([
        expect.objectContaining({ membershipId: (await membershipOf(owner)).id, manage: true, readOnly: false }),
      ]);
      const items = await h.db.getRepository(CipherEntity).findBy({ organizationId: orgId });
      expect(items).toHaveLength(3);
      expect(items.every((c) => c.userId === null && c.revisionDate.getTime() === now.getTime())).toBe(true);
      const linked = await Promise.all(items.map((c) => linksOf(c.id)));
      expect(linked.map((l) => l.length).sort()).toEqual([0, 1, 2]);
      const folder = await h.db.getRepository(FolderEntity).findOneByOrFail({ userId: owner.id });
      expect(await h.db.getRepository(FolderCipherEntity).countBy({ folderId: folder.id })).toBe(1);
      const events = await h.events.take();
      expect(events).toEqual([{ name: 'CiphersBulkChanged', payload: { userIds: expect.any(Array), kind: 'vault', reason: 'import', actor: owner.auth.actor } }]);
      expect([...(events[0]?.payload as { userIds: string[] }).userIds].sort()).toEqual(sorted(owner.id, bob.id, carol.id));
      // Members see what they are assigned to.
      expect((await admin.assigned(carol.auth, orgId)).data).toHaveLength(1);
    });

    it('relationships out of range, a foreign organization id, or a plain member without create rights are refused (400) and nothing is written', async () => {
      await expect(ciphers.importOrganization(owner.auth, orgId, importBody(1))).rejects.toMatchObject({ code: ErrorCode.InvalidCollectionRelationship, status: 400 });
      await expect(ciphers.importOrganization(owner.auth, orgId, importBody(2, { collectionRelationships: [{ key: 0, value: 2 }] }))).rejects.toMatchObject({ code: ErrorCode.InvalidCollectionRelationship });
      await expect(ciphers.importOrganization(owner.auth, orgId, importBody(2, { folderRelationships: [{ key: 0, value: 0 }] }))).rejects.toMatchObject({ code: ErrorCode.InvalidFolderRelationship });
      await expect(ciphers.importOrganization(owner.auth, orgId, importBody(2, { ciphers: [note(), note({ organizationId: randomUUID() })] }))).rejects.toMatchObject({ code: ErrorCode.OrganizationMismatch });
      await expect(ciphers.importOrganization(dave.auth, randomUUID(), importBody(2))).rejects.toMatchObject({ status: 404 });
      // dave manages nothing: the existing "shared" may not be imported into.
      await expect(ciphers.importOrganization(dave.auth, orgId, importBody(2))).rejects.toMatchObject({ code: ErrorCode.OrganizationImportRefused, status: 400 });
      await expect(ciphers.importOrganization(dave.auth, orgId, { ciphers: [note()] })).rejects.toMatchObject({ code: ErrorCode.OrganizationImportRefused });
      await setOrg({ limitCollectionCreation: true });
      await expect(ciphers.importOrganization(bob.auth, orgId, { ciphers: [note()], collections: [{ name: encString('n') }], collectionRelationships: [{ key: 0, value: 0 }] }))
        .rejects.toMatchObject({ code: ErrorCode.OrganizationImportRefused });
      expect(await h.db.getRepository(CipherEntity).countBy({ organizationId: orgId })).toBe(0);
      expect(await h.db.getRepository(CollectionEntity).countBy({ organizationId: orgId })).toBe(2);
      await h.events.take();

      // bob manages "bobs": importing into it (and into a new collection, creation not limited) is allowed.
      await setOrg({ limitCollectionCreation: false });
      await h.events.take();
      await ciphers.importOrganization(bob.auth, orgId, {
        ciphers: [note(), note()], collections: [{ id: bobs, name: encString('x') }, { name: encString('n') }], collectionRelationships: [{ key: 0, value: 0 }, { key: 1, value: 1 }],
      });
      expect(await h.db.getRepository(CipherEntity).countBy({ organizationId: orgId })).toBe(2);
      expect(await bulkUsers()).toEqual([bob.id]);
    });
  });

  describe('purge of the organization vault', () => {
    it('wrong password → 400; a plain member → 404; the owner deletes every item and every member who saw one is told', async () => {
      const a = await inShared();
      const b = await inBobs();
      const personal = (await ciphers.create(owner.auth, { type: 2, name: encString('p'), secureNote: { type: 0 } })).id;
      await h.events.take();
      await expect(ciphers.purge(owner.auth, { masterPasswordHash: 'wrong' }, orgId)).rejects.toMatchObject({ code: ErrorCode.InvalidPassword, status: 400 });
      await expect(ciphers.purge(bob.auth, { masterPasswordHash: bob.masterPasswordHash }, orgId)).rejects.toMatchObject({ status: 404 });
      expect(await row(a)).not.toBeNull();
      expect(await h.events.take()).toEqual([]);

      await ciphers.purge(owner.auth, { masterPasswordHash: owner.masterPasswordHash }, orgId);
      expect(await row(a)).toBeNull();
      expect(await row(b)).toBeNull();
      expect(await row(personal)).not.toBeNull();
      const events = await h.events.take();
      expect(events.map((e) => [e.name, (e.payload as { kind: string }).kind])).toEqual([['CiphersBulkChanged', 'vault']]);
      expect([...(events[0]?.payload as { userIds: string[] }).userIds].sort()).toEqual(sorted(owner.id, bob.id, carol.id));
    });
  });
});
