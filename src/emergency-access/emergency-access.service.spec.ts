import { createServiceHarness, encString, ServiceHarness, TestUser } from '../../test/unit/support/service-module';
import { AccountsService } from '../accounts/accounts.service';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { DeviceEntity, UserEntity } from '../db/entities';
import { EmergencyAccessEntity, EmergencyAccessStatus, EmergencyAccessType } from '../db/entities/emergency-access.entity';
import { UnitOfWork } from '../db/unit-of-work';
import { EventBus } from '../event-bus/event-bus.service';
import { EmergencyAccessJobs } from './emergency-access.jobs';
import { EmergencyAccessService } from './emergency-access.service';
import { EmergencyInviteTokens } from './emergency-invite-tokens';
import { EmergencyRegistrationInvites } from './emergency-registration-invites';

const DAY = 24 * 3600_000;

/** EmergencyAccessService's state machine and the two jobs, on the real modules and an in-memory SQLite database (no mail). */
describe('EmergencyAccessService', () => {
  let h: ServiceHarness;
  let service: EmergencyAccessService;
  let jobs: EmergencyAccessJobs;
  let grantor: TestUser;
  let grantee: TestUser;
  let stranger: TestUser;

  beforeAll(async () => {
    h = await createServiceHarness({ env: { EMERGENCY_REQUEST_TIMEOUT_SCHEDULE: '', EMERGENCY_NOTIFICATION_REMINDER_SCHEDULE: '' } });
    service = h.get(EmergencyAccessService);
    jobs = h.get(EmergencyAccessJobs);
  });
  afterAll(() => h.close());

  beforeEach(async () => {
    [grantor, grantee, stranger] = [await h.newUser(), await h.newUser(), await h.newUser()];
    // The jobs work on every pending request: each test starts with none.
    await h.db.query('DELETE FROM emergency_access');
    await h.events.take();
  });

  const row = (id: string): Promise<EmergencyAccessEntity | null> => h.db.getRepository(EmergencyAccessEntity).findOneBy({ id });
  const statusOf = async (id: string): Promise<EmergencyAccessStatus> => Number((await row(id))!.status);
  /** Expects a refusal: 400 with `message` (default Vaultwarden's "Emergency access not valid."). */
  const refusedWith = async (work: Promise<unknown>, message = 'Emergency access not valid.'): Promise<void> => {
    const error = await work.then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(VaultError);
    expect((error as VaultError).status).toBe(400);
    expect((error as VaultError).message).toBe(message);
  };

  /** Invites `grantee` (no mail: accepted at once) and returns the grant's id. */
  const invite = async (type = EmergencyAccessType.Takeover, waitTimeDays = 7, who = grantee): Promise<string> => {
    await service.invite(grantor.auth, { email: who.email.toUpperCase(), type, waitTimeDays });
    const [grant] = (await service.trusted(grantor.auth)).data.filter((g) => g.granteeId === who.id);
    return grant!.id;
  };
  const confirmed = async (type = EmergencyAccessType.Takeover, waitTimeDays = 7): Promise<string> => {
    const id = await invite(type, waitTimeDays);
    await service.confirm(grantor.auth, id, { key: encString('wrapped-user-key') });
    return id;
  };
  const initiated = async (type = EmergencyAccessType.Takeover, waitTimeDays = 7): Promise<string> => {
    const id = await confirmed(type, waitTimeDays);
    await service.initiate(grantee.auth, id);
    return id;
  };

  it('without mail, inviting an existing account accepts at once: both lists show the grant with the other party', async () => {
    const id = await invite(EmergencyAccessType.View, 3);
    const stored = (await row(id))!;
    expect([Number(stored.status), stored.granteeId, stored.email]).toEqual([EmergencyAccessStatus.Accepted, grantee.id, null]);
    const [trusted] = (await service.trusted(grantor.auth)).data;
    expect(trusted).toMatchObject({ id, granteeId: grantee.id, email: grantee.email, name: expect.any(String), type: 0, status: 1, waitTimeDays: 3, object: 'emergencyAccessGranteeDetails' });
    const granted = (await service.granted(grantee.auth)).data;
    expect(granted).toEqual([expect.objectContaining({ id, grantorId: grantor.id, email: grantor.email, object: 'emergencyAccessGrantorDetails' })]);
    expect((await service.granted(stranger.auth)).data).toEqual([]);
  });

  it('refuses yourself, a second grant to the same contact, and an unknown type; accepts the type by name', async () => {
    await refusedWith(service.invite(grantor.auth, { email: grantor.email, type: 1, waitTimeDays: 1 }), 'You can not set yourself as an emergency contact.');
    await invite();
    await refusedWith(service.invite(grantor.auth, { email: grantee.email, type: 0, waitTimeDays: 1 }), `Grantee user already invited: ${grantee.email}`);
    await refusedWith(service.invite(grantor.auth, { email: stranger.email, type: 'Admin', waitTimeDays: 1 }), 'Invalid emergency access type.');
    await service.invite(grantor.auth, { email: stranger.email, type: 'View', waitTimeDays: 1 });
    expect((await service.trusted(grantor.auth)).data.find((g) => g.granteeId === stranger.id)?.type).toBe(EmergencyAccessType.View);
  });

  it('an address without an account is invited to register; registering links (and without mail accepts) the grant', async () => {
    const email = `later-${Date.now()}@example.com`;
    await service.invite(grantor.auth, { email, type: 0, waitTimeDays: 1 });
    const [pending] = (await service.trusted(grantor.auth)).data;
    expect(pending).toMatchObject({ granteeId: null, email, status: EmergencyAccessStatus.Invited });
    expect((await h.get(AccountsService).invitationsPending()).map((i) => i.email)).toContain(email);
    const later = await h.newUser({ email });
    // What registration emits in its transaction (AccountsService.register).
    await h.get(UnitOfWork).run((tx) => h.get(EventBus).emit(tx, 'UserRegistered', { userId: later.id, email: later.email, inviteMemberId: null }));
    const linked = (await row(pending!.id))!;
    expect([Number(linked.status), linked.granteeId]).toEqual([EmergencyAccessStatus.Accepted, later.id]);
  });

  it('registration port: a valid token for a pending invitation of that address and grant only; the grant named by UserRegistered is accepted', async () => {
    const email = `invited-${Date.now()}@example.com`;
    await service.invite(grantor.auth, { email, type: 0, waitTimeDays: 1 });
    const [pending] = (await service.trusted(grantor.auth)).data;
    const port = h.get(EmergencyRegistrationInvites);
    const { token } = h.get(EmergencyInviteTokens).issue(pending!.id, grantor.id, email);
    expect(await port.isValid(token, { emergencyAccessId: pending!.id.toUpperCase(), email: email.toUpperCase() })).toBe(true);
    expect(await port.isValid(token, { emergencyAccessId: pending!.id, email: stranger.email })).toBe(false);
    expect(await port.isValid(token, { emergencyAccessId: grantor.id, email })).toBe(false);
    expect(await port.isValid(`${token}x`, { emergencyAccessId: pending!.id, email })).toBe(false);
    // A token for a grant of another grantor (claims that do not match the row).
    expect(await port.isValid(h.get(EmergencyInviteTokens).issue(pending!.id, stranger.id, email).token, { emergencyAccessId: pending!.id, email })).toBe(false);
    const later = await h.newUser({ email });
    await h.get(UnitOfWork).run((tx) => h.get(EventBus).emit(tx, 'UserRegistered', { userId: later.id, email: later.email, inviteMemberId: null, emergencyAccessId: pending!.id }));
    const accepted = (await row(pending!.id))!;
    expect([Number(accepted.status), accepted.granteeId]).toEqual([EmergencyAccessStatus.Accepted, later.id]);
    // Taken: the token no longer opens registration.
    expect(await port.isValid(token, { emergencyAccessId: pending!.id, email })).toBe(false);
  });

  it('walks the states: confirm only from Accepted by the grantor, initiate only by the grantee from Confirmed', async () => {
    const id = await invite();
    await refusedWith(service.initiate(grantee.auth, id));
    await refusedWith(service.confirm(grantee.auth, id, { key: encString() }));
    await refusedWith(service.confirm(stranger.auth, id, { key: encString() }));
    await service.confirm(grantor.auth, id, { key: encString('k') });
    expect(await statusOf(id)).toBe(EmergencyAccessStatus.Confirmed);
    await refusedWith(service.confirm(grantor.auth, id, { key: encString() }));
    await refusedWith(service.initiate(grantor.auth, id));
    await refusedWith(service.initiate(stranger.auth, id));
    const answer = await service.initiate(grantee.auth, id);
    expect(answer).toMatchObject({ id, status: EmergencyAccessStatus.RecoveryInitiated, object: 'emergencyAccess' });
    expect((await row(id))!.recoveryInitiatedAt?.getTime()).toBe(h.clock.now().getTime());
    await refusedWith(service.initiate(grantee.auth, id));
  });

  it('approve and reject are the grantor\'s; reject takes the grant back to Confirmed; view and takeover need the approved type', async () => {
    const id = await initiated(EmergencyAccessType.View);
    await refusedWith(service.view(grantee.auth, id));
    await refusedWith(service.approve(grantee.auth, id));
    await refusedWith(service.approve(stranger.auth, id));
    await service.reject(grantor.auth, id);
    expect(await statusOf(id)).toBe(EmergencyAccessStatus.Confirmed);
    await refusedWith(service.approve(grantor.auth, id));
    await service.initiate(grantee.auth, id);
    await service.approve(grantor.auth, id);
    expect(await statusOf(id)).toBe(EmergencyAccessStatus.RecoveryApproved);
    await refusedWith(service.view(stranger.auth, id));
    await refusedWith(service.view(grantor.auth, id));
    await refusedWith(service.takeover(grantee.auth, id));
    await refusedWith(service.policies(grantee.auth, id));
    const view = await service.view(grantee.auth, id);
    expect(view).toEqual({ keyEncrypted: (await row(id))!.keyEncrypted, ciphers: [], object: 'emergencyAccessView' });
    // An approved grant may still be rejected.
    await service.reject(grantor.auth, id);
    await refusedWith(service.view(grantee.auth, id));
  });

  it('the timeout job approves a request once its wait time has passed, exactly once', async () => {
    const id = await initiated(EmergencyAccessType.Takeover, 2);
    h.clock.advance(2 * DAY - 1_000);
    expect(await jobs.approveTimedOut()).toBe(0);
    expect(await statusOf(id)).toBe(EmergencyAccessStatus.RecoveryInitiated);
    h.clock.advance(1_000);
    expect(await jobs.approveTimedOut()).toBe(1);
    expect(await statusOf(id)).toBe(EmergencyAccessStatus.RecoveryApproved);
    expect(await jobs.approveTimedOut()).toBe(0);
    // The grantor's approve comes too late: the job moved it (a conditional update, so one of them acts).
    await refusedWith(service.approve(grantor.auth, id));
    expect(await service.takeover(grantee.auth, id)).toMatchObject({ kdf: 0, kdfIterations: 600_000, object: 'emergencyAccessTakeover' });
  });

  it('the reminder job reminds from the day before access is granted, at most once a day', async () => {
    const id = await initiated(EmergencyAccessType.View, 3);
    h.clock.advance(DAY);
    expect(await jobs.sendReminders()).toBe(0);
    h.clock.advance(DAY);
    expect(await jobs.sendReminders()).toBe(1);
    expect((await row(id))!.lastNotificationAt?.getTime()).toBe(h.clock.now().getTime());
    h.clock.advance(DAY - 1_000);
    expect(await jobs.sendReminders()).toBe(0);
    h.clock.advance(1_000);
    expect(await jobs.sendReminders()).toBe(1);
    await service.reject(grantor.auth, id);
    h.clock.advance(2 * DAY);
    expect(await jobs.sendReminders()).toBe(0);
  });

  it('the takeover password: new hash and key, new security stamp, refresh tokens revoked, LogOut to every grantor device', async () => {
    const id = await initiated(EmergencyAccessType.Takeover, 1);
    await service.approve(grantor.auth, id);
    const before = await h.db.getRepository(UserEntity).findOneByOrFail({ id: grantor.id });
    await refusedWith(service.password(stranger.auth, id, { newMasterPasswordHash: 'new-hash', key: encString('new') }));
    await h.events.take();
    await service.password(grantee.auth, id, { newMasterPasswordHash: 'new-hash', key: encString('new-key') });
    const after = await h.db.getRepository(UserEntity).findOneByOrFail({ id: grantor.id });
    expect(after.passwordHash).not.toBe(before.passwordHash);
    expect(after.securityStamp).not.toBe(before.securityStamp);
    expect(after.userKey).toContain(Buffer.from('new-key').toString('base64'));
    const devices = await h.db.getRepository(DeviceEntity).findBy({ userId: grantor.id });
    expect(devices.every((d) => d.refreshTokenHash === null)).toBe(true);
    const logouts = await h.events.of('UserLoggedOut');
    expect(logouts).toEqual([{ userId: grantor.id, reason: null, actor: null, keepDeviceId: null }]);
  });

  it('either side deletes the grant; nobody else can; a deleted grantee account takes its grants with it', async () => {
    const first = await invite();
    await refusedWith(service.delete(stranger.auth, first));
    await service.delete(grantee.auth, first);
    expect(await row(first)).toBeNull();
    const second = await invite();
    await service.delete(grantor.auth, second);
    expect(await row(second)).toBeNull();
    const third = await invite();
    await h.get(AccountsService).deleteAccount(grantee.auth, grantee.masterPasswordHash);
    expect(await row(third)).toBeNull();
  });
});

