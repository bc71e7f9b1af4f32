import { joinOrganization, membershipOf as membershipIn, newOrganization, ORG_KEY as KEY } from '../../test/unit/support/organizations';
import { createServiceHarness, ServiceHarness, TestUser } from '../../test/unit/support/service-module';
import { ErrorCode } from '../common/errors/error-code';
import { MembershipEntity } from '../db/entities';
import { MembersService } from './members.service';

/** MembersService on the real modules and an in-memory SQLite database with the real migrations. */
describe('MembersService', () => {
  let h: ServiceHarness;
  let members: MembersService;
  let owner: TestUser;
  let orgId: string;

  beforeAll(async () => {
    h = await createServiceHarness();
    members = h.get(MembersService);
  });
  afterAll(() => h.close());

  beforeEach(async () => {
    owner = await h.newUser();
    orgId = await newOrganization(h, owner);
    await h.events.take();
  });

  const membershipOf = (user: TestUser): Promise<MembershipEntity> => membershipIn(h, orgId, user);
  /** Invites `user` as `type`, confirms them, and returns their membership id. */
  const join = (user: TestUser, type: number, permissions?: Record<string, boolean>): Promise<string> => joinOrganization(h, orgId, owner, user, type, permissions);

  it('confirm needs an accepted member, stores the key and tells that member (6)', async () => {
    const bob = await h.newUser();
    await members.invite(owner.auth, orgId, { emails: [bob.email.toUpperCase()], type: 2 });
    const invited = await membershipOf(bob);
    expect(invited).toMatchObject({ status: 1, orgKey: null, invitedByUserId: owner.id });
    await h.events.take();
    await members.confirm(owner.auth, orgId, invited.id, KEY);
    expect(await membershipOf(bob)).toMatchObject({ status: 2, orgKey: KEY });
    expect(await h.events.take()).toEqual([
      { name: 'OrganizationKeysChanged', payload: { organizationId: orgId, userIds: [bob.id], reason: 'confirmed', actor: owner.auth.actor } },
    ]);
    await expect(members.confirm(owner.auth, orgId, invited.id, KEY)).rejects.toMatchObject({ code: ErrorCode.MemberChangeRefused, message: 'User invalid.' });
  });

  it('an unknown email waits as invited with no user', async () => {
    await members.invite(owner.auth, orgId, { emails: ['nobody-yet@example.test'], type: 2 });
    expect(await h.db.getRepository(MembershipEntity).findOneByOrFail({ organizationId: orgId, email: 'nobody-yet@example.test' })).toMatchObject({ userId: null, status: 0 });
  });

  it('only owners make owners; custom users with manageUsers manage users but not admins; plain users manage nobody', async () => {
    const admin = await h.newUser();
    const custom = await h.newUser();
    const plain = await h.newUser();
    const adminId = await join(admin, 1);
    await join(custom, 4, { manageUsers: true });
    await join(plain, 2);
    const dave = await h.newUser();
    await expect(members.invite(admin.auth, orgId, { emails: [dave.email], type: 0 })).rejects.toMatchObject({ message: "Only an Owner can configure another Owner's account." });
    await expect(members.invite(custom.auth, orgId, { emails: [dave.email], type: 1 })).rejects.toMatchObject({ message: 'Custom users can not manage Admins or Owners.' });
    await expect(members.revoke(custom.auth, orgId, adminId)).rejects.toMatchObject({ message: 'Custom users can not manage Admins or Owners.' });
    await expect(members.invite(plain.auth, orgId, { emails: [dave.email], type: 2 })).rejects.toMatchObject({ code: ErrorCode.OrganizationNotFound });
    await members.invite(custom.auth, orgId, { emails: [dave.email], type: 2 });
    expect((await membershipOf(dave)).status).toBe(1);
  });

  it('revoke and restore keep what the member had; a revoked member is no longer confirmed anywhere', async () => {
    const bob = await h.newUser();
    const id = await join(bob, 2);
    await members.revoke(owner.auth, orgId, id);
    expect((await membershipOf(bob)).status).toBe(-1);
    await expect(members.revoke(owner.auth, orgId, id)).rejects.toMatchObject({ message: 'User is already revoked.' });
    await expect(members.miniDetails(bob.auth, orgId)).rejects.toMatchObject({ code: ErrorCode.OrganizationNotFound });
    await members.restore(owner.auth, orgId, id);
    expect(await membershipOf(bob)).toMatchObject({ status: 2, orgKey: KEY });
  });

  it('bulk remove answers per member and keeps going past a failure; the owner cannot remove themselves', async () => {
    const bob = await h.newUser();
    const id = await join(bob, 2);
    const ownerMember = (await membershipOf(owner)).id;
    const result = await members.bulkRemove(owner.auth, orgId, [ownerMember, id]);
    expect(result.data).toEqual([
      { object: 'OrganizationBulkConfirmResponseModel', id: ownerMember, error: 'You cannot remove yourself.' },
      { object: 'OrganizationBulkConfirmResponseModel', id, error: '' },
    ]);
    expect(await h.db.getRepository(MembershipEntity).countBy({ organizationId: orgId })).toBe(1);
  });
});
