import { createServiceHarness, encString, ServiceHarness, TestUser } from '../../test/unit/support/service-module';
import { AccountsService } from '../accounts/accounts.service';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { CiphersService } from '../ciphers/ciphers.service';
import { CipherRequestDto } from '../ciphers/dto/cipher-request.dto';
import { CipherEntity, CollectionEntity, CollectionMemberEntity, MembershipEntity, OrganizationEntity } from '../db/entities';
import { SyncService } from '../sync/sync.service';
import { OrganizationsService } from './organizations.service';

/** OrganizationsService on the real modules and an in-memory SQLite database with the real migrations. */
describe('OrganizationsService', () => {
  let h: ServiceHarness;
  let organizations: OrganizationsService;
  let accounts: AccountsService;
  let sync: SyncService;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    h = await createServiceHarness({ env: { ORG_CREATION_USERS: '' } });
    organizations = h.get(OrganizationsService);
    accounts = h.get(AccountsService);
    sync = h.get(SyncService);
  });
  afterAll(() => h.close());

  beforeEach(async () => {
    alice = await h.newUser();
    bob = await h.newUser();
    await h.events.take();
  });

  const create = (user: TestUser, collectionName: string | null = encString('first')) => organizations.create(user.auth, {
    name: 'Family', billingEmail: user.email.toUpperCase(), key: `4.${Buffer.from('wrapped').toString('base64')}`,
    keys: { publicKey: 'cHVibGlj', encryptedPrivateKey: encString('private') }, collectionName,
  });
  const rejects = async (promise: Promise<unknown>, code: ErrorCode): Promise<void> => {
    await expect(promise).rejects.toBeInstanceOf(VaultError);
    await expect(promise).rejects.toMatchObject({ code });
  };

  it('create writes the organization, a confirmed owner membership, the first collection the owner manages; bumps the revision date; emits OrganizationKeysChanged', async () => {
    const now = h.clock.advance();
    const created = await create(alice);
    const org = await h.db.getRepository(OrganizationEntity).findOneByOrFail({ id: created.id });
    expect(org).toMatchObject({ name: 'Family', billingEmail: alice.email.toLowerCase(), enabled: true, publicKey: 'cHVibGlj' });
    const membership = await h.db.getRepository(MembershipEntity).findOneByOrFail({ organizationId: created.id });
    expect(membership).toMatchObject({ userId: alice.id, status: 2, type: 0, email: null });
    const collection = await h.db.getRepository(CollectionEntity).findOneByOrFail({ organizationId: created.id });
    expect(await h.db.getRepository(CollectionMemberEntity).findOneByOrFail({ collectionId: collection.id })).toMatchObject({ membershipId: membership.id, manage: true, readOnly: false });
    expect(await accounts.revisionDate(alice.auth)).toBe(now.getTime());
    expect(await accounts.revisionDate(bob.auth)).toBeLessThan(now.getTime());
    expect(await h.events.take()).toEqual([
      { name: 'OrganizationKeysChanged', payload: { organizationId: created.id, userIds: [alice.id], reason: 'created', actor: alice.auth.actor } },
    ]);
  });

  it('without a collection name no collection is made; sync lists the organization and nothing else', async () => {
    const created = await create(alice, null);
    expect(await h.db.getRepository(CollectionEntity).countBy({ organizationId: created.id })).toBe(0);
    const view = await sync.sync(alice.auth, true);
    expect(view.profile.organizations).toEqual([expect.objectContaining({ id: created.id, organizationUserId: expect.any(String), status: 2, type: 0 })]);
    expect(view.collections).toEqual([]);
    expect((await sync.sync(bob.auth, true)).profile.organizations).toEqual([]);
  });

  it('the owner reads and edits; a non-member gets OrganizationNotFound on every route', async () => {
    const created = await create(alice);
    expect((await organizations.get(alice.auth, created.id)).name).toBe('Family');
    expect((await organizations.update(alice.auth, created.id, { name: 'Renamed' })).name).toBe('Renamed');
    await rejects(organizations.get(bob.auth, created.id), ErrorCode.OrganizationNotFound);
    await rejects(organizations.update(bob.auth, created.id, { name: 'x' }), ErrorCode.OrganizationNotFound);
    await rejects(organizations.collections(bob.auth, created.id), ErrorCode.OrganizationNotFound);
    await rejects(organizations.leave(bob.auth, created.id), ErrorCode.OrganizationNotFound);
    await rejects(organizations.delete(bob.auth, created.id, { masterPasswordHash: bob.masterPasswordHash }), ErrorCode.OrganizationNotFound);
  });

  it('the last owner cannot leave; delete needs the master password and tells every confirmed member', async () => {
    const created = await create(alice);
    await h.events.take();
    await rejects(organizations.leave(alice.auth, created.id), ErrorCode.LastOwner);
    await rejects(organizations.delete(alice.auth, created.id, { masterPasswordHash: Buffer.from('not the password').toString('base64') }), ErrorCode.UserVerificationFailed);
    expect(await h.db.getRepository(OrganizationEntity).countBy({ id: created.id })).toBe(1);
    const collection = await h.db.getRepository(CollectionEntity).findOneByOrFail({ organizationId: created.id });
    const shared = await h.get(CiphersService).createWithCollections(alice.auth, {
      cipher: { type: 2, name: encString('note'), secureNote: { type: 0 }, organizationId: created.id } as CipherRequestDto, collectionIds: [collection.id],
    });
    await h.events.take();
    await organizations.delete(alice.auth, created.id, { masterPasswordHash: alice.masterPasswordHash });
    expect(await h.db.getRepository(OrganizationEntity).countBy({ id: created.id })).toBe(0);
    expect(await h.db.getRepository(CipherEntity).countBy({ id: shared.id })).toBe(0);
    expect(await h.db.getRepository(MembershipEntity).countBy({ organizationId: created.id })).toBe(0);
    expect(await h.events.take()).toEqual([
      { name: 'OrganizationKeysChanged', payload: { organizationId: created.id, userIds: [alice.id], reason: 'deleted', actor: alice.auth.actor } },
    ]);
  });

  it('POST keys sets the pair only when the organization has none', async () => {
    const created = await organizations.create(alice.auth, { name: 'No keys', billingEmail: alice.email, key: `4.${Buffer.from('k').toString('base64')}` });
    expect(created.hasPublicAndPrivateKeys).toBe(false);
    const keys = await organizations.createKeys(alice.auth, created.id, { publicKey: 'cHVi', encryptedPrivateKey: encString('p') });
    expect(keys).toMatchObject({ object: 'organizationKeys', publicKey: 'cHVi' });
    await rejects(organizations.createKeys(alice.auth, created.id, { publicKey: 'b3RoZXI=', encryptedPrivateKey: encString('q') }), ErrorCode.OrganizationKeysExist);
    expect(await organizations.publicKey(created.id)).toEqual({ object: 'organizationPublicKey', publicKey: 'cHVi' });
  });
});

describe('OrganizationsService with ORG_CREATION_USERS', () => {
  it.each([
    ['none', [false, false]],
    ['first@example.test', [true, false]],
  ])('%s', async (setting, mayCreate) => {
    const h = await createServiceHarness({ env: { ORG_CREATION_USERS: setting } });
    try {
      const organizations = h.get(OrganizationsService);
      const users = [await h.newUser({ email: 'first@example.test' }), await h.newUser()];
      for (const [i, user] of users.entries()) {
        const attempt = organizations.create(user.auth, { name: 'Org', billingEmail: user.email, key: `4.${Buffer.from('k').toString('base64')}` });
        if (mayCreate[i]) await expect(attempt).resolves.toMatchObject({ object: 'organization' });
        else await expect(attempt).rejects.toMatchObject({ code: ErrorCode.OrganizationCreationNotAllowed });
      }
    } finally {
      await h.close();
    }
  });
});
