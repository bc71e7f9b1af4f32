import { createServiceHarness, encString, ServiceHarness, TestUser } from '../../test/unit/support/service-module';
import { randomUUID } from 'node:crypto';
import { AccountsQueryService } from '../accounts/accounts-query.service';
import { AccountsService } from '../accounts/accounts.service';
import { TwoFactorStatus } from '../accounts/two-factor-status';
import { CiphersService } from '../ciphers/ciphers.service';
import { CipherRequestDto } from '../ciphers/dto/cipher-request.dto';
import { ErrorCode } from '../common/errors/error-code';
import { toApiDate } from '../common/time/clock';
import { CollectionEntity, MembershipEntity, PolicyEntity, TwoFactorEntity } from '../db/entities';
import { AccountRecoveryService } from './account-recovery.service';
import { InviteTokenVerifier } from './invite-token-verifier';
import { MembersService } from './members.service';
import { OrganizationsService } from './organizations.service';
import { PoliciesQueryService } from './policies-query.service';
import { PoliciesService } from './policies.service';
import { PoliciesRepository } from './policies.repository';
import { PolicyType } from './policy-types';

const KEY = `4.${Buffer.from('org key for a member').toString('base64')}`;

/** PoliciesService and the enforcement points on the real modules and an in-memory SQLite database. */
describe('PoliciesService', () => {
  let h: ServiceHarness;
  let policies: PoliciesService;
  let query: PoliciesQueryService;
  let members: MembersService;
  let organizations: OrganizationsService;
  let ciphers: CiphersService;
  let owner: TestUser;
  let orgId: string;

  beforeAll(async () => {
    h = await createServiceHarness();
    policies = h.get(PoliciesService);
    query = h.get(PoliciesQueryService);
    members = h.get(MembersService);
    organizations = h.get(OrganizationsService);
    ciphers = h.get(CiphersService);
  });
  afterAll(() => h.close());
  afterEach(() => jest.restoreAllMocks());

  const newOrganization = async (creator: TestUser): Promise<string> =>
    (await organizations.create(creator.auth, { name: 'Org', billingEmail: creator.email, key: KEY, collectionName: encString('c') })).id;

  beforeEach(async () => {
    owner = await h.newUser();
    orgId = await newOrganization(owner);
    await h.events.take();
  });

  const membershipOf = (user: TestUser, org = orgId): Promise<MembershipEntity> => h.db.getRepository(MembershipEntity).findOneByOrFail({ organizationId: org, userId: user.id });
  /** Invites `user` into `org` as `type` (accepted at once) and, unless `confirm` is false, confirms them. */
  const join = async (user: TestUser, type = 2, org = orgId, by = owner, confirm = true, permissions?: Record<string, boolean>): Promise<string> => {
    await members.invite(by.auth, org, { emails: [user.email], type, permissions });
    const id = (await membershipOf(user, org)).id;
    if (confirm) await members.confirm(by.auth, org, id, KEY);
    return id;
  };
  /**
   * Invites `user` into `org`, whose automatic accept the policies refuse (the invitation waits, status 0), then
   * links it as accepted, as a membership accepted before the policy was turned on. Returns the membership id.
   */
  const acceptedDespitePolicies = async (user: TestUser, org: string, by = owner): Promise<string> => {
    await members.invite(by.auth, org, { emails: [user.email], type: 2 });
    const invitation = await h.db.getRepository(MembershipEntity).findOneByOrFail({ organizationId: org, email: user.email });
    expect(invitation).toMatchObject({ userId: null, status: 0 });
    await h.db.getRepository(MembershipEntity).update({ id: invitation.id }, { userId: user.id, email: null, status: 1 });
    return invitation.id;
  };
  /** Gives `user` an enabled authenticator provider (two-step login on). */
  const withTwoFactor = async (user: TestUser): Promise<void> => {
    const now = h.clock.now();
    await h.db.getRepository(TwoFactorEntity).insert({ userId: user.id, type: 0, enabled: true, data: '{}', lastUsedStep: 0, creationDate: now, revisionDate: now });
  };
  const put = (type: number, enabled: boolean, data?: Record<string, unknown> | null, by = owner, org = orgId) => policies.save(by.auth, org, String(type), { policy: { enabled, data } });
  const note = (overrides: Partial<CipherRequestDto> = {}): CipherRequestDto => ({ type: 2, name: encString('note'), secureNote: { type: 0 }, ...overrides });

  describe('reads and saves', () => {
    it('saves a policy (either request shape), answers it as the official policy model, and lists it for the Admin Console', async () => {
      const saved = await put(PolicyType.MasterPassword, true, { minComplexity: 3, minLength: 14, requireUpper: true });
      expect(saved).toMatchObject({ organizationId: orgId, type: 1, enabled: true, data: { minComplexity: 3, minLength: 14, requireUpper: true }, object: 'policy' });
      expect(saved.id).toEqual(expect.any(String));
      expect(saved.revisionDate).toEqual(toApiDate(h.clock.now()));

      const legacy = await policies.save(owner.auth, orgId, '2', { enabled: true, data: { minLength: 20 } });
      expect(legacy).toMatchObject({ type: 2, enabled: true, data: { minLength: 20 } });

      expect(await policies.get(owner.auth, orgId, '1')).toEqual({ organizationId: orgId, type: 1, data: { minComplexity: 3, minLength: 14, requireUpper: true }, enabled: true, canToggleState: true, object: 'policy' });
      expect(await policies.get(owner.auth, orgId, '9')).toEqual({ organizationId: orgId, type: 9, data: {}, enabled: false, canToggleState: true, object: 'policy' });
      expect((await policies.list(owner.auth, orgId)).data.map((p) => p.type)).toEqual([1, 2]);

      const resaved = await put(PolicyType.MasterPassword, false, null);
      expect(resaved).toMatchObject({ id: saved.id, enabled: false, data: null });
    });

    it('only owners, admins and custom users with managePolicies read or save policies; others get 404', async () => {
      const admin = await h.newUser();
      const manager = await h.newUser();
      const custom = await h.newUser();
      const user = await h.newUser();
      await join(admin, 1);
      await join(manager, 4, orgId, owner, true, { managePolicies: true });
      await join(custom, 4, orgId, owner, true, { manageUsers: true });
      await join(user, 2);
      await expect(put(PolicyType.PasswordGenerator, true, null, admin)).resolves.toMatchObject({ type: 2 });
      await expect(put(PolicyType.PasswordGenerator, true, null, manager)).resolves.toMatchObject({ type: 2 });
      for (const other of [custom, user]) {
        await expect(put(PolicyType.PasswordGenerator, false, null, other)).rejects.toMatchObject({ code: ErrorCode.OrganizationNotFound, status: 404 });
        await expect(policies.list(other.auth, orgId)).rejects.toMatchObject({ status: 404 });
        await expect(policies.get(other.auth, orgId, '2')).rejects.toMatchObject({ status: 404 });
      }
    });

    it('an unknown type, bad data or a body without the policy is a 400', async () => {
      for (const type of ['23', '99', 'x', '-1']) {
        await expect(policies.save(owner.auth, orgId, type, { policy: { enabled: true } })).rejects.toMatchObject({ code: ErrorCode.ValidationFailed, status: 400 });
        await expect(policies.get(owner.auth, orgId, type)).rejects.toMatchObject({ code: ErrorCode.ValidationFailed });
      }
      await expect(put(PolicyType.MasterPassword, true, { minLength: 4 })).rejects.toMatchObject({
        code: ErrorCode.PolicyChangeRefused, status: 400, message: 'Invalid data for MasterPassword policy: The field MinLength must be between 12 and 128.',
      });
      await expect(put(PolicyType.SendOptions, true, { disableHideEmail: 'true' })).rejects.toMatchObject({ message: 'Invalid data for SendOptions policy: disableHideEmail has an invalid value.' });
      await expect(policies.save(owner.auth, orgId, '1', {})).rejects.toMatchObject({ code: ErrorCode.ValidationFailed });
      await expect(put(PolicyType.BlockClaimedDomainAccountCreation, true)).rejects.toMatchObject({ message: 'You must claim at least one domain to turn on this policy' });
      await expect(put(PolicyType.FillAssist, true, { rulesUrl: 'http://example.com' })).rejects.toMatchObject({ message: 'RulesUrl must use HTTPS.' });
      expect((await policies.list(owner.auth, orgId)).data).toEqual([]);
    });

    it('dependency rules: Single organization first, and it stays on while a policy requires it', async () => {
      await expect(put(PolicyType.ResetPassword, true, { autoEnrollEnabled: false })).rejects.toMatchObject({
        code: ErrorCode.PolicyChangeRefused, message: 'Turn on the Single organization policy because it is required for the Account recovery administration policy.',
      });
      await expect(put(PolicyType.MaximumVaultTimeout, true, { minutes: 60, action: 'lock' })).rejects.toMatchObject({ code: ErrorCode.PolicyChangeRefused });
      await put(PolicyType.SingleOrg, true);
      await put(PolicyType.ResetPassword, true, { autoEnrollEnabled: true });
      await expect(put(PolicyType.SingleOrg, false)).rejects.toMatchObject({ message: 'Turn off the Account recovery administration policy because it requires the Single organization policy.' });
      await put(PolicyType.MaximumVaultTimeout, true, { minutes: 60, action: 'lock' });
      await expect(put(PolicyType.SingleOrg, false)).rejects.toMatchObject({ message: 'Turn off all of the policies that require the Single organization policy.' });
      await put(PolicyType.ResetPassword, false);
      await put(PolicyType.MaximumVaultTimeout, false);
      await expect(put(PolicyType.SingleOrg, false)).resolves.toMatchObject({ enabled: false });
    });

    it('a save moves every confirmed member\'s revision date and sends nothing on the wire', async () => {
      const bob = await h.newUser();
      await join(bob);
      await h.events.take();
      const accounts = h.get(AccountsQueryService);
      const before = (await accounts.findById(h.db.manager, bob.id))!.revisionDate;
      h.clock.advance(5_000);
      await put(PolicyType.PasswordGenerator, true, { minLength: 10 });
      expect((await accounts.findById(h.db.manager, bob.id))!.revisionDate.getTime()).toBeGreaterThan(before.getTime());
      expect(await h.events.take()).toEqual([]);
    });
  });

  describe('Single organization', () => {
    it('turning it on revokes members of another organization (not owners, admins or the caller) and tells them (6)', async () => {
      const other = await h.newUser();
      const otherOrg = await newOrganization(other);
      const [bob, carol, dave, erin] = [await h.newUser(), await h.newUser(), await h.newUser(), await h.newUser()];
      await join(bob); // only here
      await join(carol); // also confirmed elsewhere
      await join(carol, 2, otherOrg, other);
      await join(dave, 1); // an admin elsewhere too: exempt
      await join(dave, 2, otherOrg, other);
      await join(erin, 2, orgId, owner, false); // accepted here, revoked elsewhere: still counts
      await join(erin, 2, otherOrg, other);
      await members.revoke(other.auth, otherOrg, (await membershipOf(erin, otherOrg)).id);
      await h.events.take();

      await put(PolicyType.SingleOrg, true);
      expect((await membershipOf(bob)).status).toBe(2);
      expect((await membershipOf(carol)).status).toBe(-1);
      expect((await membershipOf(dave)).status).toBe(2);
      expect((await membershipOf(erin)).status).toBe(-1);
      const [revoked, ...more] = await h.events.of('OrganizationKeysChanged');
      expect(more).toEqual([]);
      expect(revoked).toEqual({ organizationId: orgId, userIds: expect.arrayContaining([carol.id, erin.id]), reason: 'revoked', actor: owner.auth.actor });
      expect(revoked!.userIds).toHaveLength(2);

      // Saved again while on: nobody else is revoked.
      await put(PolicyType.SingleOrg, true);
      expect(await h.events.of('OrganizationKeysChanged')).toEqual([]);
    });

    it('a member of another organization cannot be confirmed or restored here; a confirmed member here cannot be confirmed elsewhere or create an organization', async () => {
      const other = await h.newUser();
      const otherOrg = await newOrganization(other);
      await put(PolicyType.SingleOrg, true);
      const bob = await h.newUser();
      await join(bob, 2, otherOrg, other);
      const bobHere = await acceptedDespitePolicies(bob, orgId);
      await expect(members.confirm(owner.auth, orgId, bobHere, KEY)).rejects.toMatchObject({
        code: ErrorCode.MemberChangeRefused, message: `${bob.email} cannot be confirmed until they leave all other organization vaults.`,
      });
      const bulk = await members.bulkConfirm(owner.auth, orgId, { keys: [{ id: bobHere, key: KEY }] });
      expect(bulk.data[0]!.error).toBe(`${bob.email} cannot be confirmed until they leave all other organization vaults.`);

      // Carol is confirmed here (a plain user): another organization cannot confirm her, and she cannot create one.
      const carol = await h.newUser();
      await join(carol);
      const carolThere = await acceptedDespitePolicies(carol, otherOrg, other);
      await expect(members.confirm(other.auth, otherOrg, carolThere, KEY)).rejects.toMatchObject({
        message: `${carol.email} cannot be confirmed because they are a member of another organization which forbids it.`,
      });
      await expect(organizations.create(carol.auth, { name: 'Mine', billingEmail: carol.email, key: KEY })).rejects.toMatchObject({
        code: ErrorCode.SingleOrgPolicyForbidsCreation, status: 400,
        message: 'You cannot create a new organization vault because your current membership doesn\'t allow you to join or create additional organization vaults.',
      });
      // The owner is exempt.
      await expect(organizations.create(owner.auth, { name: 'Second', billingEmail: owner.email, key: KEY })).resolves.toMatchObject({ name: 'Second' });

      // Restore is checked the same way.
      await members.revoke(owner.auth, orgId, (await membershipOf(carol)).id);
      await expect(members.restore(owner.auth, orgId, (await membershipOf(carol)).id)).rejects.toMatchObject({
        message: `${carol.email} cannot be restored until they leave all other organization vaults.`,
      });
    });

    it('the accept check answers with the official accept messages', async () => {
      const other = await h.newUser();
      const otherOrg = await newOrganization(other);
      await put(PolicyType.SingleOrg, true);
      const bob = await h.newUser();
      await join(bob, 2, otherOrg, other);
      await members.invite(owner.auth, orgId, { emails: [bob.email], type: 2 });
      await expect(query.assertMayJoin(h.db.manager, 'accept', orgId, { id: bob.id, email: bob.email })).rejects.toMatchObject({
        message: 'You cannot accept this invite until you leave all other organization vaults.',
      });
      const carol = await h.newUser();
      await join(carol);
      await expect(query.assertMayJoin(h.db.manager, 'accept', otherOrg, { id: carol.id, email: carol.email })).rejects.toMatchObject({
        message: 'You cannot accept this invite because you are a member of another organization vault which forbids it.',
      });
      // An invitation not yet linked to the account binds through its email.
      await members.invite(owner.auth, orgId, { emails: ['later@example.test'], type: 2 });
      await expect(query.policiesApplyingTo(h.db.manager, 'no-such-user', PolicyType.SingleOrg, 'later@example.test')).resolves.toEqual([
        expect.objectContaining({ organizationId: orgId, membershipStatus: 0, membershipType: 2 }),
      ]);
    });
  });

  describe('Require two-step login', () => {
    it('turning it on revokes accepted and confirmed members without two-step login, not owners or admins (one two-step query for all)', async () => {
      const [bob, carol, admin] = [await h.newUser(), await h.newUser(), await h.newUser()];
      await join(bob);
      await join(carol, 4, orgId, owner, false, { accessReports: true });
      await join(admin, 1);
      await withTwoFactor(bob);
      const perUser = jest.spyOn(h.module.get(TwoFactorStatus), 'isEnabled');
      await h.events.take();
      await put(PolicyType.TwoFactorAuthentication, true);
      expect(perUser).not.toHaveBeenCalled();
      expect((await membershipOf(bob)).status).toBe(2);
      expect((await membershipOf(carol)).status).toBe(-1);
      expect((await membershipOf(admin)).status).toBe(2);
      expect(await h.events.of('OrganizationKeysChanged')).toEqual([{ organizationId: orgId, userIds: [carol.id], reason: 'revoked', actor: owner.auth.actor }]);
    });

    it('refuses to confirm, restore or accept a user without two-step login; admins are exempt', async () => {
      const bob = await h.newUser();
      const bobId = await join(bob, 2, orgId, owner, false);
      await put(PolicyType.TwoFactorAuthentication, true);
      // Turning it on revoked bob (accepted, no two-step login); accepted again as before the policy.
      expect((await membershipOf(bob)).status).toBe(-1);
      await h.db.getRepository(MembershipEntity).update({ id: bobId }, { status: 1 });
      await expect(members.confirm(owner.auth, orgId, bobId, KEY)).rejects.toMatchObject({ code: ErrorCode.MemberChangeRefused, message: 'User does not have two-step login enabled.' });
      await expect(query.assertMayJoin(h.db.manager, 'accept', orgId, bob)).rejects.toMatchObject({
        message: 'You cannot join this organization vault until you enable two-step login on your user account.',
      });
      const admin = await h.newUser();
      await expect(join(admin, 1)).resolves.toEqual(expect.any(String));

      jest.spyOn(h.module.get(TwoFactorStatus), 'isEnabled').mockResolvedValue(true);
      await members.confirm(owner.auth, orgId, bobId, KEY);
      await members.revoke(owner.auth, orgId, bobId);
      jest.restoreAllMocks();
      await expect(members.restore(owner.auth, orgId, bobId)).rejects.toMatchObject({ message: `${bob.email} is not compliant with the two-step login policy.` });
    });
  });

  describe('remove individual vault (5)', () => {
    it('members may not create or import personal items; owners and admins may; organization items are allowed', async () => {
      const [bob, admin] = [await h.newUser(), await h.newUser()];
      const collectionId = (await h.db.getRepository(CollectionEntity).findOneByOrFail({ organizationId: orgId })).id;
      await members.invite(owner.auth, orgId, { emails: [bob.email], type: 2, collections: [{ id: collectionId, readOnly: false, hidePasswords: false, manage: false }] });
      await members.confirm(owner.auth, orgId, (await membershipOf(bob)).id, KEY);
      await join(admin, 1);
      await expect(ciphers.create(bob.auth, note())).resolves.toMatchObject({ organizationId: null });

      await put(PolicyType.OrganizationDataOwnership, true);
      await expect(ciphers.create(bob.auth, note())).rejects.toMatchObject({
        code: ErrorCode.PersonalOwnershipPolicy, status: 400, message: 'Due to an Enterprise Policy, you are restricted from saving items to your personal vault.',
      });
      await expect(ciphers.createWithCollections(bob.auth, { cipher: note() })).rejects.toMatchObject({ code: ErrorCode.PersonalOwnershipPolicy });
      await expect(ciphers.import(bob.auth, { ciphers: [note()], folders: [], folderRelationships: [] })).rejects.toMatchObject({
        code: ErrorCode.PersonalImportPolicy, message: 'You cannot import items into your personal vault because you are a member of an organization which forbids it.',
      });
      await expect(ciphers.createWithCollections(bob.auth, { cipher: note({ organizationId: orgId }), collectionIds: [collectionId] })).resolves.toMatchObject({ organizationId: orgId });
      await expect(ciphers.create(admin.auth, note())).resolves.toMatchObject({ organizationId: null });
      await expect(ciphers.create(owner.auth, note())).resolves.toMatchObject({ organizationId: null });

      expect((await query.policiesApplyingTo(h.db.manager, bob.id, PolicyType.OrganizationDataOwnership)).map((p) => p.organizationId)).toEqual([orgId]);
      expect(await query.policiesApplyingTo(h.db.manager, admin.id, PolicyType.OrganizationDataOwnership)).toEqual([]);

      // Revoked members are not bound.
      await members.revoke(owner.auth, orgId, (await membershipOf(bob)).id);
      await expect(ciphers.create(bob.auth, note())).resolves.toMatchObject({ organizationId: null });
    });
  });

  describe('invited users and members', () => {
    it('policies by invitation token: the enabled policies for a valid token, 404 otherwise', async () => {
      await put(PolicyType.MasterPassword, true, { minLength: 16 });
      await put(PolicyType.PasswordGenerator, false, { minLength: 16 });
      await members.invite(owner.auth, orgId, { emails: ['invitee@example.test'], type: 2 });
      const invited = await h.db.getRepository(MembershipEntity).findOneByOrFail({ organizationId: orgId, email: 'invitee@example.test' });
      const query = { email: 'invitee@example.test', token: 'a-token', organizationUserId: invited.id };
      await expect(policies.byToken(orgId, query)).rejects.toMatchObject({ status: 404 });
      jest.spyOn(h.module.get(InviteTokenVerifier), 'isValid').mockImplementation((token, invite) => Promise.resolve(token === 'a-token' && invite.organizationUserId === invited.id));
      const listed = await policies.byToken(orgId, query);
      expect(listed.data.map((p) => [p.type, p.enabled])).toEqual([[1, true]]);
      await expect(policies.byToken(orgId, { ...query, token: 'other' })).rejects.toMatchObject({ status: 404 });
      const otherOrg = await newOrganization(await h.newUser());
      await expect(policies.byToken(otherOrg, query)).rejects.toMatchObject({ status: 404 });
    });

    it('the master password policy: for a member linked to the caller, 404 while it is off', async () => {
      const bob = await h.newUser();
      await join(bob, 2, orgId, owner, false);
      await expect(policies.masterPassword(bob.auth, orgId)).rejects.toMatchObject({ status: 404 });
      await put(PolicyType.MasterPassword, true, { minComplexity: 2, enforceOnLogin: true });
      await expect(policies.masterPassword(bob.auth, orgId)).resolves.toMatchObject({ type: 1, enabled: true, data: { minComplexity: 2, enforceOnLogin: true }, object: 'policy' });
      await expect(policies.masterPassword((await h.newUser()).auth, orgId)).rejects.toMatchObject({ status: 404 });
    });

    it('the combined master password policy of the user\'s organizations: verify-password answers it (max of minimums, any requirement)', async () => {
      const accounts = h.get(AccountsService);
      const bob = await h.newUser();
      await join(bob);
      const none = { minComplexity: null, minLength: null, requireLower: null, requireUpper: null, requireNumbers: null, requireSpecial: null, enforceOnLogin: null, object: 'masterPasswordPolicy' };
      await expect(accounts.verifyPassword(bob.auth, bob.masterPasswordHash)).resolves.toEqual(none);

      await put(PolicyType.MasterPassword, true, { minComplexity: 2, minLength: 14, requireUpper: true });
      const otherOwner = await h.newUser();
      const other = await newOrganization(otherOwner);
      await join(bob, 2, other, otherOwner);
      await put(PolicyType.MasterPassword, true, { minComplexity: 3, minLength: 12, requireNumbers: true, enforceOnLogin: true }, otherOwner, other);
      await expect(accounts.verifyPassword(bob.auth, bob.masterPasswordHash)).resolves.toEqual({
        minComplexity: 3, minLength: 14, requireLower: false, requireUpper: true, requireNumbers: true, requireSpecial: false, enforceOnLogin: true, object: 'masterPasswordPolicy',
      });
      // Owners are bound too; a policy turned off or saved without options binds nobody.
      await expect(query.masterPasswordPolicyFor(h.db.manager, owner.id)).resolves.toMatchObject({ minComplexity: 2, minLength: 14, requireUpper: true });
      await put(PolicyType.MasterPassword, false, { minComplexity: 3 }, otherOwner, other);
      await put(PolicyType.MasterPassword, true, {});
      await expect(accounts.verifyPassword(bob.auth, bob.masterPasswordHash)).resolves.toEqual(none);
    });

    it('the member list and details report each member\'s two-step login, read in one query for the list', async () => {
      const [bob, carol] = [await h.newUser(), await h.newUser()];
      const bobId = await join(bob);
      const carolId = await join(carol);
      await withTwoFactor(bob);
      const perUser = jest.spyOn(h.module.get(TwoFactorStatus), 'isEnabled');
      const listed = (await members.list(owner.auth, orgId, false)).data;
      expect(perUser).not.toHaveBeenCalled();
      expect(listed.find((m) => m.id === bobId)?.twoFactorEnabled).toBe(true);
      expect(listed.find((m) => m.id === carolId)?.twoFactorEnabled).toBe(false);
      expect((await members.get(owner.auth, orgId, bobId)).twoFactorEnabled).toBe(true);
      expect((await members.get(owner.auth, orgId, carolId)).twoFactorEnabled).toBe(false);
    });

    it('a first save of a policy type over a row saved meanwhile updates it (insert-or-update), never a unique violation', async () => {
      const repo = h.get(PoliciesRepository);
      const now = h.clock.now();
      const row = (id: string, enabled: boolean) => Object.assign(new PolicyEntity(), { id, organizationId: orgId, type: PolicyType.DisableSend, enabled, data: null, creationDate: now, revisionDate: now });
      const first = await repo.upsert(h.db.manager, row(randomUUID(), true));
      const second = await repo.upsert(h.db.manager, row(randomUUID(), false));
      expect(second).toMatchObject({ id: first.id, enabled: false });
      expect(await h.db.getRepository(PolicyEntity).countBy({ organizationId: orgId, type: PolicyType.DisableSend })).toBe(1);
    });
  });

  describe('account recovery enrollment', () => {
    it('needs the policy and the master password; withdrawal is refused while enrollment is automatic; the profile says enrolled', async () => {
      const recovery = h.get(AccountRecoveryService);
      const bob = await h.newUser();
      const bobMember = await join(bob);
      const resetPasswordKey = `4.${Buffer.from('user key for the org').toString('base64')}`;
      await expect(recovery.enroll(bob.auth, orgId, bob.id, { resetPasswordKey, masterPasswordHash: bob.masterPasswordHash })).rejects.toMatchObject({
        message: 'Organization does not have the password reset policy enabled.',
      });
      await put(PolicyType.SingleOrg, true);
      await put(PolicyType.ResetPassword, true, { autoEnrollEnabled: true });
      await expect(recovery.enroll(bob.auth, orgId, bob.id, { resetPasswordKey, masterPasswordHash: 'wrong' })).rejects.toMatchObject({ status: 400, message: 'Incorrect password' });
      await expect(recovery.enroll(bob.auth, orgId, owner.id, { resetPasswordKey, masterPasswordHash: bob.masterPasswordHash })).rejects.toMatchObject({ message: 'User not valid.' });
      await recovery.enroll(bob.auth, orgId, bob.id, { resetPasswordKey, masterPasswordHash: bob.masterPasswordHash });
      expect((await membershipOf(bob)).resetPasswordKey).toBe(resetPasswordKey);
      expect((await organizations.list(bob.auth)).data[0]).toMatchObject({ id: orgId, resetPasswordEnrolled: true });
      expect((await members.get(owner.auth, orgId, bobMember)).resetPasswordEnrolled).toBe(true);
      await expect(recovery.enroll(bob.auth, orgId, bob.id, { resetPasswordKey: null })).rejects.toMatchObject({
        message: 'Due to an Enterprise policy, you are not allowed to withdraw from account recovery.',
      });

      const details = await recovery.details(owner.auth, orgId, bobMember);
      expect(details).toMatchObject({ organizationUserId: bobMember, kdf: 0, kdfIterations: 600_000, masterPasswordSalt: bob.email, resetPasswordKey, object: 'organizationUserResetPasswordDetails' });
      await expect(recovery.details(bob.auth, orgId, (await membershipOf(owner)).id)).rejects.toMatchObject({ status: 404 });

      await put(PolicyType.ResetPassword, true, { autoEnrollEnabled: false });
      await recovery.enroll(bob.auth, orgId, bob.id, { resetPasswordKey: null });
      expect((await membershipOf(bob)).resetPasswordKey).toBeNull();
    });
  });
});
