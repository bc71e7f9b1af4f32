import { randomBytes } from 'node:crypto';
import { createServiceHarness, encString, ServiceHarness, TestUser } from '../../test/unit/support/service-module';
import { CiphersService } from '../ciphers/ciphers.service';
import { SessionService } from '../common/auth/session.service';
import { ErrorCode } from '../common/errors/error-code';
import { CipherEntity, DeviceEntity, FolderEntity, UserEntity } from '../db/entities';
import { FoldersService } from '../folders/folders.service';
import { configurePasswordHashing, hashMasterPasswordHash, verifyMasterPasswordHash } from './password-hasher';
import { RegisterDto } from './dto/register.dto';
import { AccountsService } from './accounts.service';

/**
 * AccountsService on the real modules and an in-memory SQLite database with the real migrations. Server-side
 * hashing runs at PASSWORD_ITERATIONS=100000 (the minimum); only the tests about passwords hash.
 */
describe('AccountsService', () => {
  let h: ServiceHarness;
  let accounts: AccountsService;
  let alice: TestUser;

  beforeAll(async () => {
    h = await createServiceHarness();
    accounts = h.get(AccountsService);
  });
  afterAll(() => h.close());

  beforeEach(async () => {
    alice = await h.newUser();
    await h.events.take();
  });

  const userRow = (id: string): Promise<UserEntity | null> => h.db.getRepository(UserEntity).findOneBy({ id });
  const byEmail = (email: string): Promise<UserEntity | null> => h.db.getRepository(UserEntity).findOneBy({ email });
  const devicesOf = (user: TestUser): Promise<DeviceEntity[]> => h.db.getRepository(DeviceEntity).findBy({ userId: user.id });
  const newEmail = (): string => `new-${randomBytes(4).toString('hex')}@example.com`;
  const keys = () => ({ publicKey: randomBytes(294).toString('base64'), encryptedPrivateKey: encString('private') });

  describe('register', () => {
    it('legacy body: normalised email, wrapped keys, KDF and hint stored; the password is slow-hashed at PASSWORD_ITERATIONS', async () => {
      const email = newEmail();
      const masterPasswordHash = randomBytes(32).toString('base64');
      const key = encString('user-key');
      const pair = keys();
      const now = h.clock.advance();
      await accounts.register({ email: `  ${email.toUpperCase()} `, masterPasswordHash, key, kdf: 0, kdfIterations: 650_000, keys: pair, masterPasswordHint: 'hint', name: 'New' } as RegisterDto, 'legacy');

      const user = await byEmail(email);
      expect(user).toMatchObject({
        email, name: 'New', emailVerified: false, enabled: true, userKey: key, publicKey: pair.publicKey, privateKey: pair.encryptedPrivateKey,
        kdfType: 0, kdfIterations: 650_000, kdfMemory: null, kdfParallelism: null, passwordHint: 'hint', passwordIterations: 100_000,
      });
      expect(user?.creationDate.getTime()).toBe(now.getTime());
      expect(user?.passwordHash).not.toBe(masterPasswordHash);
      expect(await verifyMasterPasswordHash(user as UserEntity, masterPasswordHash)).toBe(true);
      expect(await verifyMasterPasswordHash(user as UserEntity, `${masterPasswordHash}x`)).toBe(false);
      // Nothing on the wire; organizations take up invitations waiting for this email.
      expect(await h.events.take()).toEqual([{ name: 'UserRegistered', payload: { userId: user!.id, email } }]);
    });

    it('finish body (nested KDF, Argon2id): the token carries the name; returned without mail, it does not prove the address (stored unverified, the profile reads verified)', async () => {
      const email = newEmail();
      const token = (await accounts.sendVerificationEmail(email, 'From Token'))!;
      const kdf = { kdfType: 1, iterations: 3, memory: 64, parallelism: 4 };
      const hash = randomBytes(32).toString('base64');
      const wrapped = encString('wrapped');
      await accounts.register({
        email, emailVerificationToken: token, userAsymmetricKeys: keys(),
        masterPasswordAuthentication: { kdf, masterPasswordAuthenticationHash: hash, salt: email },
        masterPasswordUnlock: { kdf, masterKeyWrappedUserKey: wrapped, salt: email },
      } as RegisterDto, 'finish');

      const user = await byEmail(email);
      expect(user).toMatchObject({ name: 'From Token', emailVerified: false, userKey: wrapped, kdfType: 1, kdfIterations: 3, kdfMemory: 64, kdfParallelism: 4 });
      expect(await verifyMasterPasswordHash(user as UserEntity, hash)).toBe(true);
      // Without mail nobody can verify an address: the profile reads verified (Vaultwarden's rule).
      expect((await accounts.profile({ ...alice.auth, userId: user!.id })).emailVerified).toBe(true);
    });

    it('finish body: a missing, foreign or forged verification token is refused (400) and nothing is stored', async () => {
      const email = newEmail();
      const body = { email, masterPasswordHash: 'h', userSymmetricKey: encString('k'), kdf: 0, kdfIterations: 600_000 } as RegisterDto;
      await expect(accounts.register(body, 'finish')).rejects.toMatchObject({ code: ErrorCode.InvalidVerificationToken, status: 400 });
      const other = (await accounts.sendVerificationEmail(newEmail(), null))!;
      await expect(accounts.register({ ...body, emailVerificationToken: other }, 'finish')).rejects.toMatchObject({ code: ErrorCode.InvalidVerificationToken });
      await expect(accounts.register({ ...body, emailVerificationToken: `${other}x` }, 'finish')).rejects.toMatchObject({ code: ErrorCode.InvalidVerificationToken });
      expect(await byEmail(email)).toBeNull();
    });

    it('finish body: KDF settings, salts or hashes that disagree are refused (422)', async () => {
      const email = newEmail();
      const token = (await accounts.sendVerificationEmail(email, null))!;
      const kdf = { kdfType: 0, iterations: 600_000 };
      const base = {
        email, emailVerificationToken: token,
        masterPasswordAuthentication: { kdf, masterPasswordAuthenticationHash: 'hash', salt: email },
        masterPasswordUnlock: { kdf, masterKeyWrappedUserKey: encString('k'), salt: email },
      };
      const mismatches: RegisterDto[] = [
        { ...base, masterPasswordUnlock: { ...base.masterPasswordUnlock, kdf: { kdfType: 0, iterations: 700_000 } } } as RegisterDto,
        { ...base, masterPasswordUnlock: { ...base.masterPasswordUnlock, salt: 'someone@else.com' } } as RegisterDto,
        { ...base, masterPasswordHash: 'another hash' } as RegisterDto,
      ];
      for (const dto of mismatches) await expect(accounts.register(dto, 'finish')).rejects.toMatchObject({ code: ErrorCode.RegistrationMismatch, status: 422 });
      expect(await byEmail(email)).toBeNull();
    });

    it('refuses a body without a hash or key, or with out-of-range KDF settings (400 model state)', async () => {
      const email = newEmail();
      const ok = { email, masterPasswordHash: 'h', key: encString('k'), kdf: 0, kdfIterations: 600_000 };
      const bad = [{ ...ok, masterPasswordHash: undefined }, { ...ok, key: undefined }, { ...ok, kdfIterations: 4_999 }, { ...ok, kdf: 1, kdfIterations: 3, kdfMemory: 8, kdfParallelism: 4 }];
      for (const dto of bad) await expect(accounts.register(dto as RegisterDto, 'legacy')).rejects.toMatchObject({ code: ErrorCode.ValidationFailed, status: 400 });
      expect(await byEmail(email)).toBeNull();
    });

    it('a taken email (in any case) is refused before any hashing work', async () => {
      const body = (email: string) => ({ email, masterPasswordHash: 'h', key: encString('k'), kdf: 0, kdfIterations: 600_000 }) as RegisterDto;
      // One hashing slot, no queue, held by a slow hash: any registration that reaches the hash is "server busy".
      configurePasswordHashing({ concurrency: 1, queue: 0 });
      const blocker = hashMasterPasswordHash('hold the slot', 1_000_000);
      try {
        await expect(accounts.register(body(alice.email.toUpperCase()), 'legacy')).rejects.toMatchObject({ code: ErrorCode.EmailTaken, status: 400 });
        // The control: a free email does reach the hash.
        const free = newEmail();
        await expect(accounts.register(body(free), 'legacy')).rejects.toMatchObject({ code: ErrorCode.ServerBusy, status: 503 });
        expect(await byEmail(free)).toBeNull();
      } finally {
        await blocker;
        configurePasswordHashing(h.config.passwordHashing);
      }
      expect(await h.db.getRepository(UserEntity).countBy({ email: alice.email })).toBe(1);
    });
  });

  it('updateProfile changes name, culture, hint and avatar colour; an empty hint clears it; nothing else moves', async () => {
    const before = await userRow(alice.id);
    const now = h.clock.advance();
    const profile = await accounts.updateProfile(alice.auth, { name: 'Alice', culture: 'de-DE', masterPasswordHint: 'a hint', avatarColor: '#aabbcc' });
    expect(profile).toMatchObject({ id: alice.id, name: 'Alice', culture: 'de-DE', avatarColor: '#aabbcc' });
    const after = await userRow(alice.id);
    expect(after).toMatchObject({ name: 'Alice', culture: 'de-DE', passwordHint: 'a hint', avatarColor: '#aabbcc', securityStamp: before?.securityStamp, passwordHash: before?.passwordHash });
    expect(after?.updatedDate.getTime()).toBe(now.getTime());

    await accounts.updateProfile(alice.auth, { masterPasswordHint: '' });
    expect((await userRow(alice.id))?.passwordHint).toBeNull();
    expect((await userRow(alice.id))?.name).toBe('Alice');
    expect(await h.events.take()).toEqual([]);
  });

  describe('password change', () => {
    it('with the wrong current password: Invalid password (400), nothing changes, no event', async () => {
      const before = await userRow(alice.id);
      await expect(accounts.changePassword(alice.auth, { masterPasswordHash: 'wrong', newMasterPasswordHash: 'new', key: encString('k') }))
        .rejects.toMatchObject({ code: ErrorCode.InvalidPassword, status: 400 });
      expect(await userRow(alice.id)).toEqual(before);
      expect(await h.events.take()).toEqual([]);
    });

    it('new hash and key, new security stamp, other devices’ refresh tokens revoked, UserLoggedOut keeping the acting device', async () => {
      const phone = await h.newDevice(alice, { type: 0, pushToken: 'push-token' });
      const before = await userRow(alice.id);
      const sessions = h.get(SessionService);
      expect(await sessions.stillValid(alice.id, phone.deviceIdentifier, phone.securityStamp)).toBe(true);
      const newHash = randomBytes(32).toString('base64');
      const key = encString('new-key');

      await accounts.changePassword(alice.auth, { masterPasswordHash: alice.masterPasswordHash, newMasterPasswordHash: newHash, key, masterPasswordHint: 'new hint' });

      const after = await userRow(alice.id) as UserEntity;
      expect(after).toMatchObject({ userKey: key, passwordHint: 'new hint' });
      expect(after.securityStamp).not.toBe(before?.securityStamp);
      expect(await verifyMasterPasswordHash(after, newHash)).toBe(true);
      expect(await verifyMasterPasswordHash(after, alice.masterPasswordHash)).toBe(false);
      const devices = new Map((await devicesOf(alice)).map((d) => [d.id, d]));
      expect(devices.get(alice.deviceId)?.refreshTokenHash).not.toBeNull();
      expect(devices.get(phone.deviceId)?.refreshTokenHash).toBeNull();
      expect(await sessions.stillValid(alice.id, phone.deviceIdentifier, phone.securityStamp)).toBe(false);
      expect(await h.events.take()).toEqual([
        { name: 'UserLoggedOut', payload: { userId: alice.id, reason: null, actor: alice.auth.actor, keepDeviceId: alice.deviceId } },
      ]);
    });
  });

  it('rotateSecurityStamp: new stamp, every device gone, UserLoggedOut first, then the push token of each mobile device cleared', async () => {
    const phone = await h.newDevice(alice, { type: 1, pushToken: 'apns-token' });
    await h.newDevice(alice, { type: 8, pushToken: null });
    await expect(accounts.rotateSecurityStamp(alice.auth, 'wrong')).rejects.toMatchObject({ code: ErrorCode.InvalidPassword });
    expect(await devicesOf(alice)).toHaveLength(3);
    const before = await userRow(alice.id);

    await accounts.rotateSecurityStamp(alice.auth, alice.masterPasswordHash);
    expect((await userRow(alice.id))?.securityStamp).not.toBe(before?.securityStamp);
    expect(await devicesOf(alice)).toEqual([]);
    expect(await h.events.take()).toEqual([
      { name: 'UserLoggedOut', payload: { userId: alice.id, reason: null, actor: null, keepDeviceId: null } },
      { name: 'DevicePushTokenCleared', payload: { userId: alice.id, deviceId: phone.deviceId, deviceIdentifier: phone.deviceIdentifier, deviceType: 1, reason: 'sessions-ended' } },
    ]);
  });

  it('API key: shown with the master password, rotated on request, refused without it', async () => {
    const stored = (await userRow(alice.id))?.apiKey;
    await expect(accounts.apiKey(alice.auth, undefined, false)).rejects.toMatchObject({ code: ErrorCode.InvalidPassword, status: 400 });
    await expect(accounts.apiKey(alice.auth, 'wrong', true)).rejects.toMatchObject({ code: ErrorCode.InvalidPassword });
    expect((await userRow(alice.id))?.apiKey).toBe(stored);

    expect(await accounts.apiKey(alice.auth, alice.masterPasswordHash, false)).toMatchObject({ apiKey: stored, object: 'apiKey' });
    const rotated = await accounts.apiKey(alice.auth, alice.masterPasswordHash, true);
    expect(rotated.apiKey).not.toBe(stored);
    expect(rotated.apiKey).toHaveLength(30);
    expect((await userRow(alice.id))?.apiKey).toBe(rotated.apiKey);
  });

  it('setKeys sets a missing key pair once and refuses to replace it', async () => {
    await h.db.getRepository(UserEntity).update({ id: alice.id }, { publicKey: null, privateKey: null });
    const pair = keys();
    const result = await accounts.setKeys(alice.auth, pair);
    expect(result).toMatchObject({ publicKey: pair.publicKey, privateKey: pair.encryptedPrivateKey });
    await accounts.setKeys(alice.auth, pair);
    await expect(accounts.setKeys(alice.auth, keys())).rejects.toMatchObject({ code: ErrorCode.BadRequest, status: 400 });
    expect((await userRow(alice.id))?.publicKey).toBe(pair.publicKey);
  });

  describe('delete account', () => {
    it('without the right master password: Invalid password, the account stays', async () => {
      await expect(accounts.deleteAccount(alice.auth, 'wrong')).rejects.toMatchObject({ code: ErrorCode.InvalidPassword, status: 400 });
      await expect(accounts.deleteAccount(alice.auth, undefined)).rejects.toMatchObject({ code: ErrorCode.InvalidPassword });
      expect(await userRow(alice.id)).not.toBeNull();
      expect(await h.events.take()).toEqual([]);
    });

    it('removes the user, devices, ciphers and folders; UserLoggedOut, then each mobile push token cleared', async () => {
      const bob = await h.newUser();
      const phone = await h.newDevice(alice, { type: 0, pushToken: 'fcm-token' });
      const folder = await h.get(FoldersService).create(alice.auth, { name: encString('f') });
      await h.get(CiphersService).create(alice.auth, { type: 2, name: encString('n'), secureNote: { type: 0 }, folderId: folder.id });
      const bobsCipher = await h.get(CiphersService).create(bob.auth, { type: 2, name: encString('n'), secureNote: { type: 0 } });
      await h.events.take();

      await accounts.deleteAccount(alice.auth, alice.masterPasswordHash);
      expect(await userRow(alice.id)).toBeNull();
      expect(await devicesOf(alice)).toEqual([]);
      expect(await h.db.getRepository(CipherEntity).countBy({ userId: alice.id })).toBe(0);
      expect(await h.db.getRepository(FolderEntity).countBy({ userId: alice.id })).toBe(0);
      expect(await h.db.getRepository(CipherEntity).countBy({ id: bobsCipher.id })).toBe(1);
      expect(await userRow(bob.id)).not.toBeNull();
      expect(await h.events.take()).toEqual([
        { name: 'UserLoggedOut', payload: { userId: alice.id, reason: null, actor: null, keepDeviceId: null } },
        { name: 'DevicePushTokenCleared', payload: { userId: alice.id, deviceId: phone.deviceId, deviceIdentifier: phone.deviceIdentifier, deviceType: 0, reason: 'sessions-ended' } },
      ]);
      await expect(accounts.profile(alice.auth)).rejects.toMatchObject({ code: ErrorCode.UserNotFound, status: 404 });
    });
  });
});
