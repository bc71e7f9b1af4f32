import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { authRequestPayload, userPayload } from '../../src/wire/payloads';
import { UpdateType } from '../../src/wire/update-type';
import { loadConfig } from '../../src/config/app-config';
import { createDataSource } from '../../src/db/data-source';
import { PushOutboxEntity } from '../../src/db/entities';
import { PushOutboxKind, PushOutboxStatus } from '../../src/db/entities/push-outbox.entity';
import { runMigrations } from '../../src/db/migrate';
import { DATA_SOURCE, UnitOfWork } from '../../src/db/unit-of-work';
import { isFoldable, pickNext, QueuedRow } from '../../src/push/delivery-policy';
import { OutboxRepository } from '../../src/push/outbox.repository';
import { OutboxWorker } from '../../src/push/outbox.worker';
import { sendBody } from '../../src/push/relay-bodies';
import { capturedLogs, createTestApp, TestApp } from '../support/app';
import { createPostgresDatabase, describeWithServices } from '../support/services';
import { RelayStandIn } from '../stand-ins/relay-stand-in';
import { api, folderBody, Json, newPushUser, PushUser, sleep } from './push-harness';

/** Where a suite's server keeps its data: SQLite by default, or a fresh PostgreSQL database. */
interface Store { env: Record<string, string>; drop(): Promise<void> }
const sqliteStore = async (): Promise<Store> => ({ env: {}, drop: async () => undefined });
const postgresStore = async (): Promise<Store> => {
  const db = await createPostgresDatabase('vault_push');
  return { env: { DATABASE_URL: db.url }, drop: () => db.drop() };
};

/** Deterministic pseudo-random numbers (mulberry32), so a failing scenario can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Random outboxes written to a real database: the row `OutboxRepository.findNextDue` takes must be the one
 * `pickNext` (delivery-policy.ts) names. Timestamps on, just before and just after "now" test the edges.
 * Returns how many scenarios had a row to take (so the check is not vacuous).
 */
async function claimOrderMatchesPolicy(ds: DataSource, scenarios: number): Promise<number> {
  const repo = new OutboxRepository();
  const table = ds.getRepository(PushOutboxEntity);
  const random = seeded(20261127);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const now = new Date(Date.UTC(2026, 10, 27, 12, 0, 0, 0));
  const at = (ms: number): Date => new Date(now.getTime() + ms);
  let taken = 0;
  for (let scenario = 0; scenario < scenarios; scenario += 1) {
    await table.clear();
    const rows: QueuedRow[] = [];
    const lastServed = new Map<string, Date>();
    const count = 1 + Math.floor(random() * 24);
    for (let i = 0; i < count; i += 1) {
      const kind = pick<PushOutboxKind>(['send', 'send', 'send', 'send', 'send', 'register', 'delete', 'fanout']);
      const status = pick<PushOutboxStatus>(['pending', 'pending', 'pending', 'pending', 'done', 'failed']);
      const values = {
        kind, status, userId: kind === 'fanout' ? 'fanout' : pick(['u0', 'u1', 'u2']), pushType: kind === 'send' ? pick([0, 3, 5, 7, 11, 11, 15, 16]) : null,
        nextAttemptAt: at(pick([-60_000, -1, 0, 0, 0, 1, 5_000])),
        claimedUntil: pick([null, null, null, at(-1), at(0), at(1), at(30_000)]),
        expiresAt: at(pick([3600_000, 3600_000, 3600_000, 3600_000, 1, 0, -1])),
        completedAt: status === 'pending' ? null : at(-1000 * Math.floor(random() * 8)),
      };
      const result = await table.insert({ ...values, deviceId: null, body: '{}', dedupeKey: null, attempts: 0, lastError: null, createdAt: at(-120_000) });
      rows.push({ id: Number((result.identifiers[0] as { id: number }).id), ...values });
      if (values.completedAt && (lastServed.get(values.userId)?.getTime() ?? -1) < values.completedAt.getTime()) lastServed.set(values.userId, values.completedAt);
    }
    const expected = pickNext(rows, lastServed, now);
    const actual = await repo.findNextDue(ds.manager, now);
    expect({ scenario, id: actual?.id ?? null }).toEqual({ scenario, id: expected?.id ?? null });
    if (expected) taken += 1;
  }
  return taken;
}

