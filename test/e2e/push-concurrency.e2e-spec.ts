import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PushDiagnosticsService } from '../../src/push/push-diagnostics.service';
import { capturedLogs, createTestApp, TestApp } from '../support/app';
import { RelayStandIn } from '../stand-ins/relay-stand-in';
import { api, folderBody, Json, newPushUser, PushUser, sleep } from './push-harness';

/** Waits until no outbox row is pending (nothing queued, nothing in flight), so the next relay request is the test's own. */
async function outboxEmpty(t: TestApp): Promise<void> {
  const diagnostics = t.app.get(PushDiagnosticsService);
  const deadline = Date.now() + 15_000;
  while ((await diagnostics.outboxCounts()).pending > 0) {
    if (Date.now() > deadline) throw new Error('the outbox did not empty');
    await sleep(20);
  }
}

async function createFolder(t: TestApp, user: PushUser): Promise<string> {
  const res = await api(t.baseUrl, user.web.accessToken, 'POST', '/api/folders', folderBody());
  expect(res.status).toBe(200);
  return String(res.body.id);
}

/** [type, payload id] of every send to `userId` the relay accepted, in arrival order. */
const sendsOf = (relay: RelayStandIn, userId: string): Array<[number, string]> =>
  relay.sends().filter((b: Json) => b.userId === userId).map((b: Json): [number, string] => [b.type, b.payload.id]);
const delivered = (relay: RelayStandIn, folderId: string): boolean => relay.sends().some((b: Json) => b.payload.id === folderId);

describe('push relay: relay requests in flight at once (PUSH_RELAY_CONCURRENCY, default 4)', () => {
  let relay: RelayStandIn;
  let t: TestApp;
  let alice: PushUser;
  let bob: PushUser;
  let dave: PushUser;

  beforeAll(async () => {
    relay = await RelayStandIn.start();
    // A held request stays held for as long as the test needs (no client timeout meanwhile).
    t = await createTestApp(relay.env({ PUSH_RELAY_TIMEOUT_SECONDS: '300' }));
    alice = await newPushUser(t, relay);
    bob = await newPushUser(t, relay);
    dave = await newPushUser(t, relay);
  }, 60_000);
  beforeEach(async () => {
    await outboxEmpty(t);
  });
  afterEach(() => {
    relay.setMode({ kind: 'ok' });
    relay.releaseHeld(503);
  });
  afterAll(async () => {
    await t?.close();
    await relay?.close();
  });

  it('while the relay holds one user\'s request open, another user\'s push still reaches it at once', async () => {
    expect(t.config.push.relayConcurrency).toBe(4);
    relay.scriptNext({ kind: 'hang' });
    const held = await createFolder(t, alice);
    await relay.waitFor('alice\'s push held by the relay', () => relay.heldCount() === 1);

    const other = await createFolder(t, bob);
    // The held request would block for 300 s: arriving within a few seconds means it went in another lane.
    await relay.waitFor('bob\'s push while alice\'s is held', () => delivered(relay, other), 5_000);
    expect(relay.heldCount()).toBe(1);
    expect(delivered(relay, held)).toBe(false);

    relay.releaseHeld(503);
    await relay.waitFor('alice\'s push, retried', () => delivered(relay, held), 15_000);
    expect(relay.sends().filter((b: Json) => b.payload.id === held)).toHaveLength(1);
  }, 30_000);

  it('per-user order: a user\'s queued changes wait for the one in flight while other users pass, then arrive in commit order', async () => {
    // Two lanes held: one by bob, one by alice's first change.
    relay.scriptNext({ kind: 'hang' });
    const bobs = await createFolder(t, bob);
    await relay.waitFor('bob\'s push held', () => relay.heldCount() === 1);
    relay.scriptNext({ kind: 'hang' });
    const first = await createFolder(t, alice);
    await relay.waitFor('alice\'s first push held', () => relay.heldCount() === 2);

    // Alice's next changes queue behind her request in flight; dave's, written after them, pass them in the free lanes.
    const a = await createFolder(t, alice);
    const b = await createFolder(t, alice);
    expect((await api(t.baseUrl, alice.web.accessToken, 'PUT', `/api/folders/${a}`, folderBody())).status).toBe(200);
    expect((await api(t.baseUrl, alice.web.accessToken, 'DELETE', `/api/folders/${b}`)).status).toBe(200);
    const c = await createFolder(t, alice);
    expect((await api(t.baseUrl, alice.web.accessToken, 'PUT', `/api/folders/${c}`, folderBody())).status).toBe(200);
    const expected: Array<[number, string]> = [[7, first], [7, a], [7, b], [8, a], [3, b], [7, c], [8, c]];
    const aliceBefore = sendsOf(relay, alice.userId).length;
    const daves = [await createFolder(t, dave), await createFolder(t, dave), await createFolder(t, dave)];
    await relay.waitFor('dave\'s three pushes past alice\'s queue', () => daves.every((id) => delivered(relay, id)), 10_000);
    expect(sendsOf(relay, alice.userId)).toHaveLength(aliceBefore);
    expect(relay.heldCount()).toBe(2);

    // The relay answers again: alice's first is retried, then the rest follow it, one at a time, in order.
    relay.releaseHeld(503);
    await relay.waitFor('alice\'s seven pushes and bob\'s', () => sendsOf(relay, alice.userId).length >= aliceBefore + 7 && delivered(relay, bobs), 15_000);
    await sleep(300);
    expect(sendsOf(relay, alice.userId).slice(aliceBefore)).toEqual(expected);
    expect(relay.sends().filter((body: Json) => body.payload.id === bobs)).toHaveLength(1);
    expect(await t.app.get(PushDiagnosticsService).outboxCounts()).toEqual({ pending: 0, failed: 0 });
  }, 45_000);

  it('many users at once: every user\'s changes arrive in commit order while other users\' requests are in flight', async () => {
    const users = [alice, bob, dave];
    const expected = new Map<string, string[]>(users.map((u) => [u.userId, []]));
    const from = new Map(users.map((u) => [u.userId, sendsOf(relay, u.userId).length]));
    // Each user writes its changes one after the other, all users at the same time.
    await Promise.all(users.map(async (user) => {
      for (let i = 0; i < 6; i += 1) expected.get(user.userId)!.push(await createFolder(t, user));
    }));
    const arrived = (user: PushUser): string[] => sendsOf(relay, user.userId).slice(from.get(user.userId)).map(([, id]) => id);
    await relay.waitFor('every change of every user', () => users.every((u) => arrived(u).length >= 6), 15_000);
    await sleep(300);
    for (const user of users) expect(arrived(user)).toEqual(expected.get(user.userId));
  }, 30_000);
});

