import { createServiceHarness, encString, ServiceHarness, TestUser } from '../../test/unit/support/service-module';
import { AccountsService } from '../accounts/accounts.service';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { DeviceEntity, MembershipEntity, UserEntity } from '../db/entities';
import { MembershipStatus } from '../db/entities/membership.entity';
import { UnitOfWork } from '../db/unit-of-work';
import { InvitationsService } from '../organizations/invitations.service';
import { InviteTokenService } from '../organizations/invite-token.service';
import { MembersService } from '../organizations/members.service';
import { OrganizationsService } from '../organizations/organizations.service';
import { PoliciesService } from '../organizations/policies.service';
import { totpCode, totpStep } from './totp';
import { SecondFactorInput, SecondFactorOutcome, TwoFactorLoginService } from './two-factor-login.service';
import { TwoFactorProviderType } from './two-factor-types';
import { TwoFactorRepository } from './two-factor.repository';
import { TwoFactorService } from './two-factor.service';

const KEY = `4.${Buffer.from('org key for a member').toString('base64')}`;
/** 15 s into a TOTP step: one step back or forward is unambiguous. */
const midStep = (ms: number): Date => new Date((Math.floor(ms / 30_000) * 30 + 15) * 1000);

const codeOf = async (promise: Promise<unknown>): Promise<ErrorCode | 'ok'> => {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (error instanceof VaultError) return error.code;
    throw error;
  }
};

