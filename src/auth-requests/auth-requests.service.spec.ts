import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServiceHarness, encString, ServiceHarness, TestUser } from '../../test/unit/support/service-module';
import { ErrorCode } from '../common/errors/error-code';
import { AuthRequestEntity, UserEntity } from '../db/entities';
import { UnitOfWork } from '../db/unit-of-work';
import { AUTH_REQUEST_ANSWERED_RETENTION_MS, AUTH_REQUEST_TTL_MS, MAX_PENDING_AUTH_REQUESTS, TOO_MANY_PENDING_MESSAGE } from './auth-request-limits';
import { AuthRequestsService } from './auth-requests.service';
import { CreateAuthRequestDto } from './dto/auth-request.dto';

const IP = '203.0.113.7';
const LINUX_DESKTOP = 8;

/** AuthRequestsService (login with device) on the real modules and an in-memory SQLite database. */
describe('AuthRequestsService', () => {
  let h: ServiceHarness;
  let requests: AuthRequestsService;
  let alice: TestUser;

  beforeAll(async () => {
    h = await createServiceHarness();
    requests = h.get(AuthRequestsService);
  });
  afterAll(() => h.close());

  beforeEach(async () => {
    alice = await h.newUser();
    await h.events.take();
  });

  interface Ask { dto: CreateAuthRequestDto; id: string }
  /** The new device asks; returns what it sent (its access code is its secret) and the request id. */
  const ask = async (email: string, overrides: Partial<CreateAuthRequestDto> = {}): Promise<Ask> => {
    const dto: CreateAuthRequestDto = {
      email, publicKey: randomBytes(64).toString('base64'), deviceIdentifier: randomUUID(), accessCode: randomBytes(16).toString('base64url'), type: 0, ...overrides,
    };
    const response = await requests.create(dto, LINUX_DESKTOP, IP);
    return { dto, id: response.id };
  };
  const rowsOf = (user: TestUser): Promise<AuthRequestEntity[]> => h.db.getRepository(AuthRequestEntity).findBy({ userId: user.id });
  const row = (id: string): Promise<AuthRequestEntity | null> => h.db.getRepository(AuthRequestEntity).findOneBy({ id });
  const approve = (id: string, auth = alice.auth) => requests.answer(auth, id, { deviceIdentifier: auth.deviceIdentifier, requestApproved: true, key: encString('user-key'), masterPasswordHash: null });
  const deny = (id: string, auth = alice.auth) => requests.answer(auth, id, { deviceIdentifier: auth.deviceIdentifier, requestApproved: false });
  const consume = async (id: string, code: string): Promise<boolean> => {
    const user = await h.db.getRepository(UserEntity).findOneByOrFail({ id: alice.id });
    return h.get(UnitOfWork).run((tx) => requests.consumeForLogin(tx, user, id, code));
  };

  describe('create', () => {
    it('stores the request for the account (access code hashed, device identifier lower-cased) and emits AuthRequestCreated', async () => {
      const deviceIdentifier = randomUUID().toUpperCase();
      const now = h.clock.advance();
      const { dto, id } = await ask(` ${alice.email.toUpperCase()} `, { deviceIdentifier });

      const stored = await row(id);
      expect(stored).toMatchObject({
        userId: alice.id, type: 0, requestDeviceIdentifier: deviceIdentifier.toLowerCase(), requestDeviceType: LINUX_DESKTOP, requestIp: IP,
        publicKey: dto.publicKey, approved: null, encKey: null, responseDeviceId: null, responseDate: null, authenticationDate: null,
        accessCodeHash: createHash('sha256').update(dto.accessCode).digest('hex'),
      });
      expect(stored?.creationDate.getTime()).toBe(now.getTime());
      expect(await h.events.take()).toEqual([
        { name: 'AuthRequestCreated', payload: { authRequestId: id, userId: alice.id, requestDeviceIdentifier: deviceIdentifier.toLowerCase() } },
      ]);
    });

    it('refuses admin-approval requests (type 2)', async () => {
      await expect(ask(alice.email, { type: 2 })).rejects.toMatchObject({ code: ErrorCode.BadRequest, status: 400 });
      expect(await rowsOf(alice)).toEqual([]);
    });

    it(`caps pending requests at ${MAX_PENDING_AUTH_REQUESTS} per account; a device asking again replaces its own pending request`, async () => {
      const asks: Ask[] = [];
      for (let i = 0; i < MAX_PENDING_AUTH_REQUESTS; i += 1) asks.push(await ask(alice.email));
      await h.events.take();

      await expect(ask(alice.email)).rejects.toMatchObject({ code: ErrorCode.BadRequest, status: 400, message: TOO_MANY_PENDING_MESSAGE });
      expect(await rowsOf(alice)).toHaveLength(MAX_PENDING_AUTH_REQUESTS);
      expect(await h.events.take()).toEqual([]);

      const first = asks[0] as Ask;
      const again = await ask(alice.email, { deviceIdentifier: first.dto.deviceIdentifier });
      const ids = (await rowsOf(alice)).map((r) => r.id);
      expect(ids).toHaveLength(MAX_PENDING_AUTH_REQUESTS);
      expect(ids).toContain(again.id);
      expect(ids).not.toContain(first.id);
      await expect(requests.response(first.id, first.dto.accessCode)).rejects.toMatchObject({ code: ErrorCode.NotFound, status: 404 });
    });

    it('answered and expired requests do not count towards the cap', async () => {
      const asks: Ask[] = [];
      for (let i = 0; i < MAX_PENDING_AUTH_REQUESTS; i += 1) asks.push(await ask(alice.email));
      await deny((asks[0] as Ask).id);
      await ask(alice.email);
      await expect(ask(alice.email)).rejects.toMatchObject({ message: TOO_MANY_PENDING_MESSAGE });

      h.clock.advance(AUTH_REQUEST_TTL_MS + 1);
      await ask(alice.email);
      expect((await requests.listPending(alice.auth)).data).toHaveLength(1);
    });
  });

  describe('an email without an enabled account gets a decoy', () => {
    it('answered exactly like a real request, with nothing stored and nothing emitted', async () => {
      const real = await requests.create({ email: alice.email, publicKey: 'pk', deviceIdentifier: 'device-a', accessCode: 'code', type: 0 }, LINUX_DESKTOP, IP);
      await h.events.take();
      const unknown = `nobody-${randomBytes(4).toString('hex')}@example.com`;
      const disabled = await h.newUser({ enabled: false });
      const before = await h.db.getRepository(AuthRequestEntity).count();

      for (const email of [unknown, disabled.email]) {
        const decoy = await requests.create({ email, publicKey: 'pk', deviceIdentifier: 'device-a', accessCode: 'code', type: 0 }, LINUX_DESKTOP, IP);
        expect(Object.keys(decoy).sort()).toEqual(Object.keys(real).sort());
        expect({ ...decoy, id: real.id }).toEqual(real);
        expect(await requests.response(decoy.id, 'code')).toEqual(decoy);
        await expect(requests.response(decoy.id, 'wrong')).rejects.toMatchObject({ code: ErrorCode.NotFound, status: 404 });
      }
      expect(await h.db.getRepository(AuthRequestEntity).count()).toBe(before);
      expect(await h.events.take()).toEqual([]);
    });

    it('with the same cap, replacement, expiry and purge as a real account', async () => {
      const email = `nobody-${randomBytes(4).toString('hex')}@example.com`;
      const asks: Ask[] = [];
      for (let i = 0; i < MAX_PENDING_AUTH_REQUESTS; i += 1) asks.push(await ask(email));
      await expect(ask(email)).rejects.toMatchObject({ code: ErrorCode.BadRequest, status: 400, message: TOO_MANY_PENDING_MESSAGE });
      const first = asks[0] as Ask;
      const again = await ask(email, { deviceIdentifier: first.dto.deviceIdentifier });
      await expect(requests.response(first.id, first.dto.accessCode)).rejects.toMatchObject({ code: ErrorCode.NotFound });
      expect((await requests.response(again.id, again.dto.accessCode)).id).toBe(again.id);

      h.clock.advance(AUTH_REQUEST_TTL_MS + 1);
      await expect(requests.response(again.id, again.dto.accessCode)).rejects.toMatchObject({ code: ErrorCode.BadRequest, message: 'Auth request has expired.' });
      await requests.purgeExpired();
      await expect(requests.response(again.id, again.dto.accessCode)).rejects.toMatchObject({ code: ErrorCode.NotFound, status: 404 });
      expect(await h.events.take()).toEqual([]);
    });
  });

  describe('list, get and the requesting device’s poll', () => {
    it('listPending shows the account’s unanswered, unexpired requests, newest first', async () => {
      const bob = await h.newUser();
      const expired = await ask(alice.email);
      h.clock.advance(AUTH_REQUEST_TTL_MS - 60_000);
      const older = await ask(alice.email);
      h.clock.advance();
      const answered = await ask(alice.email);
      await deny(answered.id);
      h.clock.advance();
      const newer = await ask(alice.email);
      await ask(bob.email);
      h.clock.advance(60_001);

      expect((await requests.listPending(alice.auth)).data.map((r) => r.id)).toEqual([newer.id, older.id]);
      expect(await row(expired.id)).not.toBeNull();
    });

    it('get answers the account’s own requests only', async () => {
      const bob = await h.newUser();
      const mine = await ask(alice.email);
      expect((await requests.get(alice.auth, mine.id)).id).toBe(mine.id);
      await expect(requests.get(bob.auth, mine.id)).rejects.toMatchObject({ code: ErrorCode.NotFound, status: 404 });
      await expect(requests.get(alice.auth, randomUUID())).rejects.toMatchObject({ code: ErrorCode.NotFound });
    });

    it('the poll needs the access code, shows the key only once approved, and ends when the request expires', async () => {
      const { id, dto } = await ask(alice.email);
      await expect(requests.response(id, undefined)).rejects.toMatchObject({ code: ErrorCode.NotFound, status: 404 });
      await expect(requests.response(id, `${dto.accessCode}x`)).rejects.toMatchObject({ code: ErrorCode.NotFound });
      expect(await requests.response(id, dto.accessCode)).toMatchObject({ id, requestApproved: false, key: null, responseDate: null });

      const answeredAt = h.clock.advance();
      const approved = await requests.answer(alice.auth, id, { deviceIdentifier: alice.deviceIdentifier, requestApproved: true, key: 'enc-key', masterPasswordHash: 'mph' });
      expect(approved).toMatchObject({ requestApproved: true, key: 'enc-key', masterPasswordHash: 'mph', responseDate: answeredAt.toISOString() });
      expect(await requests.response(id, dto.accessCode)).toMatchObject({ requestApproved: true, key: 'enc-key', masterPasswordHash: 'mph' });

      h.clock.advance(AUTH_REQUEST_TTL_MS);
      await expect(requests.response(id, dto.accessCode)).rejects.toMatchObject({ code: ErrorCode.BadRequest, status: 400, message: 'Auth request has expired.' });
    });
  });

  describe('approve and deny', () => {
    it('approval stores the key and the answering device and emits AuthRequestApproved; a second answer is refused', async () => {
      const { id } = await ask(alice.email);
      const phone = await h.newDevice(alice);
      await h.events.take();
      const now = h.clock.advance();
      await approve(id, phone);

      const stored = await row(id);
      expect(stored).toMatchObject({ approved: true, responseDeviceId: phone.deviceId });
      expect(stored?.encKey).not.toBeNull();
      expect(stored?.responseDate?.getTime()).toBe(now.getTime());
      expect(await h.events.take()).toEqual([{ name: 'AuthRequestApproved', payload: { authRequestId: id, userId: alice.id, actor: phone.actor } }]);

      await expect(deny(id)).rejects.toMatchObject({ code: ErrorCode.BadRequest, status: 400, message: 'Auth request has already been answered.' });
      expect((await row(id))?.approved).toBe(true);
      expect(await h.events.take()).toEqual([]);
    });

    it('an approval without the encrypted key is refused and leaves the request pending', async () => {
      const { id } = await ask(alice.email);
      await expect(requests.answer(alice.auth, id, { deviceIdentifier: alice.deviceIdentifier, requestApproved: true })).rejects.toMatchObject({ code: ErrorCode.BadRequest, status: 400 });
      expect((await row(id))?.approved).toBeNull();
    });

    it('denial stores the answer without a key and emits nothing', async () => {
      const { id, dto } = await ask(alice.email);
      await h.events.take();
      const denied = await deny(id);
      expect(denied).toMatchObject({ requestApproved: false, key: null });
      expect(await row(id)).toMatchObject({ approved: false, encKey: null, responseDeviceId: alice.deviceId });
      expect(await h.events.take()).toEqual([]);
      expect(await consume(id, dto.accessCode)).toBe(false);
    });

    it('another account cannot answer, and an expired request cannot be answered', async () => {
      const bob = await h.newUser();
      const { id } = await ask(alice.email);
      await h.events.take();
      await expect(approve(id, bob.auth)).rejects.toMatchObject({ code: ErrorCode.NotFound, status: 404 });
      h.clock.advance(AUTH_REQUEST_TTL_MS + 1);
      await expect(approve(id)).rejects.toMatchObject({ code: ErrorCode.BadRequest, message: 'Auth request has expired.' });
      expect((await row(id))?.approved).toBeNull();
      expect(await h.events.take()).toEqual([]);
    });
  });

  describe('login with an approved request', () => {
    it('works once, with the right access code, before expiry', async () => {
      const { id, dto } = await ask(alice.email);
      await approve(id);
      expect(await consume(id, 'wrong code')).toBe(false);
      expect((await row(id))?.authenticationDate).toBeNull();

      const now = h.clock.advance();
      expect(await consume(id, dto.accessCode)).toBe(true);
      expect((await row(id))?.authenticationDate?.getTime()).toBe(now.getTime());
      expect(await consume(id, dto.accessCode)).toBe(false);
    });

    it('fails for a pending or an expired request', async () => {
      const pending = await ask(alice.email);
      expect(await consume(pending.id, pending.dto.accessCode)).toBe(false);
      await approve(pending.id);
      h.clock.advance(AUTH_REQUEST_TTL_MS + 1);
      expect(await consume(pending.id, pending.dto.accessCode)).toBe(false);
      expect((await row(pending.id))?.authenticationDate).toBeNull();
    });
  });

  it('the purge deletes expired requests and answers older than the retention, and keeps the rest', async () => {
    const expired = await ask(alice.email);
    h.clock.advance(AUTH_REQUEST_TTL_MS - AUTH_REQUEST_ANSWERED_RETENTION_MS - 60_000);
    const answeredLongAgo = await ask(alice.email);
    await deny(answeredLongAgo.id);
    h.clock.advance(AUTH_REQUEST_ANSWERED_RETENTION_MS - 60_000);
    const answeredRecently = await ask(alice.email);
    await approve(answeredRecently.id);
    const pending = await ask(alice.email);
    // Now: the first request is 16 minutes old, the denial 6 minutes, the approval 3 minutes, the pending one 3 minutes.
    h.clock.advance(180_000);

    expect(await requests.purgeExpired()).toBeGreaterThanOrEqual(2);
    expect((await rowsOf(alice)).map((r) => r.id).sort()).toEqual([answeredRecently.id, pending.id].sort());
    expect(await row(expired.id)).toBeNull();
  });
});
