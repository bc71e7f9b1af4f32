import { randomBytes } from 'node:crypto';
import { createServiceHarness, encString, ServiceHarness, TestUser } from '../../test/unit/support/service-module';
import { MailOutboxEntity, UserEntity } from '../db/entities';
import { UnitOfWork } from '../db/unit-of-work';
import { verifyMasterPasswordHash } from './password-hasher';
import { RegisterDto } from './dto/register.dto';
import { AccountMailService } from './account-mail.service';
import { AccountsService } from './accounts.service';

/** Mail "configured" towards a port nobody listens on: mails stay in the outbox, where the tests read them. */
const MAIL_ENV = {
  SMTP_HOST: '127.0.0.1', SMTP_PORT: '9', SMTP_SECURITY: 'off', SMTP_FROM: 'vault@example.test', MAIL_RETRY_BASE_MS: '600000', INCOMPLETE_2FA_SCHEDULE: '',
};

const newEmail = (): string => `acct-${randomBytes(4).toString('hex')}@example.com`;

/** The rules of the account mails (verification, resend limits, new device, email change) on the real modules. */
describe('account mails (mail configured, SIGNUPS_VERIFY)', () => {
  let h: ServiceHarness;
  let accounts: AccountsService;
  let accountMail: AccountMailService;

  beforeAll(async () => {
    h = await createServiceHarness({ env: { ...MAIL_ENV, SIGNUPS_VERIFY: 'true', SIGNUPS_VERIFY_RESEND_TIME: '3600', SIGNUPS_VERIFY_RESEND_LIMIT: '2', EMAIL_ATTEMPTS_LIMIT: '3' } });
    accounts = h.get(AccountsService);
    accountMail = h.get(AccountMailService);
  });
  afterAll(() => h.close());

  const user = (email: string): Promise<UserEntity> => h.db.getRepository(UserEntity).findOneByOrFail({ email });
  const mailsTo = async (address: string, template?: string): Promise<MailOutboxEntity[]> =>
    (await h.db.getRepository(MailOutboxEntity).find({ order: { id: 'ASC' } })).filter((m) => m.recipients.includes(address) && (!template || m.template === template));
  const legacyRegister = (email: string): Promise<void> =>
    accounts.register({ email, masterPasswordHash: randomBytes(32).toString('base64'), key: encString('k'), kdf: 0, kdfIterations: 600_000 } as RegisterDto, 'legacy');
  const linkToken = (mail: MailOutboxEntity): { userId: string; token: string } => {
    const query = new URLSearchParams(/#\/verify-email\?(\S+)/.exec(mail.textBody)![1]);
    return { userId: query.get('userId')!, token: query.get('token')! };
  };

  it('registration: the account starts unverified and gets the welcome mail with the verify link; the link verifies it', async () => {
    const email = newEmail();
    await legacyRegister(email);
    const stored = await user(email);
    expect(stored).toMatchObject({ emailVerified: false, loginVerifyCount: 0 });
    expect(stored.lastVerifyingAt).not.toBeNull();
    const [mail] = await mailsTo(email, 'verify-email');
    expect(mail!.subject).toBe('Welcome to Vaultwave');
    expect(mail!.textBody).toContain('https://vault.example.test/#/verify-email?userId=');
    const { userId, token } = linkToken(mail!);
    expect(userId).toBe(stored.id);
    expect((await accounts.profile({ ...(await h.newUser()).auth, userId })).emailVerified).toBe(false);

    await expect(accounts.verifyEmailToken((await h.newUser()).id, token)).rejects.toMatchObject({ status: 400, message: 'Invalid claim' });
    await expect(accounts.verifyEmailToken('0b8e2f9a-7a3c-4f7e-8d6b-5c4a3b2a1f00', token)).rejects.toMatchObject({ status: 400, message: "User doesn't exist" });
    await expect(accounts.verifyEmailToken(userId, `${token}x`)).rejects.toMatchObject({ status: 400, message: 'Invalid claim' });
    await accounts.verifyEmailToken(userId, token);
    expect(await user(email)).toMatchObject({ emailVerified: true, lastVerifyingAt: null, loginVerifyCount: 0 });
  });

  it('a refused login re-sends the mail only after SIGNUPS_VERIFY_RESEND_TIME, at most SIGNUPS_VERIFY_RESEND_LIMIT times', async () => {
    const email = newEmail();
    await legacyRegister(email);
    const count = async (): Promise<number> => (await mailsTo(email, 'verify-email')).length;
    expect(await count()).toBe(1);
    expect(await accountMail.holdUnverifiedLogin(await user(email))).toBe(true);
    expect(await count()).toBe(1); // the welcome mail is less than an hour old
    h.clock.advance(3601_000);
    expect(await accountMail.holdUnverifiedLogin(await user(email))).toBe(true);
    expect(await count()).toBe(2);
    expect(await accountMail.holdUnverifiedLogin(await user(email))).toBe(true);
    expect(await count()).toBe(2);
    h.clock.advance(3601_000);
    expect(await accountMail.holdUnverifiedLogin(await user(email))).toBe(true);
    expect(await count()).toBe(3);
    h.clock.advance(3601_000);
    expect(await accountMail.holdUnverifiedLogin(await user(email))).toBe(true);
    expect(await count()).toBe(3); // limit 2 re-sends reached
    expect((await user(email)).loginVerifyCount).toBe(2);
    // A verified account is never held.
    expect(await accountMail.holdUnverifiedLogin(await user((await h.newUser()).email))).toBe(false);
  });

  it('send-verification-email: the token goes out by mail (204), none to an existing account; the mailed token registers verified', async () => {
    const email = newEmail();
    expect(await accounts.sendVerificationEmail(email, 'Mailed')).toBeNull();
    const [mail] = await mailsTo(email, 'register-verify-email');
    const link = /(https:\/\/vault\.example\.test\/#\/finish-signup\?\S+)/.exec(mail!.textBody)![1]!;
    const query = new URLSearchParams(link.split('?')[1]);
    expect(query.get('email')).toBe(email);
    expect(query.get('fromEmail')).toBe('true');
    const token = query.get('token')!;
    await accounts.verificationEmailClicked(email, token);
    await expect(accounts.verificationEmailClicked(newEmail(), token)).rejects.toMatchObject({ status: 400 });

    const kdf = { kdfType: 0, iterations: 600_000 };
    const hash = randomBytes(32).toString('base64');
    await accounts.register({
      email, emailVerificationToken: token,
      masterPasswordAuthentication: { kdf, masterPasswordAuthenticationHash: hash, salt: email },
      masterPasswordUnlock: { kdf, masterKeyWrappedUserKey: encString('k'), salt: email },
    } as RegisterDto, 'finish');
    expect(await user(email)).toMatchObject({ emailVerified: true, name: 'Mailed' });
    expect(await mailsTo(email, 'verify-email')).toHaveLength(0);
    await expect(accounts.verificationEmailClicked(email, token)).rejects.toMatchObject({ status: 400 });

    // An address with an account: the same answer, no mail.
    expect(await accounts.sendVerificationEmail(email, null)).toBeNull();
    expect(await mailsTo(email, 'register-verify-email')).toHaveLength(1);
  });

  it('verify-email (logged in) queues the verification mail', async () => {
    const alice = await h.newUser();
    await accounts.sendVerifyEmail(alice.auth);
    const [mail] = await mailsTo(alice.email, 'verify-email');
    expect(mail!.subject).toBe('Verify Your Email');
    expect(linkToken(mail!).userId).toBe(alice.id);
  });

  it('new device: the mail is queued with date, IP and device type, and carries no token', async () => {
    const alice = await h.newUser();
    const outcome = await h.get(UnitOfWork).run((tx) => accountMail.notifyNewDevice(tx, { email: alice.email }, { name: 'firefox', type: 10 }, '203.0.113.9'));
    expect(outcome).toBe('mailed');
    const [mail] = await mailsTo(alice.email, 'new-device-login');
    expect(mail!.subject).toBe('New Device Logged In From Firefox');
    expect(mail!.textBody).toContain('IP address: 203.0.113.9');
    expect(mail!.textBody).toContain('Device type: Firefox');
    expect(mail!.textBody).toMatch(/Date: \w+day, \d+ \w+ \d{4} at \d\d:\d\d UTC/);
  });

  describe('email change', () => {
    let alice: TestUser;
    let target: string;
    const code = async (): Promise<string> => /^(\d{6})$/m.exec((await mailsTo(target, 'change-email')).at(-1)!.textBody)![1]!;
    const change = (token: string, email = target) => ({
      newEmail: email, masterPasswordHash: alice.masterPasswordHash, newMasterPasswordHash: 'new-hash', key: encString('rewrapped'), token,
    });

    beforeEach(async () => {
      alice = await h.newUser();
      target = newEmail();
      await h.events.take();
    });

    it('email-token: wrong password and taken addresses are refused; the code goes to the new address', async () => {
      await expect(accounts.requestEmailChange(alice.auth, { newEmail: target, masterPasswordHash: 'wrong' })).rejects.toMatchObject({ status: 400, message: 'Invalid password' });
      const bob = await h.newUser();
      await expect(accounts.requestEmailChange(alice.auth, { newEmail: bob.email.toUpperCase(), masterPasswordHash: alice.masterPasswordHash })).rejects.toMatchObject({ status: 400, message: 'Email already in use' });
      await accounts.requestEmailChange(alice.auth, { newEmail: target, masterPasswordHash: alice.masterPasswordHash });
      expect(await code()).toMatch(/^\d{6}$/);
      const stored = await user(alice.email);
      expect(stored.emailNew).toBe(target);
      expect(stored.emailNewToken).toMatch(/^[0-9a-f]{64}$/);
      expect(stored.emailNewToken).not.toContain(await code());
    });

    it('email: a wrong code is 400 and counts; the right one changes email, password and stamp, and logs the other sessions out', async () => {
      await accounts.requestEmailChange(alice.auth, { newEmail: target, masterPasswordHash: alice.masterPasswordHash });
      const right = await code();
      const wrong = right === '000000' ? '000001' : '000000';
      const before = await user(alice.email);
      await expect(accounts.changeEmail(alice.auth, change(wrong))).rejects.toMatchObject({ status: 400, message: 'Token mismatch' });
      expect((await user(alice.email)).emailNewAttempts).toBe(1);
      await expect(accounts.changeEmail(alice.auth, change(right, newEmail()))).rejects.toMatchObject({ status: 400, message: 'Email change mismatch' });
      await h.events.take();
      await accounts.changeEmail(alice.auth, change(right));
      const after = await user(target);
      expect(after).toMatchObject({ id: alice.id, emailVerified: true, emailNew: null, emailNewToken: null, emailNewAttempts: 0 });
      expect(after.securityStamp).not.toBe(before.securityStamp);
      expect(await verifyMasterPasswordHash(after, 'new-hash')).toBe(true);
      expect(await h.events.of('UserLoggedOut')).toEqual([expect.objectContaining({ userId: alice.id, keepDeviceId: alice.deviceId })]);
      expect(await h.db.getRepository(UserEntity).findOneBy({ email: alice.email })).toBeNull();
    });

    it('EMAIL_ATTEMPTS_LIMIT wrong codes void the code; so does EMAIL_EXPIRATION_TIME', async () => {
      await accounts.requestEmailChange(alice.auth, { newEmail: target, masterPasswordHash: alice.masterPasswordHash });
      const right = await code();
      const wrong = right === '000000' ? '000001' : '000000';
      for (let i = 0; i < 3; i += 1) await expect(accounts.changeEmail(alice.auth, change(wrong))).rejects.toMatchObject({ message: 'Token mismatch' });
      await expect(accounts.changeEmail(alice.auth, change(right))).rejects.toMatchObject({ status: 400, message: 'No email change pending' });

      await accounts.requestEmailChange(alice.auth, { newEmail: target, masterPasswordHash: alice.masterPasswordHash });
      const fresh = await code();
      h.clock.advance(601_000);
      await expect(accounts.changeEmail(alice.auth, change(fresh))).rejects.toMatchObject({ status: 400, message: 'Token mismatch' });
      await expect(accounts.changeEmail(alice.auth, change(fresh))).rejects.toMatchObject({ message: 'No email change pending' });
      expect((await user(alice.email)).id).toBe(alice.id);
    });
  });
});

describe('account mails without mail', () => {
  let h: ServiceHarness;
  let accounts: AccountsService;

  beforeAll(async () => {
    h = await createServiceHarness({ env: { SIGNUPS_VERIFY: 'true', REQUIRE_DEVICE_EMAIL: 'true', INCOMPLETE_2FA_SCHEDULE: '' } });
    accounts = h.get(AccountsService);
  });
  afterAll(() => h.close());

  it('SIGNUPS_VERIFY has no effect: the token comes back, nobody is held; verify-email says it cannot', async () => {
    const email = newEmail();
    expect(typeof (await accounts.sendVerificationEmail(email, null))).toBe('string');
    const alice = await h.newUser();
    await h.db.getRepository(UserEntity).update({ id: alice.id }, { emailVerified: false });
    const stored = await h.db.getRepository(UserEntity).findOneByOrFail({ id: alice.id });
    expect(await h.get(AccountMailService).holdUnverifiedLogin(stored)).toBe(false);
    expect((await accounts.profile(alice.auth)).emailVerified).toBe(true);
    await expect(accounts.sendVerifyEmail(alice.auth)).rejects.toMatchObject({ status: 400, message: 'Cannot verify email address' });
  });

  it('REQUIRE_DEVICE_EMAIL without mail: a new device is refused', async () => {
    const outcome = await h.get(UnitOfWork).run((tx) => h.get(AccountMailService).notifyNewDevice(tx, { email: 'x@example.com' }, { name: 'cli', type: 8 }, '127.0.0.1'));
    expect(outcome).toBe('refused');
  });

  it('email change needs no code (Vaultwarden without mail); the address is then not marked verified', async () => {
    const alice = await h.newUser();
    const target = newEmail();
    await accounts.requestEmailChange(alice.auth, { newEmail: target, masterPasswordHash: alice.masterPasswordHash });
    await expect(accounts.changeEmail(alice.auth, { newEmail: newEmail(), masterPasswordHash: alice.masterPasswordHash, newMasterPasswordHash: 'n', key: encString('k') }))
      .rejects.toMatchObject({ message: 'Email change mismatch' });
    await accounts.changeEmail(alice.auth, { newEmail: target, masterPasswordHash: alice.masterPasswordHash, newMasterPasswordHash: 'n', key: encString('k') });
    expect(await h.db.getRepository(UserEntity).findOneByOrFail({ id: alice.id })).toMatchObject({ email: target, emailVerified: false });
  });
});

describe('EMAIL_CHANGE_ALLOWED=false', () => {
  it('refuses both steps', async () => {
    const h = await createServiceHarness({ env: { EMAIL_CHANGE_ALLOWED: 'false', INCOMPLETE_2FA_SCHEDULE: '' } });
    try {
      const alice = await h.newUser();
      const accounts = h.get(AccountsService);
      await expect(accounts.requestEmailChange(alice.auth, { newEmail: newEmail(), masterPasswordHash: alice.masterPasswordHash })).rejects.toMatchObject({ status: 400, message: 'Email change is not allowed.' });
      await expect(accounts.changeEmail(alice.auth, { newEmail: newEmail(), masterPasswordHash: alice.masterPasswordHash, newMasterPasswordHash: 'n', key: 'k', token: '1' }))
        .rejects.toMatchObject({ message: 'Email change is not allowed.' });
    } finally {
      await h.close();
    }
  });
});
