import { createServiceHarness, encString, ServiceHarness, TestUser } from '../../test/unit/support/service-module';
import { AccountsService } from '../accounts/accounts.service';
import { ErrorCode } from '../common/errors/error-code';
import { TokenService } from '../common/auth/token.service';
import { MailOutboxEntity, MembershipEntity, UserEntity } from '../db/entities';
import { InvitationsService } from './invitations.service';
import { InviteTokenService } from './invite-token.service';
import { MembersService } from './members.service';
import { OrganizationsService } from './organizations.service';
import { PoliciesService } from './policies.service';

const KEY = `4.${Buffer.from('org key for a member').toString('base64')}`;
/** Mail on, towards a port where nothing listens; the worker's retry waits ten minutes, so rows stay pending for the test. */
const MAIL_ENV = { SMTP_HOST: '127.0.0.1', SMTP_PORT: '9', SMTP_SECURITY: 'off', SMTP_FROM: 'vault@example.test', MAIL_RETRY_BASE_MS: '600000' };

/** The token of the accept link in a queued invitation mail. */
const tokenOf = (row: MailOutboxEntity): string => new URLSearchParams(/accept-organization\?(\S+)/.exec(row.textBody)![1]).get('token')!;

describe('invitations with mail (accept tokens)', () => {
  let h: ServiceHarness;
  let members: MembersService;
  let invitations: InvitationsService;
  let owner: TestUser;
  let orgId: string;

  beforeAll(async () => {
    h = await createServiceHarness({ env: MAIL_ENV });
    members = h.get(MembersService);
    invitations = h.get(InvitationsService);
  });
  afterAll(() => h.close());

  beforeEach(async () => {
    owner = await h.newUser();
    orgId = (await h.get(OrganizationsService).create(owner.auth, { name: 'Family <&>', billingEmail: owner.email, key: KEY, collectionName: encString('c') })).id;
    await h.events.take();
  });

  const membershipByEmail = (email: string): Promise<MembershipEntity> => h.db.getRepository(MembershipEntity).findOneByOrFail({ organizationId: orgId, email });
  const mailTo = async (email: string): Promise<MailOutboxEntity> => {
    const rows = await h.db.getRepository(MailOutboxEntity).find({ order: { id: 'DESC' } });
    return rows.find((r) => (JSON.parse(r.recipients) as string[]).includes(email))!;
  };

  it('invite stores every address as invited (existing accounts too) and queues one mail each with the accept link', async () => {
    const bob = await h.newUser();
    const carol = `carol-${Date.now()}@example.com`;
    await members.invite(owner.auth, orgId, { emails: [bob.email, carol], type: 2 });
    const bobMember = await membershipByEmail(bob.email);
    expect(bobMember).toMatchObject({ userId: null, status: 0 });
    expect(await membershipByEmail(carol)).toMatchObject({ userId: null, status: 0 });
    const mail = await mailTo(bob.email);
    expect(mail).toMatchObject({ template: 'org-invite', status: 'pending', subject: 'Join Family <&>' });
    expect(mail.textBody).toContain(`https://vault.example.test/#/accept-organization?organizationId=${orgId}&organizationUserId=${bobMember.id}&email=`);
    expect(mail.textBody).toContain('orgUserHasExistingUser=True');
    expect((await mailTo(carol)).textBody).toContain('orgUserHasExistingUser=False');
    expect(mail.htmlBody).toContain('Family &lt;&amp;&gt;');
    // The token's lifetime is INVITATION_EXPIRATION_HOURS (120 h), and the mail is given up with it.
    const claims = h.get(InviteTokenService).decode(tokenOf(mail))!;
    expect(claims).toMatchObject({ organizationId: orgId, organizationUserId: bobMember.id, email: bob.email.toLowerCase() });
    expect(Math.abs(claims.expiresAt.getTime() - Date.now() - 120 * 3600_000)).toBeLessThan(60_000);
    expect(Math.abs(mail.expiresAt.getTime() - claims.expiresAt.getTime())).toBeLessThan(2_000);
    expect(await h.events.take()).toEqual([]);
  });

  it('the invited account accepts with the token: accepted, address cleared; again is a no-op; then confirmable', async () => {
    const bob = await h.newUser();
    await members.invite(owner.auth, orgId, { emails: [bob.email], type: 2 });
    const memberId = (await membershipByEmail(bob.email)).id;
    const token = tokenOf(await mailTo(bob.email));
    await invitations.accept(bob.auth, orgId, memberId, { token, resetPasswordKey: null });
    expect(await h.db.getRepository(MembershipEntity).findOneByOrFail({ id: memberId })).toMatchObject({ userId: bob.id, email: null, status: 1 });
    await invitations.accept(bob.auth, orgId, memberId, { token });
    await members.confirm(owner.auth, orgId, memberId, KEY);
    expect(await h.db.getRepository(MembershipEntity).findOneByOrFail({ id: memberId })).toMatchObject({ status: 2 });
    await expect(invitations.accept(bob.auth, orgId, memberId, { token })).resolves.toBeUndefined();
  });

  it('refuses a wrong, expired or someone else\'s token, another account, and a member of another organization', async () => {
    const bob = await h.newUser();
    const dave = await h.newUser();
    await members.invite(owner.auth, orgId, { emails: [bob.email, dave.email], type: 2 });
    const bobId = (await membershipByEmail(bob.email)).id;
    const daveId = (await membershipByEmail(dave.email)).id;
    const bobToken = tokenOf(await mailTo(bob.email));
    const daveToken = tokenOf(await mailTo(dave.email));
    const refused = (message: string) => ({ code: ErrorCode.MemberChangeRefused, status: 400, message });
    await expect(invitations.accept(bob.auth, orgId, bobId, { token: 'not-a-token' })).rejects.toMatchObject(refused('Invalid token.'));
    await expect(invitations.accept(bob.auth, orgId, bobId, { token: daveToken })).rejects.toMatchObject(refused('Invalid token.'));
    await expect(invitations.accept(dave.auth, orgId, bobId, { token: bobToken })).rejects.toMatchObject(refused('User email does not match invite.'));
    const expired = h.get(TokenService).signPurposeToken('org-invite', bob.email.toLowerCase(), { org_id: orgId, member_id: bobId, email: bob.email.toLowerCase() }, -60);
    await expect(invitations.accept(bob.auth, orgId, bobId, { token: expired })).rejects.toMatchObject(refused('Invalid token.'));
    const other = (await h.get(OrganizationsService).create(owner.auth, { name: 'Other', billingEmail: owner.email, key: KEY, collectionName: encString('c') })).id;
    await expect(invitations.accept(bob.auth, other, bobId, { token: bobToken })).rejects.toMatchObject(refused('User invalid.'));
    expect(await h.db.getRepository(MembershipEntity).findOneByOrFail({ id: bobId })).toMatchObject({ userId: null, status: 0 });
    await invitations.accept(dave.auth, orgId, daveId, { token: daveToken });
  });

  it('registration with the token accepts that invitation and verifies the address; without a token the invitation waits', async () => {
    const accounts = h.get(AccountsService);
    const erin = `erin-${Date.now()}@example.com`;
    const fred = `fred-${Date.now()}@example.com`;
    await members.invite(owner.auth, orgId, { emails: [erin, fred], type: 2 });
    const erinMember = await membershipByEmail(erin);
    const body = (email: string) => ({ email, masterPasswordHash: Buffer.from(`hash-${email}`).toString('base64'), key: encString('user key'), kdf: 0, kdfIterations: 600_000 });
    await expect(accounts.register({ ...body(erin), orgInviteToken: 'forged', organizationUserId: erinMember.id }, 'legacy')).rejects.toMatchObject({ code: ErrorCode.InvalidInviteToken });
    await accounts.register({ ...body(erin), orgInviteToken: tokenOf(await mailTo(erin)), organizationUserId: erinMember.id.toUpperCase() }, 'finish');
    const erinUser = await h.db.getRepository(UserEntity).findOneByOrFail({ email: erin });
    expect(erinUser.emailVerified).toBe(true);
    expect(await h.db.getRepository(MembershipEntity).findOneByOrFail({ id: erinMember.id })).toMatchObject({ userId: erinUser.id, email: null, status: 1 });
    expect(await h.events.of('UserRegistered')).toEqual([{ userId: erinUser.id, email: erin, inviteMemberId: erinMember.id }]);

    await accounts.register(body(fred), 'legacy');
    expect(await membershipByEmail(fred)).toMatchObject({ userId: null, status: 0 });
  });

  it('accepting by token verifies the address and mails the confirmed owners and admins that the member needs confirming', async () => {
    const admin = await h.newUser();
    await members.invite(owner.auth, orgId, { emails: [admin.email], type: 1 });
    const adminId = (await membershipByEmail(admin.email)).id;
    await invitations.accept(admin.auth, orgId, adminId, { token: tokenOf(await mailTo(admin.email)) });
    await members.confirm(owner.auth, orgId, adminId, KEY);
    const bob = await h.newUser();
    await h.db.getRepository(UserEntity).update({ id: bob.id }, { emailVerified: false });
    await members.invite(owner.auth, orgId, { emails: [bob.email], type: 2 });
    const bobId = (await membershipByEmail(bob.email)).id;

    await invitations.accept(bob.auth, orgId, bobId, { token: tokenOf(await mailTo(bob.email)) });
    expect((await h.db.getRepository(UserEntity).findOneByOrFail({ id: bob.id })).emailVerified).toBe(true);
    const notices = (await h.db.getRepository(MailOutboxEntity).find({ where: { template: 'org-user-accepted' }, order: { id: 'ASC' } }));
    const notice = notices[notices.length - 1]!;
    expect((JSON.parse(notice.recipients) as string[]).sort()).toEqual([owner.email, admin.email].sort());
    expect(notice.subject).toBe(`Action required: ${bob.email} needs to be confirmed`);
    expect(notice.textBody).toContain(`${bob.email} needs to be confirmed to Family <&> before they can access the organization vault.`);
    expect(notice.textBody).toContain(`https://vault.example.test/#/organizations/${orgId}/members`);
  });

  it('registration with the token leaves the invitation Invited when Require two-step login refuses the accept', async () => {
    await h.get(PoliciesService).save(owner.auth, orgId, '0', { policy: { enabled: true, data: null } });
    const accounts = h.get(AccountsService);
    const ivan = `ivan-${Date.now()}@example.com`;
    await members.invite(owner.auth, orgId, { emails: [ivan], type: 2 });
    const ivanMember = await membershipByEmail(ivan);
    await accounts.register({
      email: ivan, masterPasswordHash: Buffer.from('hash').toString('base64'), key: encString('user key'), kdf: 0, kdfIterations: 600_000,
      orgInviteToken: tokenOf(await mailTo(ivan)), organizationUserId: ivanMember.id,
    }, 'finish');
    const ivanUser = await h.db.getRepository(UserEntity).findOneByOrFail({ email: ivan });
    expect(ivanUser.emailVerified).toBe(true);
    expect(await h.db.getRepository(MembershipEntity).findOneByOrFail({ id: ivanMember.id })).toMatchObject({ userId: null, email: ivan, status: 0 });
  });

  it('reinvite queues a fresh mail for an invitation, and refuses a member who already accepted', async () => {
    const bob = await h.newUser();
    await members.invite(owner.auth, orgId, { emails: [bob.email], type: 2 });
    const memberId = (await membershipByEmail(bob.email)).id;
    await members.reinvite(owner.auth, orgId, memberId);
    expect((await h.db.getRepository(MailOutboxEntity).find()).filter((r) => r.recipients.includes(bob.email))).toHaveLength(2);
    await invitations.accept(bob.auth, orgId, memberId, { token: tokenOf(await mailTo(bob.email)) });
    await expect(members.reinvite(owner.auth, orgId, memberId)).rejects.toMatchObject({ message: 'User invalid.' });
    const bulk = await members.bulkReinvite(owner.auth, orgId, [memberId]);
    expect(bulk.data).toEqual([{ id: memberId, error: 'User invalid.', object: 'OrganizationBulkConfirmResponseModel' }]);
  });
});

