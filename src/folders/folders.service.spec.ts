import { randomUUID } from 'node:crypto';
import { createServiceHarness, encString, ServiceHarness, TestUser } from '../../test/unit/support/service-module';
import { AccountsService } from '../accounts/accounts.service';
import { CiphersService } from '../ciphers/ciphers.service';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { FolderCipherEntity, FolderEntity } from '../db/entities';
import { FoldersService } from './folders.service';

/** FoldersService on the real modules and an in-memory SQLite database with the real migrations. */
describe('FoldersService', () => {
  let h: ServiceHarness;
  let folders: FoldersService;
  let accounts: AccountsService;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    h = await createServiceHarness();
    folders = h.get(FoldersService);
    accounts = h.get(AccountsService);
  });
  afterAll(() => h.close());

  beforeEach(async () => {
    alice = await h.newUser();
    bob = await h.newUser();
    await h.events.take();
  });

  const folderRow = (id: string): Promise<FolderEntity | null> => h.db.getRepository(FolderEntity).findOneBy({ id });
  const revisionOf = async (user: TestUser): Promise<number> => accounts.revisionDate(user.auth);

  it('create stores the folder, bumps the account revision date and emits FolderCreated with the actor', async () => {
    const now = h.clock.advance();
    const name = encString('work');
    const created = await folders.create(alice.auth, { name });

    const row = await folderRow(created.id);
    expect(row).toMatchObject({ userId: alice.id, name });
    expect(row?.revisionDate.getTime()).toBe(now.getTime());
    expect(created).toMatchObject({ id: created.id, name, revisionDate: now.toISOString() });
    expect(await revisionOf(alice)).toBe(now.getTime());
    expect(await revisionOf(bob)).toBeLessThan(now.getTime());
    expect(await h.events.take()).toEqual([
      { name: 'FolderCreated', payload: { folderId: created.id, userId: alice.id, revisionDate: now, actor: alice.auth.actor } },
    ]);
  });

  it('update renames, moves the folder and account revision dates, and emits FolderUpdated', async () => {
    const created = await folders.create(alice.auth, { name: encString('old') });
    await h.events.take();
    const later = h.clock.advance(5_000);
    const name = encString('new');
    await folders.update(alice.auth, created.id, { name });

    const row = await folderRow(created.id);
    expect(row?.name).toBe(name);
    expect(row?.revisionDate.getTime()).toBe(later.getTime());
    expect(await revisionOf(alice)).toBe(later.getTime());
    expect(await h.events.take()).toEqual([
      { name: 'FolderUpdated', payload: { folderId: created.id, userId: alice.id, revisionDate: later, actor: alice.auth.actor } },
    ]);
  });

  it('list and get show only the caller’s folders', async () => {
    const a1 = await folders.create(alice.auth, { name: encString('a1') });
    const a2 = await folders.create(alice.auth, { name: encString('a2') });
    const b1 = await folders.create(bob.auth, { name: encString('b1') });

    const list = await folders.list(alice.auth);
    expect(list.data.map((f) => f.id).sort()).toEqual([a1.id, a2.id].sort());
    expect((await folders.get(alice.auth, a1.id)).id).toBe(a1.id);
    await expect(folders.get(alice.auth, b1.id)).rejects.toMatchObject({ code: ErrorCode.FolderNotFound, status: 400 });
    await expect(folders.get(alice.auth, randomUUID())).rejects.toMatchObject({ code: ErrorCode.FolderNotFound, status: 400 });
  });

  it('refuses to update or delete another user’s folder: Invalid folder (400), nothing written, no event', async () => {
    const name = encString('bob');
    const bobs = await folders.create(bob.auth, { name });
    await h.events.take();
    const bobRevision = await revisionOf(bob);
    h.clock.advance();

    const update = folders.update(alice.auth, bobs.id, { name: encString('stolen') });
    await expect(update).rejects.toBeInstanceOf(VaultError);
    await expect(update).rejects.toMatchObject({ code: ErrorCode.FolderNotFound, status: 400, message: 'Invalid folder' });
    await expect(folders.delete(alice.auth, bobs.id)).rejects.toMatchObject({ code: ErrorCode.FolderNotFound, status: 400 });

    expect((await folderRow(bobs.id))?.name).toBe(name);
    expect(await revisionOf(bob)).toBe(bobRevision);
    expect(await h.events.take()).toEqual([]);
  });

  it('delete removes the folder, unlinks its ciphers (which stay, in no folder) and emits FolderDeleted at the time of deletion', async () => {
    const ciphers = h.get(CiphersService);
    const folder = await folders.create(alice.auth, { name: encString('f') });
    const cipher = await ciphers.create(alice.auth, { type: 2, name: encString('note'), secureNote: { type: 0 }, folderId: folder.id });
    expect(await h.db.getRepository(FolderCipherEntity).countBy({ folderId: folder.id })).toBe(1);
    await h.events.take();

    const now = h.clock.advance(60_000);
    await folders.delete(alice.auth, folder.id);

    expect(await folderRow(folder.id)).toBeNull();
    expect(await h.db.getRepository(FolderCipherEntity).countBy({ folderId: folder.id })).toBe(0);
    const after = await ciphers.get(alice.auth, cipher.id);
    expect(after.folderId).toBeNull();
    expect(after.revisionDate).toBe(cipher.revisionDate);
    expect(await revisionOf(alice)).toBe(now.getTime());
    expect(await h.events.take()).toEqual([
      { name: 'FolderDeleted', payload: { folderId: folder.id, userId: alice.id, revisionDate: now, actor: alice.auth.actor } },
    ]);
  });

  it('delete of an unknown folder is Invalid folder and emits nothing', async () => {
    await expect(folders.delete(alice.auth, randomUUID())).rejects.toMatchObject({ code: ErrorCode.FolderNotFound });
    expect(await h.events.take()).toEqual([]);
  });
});
