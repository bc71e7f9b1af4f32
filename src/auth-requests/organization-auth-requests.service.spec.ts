import { randomBytes, randomUUID } from 'node:crypto';
import { createServiceHarness, encString, ServiceHarness, TestUser } from '../../test/unit/support/service-module';
import { joinOrganization, membershipOf, newOrganization } from '../../test/unit/support/organizations';
import { ErrorCode } from '../common/errors/error-code';
import { AuthRequestEntity, MembershipEntity } from '../db/entities';
import { MembershipType } from '../db/entities/membership.entity';
import { ADMIN_AUTH_REQUEST_APPROVED_TTL_MS, ADMIN_AUTH_REQUEST_TTL_MS, AUTH_REQUEST_TTL_MS } from './auth-request-limits';
import { AuthRequestsService } from './auth-requests.service';
import { CreateAuthRequestDto } from './dto/auth-request.dto';
import { managesAccountRecovery, OrganizationAuthRequestsService } from './organization-auth-requests.service';

const IP = '203.0.113.9';
const LINUX_DESKTOP = 8;

/** Admin approval of logins (OrganizationAuthRequestsService + AuthRequestsService.createAdminRequest) on the real modules. */
describe('OrganizationAuthRequestsService', () => {
  let h: ServiceHarness;
  let requests: AuthRequestsService;
  let orgRequests: OrganizationAuthRequestsService;
  let owner: TestUser;
  let member: TestUser;
  let orgId: string;
  let memberId: string;

  beforeAll(async () => {
    h = await createServiceHarness();
    requests = h.get(AuthRequestsService);
    orgRequests = h.get(OrganizationAuthRequestsService);
  });
  afterAll(() => h.close());

  /** Enrolls `user` in account recovery of `org` as the enrollment route stores it (the route itself is e2e-tested). */
  const enroll = async (org: string, user: TestUser): Promise<void> => {
    const membership = await membershipOf(h, org, user);
    await h.db.getRepository(MembershipEntity).update({ id: membership.id }, { resetPasswordKey: `4.${randomBytes(32).toString('base64')}` });
  };

  beforeEach(async () => {
    owner = await h.newUser();
    member = await h.newUser();
    orgId = await newOrganization(h, owner);
    memberId = await joinOrganization(h, orgId, owner, member, MembershipType.User);
    await enroll(orgId, member);
    await h.events.take();
  });

  interface Asked { id: string; dto: CreateAuthRequestDto }
  const askAdmins = async (who: TestUser = member, overrides: Partial<CreateAuthRequestDto> = {}): Promise<Asked> => {
    const dto: CreateAuthRequestDto = {
      email: who.email, publicKey: randomBytes(64).toString('base64'), deviceIdentifier: randomUUID(), accessCode: randomBytes(16).toString('base64url'), type: 2, ...overrides,
    };
    const response = await requests.createAdminRequest(who.auth, dto, LINUX_DESKTOP, IP);
    return { id: response.id, dto };
  };
  const row = (id: string): Promise<AuthRequestEntity | null> => h.db.getRepository(AuthRequestEntity).findOneBy({ id });
  const listedIds = async (by: TestUser = owner, org = orgId): Promise<string[]> => (await orgRequests.listPending(by.auth, org)).data.map((r) => r.id);

  describe('the member’s new device asks (POST /api/auth-requests/admin-request)', () => {
    it('stores one type-2 request per organization of the member, emits nothing, and a device asking again replaces its own', async () => {
      const other = await newOrganization(h, owner);
      await joinOrganization(h, other, owner, member, MembershipType.User);
      await h.events.take();
      const deviceIdentifier = randomUUID();
      const first = await askAdmins(member, { deviceIdentifier });
      const rows = await h.db.getRepository(AuthRequestEntity).findBy({ userId: member.id });
      expect(rows.map((r) => r.organizationId).sort()).toEqual([orgId, other].sort());
      expect(rows.every((r) => r.type === 2 && r.approved === null && r.requestDeviceIdentifier === deviceIdentifier && r.requestIp === IP)).toBe(true);
      expect(rows.map((r) => r.id)).toContain(first.id);
      expect(await h.events.take()).toEqual([]);

      await askAdmins(member, { deviceIdentifier });
      expect(await h.db.getRepository(AuthRequestEntity).countBy({ userId: member.id })).toBe(2);
      expect(await row(first.id)).toBeNull();
    });

    it('refuses another account’s email, a user of no organization, and type 2 on the anonymous route', async () => {
      await expect(askAdmins(member, { email: owner.email })).rejects.toMatchObject({ code: ErrorCode.BadRequest, message: 'User or known device not found.' });
      const loner = await h.newUser();
      await expect(askAdmins(loner)).rejects.toMatchObject({ code: ErrorCode.BadRequest, message: 'User does not belong to any organizations.' });
      await expect(requests.create({ email: member.email, publicKey: 'k', deviceIdentifier: randomUUID(), accessCode: 'c', type: 2 }, LINUX_DESKTOP, IP))
        .rejects.toMatchObject({ code: ErrorCode.BadRequest, message: 'You must be authenticated to create a request of that type.' });
    });

    it('admin requests are not in the member’s own pending list, and a login-with-device request does not replace them', async () => {
      const deviceIdentifier = randomUUID();
      const admin = await askAdmins(member, { deviceIdentifier });
      await requests.create({ email: member.email, publicKey: 'k', deviceIdentifier, accessCode: 'c', type: 0 }, LINUX_DESKTOP, IP);
      expect((await requests.listPending(member.auth)).data.map((r) => r.id)).not.toContain(admin.id);
      expect(await row(admin.id)).not.toBeNull();
    });
  });

  describe('listing', () => {
    it('shows pending, unexpired requests of enrolled members with the official fields, oldest first', async () => {
      const first = await askAdmins();
      h.clock.advance();
      const second = await askAdmins();
      const { data, object } = await orgRequests.listPending(owner.auth, orgId);
      expect(object).toBe('list');
      expect(data.map((r) => r.id)).toEqual([first.id, second.id]);
      expect(data[0]).toEqual({
        id: first.id, userId: member.id, organizationUserId: memberId, email: member.email, publicKey: first.dto.publicKey,
        requestDeviceIdentifier: first.dto.deviceIdentifier, requestDeviceType: 'LinuxDesktop', requestIpAddress: IP, requestCountryName: null,
        creationDate: expect.any(String), object: 'pending-org-auth-request',
      });

      await orgRequests.answer(owner.auth, orgId, first.id, { approved: false });
      expect(await listedIds()).toEqual([second.id]);
      h.clock.advance(ADMIN_AUTH_REQUEST_TTL_MS + 1);
      expect(await listedIds()).toEqual([]);
    });

    it('leaves out members not enrolled in account recovery', async () => {
      const notEnrolled = await h.newUser();
      await joinOrganization(h, orgId, owner, notEnrolled, MembershipType.User);
      const asked = await askAdmins(notEnrolled);
      expect(await listedIds()).not.toContain(asked.id);
      await expect(orgRequests.answer(owner.auth, orgId, asked.id, { approved: false })).rejects.toMatchObject({ code: ErrorCode.NotFound, status: 404 });
    });

    it('owners, admins and custom users with manageResetPassword may; plain members, other custom users and other organizations’ admins get 404', async () => {
      const asked = await askAdmins();
      const admin = await h.newUser();
      await joinOrganization(h, orgId, owner, admin, MembershipType.Admin);
      const recoverer = await h.newUser();
      await joinOrganization(h, orgId, owner, recoverer, MembershipType.Custom, { manageResetPassword: true });
      const otherCustom = await h.newUser();
      await joinOrganization(h, orgId, owner, otherCustom, MembershipType.Custom, { manageUsers: true });
      expect(await listedIds(admin)).toEqual([asked.id]);
      expect(await listedIds(recoverer)).toEqual([asked.id]);

      const outsider = await h.newUser();
      const outsiderOrg = await newOrganization(h, outsider);
      for (const who of [member, otherCustom, outsider]) {
        await expect(orgRequests.listPending(who.auth, orgId)).rejects.toMatchObject({ code: ErrorCode.OrganizationNotFound, status: 404 });
        await expect(orgRequests.answer(who.auth, orgId, asked.id, { approved: true, key: encString() })).rejects.toMatchObject({ status: 404 });
        await expect(orgRequests.denyMany(who.auth, orgId, [asked.id])).rejects.toMatchObject({ status: 404 });
      }
      // The outsider's own organization does not reach the request either.
      expect(await listedIds(outsider, outsiderOrg)).toEqual([]);
      await expect(orgRequests.answer(outsider.auth, outsiderOrg, asked.id, { approved: false })).rejects.toMatchObject({ code: ErrorCode.NotFound });
      expect(await orgRequests.denyMany(outsider.auth, outsiderOrg, [asked.id])).toEqual([]);
      expect((await row(asked.id))?.approved).toBeNull();
    });

    it('managesAccountRecovery follows the role and the custom permission', () => {
      expect(managesAccountRecovery(MembershipType.Owner, null)).toBe(true);
      expect(managesAccountRecovery(MembershipType.Admin, null)).toBe(true);
      expect(managesAccountRecovery(MembershipType.User, JSON.stringify({ manageResetPassword: true }))).toBe(false);
      expect(managesAccountRecovery(MembershipType.Custom, JSON.stringify({ manageResetPassword: true }))).toBe(true);
      expect(managesAccountRecovery(MembershipType.Custom, JSON.stringify({ manageUsers: true }))).toBe(false);
    });
  });

  describe('answering', () => {
    it('approval stores the key and emits AuthRequestApproved for the member; the poll then shows it; a second answer is 400', async () => {
      const asked = await askAdmins();
      const key = `4.${randomBytes(64).toString('base64')}`;
      const at = h.clock.advance(60 * 60 * 1000); // an hour later: long past a device request's 15 minutes
      await orgRequests.answer(owner.auth, orgId, asked.id, { approved: true, key });
      expect(await row(asked.id)).toMatchObject({ approved: true, encKey: key, responseDate: at, responseDeviceId: null });
      expect(await h.events.take()).toEqual([{ name: 'AuthRequestApproved', payload: { authRequestId: asked.id, userId: member.id, actor: owner.auth.actor } }]);
      expect(await requests.response(asked.id, asked.dto.accessCode)).toMatchObject({ id: asked.id, requestApproved: true, key });
      expect(await requests.get(member.auth, asked.id)).toMatchObject({ requestApproved: true, key });

      await expect(orgRequests.answer(owner.auth, orgId, asked.id, { approved: false })).rejects.toMatchObject({ code: ErrorCode.BadRequest, message: 'Auth request has already been answered.' });

      h.clock.advance(ADMIN_AUTH_REQUEST_APPROVED_TTL_MS + 1);
      await expect(requests.response(asked.id, asked.dto.accessCode)).rejects.toMatchObject({ message: 'Auth request has expired.' });
    });

    it('an approval without a key is 400 and leaves the request pending; an expired or unknown request is 404', async () => {
      const asked = await askAdmins();
      await expect(orgRequests.answer(owner.auth, orgId, asked.id, { approved: true, key: null })).rejects.toMatchObject({ code: ErrorCode.BadRequest });
      expect((await row(asked.id))?.approved).toBeNull();
      await expect(orgRequests.answer(owner.auth, orgId, randomUUID(), { approved: false })).rejects.toMatchObject({ code: ErrorCode.NotFound });
      h.clock.advance(ADMIN_AUTH_REQUEST_TTL_MS + 1);
      await expect(orgRequests.answer(owner.auth, orgId, asked.id, { approved: true, key: encString() })).rejects.toMatchObject({ code: ErrorCode.NotFound });
    });

    it('denial stores the answer without a key and emits nothing; the poll shows it unapproved', async () => {
      const asked = await askAdmins();
      await orgRequests.answer(owner.auth, orgId, asked.id, { approved: false, key: encString() });
      expect(await row(asked.id)).toMatchObject({ approved: false, encKey: null });
      expect(await h.events.take()).toEqual([]);
      expect(await requests.response(asked.id, asked.dto.accessCode)).toMatchObject({ requestApproved: false, key: null });
    });

    it('bulk deny answers this organization’s pending requests only and returns their ids', async () => {
      const a = await askAdmins();
      const b = await askAdmins();
      const answered = await askAdmins();
      await orgRequests.answer(owner.auth, orgId, answered.id, { approved: false });
      const denied = await orgRequests.denyMany(owner.auth, orgId, [a.id, b.id, answered.id, randomUUID()]);
      expect(denied.sort()).toEqual([a.id, b.id].sort());
      expect((await row(a.id))?.approved).toBe(false);
      expect(await h.events.take()).toEqual([]);
    });

    it('bulk update approves with each key and denies, skipping approvals without a key', async () => {
      const a = await askAdmins();
      const b = await askAdmins();
      const c = await askAdmins();
      const answered = await orgRequests.updateMany(owner.auth, orgId, [
        { id: a.id, approved: true, key: 'key-a' }, { id: b.id, approved: false }, { id: c.id, approved: true, key: null },
      ]);
      expect(answered.sort()).toEqual([a.id, b.id].sort());
      expect(await row(a.id)).toMatchObject({ approved: true, encKey: 'key-a' });
      expect((await row(b.id))?.approved).toBe(false);
      expect((await row(c.id))?.approved).toBeNull();
      expect((await h.events.of('AuthRequestApproved')).map((e) => e.authRequestId)).toEqual([a.id]);
    });
  });

  it('the purge keeps admin requests for 7 days (approved ones 12 hours after the approval)', async () => {
    const pending = await askAdmins();
    const approved = await askAdmins();
    const denied = await askAdmins();
    await orgRequests.answer(owner.auth, orgId, approved.id, { approved: true, key: encString() });
    await orgRequests.answer(owner.auth, orgId, denied.id, { approved: false });
    h.clock.advance(AUTH_REQUEST_TTL_MS + 60_000);
    await requests.purgeExpired();
    expect(await row(pending.id)).not.toBeNull();
    expect(await row(approved.id)).not.toBeNull();
    expect(await row(denied.id)).not.toBeNull();

    h.clock.advance(ADMIN_AUTH_REQUEST_APPROVED_TTL_MS);
    await requests.purgeExpired();
    expect(await row(approved.id)).toBeNull();
    expect(await row(pending.id)).not.toBeNull();

    h.clock.advance(ADMIN_AUTH_REQUEST_TTL_MS);
    await requests.purgeExpired();
    expect(await row(pending.id)).toBeNull();
    expect(await row(denied.id)).toBeNull();
  });
});