const changePassword = (t: TestApp, user: PushUser): Promise<{ status: number }> => api(t.baseUrl, user.web.accessToken, 'POST', '/api/accounts/password', {
  masterPasswordHash: user.account.masterPasswordHash, newMasterPasswordHash: user.account.masterPasswordHash, key: user.account.wrappedUserKey,
});

/** A login-with-device request for `user`, as a new device sends it (anonymous). */
async function createAuthRequest(t: TestApp, user: PushUser): Promise<string> {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const res = await fetch(`${t.baseUrl}/api/auth-requests`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Device-Type': '8' },
    body: JSON.stringify({
      email: user.account.email, publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
      deviceIdentifier: randomUUID(), accessCode: randomBytes(16).toString('base64url'), type: 0,
    }),
  });
  expect(res.status).toBe(200);
  return String(((await res.json()) as Json).id);
}

function floodSuites(name: string, store: () => Promise<Store>): void {
  describe(`push relay: one user's backlog does not hold up the others (${name})`, () => {
    let relay: RelayStandIn;
    let t: TestApp;
    let data: Store;

    beforeAll(async () => {
      relay = await RelayStandIn.start();
      data = await store();
      // One relay call at a time, 50 a second: 500 queued rows take 10 s to drain.
      t = await createTestApp({ ...relay.env({ PUSH_RATE_BURST: '1', PUSH_RATE_PER_SECOND: '50' }), ...data.env });
    }, 60_000);
    afterAll(async () => {
      await t?.close();
      await relay?.close();
      await data?.drop();
    });

    it('500 queued never-folded pushes of one user: another user\'s LogOut, a third user\'s change and the flooded user\'s own LogOut each go out after at most 2 more of them; all 500 still go out, in order', async () => {
      const victim = await newPushUser(t, relay);
      const other = await newPushUser(t, relay);
      const third = await newPushUser(t, relay);
      // The backlog: 500 pushes a SyncVault does not replace (login-request pushes, one per request, written
      // straight to the outbox as an outage or a burst would leave them), so the per-user cap cannot shrink it.
      const ids = Array.from({ length: 500 }, () => randomUUID());
      const repo = t.app.get(OutboxRepository);
      await t.app.get(UnitOfWork).run(async (tx) => {
        const now = new Date();
        for (const id of ids) {
          await repo.insert(tx.manager, {
            kind: 'send', userId: victim.userId, deviceId: null, pushType: UpdateType.AuthRequest, dedupeKey: `15:${id}`,
            body: JSON.stringify(sendBody({ userId: victim.userId, type: UpdateType.AuthRequest, payload: authRequestPayload({ id, userId: victim.userId }), deviceId: null, identifier: randomUUID() })),
            nextAttemptAt: now, expiresAt: new Date(now.getTime() + 3600_000), createdAt: now,
          });
        }
      });
      t.app.get(OutboxWorker).wake();
      const isFlood = (b: Json): boolean => b.userId === victim.userId && b.type === UpdateType.AuthRequest;
      const floodSent = (): number => relay.sends().filter(isFlood).length;
      await relay.waitFor('the flood to be under way', () => floodSent() >= 20);

      /** Flood rows accepted after the request that queued `match` answered, and before `match` itself. */
      const floodRowsAhead = async (what: string, act: () => Promise<void>, match: (b: Json) => boolean): Promise<{ ahead: number; sentBefore: number }> => {
        await act();
        const sentBefore = floodSent();
        await relay.waitFor(what, () => relay.sends().some(match), 20_000);
        const sends = relay.sends();
        return { ahead: sends.slice(0, sends.findIndex(match)).filter(isFlood).length - sentBefore, sentBefore };
      };

      const logOut = await floodRowsAhead('the other user\'s LogOut', async () => {
        expect((await changePassword(t, other)).status).toBe(200);
      }, (b) => b.userId === other.userId && b.type === UpdateType.LogOut);
      let folderId = '';
      const change = await floodRowsAhead('the third user\'s folder push', async () => {
        const res = await api(t.baseUrl, third.web.accessToken, 'POST', '/api/folders', folderBody());
        expect(res.status).toBe(200);
        folderId = res.body.id;
      }, (b) => b.userId === third.userId && b.payload.id === folderId);
      const ownLogOut = await floodRowsAhead('the victim\'s own LogOut', async () => {
        expect((await changePassword(t, victim)).status).toBe(200);
      }, (b) => b.userId === victim.userId && b.type === UpdateType.LogOut);

      console.log(`fairness (${name}): flood rows sent ahead of the other user's LogOut ${logOut.ahead} (flood ${logOut.sentBefore}/500 sent when it was queued), of the third user's change ${change.ahead} (${change.sentBefore}/500), of the victim's own LogOut ${ownLogOut.ahead} (${ownLogOut.sentBefore}/500)`);
      for (const result of [logOut, change, ownLogOut]) {
        expect(result.ahead).toBeLessThanOrEqual(2);
        expect(result.sentBefore).toBeLessThan(500);
      }

      await relay.waitFor('the whole flood', () => floodSent() >= 500, 60_000);
      await sleep(200);
      expect(relay.sends().filter(isFlood).map((b) => b.payload.id)).toEqual(ids);
    }, 120_000);
  });

  describe(`push relay: per-user cap on pending sends (${name})`, () => {
    let relay: RelayStandIn;
    let t: TestApp;
    let data: Store;
    let db: DataSource;

    beforeAll(async () => {
      relay = await RelayStandIn.start();
      data = await store();
      // The relay holds the first push for as long as the test needs (no timeout meanwhile).
      t = await createTestApp({ ...relay.env({ PUSH_RELAY_TIMEOUT_SECONDS: '300' }), ...data.env });
      db = t.app.get<DataSource>(DATA_SOURCE);
    }, 60_000);
    afterAll(async () => {
      await t?.close();
      await relay?.close();
      await data?.drop();
    });

    it('500 folder changes while the relay is stuck: at most the cap plus one SyncVault pending; LogOut, login-request and org-key pushes kept; the last vault push is a SyncVault sent after the last change', async () => {
      const user = await newPushUser(t, relay);
      const cap = t.config.push.userPendingMax;
      expect(cap).toBe(20);
      relay.setMode({ kind: 'hang' });
      const first = await api(t.baseUrl, user.web.accessToken, 'POST', '/api/folders', folderBody());
      expect(first.status).toBe(200);
      await relay.waitFor('the first push held by the relay', () => relay.heldCount() === 1);

      // Pushes a SyncVault does not replace, queued behind the held one: org keys (nothing in this server sends
      // one yet) and an auth-request response.
      const repo = t.app.get(OutboxRepository);
      await t.app.get(UnitOfWork).run(async (tx) => {
        const now = new Date();
        for (const type of [UpdateType.SyncOrgKeys, UpdateType.AuthRequestResponse]) {
          const payload = type === UpdateType.SyncOrgKeys ? userPayload({ userId: user.userId, date: now }) : authRequestPayload({ id: randomUUID(), userId: user.userId });
          await repo.insert(tx.manager, {
            kind: 'send', userId: user.userId, deviceId: null, pushType: type, dedupeKey: null,
            body: JSON.stringify(sendBody({ userId: user.userId, type, payload, deviceId: null, identifier: null })),
            nextAttemptAt: now, expiresAt: new Date(now.getTime() + 3600_000), createdAt: now,
          });
        }
      });

      const pendingRows = (): Promise<PushOutboxEntity[]> => db.getRepository(PushOutboxEntity).find({ where: { userId: user.userId, status: 'pending' }, order: { id: 'ASC' } });
      let authRequestId = '';
      let mostFoldable = 0;
      for (let i = 0; i < 500; i += 1) {
        expect((await api(t.baseUrl, user.web.accessToken, 'POST', '/api/folders', folderBody())).status).toBe(200);
        if (i === 250) authRequestId = await createAuthRequest(t, user);
        if (i % 25 === 24) mostFoldable = Math.max(mostFoldable, (await pendingRows()).filter((r) => isFoldable(r.pushType)).length);
      }
      expect((await changePassword(t, user)).status).toBe(200);

      const pending = await pendingRows();
      const foldable = pending.filter((r) => isFoldable(r.pushType));
      console.log(`cap (${name}): after 501 folder changes, ${foldable.length} pending vault pushes (types ${[...new Set(foldable.map((r) => r.pushType))].join(',')}; most seen ${mostFoldable}, cap ${cap}); kept ${pending.filter((r) => !isFoldable(r.pushType)).map((r) => r.pushType).join(',')}`);
      expect(mostFoldable).toBeLessThanOrEqual(cap + 1);
      expect(foldable.length).toBeLessThanOrEqual(cap + 1);
      expect(foldable.filter((r) => r.pushType === UpdateType.SyncVault)).toHaveLength(1);
      expect(pending.filter((r) => !isFoldable(r.pushType)).map((r) => r.pushType).sort((a, b) => a! - b!)).toEqual([6, 11, 15, 16]);
      expect(capturedLogs.some((l) => l.includes('push.outbox_user_folded') && l.includes(user.userId))).toBe(true);

      const released = relay.accepted.length;
      relay.setMode({ kind: 'ok' });
      relay.releaseHeld(503);
      const mine = (): Json[] => relay.accepted.slice(released).filter((r) => r.action === 'send' && r.body.userId === user.userId).map((r) => r.body);
      await relay.waitFor('every kept push and the SyncVault', () => [5, 6, 7, 11, 15, 16].every((type) => mine().some((b) => b.type === type)), 20_000);
      await sleep(300);
      expect((await pendingRows()).length).toBe(0);
      const sent = mine();
      console.log(`cap (${name}): sends to the user once the relay answered again: ${sent.map((b) => b.type).join(',')}`);
      expect(sent.length).toBeLessThanOrEqual(cap + 6);
      expect(sent.find((b) => b.type === UpdateType.AuthRequest).payload.id).toBe(authRequestId);
      // Nothing was lost: the held push went out after all, and the last vault push, a SyncVault to every device
      // (no identifier), was sent after the last change had been saved, so the sync it triggers sees it.
      expect(sent.filter((b) => b.type === UpdateType.SyncFolderCreate).map((b) => b.payload.id)).toEqual([first.body.id]);
      expect(sent.filter((b) => isFoldable(b.type)).at(-1)).toEqual({
        userId: user.userId, organizationId: null, deviceId: null, identifier: null, type: UpdateType.SyncVault,
        payload: { userId: user.userId, date: expect.stringMatching(/\.\d{6}Z$/) }, clientType: null, installationId: null,
      });
    }, 120_000);
  });
}

