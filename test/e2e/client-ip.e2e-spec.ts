import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuthRequestEntity } from '../../src/db/entities';
import { DATA_SOURCE } from '../../src/db/unit-of-work';
import { createTestApp, TestApp } from '../support/app';
import { createPostgresDatabase, describeWithServices } from '../support/services';
import { createPbkdf2User, TestAccount } from '../support/test-crypto';

/**
 * The client IP comes from IP_HEADER when the peer is a trusted proxy (here: the test client on 127.0.0.1,
 * trusted by default). A header that is not an IP address, however long, must make the socket address the
 * client IP: it is stored with auth requests (varchar(64), which PostgreSQL enforces) and keys rate limits.
 */
function hostileHeaderSuite(env: () => Record<string, string>): void {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(env());
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  // A fresh account each time: pending requests per account are capped.
  const createAuthRequest = async (realIp: string) => {
    const account: TestAccount = await createPbkdf2User(t.baseUrl, `ip-${randomUUID()}@example.com`, 'pw', 5_000);
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return fetch(`${t.baseUrl}/api/auth-requests`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Device-Type': '8', 'X-Real-IP': realIp },
      body: JSON.stringify({
        email: account.email, publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
        deviceIdentifier: randomUUID(), accessCode: randomBytes(16).toString('base64url'), type: 0,
      }),
    });
  };
  const storedIp = async (id: string): Promise<string> =>
    (await t.app.get<DataSource>(DATA_SOURCE).getRepository(AuthRequestEntity).findOneByOrFail({ id })).requestIp;

  it('a valid address in the header is the client IP', async () => {
    const res = await createAuthRequest('203.0.113.7');
    expect(res.status).toBe(200);
    expect(await storedIp(((await res.json()) as { id: string }).id)).toBe('203.0.113.7');
  });

  it.each([
    ['oversized', 'x'.repeat(4000)],
    ['oversized digits and dots', `${'1.'.repeat(1000)}1`],
    ['an IPv6 address with a long zone id', `fe80::1%${'a'.repeat(200)}`],
    ['a host name', 'attacker.example.com'],
    ['a garbage last hop after a valid one', '203.0.113.7, <script>'],
  ])('a hostile header (%s) → 200, and the socket address is stored', async (_what, value) => {
    const res = await createAuthRequest(value);
    expect(res.status).toBe(200);
    expect(await storedIp(((await res.json()) as { id: string }).id)).toBe('127.0.0.1');
  });
}

describe('client IP from a hostile IP_HEADER (SQLite)', () => {
  hostileHeaderSuite(() => ({}));
});

describeWithServices(['TEST_POSTGRES_URL'], 'client IP from a hostile IP_HEADER (PostgreSQL, where an oversized value used to fail the insert)', () => {
  let db: Awaited<ReturnType<typeof createPostgresDatabase>>;
  beforeAll(async () => {
    db = await createPostgresDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });
  hostileHeaderSuite(() => ({ DATABASE_URL: db.url }));
});