describe('push relay: PUSH_RELAY_CONCURRENCY=1 (one relay request at a time)', () => {
  let relay: RelayStandIn;
  let t: TestApp;
  let alice: PushUser;
  let bob: PushUser;

  beforeAll(async () => {
    relay = await RelayStandIn.start();
    t = await createTestApp(relay.env({ PUSH_RELAY_TIMEOUT_SECONDS: '300', PUSH_RELAY_CONCURRENCY: '1' }));
    alice = await newPushUser(t, relay);
    bob = await newPushUser(t, relay);
    await outboxEmpty(t);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await relay?.close();
  });

  it('another user\'s push waits for the held one', async () => {
    relay.scriptNext({ kind: 'hang' });
    const held = await createFolder(t, alice);
    await relay.waitFor('alice\'s push held by the relay', () => relay.heldCount() === 1);
    const other = await createFolder(t, bob);
    await expect(relay.waitFor('bob\'s push', () => delivered(relay, other), 2_000)).rejects.toThrow(/timed out/);
    expect(relay.attempts.filter((a) => a.status !== 'hung' && a.action === 'send')).toHaveLength(0);

    relay.releaseHeld(503);
    await relay.waitFor('both pushes', () => delivered(relay, held) && delivered(relay, other), 15_000);
  }, 30_000);
});

describe('push relay: shutdown with several relay requests in flight', () => {
  let relay: RelayStandIn;
  let dataFolder: string;

  beforeAll(async () => {
    relay = await RelayStandIn.start();
    dataFolder = mkdtempSync(join(tmpdir(), 'vault-push-lanes-'));
  });
  afterAll(async () => {
    await relay?.close();
    rmSync(dataFolder, { recursive: true, force: true });
  });

  it('every call in flight is abandoned and its row released before the database closes; a restart delivers them at once', async () => {
    const env = { ...relay.env({ PUSH_RELAY_TIMEOUT_SECONDS: '300' }), DATA_FOLDER: dataFolder };
    const first = await createTestApp(env);
    const users = [await newPushUser(first, relay), await newPushUser(first, relay), await newPushUser(first, relay)];
    await outboxEmpty(first);
    relay.setMode({ kind: 'hang' });
    const folders: string[] = [];
    for (const user of users) folders.push(await createFolder(first, user));
    await relay.waitFor('three requests in flight', () => relay.heldCount() === 3);
    const logsBefore = capturedLogs.length;
    await first.close();
    relay.releaseHeld(503);
    // A row whose release raced the closing database would keep its lease (2 × 300 s + 30 s) and not go out below.
    expect(capturedLogs.slice(logsBefore).filter((l) => l.includes('push.outbox_worker_failed'))).toEqual([]);
    expect(folders.some((id) => delivered(relay, id))).toBe(false);

    relay.setMode({ kind: 'ok' });
    const second = await createTestApp(env);
    try {
      await relay.waitFor('the three pushes after the restart', () => folders.every((id) => delivered(relay, id)), 15_000);
      await outboxEmpty(second);
    } finally {
      await second.close();
    }
  }, 60_000);
});