describe('EmergencyAccessService with EMERGENCY_ACCESS_ALLOWED=false', () => {
  let h: ServiceHarness;

  beforeAll(async () => {
    h = await createServiceHarness({ env: { EMERGENCY_ACCESS_ALLOWED: 'false', EMERGENCY_REQUEST_TIMEOUT_SCHEDULE: '', EMERGENCY_NOTIFICATION_REMINDER_SCHEDULE: '' } });
  });
  afterAll(() => h.close());

  it('answers Vaultwarden\'s 400 "Emergency access is not enabled." on every route but the lists, which are empty', async () => {
    const [a, b] = [await h.newUser(), await h.newUser()];
    const service = h.get(EmergencyAccessService);
    expect((await service.trusted(a.auth)).data).toEqual([]);
    expect((await service.granted(a.auth)).data).toEqual([]);
    const id = '6f1d7d0e-9c59-4c5e-9f3a-2f0a7f6b1c01';
    for (const work of [
      service.invite(a.auth, { email: b.email, type: 0, waitTimeDays: 1 }), service.get(a.auth, id), service.delete(a.auth, id),
      service.initiate(b.auth, id), service.approve(a.auth, id), service.view(b.auth, id), service.takeover(b.auth, id),
    ]) {
      const error = await work.then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(VaultError);
      expect([(error as VaultError).code, (error as VaultError).status, (error as VaultError).message]).toEqual([ErrorCode.EmergencyAccessDisabled, 400, 'Emergency access is not enabled.']);
    }
    expect(await h.get(EmergencyAccessJobs).approveTimedOut()).toBe(0);
  });
});
