import { randomUUID } from 'node:crypto';
import { createServiceHarness, encString, ServiceHarness, TestUser } from '../../test/unit/support/service-module';
import { CiphersQueryService } from '../ciphers/ciphers-query.service';
import { CiphersRepository } from '../ciphers/ciphers.repository';
import { ErrorCode } from '../common/errors/error-code';
import { CipherEntity, CollectionCipherEntity, MembershipEntity, OrganizationEntity } from '../db/entities';
import { CollectionsService } from './collections.service';
import { GroupsService } from './groups.service';
import { MembersService } from './members.service';
import { OrganizationsQueryService } from './organizations-query.service';
import { OrganizationsService } from './organizations.service';

const KEY = `4.${Buffer.from('org key for a member').toString('base64')}`;
const sorted = (ids: string[]): string[] => [...ids].sort();

/** GroupsService and group access, on the real modules and an in-memory SQLite database with the real migrations. */
describe('GroupsService (ORG_GROUPS_ENABLED=true)', () => {
  let h: ServiceHarness;
  let groups: GroupsService;
  let members: MembersService;
  let collections: CollectionsService;
  let owner: TestUser;
  let orgId: string;
  let collectionId: string;

  beforeAll(async () => {
    h = await createServiceHarness({ env: { ORG_GROUPS_ENABLED: 'true' } });
    groups = h.get(GroupsService);
    members = h.get(MembersService);
    collections = h.get(CollectionsService);
  });
  afterAll(() => h.close());

  beforeEach(async () => {
    owner = await h.newUser();
    orgId = (await h.get(OrganizationsService).create(owner.auth, { name: 'Org', billingEmail: owner.email, key: KEY, collectionName: encString('c') })).id;
    collectionId = (await collections.listDetails(owner.auth, orgId)).data[0]!.id;
    await h.events.take();
  });

  /** Invites `user` as `type`, confirms them, and returns their member id. */
  const join = async (user: TestUser, type = 2, permissions?: Record<string, boolean>): Promise<string> => {
    await members.invite(owner.auth, orgId, { emails: [user.email], type, permissions });
    const id = (await h.db.getRepository(MembershipEntity).findOneByOrFail({ organizationId: orgId, userId: user.id })).id;
    await members.confirm(owner.auth, orgId, id, KEY);
    return id;
  };

  /** An organization cipher in `collection`, written straight to the database. */
  const orgCipher = async (collection = collectionId): Promise<string> => {
    const now = h.clock.now();
    const id = randomUUID();
    await h.db.getRepository(CipherEntity).insert(Object.assign(new CipherEntity(), {
      id, userId: null, organizationId: orgId, type: 2, name: encString('n'), notes: null, key: null, reprompt: 0, data: '{}', fields: null,
      passwordHistory: null, creationDate: now, revisionDate: now, deletedDate: null, archivedDate: null,
    }));
    await h.db.getRepository(CollectionCipherEntity).insert({ collectionId: collection, cipherId: id });
    return id;
  };

  /** The user's access to the cipher, its collection ids sorted (their order is the database's). */
  const accessOf = async (user: TestUser, cipherId: string) => {
    const access = (await h.get(CiphersQueryService).findVisible(h.db.manager, user.id, cipherId))?.access ?? null;
    return access && { ...access, collectionIds: sorted(access.collectionIds) };
  };
  /** User ids told with SyncCiphers (4) since the last take. */
  const told = async (): Promise<string[]> => sorted((await h.events.of('CollectionAccessChanged')).flatMap((e) => e.userIds));

  it('a member of a group with access sees the collection in sync and its items with the group\'s rights; leaving the group takes them away', async () => {
    const bob = await h.newUser();
    const bobMember = await join(bob);
    const cipherId = await orgCipher();
    await h.events.take();
    expect(await accessOf(bob, cipherId)).toBeNull();

    const group = await groups.create(owner.auth, orgId, { name: 'Readers', collections: [{ id: collectionId, readOnly: true, hidePasswords: false, manage: false }], users: [bobMember] });
    expect(group).toEqual({ id: group.id, organizationId: orgId, name: 'Readers', externalId: null, object: 'group' });
    expect(await told()).toEqual([bob.id]);
    expect(await accessOf(bob, cipherId)).toEqual({ edit: false, viewPassword: true, manage: false, collectionIds: [collectionId] });
    expect(await h.get(OrganizationsQueryService).collectionsForUser(h.db.manager, bob.id)).toEqual([
      expect.objectContaining({ id: collectionId, readOnly: true, hidePasswords: false, manage: false, object: 'collectionDetails' }),
    ]);
    const repo = h.get(CiphersRepository);
    expect(await repo.membersOfCollections(h.db.manager, [collectionId])).toEqual(expect.arrayContaining([owner.id, bob.id]));
    expect((await repo.writableCollections(h.db.manager, bob.id, orgId, [collectionId])).writable.has(collectionId)).toBe(false);

    await groups.update(owner.auth, orgId, group.id, { name: 'Editors', collections: [{ id: collectionId, readOnly: false, hidePasswords: false, manage: false }] });
    expect(await told()).toEqual([bob.id]);
    expect((await accessOf(bob, cipherId))?.edit).toBe(true);
    expect((await repo.writableCollections(h.db.manager, bob.id, orgId, [collectionId])).writable.has(collectionId)).toBe(true);
    expect(await groups.users(owner.auth, orgId, group.id)).toEqual([bobMember]);

    await groups.removeUser(owner.auth, orgId, group.id, bobMember);
    expect(await told()).toEqual([bob.id]);
    expect(await accessOf(bob, cipherId)).toBeNull();
    expect(await repo.membersOfCollections(h.db.manager, [collectionId])).toEqual([owner.id]);
    expect(await h.get(OrganizationsQueryService).collectionsForUser(h.db.manager, bob.id)).toEqual([]);
  });

  it('a direct assignment replaces the group grants on that collection; across groups and collections the best single grant wins', async () => {
    const bob = await h.newUser();
    const bobMember = await join(bob);
    const cipherId = await orgCipher();
    const editors = await groups.create(owner.auth, orgId, { name: 'Editors', collections: [{ id: collectionId, readOnly: false }], users: [bobMember] });
    const readers = await groups.create(owner.auth, orgId, { name: 'Readers', collections: [{ id: collectionId, readOnly: true, hidePasswords: true }], users: [bobMember] });
    expect(await accessOf(bob, cipherId)).toMatchObject({ edit: true, viewPassword: true });
    expect((await h.get(OrganizationsQueryService).collectionsForUser(h.db.manager, bob.id))[0]).toMatchObject({ readOnly: false, hidePasswords: false, manage: false });

    await h.events.take();
    // Directly read-only on the collection: the group grants on it no longer count.
    await members.update(owner.auth, orgId, bobMember, { type: 2, collections: [{ id: collectionId, readOnly: true }] });
    expect(await told()).toEqual([bob.id]);
    expect(await accessOf(bob, cipherId)).toMatchObject({ edit: false, viewPassword: true });
    expect((await h.get(CiphersRepository).writableCollections(h.db.manager, bob.id, orgId, [collectionId])).writable.size).toBe(0);

    // A second collection the cipher is in, managed through a group: that grant is the best one.
    const other = (await collections.create(owner.auth, orgId, { name: encString('other'), groups: [{ id: readers.id, manage: true }] })).id;
    await h.db.getRepository(CollectionCipherEntity).insert({ collectionId: other, cipherId });
    expect(await accessOf(bob, cipherId)).toEqual({ edit: true, viewPassword: true, manage: true, collectionIds: sorted([collectionId, other]) });
    expect((await groups.details(owner.auth, orgId, editors.id)).collections).toEqual([{ id: collectionId, readOnly: false, hidePasswords: false, manage: false }]);
  });

  it('collection create and edit store group access; details list the groups and the caller\'s access through them', async () => {
    const bob = await h.newUser();
    const bobMember = await join(bob);
    const team = await groups.create(owner.auth, orgId, { name: 'Team', users: [bobMember] });
    expect(await told()).toEqual([]); // a group without collections gives nothing

    const created = await collections.create(owner.auth, orgId, { name: encString('Shared'), groups: [{ id: team.id, readOnly: false, hidePasswords: true, manage: false }] });
    expect(created.groups).toEqual([{ id: team.id, readOnly: false, hidePasswords: true, manage: false }]);
    expect(await told()).toEqual(sorted([owner.id, bob.id]));
    const seenByBob = await collections.detailsOf(bob.auth, orgId, created.id);
    expect(seenByBob).toMatchObject({ assigned: true, readOnly: false, hidePasswords: true, manage: false, unmanaged: false });

    await collections.update(owner.auth, orgId, created.id, { name: created.name, groups: [] });
    expect(await told()).toEqual(sorted([owner.id, bob.id]));
    await expect(collections.detailsOf(bob.auth, orgId, created.id)).rejects.toMatchObject({ code: ErrorCode.NotFound });
    await expect(collections.create(owner.auth, orgId, { name: encString('x'), groups: [{ id: randomUUID() }] })).rejects.toMatchObject({ message: 'Group not found.' });
  });

  it('member invite and edit set the member\'s groups (null leaves them); lists report them with includeGroups', async () => {
    const bob = await h.newUser();
    const withAccess = await groups.create(owner.auth, orgId, { name: 'A', collections: [{ id: collectionId, readOnly: true }] });
    const empty = await groups.create(owner.auth, orgId, { name: 'B' });
    await members.invite(owner.auth, orgId, { emails: [bob.email], type: 2, groups: [empty.id] });
    const bobMember = (await h.db.getRepository(MembershipEntity).findOneByOrFail({ organizationId: orgId, userId: bob.id })).id;
    await members.confirm(owner.auth, orgId, bobMember, KEY);
    expect(await groups.groupsOfMember(owner.auth, orgId, bobMember)).toEqual([empty.id]);
    await h.events.take();

    await members.update(owner.auth, orgId, bobMember, { type: 2, groups: [empty.id, withAccess.id] });
    expect(await told()).toEqual([bob.id]);
    await members.update(owner.auth, orgId, bobMember, { type: 2 });
    expect(await told()).toEqual([]);
    expect(sorted(await groups.groupsOfMember(owner.auth, orgId, bobMember))).toEqual(sorted([empty.id, withAccess.id]));
    const listed = (await members.list(owner.auth, orgId, false, true)).data.find((m) => m.id === bobMember)!;
    expect(sorted(listed.groups)).toEqual(sorted([empty.id, withAccess.id]));
    expect((await members.list(owner.auth, orgId, false)).data.find((m) => m.id === bobMember)!.groups).toEqual([]);
    expect((await members.get(owner.auth, orgId, bobMember, true)).groups.length).toBe(2);
    await expect(members.update(owner.auth, orgId, bobMember, { type: 2, groups: [randomUUID()] })).rejects.toMatchObject({ code: ErrorCode.NotFound });

    // Only who joined or left is told when the grants stay the same; everyone in the group when they change.
    const carol = await h.newUser();
    const carolMember = await join(carol);
    await h.events.take();
    await groups.setUsers(owner.auth, orgId, withAccess.id, [bobMember, carolMember]);
    expect(await told()).toEqual([carol.id]);
    await groups.update(owner.auth, orgId, withAccess.id, { name: 'A', collections: [] });
    expect(await told()).toEqual(sorted([bob.id, carol.id]));
  });

  it('deleting groups tells their members (computed before the rows go) and takes the access away', async () => {
    const bob = await h.newUser();
    const bobMember = await join(bob);
    const cipherId = await orgCipher();
    const a = await groups.create(owner.auth, orgId, { name: 'A', collections: [{ id: collectionId }], users: [bobMember] });
    const b = await groups.create(owner.auth, orgId, { name: 'B', users: [bobMember] });
    await h.events.take();
    await groups.delete(owner.auth, orgId, [a.id, b.id, randomUUID()]);
    expect(await told()).toEqual([bob.id]);
    expect(await accessOf(bob, cipherId)).toBeNull();
    expect((await groups.list(owner.auth, orgId)).data).toEqual([]);
    await expect(groups.delete(owner.auth, orgId, [a.id])).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });

  it('rights: owners, admins and custom manageGroups manage groups; others get 404 but list the groups without their access', async () => {
    const admin = await h.newUser();
    const custom = await h.newUser();
    const plain = await h.newUser();
    const outsider = await h.newUser();
    await join(admin, 1);
    await join(custom, 4, { manageGroups: true });
    const plainMember = await join(plain);
    const group = await groups.create(owner.auth, orgId, { name: 'G', collections: [{ id: collectionId, readOnly: true }] });
    await groups.create(admin.auth, orgId, { name: 'By admin' });
    await groups.update(custom.auth, orgId, group.id, { name: 'Renamed by custom' });
    for (const attempt of [
      () => groups.create(plain.auth, orgId, { name: 'x' }), () => groups.get(plain.auth, orgId, group.id), () => groups.listDetails(plain.auth, orgId),
      () => groups.delete(plain.auth, orgId, [group.id]), () => groups.get(outsider.auth, orgId, group.id), () => groups.list(outsider.auth, orgId),
      () => groups.groupsOfMember(plain.auth, orgId, plainMember),
    ]) {
      await expect(attempt()).rejects.toMatchObject({ code: ErrorCode.OrganizationNotFound });
    }
    const plainList = (await groups.list(plain.auth, orgId)).data;
    expect(plainList.map((g) => [g.name, g.collections, g.object]).sort()).toEqual([['By admin', [], 'groupDetails'], ['Renamed by custom', [], 'groupDetails']]);
    expect((await groups.listDetails(owner.auth, orgId)).data.find((g) => g.id === group.id)!.collections).toEqual([{ id: collectionId, readOnly: true, hidePasswords: false, manage: false }]);
  });

  it('request rules: manage excludes read-only, unknown collections and members are 404, and without admin access to every collection a manager cannot add themselves', async () => {
    await expect(groups.create(owner.auth, orgId, { name: 'x', collections: [{ id: collectionId, readOnly: true, manage: true }] }))
      .rejects.toMatchObject({ message: 'The Manage property is mutually exclusive and cannot be true while the ReadOnly or HidePasswords properties are also true.' });
    await expect(groups.create(owner.auth, orgId, { name: 'x', collections: [{ id: randomUUID() }] })).rejects.toMatchObject({ code: ErrorCode.NotFound });
    await expect(groups.create(owner.auth, orgId, { name: 'x', users: [randomUUID()] })).rejects.toMatchObject({ code: ErrorCode.NotFound });
    const ownerMember = (await h.db.getRepository(MembershipEntity).findOneByOrFail({ organizationId: orgId, userId: owner.id })).id;
    const group = await groups.create(owner.auth, orgId, { name: 'G' });
    await h.db.getRepository(OrganizationEntity).update({ id: orgId }, { allowAdminAccessToAllCollectionItems: false });
    await expect(groups.update(owner.auth, orgId, group.id, { name: 'G', users: [ownerMember] })).rejects.toMatchObject({ message: 'You cannot add yourself to groups.' });
  });

  it('an admin who may not reach every collection cannot grant a group a collection others manage; what they cannot change is kept', async () => {
    const admin = await h.newUser();
    await join(admin, 1);
    await h.db.getRepository(OrganizationEntity).update({ id: orgId }, { allowAdminAccessToAllCollectionItems: false });
    await expect(groups.create(admin.auth, orgId, { name: 'x', collections: [{ id: collectionId }] })).rejects.toMatchObject({ code: ErrorCode.NotFound });
    const group = await groups.create(owner.auth, orgId, { name: 'G', collections: [{ id: collectionId, readOnly: true }] });
    await groups.update(admin.auth, orgId, group.id, { name: 'G2', collections: [] });
    expect((await groups.details(owner.auth, orgId, group.id))).toMatchObject({ name: 'G2', collections: [{ id: collectionId, readOnly: true }] });
  });
});

describe('GroupsService (ORG_GROUPS_ENABLED unset)', () => {
  let h: ServiceHarness;
  beforeAll(async () => {
    h = await createServiceHarness();
  });
  afterAll(() => h.close());

  it('every group route answers "Group support is disabled" except the lists, which are empty; profile useGroups is false', async () => {
    const owner = await h.newUser();
    const org = await h.get(OrganizationsService).create(owner.auth, { name: 'Org', billingEmail: owner.email, key: KEY, collectionName: encString('c') });
    expect(org.useGroups).toBe(false);
    const groups = h.get(GroupsService);
    await expect(groups.create(owner.auth, org.id, { name: 'x' })).rejects.toMatchObject({ code: ErrorCode.GroupsDisabled, status: 400, message: 'Group support is disabled' });
    await expect(groups.get(owner.auth, org.id, randomUUID())).rejects.toMatchObject({ code: ErrorCode.GroupsDisabled });
    expect((await groups.list(owner.auth, org.id)).data).toEqual([]);
    expect((await groups.listDetails(owner.auth, org.id)).data).toEqual([]);
    expect((await h.get(OrganizationsQueryService).forUser(h.db.manager, owner.id))[0]!.useGroups).toBe(false);
  });
});
