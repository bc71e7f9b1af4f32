import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { MAX_PENDING_AUTH_REQUESTS } from '../../src/auth-requests/auth-request-limits';
import { AuthRequestPurgeJob } from '../../src/auth-requests/auth-request-purge.job';
import { AuthRequestEntity, PushOutboxEntity } from '../../src/db/entities';
import { DATA_SOURCE } from '../../src/db/unit-of-work';
import { api, newPushUser } from '../e2e/push-harness';
import { RelayStandIn } from '../stand-ins/relay-stand-in';
import { createTestApp, TestApp } from '../support/app';
import { createPostgresDatabase, describeWithServices } from '../support/services';
import { decodeJwtPayload } from '../support/test-crypto';

const PUBLIC_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

/** Login with device on PostgreSQL: the pending cap under concurrency (row lock), the age filter and limit, the purge, push coalescing. */
describeWithServices(['TEST_POSTGRES_URL'], 'auth requests on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let relay: RelayStandIn;
  let t: TestApp;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createPostgresDatabase();
    relay = await RelayStandIn.start();
    t = await createTestApp(relay.env({ DATABASE_URL: db.url, AUTH_REQUEST_PURGE_SCHEDULE: '', UNAUTHENTICATED_RATELIMIT_MAX_BURST: '50' }));
    ds = t.app.get<DataSource>(DATA_SOURCE);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await relay?.close();
    await db?.drop();
  });

  const post = async (email: string, ip: string): Promise<{ status: number; id: string }> => {
    const res = await fetch(`${t.baseUrl}/api/auth-requests`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Device-Type': '8', 'X-Real-IP': ip },
      body: JSON.stringify({ email, publicKey: PUBLIC_KEY, deviceIdentifier: randomUUID(), accessCode: randomBytes(16).toString('base64url'), type: 0 }),
    });
    return { status: res.status, id: ((await res.json()) as { id: string }).id };
  };

  it('runs on PostgreSQL', () => {
    expect(t.config.database.type).toBe('postgres');
  });

  it('40 concurrent requests for one account: exactly the cap is stored, and one push is written', async () => {
    const victim = await newPushUser(t, relay);
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => post(victim.account.email, `203.0.113.${i + 1}`)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(MAX_PENDING_AUTH_REQUESTS);
    expect(answers.filter((a) => a.status === 400)).toHaveLength(40 - MAX_PENDING_AUTH_REQUESTS);
    expect(await ds.getRepository(AuthRequestEntity).countBy({ userId: victim.userId })).toBe(MAX_PENDING_AUTH_REQUESTS);
    expect(await ds.getRepository(PushOutboxEntity).countBy({ userId: victim.userId, pushType: 15 })).toBe(1);
  }, 60_000);

  it('the pending list filters on age and stops at the cap; the purge deletes expired and answered rows', async () => {
    const owner = await newPushUser(t, null, { mobile: false });
    const repo = ds.getRepository(AuthRequestEntity);
    const ago = (minutes: number): Date => new Date(Date.now() - minutes * 60_000);
    const ids: string[] = [];
    for (let i = 0; i < 4; i += 1) ids.push((await post(owner.account.email, '198.51.100.1')).id);
    const [fresh, expired, answeredLongAgo, answeredJustNow] = ids as [string, string, string, string];
    await repo.update({ id: expired }, { creationDate: ago(16) });
    await repo.update({ id: answeredLongAgo }, { creationDate: ago(7), approved: false, responseDate: ago(6) });
    await repo.update({ id: answeredJustNow }, { creationDate: ago(3), approved: true, encKey: 'k', responseDate: ago(2) });
    const template = await repo.findOneByOrFail({ id: fresh });
    const extra = Array.from({ length: MAX_PENDING_AUTH_REQUESTS }, (_, i) =>
      Object.assign(new AuthRequestEntity(), { ...template, id: randomUUID(), requestDeviceIdentifier: randomUUID(), creationDate: new Date(Date.now() + (i + 1) * 1_000) }));
    await repo.save(extra);
    const list = await api(t.baseUrl, owner.web.accessToken, 'GET', '/api/auth-requests');
    expect(list.status).toBe(200);
    expect(String(decodeJwtPayload(owner.web.accessToken).sub)).toBe(owner.userId);
    expect((list.body.data as Array<{ id: string }>).map((r) => r.id)).toEqual(extra.map((r) => r.id).reverse());

    await t.app.get(AuthRequestPurgeJob).runOnce();
    const left = (await repo.findBy({ userId: owner.userId })).map((r) => r.id).sort();
    expect(left).toEqual([fresh, answeredJustNow, ...extra.map((r) => r.id)].sort());
  }, 60_000);
});