floodSuites('SQLite', sqliteStore);
describeWithServices(['TEST_POSTGRES_URL'], 'on PostgreSQL', () => floodSuites('PostgreSQL', postgresStore));

// Last: by then the first server has configured logging, so the migrations of these databases log quietly.
describe('claim order: the SQL of findNextDue follows delivery-policy.ts', () => {
  it('SQLite: 400 random outboxes', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'vault-push-order-'));
    const ds = createDataSource(loadConfig({ DATA_FOLDER: folder }).config);
    await ds.initialize();
    try {
      await runMigrations(ds);
      expect(await claimOrderMatchesPolicy(ds, 400)).toBeGreaterThan(100);
    } finally {
      await ds.destroy();
      rmSync(folder, { recursive: true, force: true });
    }
  }, 60_000);
});

describeWithServices(['TEST_POSTGRES_URL'], 'claim order on PostgreSQL', () => {
  it('PostgreSQL: 400 random outboxes', async () => {
    const db = await createPostgresDatabase('vault_push_order');
    const ds = createDataSource(loadConfig({ DATA_FOLDER: '/tmp/unused-vault-pg', DATABASE_URL: db.url }).config);
    await ds.initialize();
    try {
      await runMigrations(ds);
      expect(await claimOrderMatchesPolicy(ds, 400)).toBeGreaterThan(100);
    } finally {
      await ds.destroy();
      await db.drop();
    }
  }, 120_000);
});