/** Two-step login rules on the real modules, an in-memory SQLite database and a settable clock. */
describe('two-step login (service tier)', () => {
  let h: ServiceHarness;
  let settings: TwoFactorService;
  let login: TwoFactorLoginService;

  beforeAll(async () => {
    h = await createServiceHarness({ env: { INCOMPLETE_2FA_SCHEDULE: '' } });
    settings = h.get(TwoFactorService);
    login = h.get(TwoFactorLoginService);
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.clock.set(midStep(Date.now()));
  });

  const userRow = (user: TestUser): Promise<UserEntity> => h.db.getRepository(UserEntity).findOneByOrFail({ id: user.id });
  const device = (user: TestUser) => ({ identifier: user.deviceIdentifier, type: 9, name: 'chrome' });
  const step = (): number => totpStep(h.clock.now().getTime());
  const attempt = async (user: TestUser, input: Partial<SecondFactorInput>, from = device(user)): Promise<SecondFactorOutcome> =>
    login.verify(await userRow(user), { provider: undefined, token: undefined, remember: false, ...input }, from, '192.0.2.1');

  /** Turns the authenticator on for `user` (at the current clock step) and returns its key. */
  const enableAuthenticator = async (user: TestUser): Promise<string> => {
    const got = await settings.getAuthenticator(user.auth, { masterPasswordHash: user.masterPasswordHash });
    expect(got).toMatchObject({ enabled: false, object: 'twoFactorAuthenticator', authenticator: { enabled: false, key: got.key } });
    const put = await settings.putAuthenticator(user.auth, { key: got.key, token: totpCode(got.key, step()), userVerificationToken: got.userVerificationToken });
    expect(put).toMatchObject({ enabled: true, key: got.key, authenticator: { enabled: true, key: got.key } });
    return got.key;
  };

  describe('authenticator setup', () => {
    it('needs the master password, then a current code; turns the profile flag on and makes a recovery code', async () => {
      const user = await h.newUser();
      expect(await codeOf(settings.getAuthenticator(user.auth, { masterPasswordHash: 'wrong' }))).toBe(ErrorCode.UserVerificationFailed);
      expect((await h.get(AccountsService).profile(user.auth)).twoFactorEnabled).toBe(false);
      const got = await settings.getAuthenticator(user.auth, { masterPasswordHash: user.masterPasswordHash });
      // A wrong code, a token bound to another key, or none at all: refused.
      expect(await codeOf(settings.putAuthenticator(user.auth, { key: got.key, token: '000000', userVerificationToken: got.userVerificationToken })))
        .toBe(totpCode(got.key, step()) === '000000' ? 'ok' : ErrorCode.InvalidTwoFactorToken);
      const other = 'A'.repeat(32);
      expect(await codeOf(settings.putAuthenticator(user.auth, { key: other, token: totpCode(other, step()), userVerificationToken: got.userVerificationToken })))
        .toBe(ErrorCode.UserVerificationFailed);
      expect(await codeOf(settings.putAuthenticator(user.auth, { key: got.key, token: totpCode(got.key, step()) }))).toBe(ErrorCode.UserVerificationFailed);

      await settings.putAuthenticator(user.auth, { key: got.key, token: totpCode(got.key, step()), userVerificationToken: got.userVerificationToken });
      expect((await h.get(AccountsService).profile(user.auth)).twoFactorEnabled).toBe(true);
      expect((await settings.list(user.auth)).data).toEqual([{ enabled: true, type: 0, object: 'twoFactorProvider' }]);
      const recover = await settings.getRecover(user.auth, { masterPasswordHash: user.masterPasswordHash });
      expect(recover.code).toMatch(/^[A-Z2-7]{32}$/);
      // get-authenticator now shows the key in use.
      expect(await settings.getAuthenticator(user.auth, { masterPasswordHash: user.masterPasswordHash })).toMatchObject({ enabled: true, key: got.key });
    });
  });

  describe('the login step', () => {
    it('no provider: nothing to do; a provider: the challenge until a code passes', async () => {
      const user = await h.newUser();
      expect(await attempt(user, {})).toEqual({ kind: 'none' });
      const key = await enableAuthenticator(user);
      const challenge = await attempt(user, {});
      expect(challenge.kind).toBe('challenge');
      if (challenge.kind !== 'challenge') return;
      expect(challenge.error.details.oauth).toMatchObject({
        error: 'invalid_grant', error_description: 'Two factor required.',
        customResponse: { TwoFactorProviders: ['0'], TwoFactorProviders2: { 0: null }, MasterPasswordPolicy: { Object: 'masterPasswordPolicy' } },
      });
      h.clock.advance(30_000);
      expect(await attempt(user, { provider: '0', token: totpCode(key, step()) })).toEqual({ kind: 'passed', provider: 0, remember: false });
    });

    it('replay: the same code, or the code of an older step, is refused; the next step passes', async () => {
      const user = await h.newUser();
      const key = await enableAuthenticator(user);
      const setupStep = step();
      h.clock.advance(30_000);
      const code = totpCode(key, step());
      expect((await attempt(user, { provider: '0', token: code })).kind).toBe('passed');
      expect((await attempt(user, { provider: '0', token: code })).kind).toBe('refused');
      // The setup step is within the drift window but older than the last used step.
      expect((await attempt(user, { provider: '0', token: totpCode(key, setupStep) })).kind).toBe('refused');
      h.clock.advance(30_000);
      expect((await attempt(user, { provider: '0', token: totpCode(key, step()) })).kind).toBe('passed');
    });

    it('drift: the next step passes early, and then the current one is older than it', async () => {
      const user = await h.newUser();
      const key = await enableAuthenticator(user);
      h.clock.advance(60_000);
      expect((await attempt(user, { provider: '0', token: totpCode(key, step() + 2) })).kind).toBe('refused');
      expect((await attempt(user, { provider: '0', token: totpCode(key, step() + 1) })).kind).toBe('passed');
      expect((await attempt(user, { provider: '0', token: totpCode(key, step()) })).kind).toBe('refused');
      h.clock.advance(60_000);
      // One step back is within the drift window, but it is the step used early: a replay.
      expect((await attempt(user, { provider: '0', token: totpCode(key, step() - 1) })).kind).toBe('refused');
      expect((await attempt(user, { provider: '0', token: totpCode(key, step()) })).kind).toBe('passed');
    });

    it('a wrong code, an unknown provider or a provider the account does not use is refused, not challenged', async () => {
      const user = await h.newUser();
      const key = await enableAuthenticator(user);
      const wrong = totpCode(key, step() + 5);
      for (const input of [{ provider: '0', token: wrong }, { provider: '7', token: '{}' }, { provider: '2', token: 'x' }, { provider: '8', token: 'NOT-THE-CODE' }]) {
        const outcome = await attempt(user, input);
        expect(outcome.kind).toBe('refused');
        if (outcome.kind === 'refused') expect(outcome.error.message).toBe('Two-step token is invalid. Try again.');
      }
      // A provider that is not a number: the challenge again.
      expect((await attempt(user, { provider: 'zero', token: wrong })).kind).toBe('challenge');
    });
  });

  describe('remember this device', () => {
    /** Turns the authenticator on, logs in with twoFactorRemember=1 and returns the key and the TwoFactorToken. */
    const remembered = async (user: TestUser): Promise<{ key: string; token: string }> => {
      const key = await enableAuthenticator(user);
      h.clock.advance(30_000);
      const outcome = await attempt(user, { provider: '0', token: totpCode(key, step()), remember: true });
      const deviceRow = await h.db.getRepository(DeviceEntity).findOneByOrFail({ id: user.deviceId });
      const account = await userRow(user);
      const token = await h.get(UnitOfWork).run((tx) => login.complete(tx, account, deviceRow, outcome));
      expect(token).toMatch(/^[\w-]{43}$/);
      return { key, token: token! };
    };

    it('passes from the same device; refused from another device and when wrong', async () => {
      const user = await h.newUser();
      const { token } = await remembered(user);
      expect(await attempt(user, { provider: '5', token })).toEqual({ kind: 'passed', provider: 5, remember: false });
      expect((await attempt(user, { provider: '5', token }, { identifier: 'another-device', type: 8, name: 'linux' })).kind).toBe('challenge');
      expect((await attempt(user, { provider: '5', token: `${token}x` })).kind).toBe('challenge');
      // A wrong token from the device drops the stored one.
      expect((await attempt(user, { provider: '5', token })).kind).toBe('challenge');
    });

    it('expires after 30 days', async () => {
      const user = await h.newUser();
      const { token } = await remembered(user);
      h.clock.advance(29 * 86_400_000);
      expect((await attempt(user, { provider: '5', token })).kind).toBe('passed');
      h.clock.advance(2 * 86_400_000);
      expect((await attempt(user, { provider: '5', token })).kind).toBe('challenge');
    });

    it('is revoked when two-step login changes', async () => {
      const user = await h.newUser();
      const { key, token } = await remembered(user);
      await settings.disable(user.auth, { type: TwoFactorProviderType.Authenticator, masterPasswordHash: user.masterPasswordHash });
      await enableAuthenticator(user);
      expect(key).toBeDefined();
      expect((await attempt(user, { provider: '5', token })).kind).toBe('challenge');
    });

    it('is revoked when the security stamp changes (password change, log out everywhere)', async () => {
      const user = await h.newUser();
      const { token } = await remembered(user);
      // The stamp changes without the sessions event: the token's stamp no longer matches.
      await h.db.getRepository(UserEntity).update({ id: user.id }, { securityStamp: '00000000-0000-4000-8000-000000000000' });
      expect((await attempt(user, { provider: '5', token })).kind).toBe('challenge');

      const other = await h.newUser();
      const second = await remembered(other);
      await h.get(AccountsService).rotateSecurityStamp(other.auth, other.masterPasswordHash);
      expect(await h.get(TwoFactorRepository).rememberCount(h.db.manager, other.id, h.clock.now())).toBe(0);
      expect((await attempt(other, { provider: '5', token: second.token })).kind).toBe('challenge');
    });

    it('DISABLE_2FA_REMEMBER: no token is issued', async () => {
      const off = await createServiceHarness({ env: { DISABLE_2FA_REMEMBER: 'true', INCOMPLETE_2FA_SCHEDULE: '' } });
      try {
        off.clock.set(midStep(Date.now()));
        const user = await off.newUser();
        const service = off.get(TwoFactorService);
        const got = await service.getAuthenticator(user.auth, { masterPasswordHash: user.masterPasswordHash });
        await service.putAuthenticator(user.auth, { key: got.key, token: totpCode(got.key, totpStep(off.clock.now().getTime())), userVerificationToken: got.userVerificationToken });
        off.clock.advance(30_000);
        const account = await off.db.getRepository(UserEntity).findOneByOrFail({ id: user.id });
        const outcome = await off.get(TwoFactorLoginService).verify(account, { provider: '0', token: totpCode(got.key, totpStep(off.clock.now().getTime())), remember: true }, device(user), '192.0.2.1');
        expect(outcome.kind).toBe('passed');
        const deviceRow = await off.db.getRepository(DeviceEntity).findOneByOrFail({ id: user.deviceId });
        expect(await off.get(UnitOfWork).run((tx) => off.get(TwoFactorLoginService).complete(tx, account, deviceRow, outcome))).toBeNull();
      } finally {
        await off.close();
      }
    });
  });

  describe('AUTHENTICATOR_DISABLE_TIME_DRIFT=true', () => {
    it('only the current step passes', async () => {
      const strict = await createServiceHarness({ env: { AUTHENTICATOR_DISABLE_TIME_DRIFT: 'true', INCOMPLETE_2FA_SCHEDULE: '' } });
      try {
        strict.clock.set(midStep(Date.now()));
        const user = await strict.newUser();
        const service = strict.get(TwoFactorService);
        const now = (): number => totpStep(strict.clock.now().getTime());
        const got = await service.getAuthenticator(user.auth, { masterPasswordHash: user.masterPasswordHash });
        expect(await codeOf(service.putAuthenticator(user.auth, { key: got.key, token: totpCode(got.key, now() + 1), userVerificationToken: got.userVerificationToken })))
          .toBe(ErrorCode.InvalidTwoFactorToken);
        await service.putAuthenticator(user.auth, { key: got.key, token: totpCode(got.key, now()), userVerificationToken: got.userVerificationToken });
        strict.clock.advance(30_000);
        const account = await strict.db.getRepository(UserEntity).findOneByOrFail({ id: user.id });
        const verify = (token: string) => strict.get(TwoFactorLoginService).verify(account, { provider: '0', token, remember: false }, device(user), '192.0.2.1');
        expect((await verify(totpCode(got.key, now() + 1))).kind).toBe('refused');
        expect((await verify(totpCode(got.key, now()))).kind).toBe('passed');
      } finally {
        await strict.close();
      }
    });
  });

  describe('recovery', () => {
    it('the recovery code at login removes every provider, makes a new code and emits TwoFactorDisabled', async () => {
      const user = await h.newUser();
      await enableAuthenticator(user);
      const { code } = await settings.getRecover(user.auth, { masterPasswordHash: user.masterPasswordHash });
      await h.events.take();
      // Lowercased and spaced, as people type it.
      const typed = code!.toLowerCase().replace(/(.{4})/g, '$1 ');
      expect(await attempt(user, { provider: '8', token: typed })).toEqual({ kind: 'passed', provider: 8, remember: false });
      expect((await settings.list(user.auth)).data).toEqual([]);
      expect(await h.events.of('TwoFactorDisabled')).toEqual([{ userId: user.id, actor: { userId: user.id, deviceId: null, deviceIdentifier: user.deviceIdentifier } }]);
      const next = (await userRow(user)).twoFactorRecoveryCode;
      expect(next).toMatch(/^[A-Z2-7]{32}$/);
      expect(next).not.toBe(code);
      expect(await attempt(user, { provider: '8', token: code! })).toEqual({ kind: 'none' });
    });

    it('POST /api/two-factor/recover: email, master password hash and recovery code, all right or refused alike', async () => {
      const user = await h.newUser();
      await enableAuthenticator(user);
      const { code } = await settings.getRecover(user.auth, { masterPasswordHash: user.masterPasswordHash });
      const wrongPassword = await codeOf(settings.recover({ email: user.email, masterPasswordHash: 'nope', recoveryCode: code! }, '192.0.2.7'));
      const wrongCode = await codeOf(settings.recover({ email: user.email, masterPasswordHash: user.masterPasswordHash, recoveryCode: 'A'.repeat(32) }, '192.0.2.7'));
      const noAccount = await codeOf(settings.recover({ email: `nobody-${user.email}`, masterPasswordHash: user.masterPasswordHash, recoveryCode: code! }, '192.0.2.7'));
      expect([wrongPassword, wrongCode, noAccount]).toEqual([ErrorCode.BadRequest, ErrorCode.BadRequest, ErrorCode.BadRequest]);
      expect((await settings.list(user.auth)).data).toHaveLength(1);
      await settings.recover({ email: user.email.toUpperCase(), masterPasswordHash: user.masterPasswordHash, recoveryCode: code!.toLowerCase() }, '192.0.2.7');
      expect((await settings.list(user.auth)).data).toEqual([]);
      expect((await h.get(AccountsService).profile(user.auth)).twoFactorEnabled).toBe(false);
      expect((await userRow(user)).twoFactorRecoveryCode).not.toBe(code);
    });
  });

  describe('Require two-step login (policy 0)', () => {
    it('turning two-step login off revokes the memberships the policy binds (owners and admins keep theirs)', async () => {
      const owner = await h.newUser();
      const member = await h.newUser();
      const org = await h.get(OrganizationsService).create(owner.auth, { name: 'Org', billingEmail: owner.email, key: KEY, collectionName: encString('c') });
      await enableAuthenticator(member);
      await h.get(PoliciesService).save(owner.auth, org.id, '0', { enabled: true });
      await h.get(MembersService).invite(owner.auth, org.id, { emails: [member.email], type: 2 });
      const membership = await h.db.getRepository(MembershipEntity).findOneByOrFail({ organizationId: org.id, userId: member.id });
      await h.get(MembersService).confirm(owner.auth, org.id, membership.id, KEY);
      await h.events.take();

      await settings.disable(member.auth, { type: 0, masterPasswordHash: member.masterPasswordHash });
      expect((await h.db.getRepository(MembershipEntity).findOneByOrFail({ id: membership.id })).status).toBe(MembershipStatus.Revoked);
      const events = await h.events.take();
      expect(events.map((e) => e.name).sort()).toEqual(['OrganizationKeysChanged', 'TwoFactorDisabled']);
      expect(events.find((e) => e.name === 'OrganizationKeysChanged')!.payload).toMatchObject({ organizationId: org.id, userIds: [member.id], reason: 'revoked' });
      // The owner is exempt.
      expect((await h.db.getRepository(MembershipEntity).findOneByOrFail({ organizationId: org.id, userId: owner.id })).status).toBe(MembershipStatus.Confirmed);
    });

    it('a member without two-step login is not accepted while the policy is on (the invitation waits), and joins once they have it', async () => {
      const owner = await h.newUser();
      const member = await h.newUser();
      const org = await h.get(OrganizationsService).create(owner.auth, { name: 'Org', billingEmail: owner.email, key: KEY, collectionName: encString('c') });
      await h.get(PoliciesService).save(owner.auth, org.id, '0', { enabled: true });
      await h.get(MembersService).invite(owner.auth, org.id, { emails: [member.email], type: 2 });
      const membership = await h.db.getRepository(MembershipEntity).findOneByOrFail({ organizationId: org.id, email: member.email });
      expect(membership).toMatchObject({ userId: null, status: MembershipStatus.Invited });
      expect(await codeOf(h.get(MembersService).confirm(owner.auth, org.id, membership.id, KEY))).toBe(ErrorCode.MemberChangeRefused);
      const { token } = h.get(InviteTokenService).issue(org.id, membership.id, member.email);
      expect(await codeOf(h.get(InvitationsService).accept(member.auth, org.id, membership.id, { token }))).toBe(ErrorCode.MemberChangeRefused);
      await enableAuthenticator(member);
      await h.get(InvitationsService).accept(member.auth, org.id, membership.id, { token });
      await h.get(MembersService).confirm(owner.auth, org.id, membership.id, KEY);
    });
  });

  it('turning one provider off while another stays: no TwoFactorDisabled', async () => {
    const user = await h.newUser();
    await enableAuthenticator(user);
    await h.events.take();
    await settings.disable(user.auth, { type: TwoFactorProviderType.WebAuthn, masterPasswordHash: user.masterPasswordHash });
    expect(await h.events.of('TwoFactorDisabled')).toEqual([]);
    await settings.disable(user.auth, { type: TwoFactorProviderType.Authenticator, masterPasswordHash: user.masterPasswordHash });
    expect(await h.events.of('TwoFactorDisabled')).toEqual([{ userId: user.id, actor: user.auth.actor }]);
  });
});