describe('invitations without mail (Vaultwarden behaviour)', () => {
  let h: ServiceHarness;
  beforeAll(async () => {
    h = await createServiceHarness();
  });
  afterAll(() => h.close());

  it('existing accounts join as accepted, unknown addresses wait and are accepted at registration; nothing is queued', async () => {
    const owner = await h.newUser();
    const bob = await h.newUser();
    const orgId = (await h.get(OrganizationsService).create(owner.auth, { name: 'Org', billingEmail: owner.email, key: KEY, collectionName: encString('c') })).id;
    const gina = `gina-${Date.now()}@example.com`;
    await h.get(MembersService).invite(owner.auth, orgId, { emails: [bob.email, gina], type: 2 });
    expect(await h.db.getRepository(MembershipEntity).findOneByOrFail({ organizationId: orgId, userId: bob.id })).toMatchObject({ status: 1, email: null });
    const ginaMember = await h.db.getRepository(MembershipEntity).findOneByOrFail({ organizationId: orgId, email: gina });
    expect(ginaMember.status).toBe(0);
    await h.get(MembersService).reinvite(owner.auth, orgId, ginaMember.id);
    expect(await h.db.getRepository(MailOutboxEntity).count()).toBe(0);
    await h.get(AccountsService).register({ email: gina, masterPasswordHash: 'aGFzaA==', key: encString('k'), kdf: 0, kdfIterations: 600_000 }, 'legacy');
    expect(await h.db.getRepository(MembershipEntity).findOneByOrFail({ id: ginaMember.id })).toMatchObject({ status: 1, email: null });
  });

  it('the automatic accepts check Single organization: a member of another organization, invited or registering, stays Invited', async () => {
    const owner = await h.newUser();
    const orgId = (await h.get(OrganizationsService).create(owner.auth, { name: 'Single', billingEmail: owner.email, key: KEY, collectionName: encString('c') })).id;
    await h.get(PoliciesService).save(owner.auth, orgId, '3', { policy: { enabled: true, data: null } });
    const otherOwner = await h.newUser();
    const otherId = (await h.get(OrganizationsService).create(otherOwner.auth, { name: 'Other', billingEmail: otherOwner.email, key: KEY, collectionName: encString('c') })).id;
    const [bob, carol] = [await h.newUser(), await h.newUser()];
    await h.get(MembersService).invite(otherOwner.auth, otherId, { emails: [bob.email], type: 2 });

    await h.get(MembersService).invite(owner.auth, orgId, { emails: [bob.email, carol.email], type: 2 });
    expect(await h.db.getRepository(MembershipEntity).findOneByOrFail({ organizationId: orgId, email: bob.email })).toMatchObject({ userId: null, status: 0 });
    expect(await h.db.getRepository(MembershipEntity).findOneByOrFail({ organizationId: orgId, userId: carol.id })).toMatchObject({ status: 1, email: null });

    // Registration: invited by both; whichever is taken up first, Single organization refuses the other one.
    const hank = `hank-${Date.now()}@example.com`;
    await h.get(MembersService).invite(otherOwner.auth, otherId, { emails: [hank], type: 2 });
    await h.get(MembersService).invite(owner.auth, orgId, { emails: [hank], type: 2 });
    await h.get(AccountsService).register({ email: hank, masterPasswordHash: 'aGFzaA==', key: encString('k'), kdf: 0, kdfIterations: 600_000 }, 'legacy');
    const hankUser = await h.db.getRepository(UserEntity).findOneByOrFail({ email: hank });
    const linked = await h.db.getRepository(MembershipEntity).find({ where: { userId: hankUser.id } });
    const waiting = await h.db.getRepository(MembershipEntity).find({ where: { email: hank } });
    expect(linked.map((m) => m.status)).toEqual([1]);
    expect(waiting.map((m) => [m.status, m.userId])).toEqual([[0, null]]);
    expect(new Set([...linked, ...waiting].map((m) => m.organizationId))).toEqual(new Set([orgId, otherId]));
  });
});
