import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { PushOutboxEntity } from '../../src/db/entities';
import { DATA_SOURCE } from '../../src/db/unit-of-work';
import { PushDiagnosticsService } from '../../src/push/push-diagnostics.service';
import { capturedLogs, createTestApp, TestApp } from '../support/app';
import { RelayStandIn } from '../stand-ins/relay-stand-in';
import { ANDROID, api, cipherBody, folderBody, Json, login, newPushUser, PushUser, sleep } from './push-harness';

/** Folder operations whose pushes never collapse (distinct type and id): create A, create B, update A, delete B. */
async function folderSequence(t: TestApp, user: PushUser): Promise<Array<[number, string]>> {
  const a = await api(t.baseUrl, user.web.accessToken, 'POST', '/api/folders', folderBody());
  const b = await api(t.baseUrl, user.web.accessToken, 'POST', '/api/folders', folderBody());
  const u = await api(t.baseUrl, user.web.accessToken, 'PUT', `/api/folders/${a.body.id}`, folderBody());
  const d = await api(t.baseUrl, user.web.accessToken, 'DELETE', `/api/folders/${b.body.id}`);
  for (const res of [a, b, u, d]) expect(res.status).toBe(200);
  return [[7, a.body.id], [7, b.body.id], [8, a.body.id], [3, b.body.id]];
}

const sendsOf = (relay: RelayStandIn, userId: string): Array<[number, string]> =>
  relay.sends().filter((b) => b.userId === userId).map((b): [number, string] => [b.type, b.payload.id]);

describe('push relay: outage, restart, 429, 401, permanent errors (notifications.md §10.8, §10.10)', () => {
  let relay: RelayStandIn;
  let t: TestApp;
  let alice: PushUser;
  let bob: PushUser;

  beforeAll(async () => {
    relay = await RelayStandIn.start();
    t = await createTestApp(relay.env());
    alice = await newPushUser(t, relay);
    bob = await newPushUser(t, relay);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await relay?.close();
  });
  afterEach(() => {
    relay.setMode({ kind: 'ok' });
  });

  it('relay down for a while, then up: every push delivered exactly once, in order per user', async () => {
    relay.setMode({ kind: 'status', status: 503 });
    const failuresBefore = relay.attempts.filter((a) => a.status === 503).length;
    const expectedAlice = await folderSequence(t, alice);
    const expectedBob = await folderSequence(t, bob);
    await relay.waitFor('several failed attempts', () => relay.attempts.filter((a) => a.status === 503).length >= failuresBefore + 6);
    expect(sendsOf(relay, alice.userId).filter(([, id]) => expectedAlice.some(([, e]) => e === id))).toEqual([]);
    relay.setMode({ kind: 'ok' });
    await relay.waitFor('all delivered', () => sendsOf(relay, alice.userId).length >= 4 && sendsOf(relay, bob.userId).length >= 4, 20_000);
    await sleep(300);
    expect(sendsOf(relay, alice.userId)).toEqual(expectedAlice);
    expect(sendsOf(relay, bob.userId)).toEqual(expectedBob);
    expect(capturedLogs.some((l) => l.includes('push.relay_retrying') && l.includes('"status":503'))).toBe(true);
    expect(await t.app.get(PushDiagnosticsService).outboxCounts()).toMatchObject({ pending: 0 });
  });

  it('429 pauses the whole outbox for at least Retry-After, then delivers', async () => {
    const sent = relay.accepted.length;
    relay.scriptNext({ kind: 'status', status: 429, headers: { 'Retry-After': '2' } });
    const one = await api(t.baseUrl, alice.web.accessToken, 'POST', '/api/folders', folderBody());
    await relay.waitFor('the 429', () => relay.attempts.some((a) => a.status === 429));
    const limited = relay.attempts.find((a) => a.status === 429)!;
    const two = await api(t.baseUrl, bob.web.accessToken, 'POST', '/api/folders', folderBody());
    await relay.waitFor('both delivered', () => relay.accepted.length >= sent + 2, 20_000);
    const after = relay.attempts.filter((a) => a.at >= limited.at && a !== limited);
    // Nothing at all went to the relay before Retry-After had passed, not even the other user's push.
    expect(after.length).toBeGreaterThanOrEqual(2);
    expect(Math.min(...after.map((a) => a.at)) - limited.at).toBeGreaterThanOrEqual(2000);
    expect(relay.sends().slice(-2).map((b) => b.payload.id).sort()).toEqual([one.body.id, two.body.id].sort());
  });

  it('401: the cached relay token is dropped, a new one fetched once, the call retried once', async () => {
    const tokens = relay.tokenRequests.length;
    relay.revokeTokens();
    const folder = await api(t.baseUrl, alice.web.accessToken, 'POST', '/api/folders', folderBody());
    await relay.waitFor('delivered', () => relay.sends().some((b) => b.payload.id === folder.body.id));
    expect(relay.tokenRequests.length).toBe(tokens + 1);
    expect(relay.attempts.slice(-2).map((a) => a.status)).toEqual([401, 200]);
    expect(relay.sends().filter((b) => b.payload.id === folder.body.id)).toHaveLength(1);
  });

  it('a permanent 4xx marks the row failed with the relay\'s message, logs status and message, and does not block later pushes', async () => {
    relay.scriptNext({ kind: 'status', status: 400, body: { message: 'The model state is invalid.', validationErrors: { Type: ['The Type field is invalid.'] }, exceptionMessage: null, exceptionStackTrace: null, innerExceptionMessage: null, object: 'error' } });
    const rejected = await api(t.baseUrl, alice.web.accessToken, 'POST', '/api/folders', folderBody());
    const next = await api(t.baseUrl, alice.web.accessToken, 'POST', '/api/folders', folderBody());
    await relay.waitFor('the next one delivered', () => relay.sends().some((b) => b.payload.id === next.body.id));
    await sleep(300);
    expect(relay.sends().some((b) => b.payload.id === rejected.body.id)).toBe(false);
    expect(relay.attempts.filter((a) => a.status === 400)).toHaveLength(1);
    const db = t.app.get<DataSource>(DATA_SOURCE);
    const failed = await db.getRepository(PushOutboxEntity).find({ where: { status: 'failed', userId: alice.userId } });
    expect(failed).toHaveLength(1);
    expect(failed[0]!.lastError).toBe('400: The model state is invalid. (Type: The Type field is invalid.)');
    expect(JSON.parse(failed[0]!.body).payload.id).toBe(rejected.body.id);
    expect(capturedLogs.some((l) => l.includes('push.relay_failed') && l.includes('"status":400') && l.includes('The Type field is invalid.'))).toBe(true);
    expect(await t.app.get(PushDiagnosticsService).outboxCounts()).toEqual({ pending: 0, failed: 1 });
  });

  it('a relay that hangs does not slow vault writes: saves complete while the relay still holds the request', async () => {
    relay.setMode({ kind: 'hang' });
    const first = await api(t.baseUrl, alice.web.accessToken, 'POST', '/api/folders', folderBody());
    expect(first.status).toBe(200);
    await relay.waitFor('a held request', () => relay.heldCount() === 1);
    const saved: Json[] = [];
    for (const user of [alice, bob]) saved.push(await api(t.baseUrl, user.web.accessToken, 'POST', '/api/folders', folderBody()));
    const cipher = await api(t.baseUrl, alice.web.accessToken, 'POST', '/api/ciphers', cipherBody(alice));
    expect([...saved.map((s) => s.status), cipher.status]).toEqual([200, 200, 200]);
    // Bob's push is held in a lane of its own (PUSH_RELAY_CONCURRENCY); alice's later ones wait behind her first.
    await relay.waitFor('bob\'s push held too', () => relay.heldCount() === 2);
    expect(relay.heldCount()).toBe(2);
    relay.setMode({ kind: 'ok' });
    relay.releaseHeld(503);
    await relay.waitFor('everything delivered', () => [first, ...saved, cipher].every((r) => relay.sends().some((b) => b.payload.id === r.body.id)), 20_000);
  });

  it('a send is dropped once it is 1 h old (LogOut, register, delete live 24 h); the rest is delivered', async () => {
    const user = await newPushUser(t, relay);
    const db = t.app.get<DataSource>(DATA_SOURCE);
    // A 429 pauses the outbox (nothing in flight) while the rows are inspected and one is aged.
    relay.scriptNext({ kind: 'status', status: 429, headers: { 'Retry-After': '3' } });
    const limited = relay.attempts.filter((a) => a.status === 429).length;
    const folder = await api(t.baseUrl, user.web.accessToken, 'POST', '/api/folders', folderBody());
    await relay.waitFor('the 429', () => relay.attempts.filter((a) => a.status === 429).length === limited + 1);
    expect((await api(t.baseUrl, user.web.accessToken, 'POST', '/api/accounts/password', {
      masterPasswordHash: user.account.masterPasswordHash, newMasterPasswordHash: user.account.masterPasswordHash, key: user.account.wrappedUserKey,
    })).status).toBe(200);
    const rows = await db.getRepository(PushOutboxEntity).find({ where: { userId: user.userId, status: 'pending' }, order: { id: 'ASC' } });
    expect(rows.map((r) => r.pushType)).toEqual([7, 11]);
    const lifetime = (r: PushOutboxEntity): number => r.expiresAt.getTime() - r.createdAt.getTime();
    expect(rows.map(lifetime)).toEqual([3600_000, 24 * 3600_000]);
    await db.getRepository(PushOutboxEntity).update({ id: rows[0]!.id }, { expiresAt: new Date(Date.now() - 1000) });
    await relay.waitFor('the LogOut', () => relay.sends().some((b) => b.userId === user.userId && b.type === 11), 20_000);
    expect(relay.sends().some((b) => b.payload.id === folder.body.id)).toBe(false);
    expect(await db.getRepository(PushOutboxEntity).count({ where: { id: rows[0]!.id } })).toBe(0);
    expect(capturedLogs.some((l) => l.includes('push.outbox_expired') && l.includes(`"outboxId":${rows[0]!.id}`))).toBe(true);
  });

  it('no installation key, relay token or push token in any log line', () => {
    const secrets = [relay.installationKey, ...relay.issuedTokens, ...relay.bodies('register').map((b) => b.pushToken as string)];
    for (const line of capturedLogs) for (const secret of secrets) expect(line.includes(secret)).toBe(false);
  });
});

describe('push relay: timeouts', () => {
  let relay: RelayStandIn;
  let t: TestApp;

  beforeAll(async () => {
    relay = await RelayStandIn.start();
    t = await createTestApp(relay.env({ PUSH_RELAY_TIMEOUT_SECONDS: '1' }));
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await relay?.close();
  });

  it('a request that times out is retried, and delivered once the relay answers again', async () => {
    const user = await newPushUser(t, relay);
    relay.setMode({ kind: 'hang' });
    const folder = await api(t.baseUrl, user.web.accessToken, 'POST', '/api/folders', folderBody());
    await relay.waitFor('two timed-out attempts', () => relay.attempts.filter((a) => a.status === 'hung').length >= 2, 20_000);
    relay.setMode({ kind: 'ok' });
    await relay.waitFor('delivered', () => relay.sends().some((b) => b.payload.id === folder.body.id), 20_000);
    expect(relay.sends().filter((b) => b.payload.id === folder.body.id)).toHaveLength(1);
    expect(capturedLogs.some((l) => l.includes('push.relay_retrying') && l.includes('timed out'))).toBe(true);
  });
});

describe('push relay: pushes pending at shutdown are delivered after a restart', () => {
  let relay: RelayStandIn;
  let dataFolder: string;

  beforeAll(async () => {
    relay = await RelayStandIn.start();
    dataFolder = mkdtempSync(join(tmpdir(), 'vault-push-restart-'));
  });
  afterAll(async () => {
    await relay?.close();
    rmSync(dataFolder, { recursive: true, force: true });
  });

  it('relay down, server restarted (one request in flight at shutdown): every push delivered once, in order', async () => {
    const first = await createTestApp({ ...relay.env(), DATA_FOLDER: dataFolder });
    const user = await newPushUser(first, relay);
    relay.setMode({ kind: 'status', status: 500 });
    const expected = await folderSequence(first, user);
    await relay.waitFor('failed attempts', () => relay.attempts.filter((a) => a.status === 500).length >= 2);
    relay.setMode({ kind: 'hang' });
    await relay.waitFor('a request in flight', () => relay.heldCount() === 1, 20_000);
    await first.close();
    relay.releaseHeld(503);
    expect(sendsOf(relay, user.userId)).toEqual([]);

    relay.setMode({ kind: 'ok' });
    const second = await createTestApp({ ...relay.env(), DATA_FOLDER: dataFolder });
    try {
      await relay.waitFor('delivered after restart', () => sendsOf(relay, user.userId).length >= 4, 20_000);
      await sleep(300);
      expect(sendsOf(relay, user.userId)).toEqual(expected);
      expect(await second.app.get(PushDiagnosticsService).outboxCounts()).toEqual({ pending: 0, failed: 0 });
    } finally {
      await second.close();
    }
  });

  it('a server started against another relay re-registers a known device at its next login', async () => {
    const other = await RelayStandIn.start({ installationId: relay.installationId, installationKey: relay.installationKey });
    const first = await createTestApp({ ...relay.env(), DATA_FOLDER: dataFolder });
    const user = await newPushUser(first, relay);
    await first.close();
    const second = await createTestApp({ ...other.env(), DATA_FOLDER: dataFolder });
    try {
      // Sends need a registration at the current relay: nothing is queued before the device logs in again.
      expect((await api(second.baseUrl, user.web.accessToken, 'POST', '/api/folders', folderBody())).status).toBe(200);
      await login(second.baseUrl, user.account, { ...ANDROID, identifier: user.mobile.identifier });
      await other.waitFor('register at the new relay', () => other.bodies('register').some((b) => b.deviceId === user.mobile.deviceId));
      expect(other.bodies('register')).toEqual([expect.objectContaining({ deviceId: user.mobile.deviceId, pushToken: user.mobile.pushToken })]);
      expect(other.sends()).toEqual([]);
    } finally {
      await second.close();
      await other.close();
    }
  });
});

describe('push relay: wrong installation credentials', () => {
  let relay: RelayStandIn;
  let t: TestApp;

  beforeAll(async () => {
    relay = await RelayStandIn.start();
    t = await createTestApp(relay.env({ PUSH_INSTALLATION_KEY: 'not-the-key' }));
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await relay?.close();
  });

  it('the server starts and the vault works; one clear error is logged; no tight retry loop', async () => {
    const user = await newPushUser(t, null);
    for (let i = 0; i < 5; i += 1) expect((await api(t.baseUrl, user.web.accessToken, 'POST', '/api/folders', folderBody())).status).toBe(200);
    await sleep(1500);
    expect(relay.tokenRequests.length).toBe(1);
    expect(relay.tokenRequests[0]!.status).toBe(400);
    expect(relay.attempts).toEqual([]);
    const errors = capturedLogs.filter((l) => l.includes('push.relay_token_rejected'));
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors[0]).toContain('invalid_client');
    expect(errors[0]).toContain('PUSH_INSTALLATION_KEY');
    expect(errors[0]).toContain('"level":50');
    const diagnostics = await t.app.get(PushDiagnosticsService).diagnostics();
    expect(diagnostics.misconfigured).toContain('invalid_client');
    expect(diagnostics.pausedUntil).toBeInstanceOf(Date);
    expect(diagnostics.pending).toBeGreaterThanOrEqual(1);
    expect(diagnostics.oldestPendingAt).toBeInstanceOf(Date);
    for (const line of capturedLogs) expect(line.includes('not-the-key')).toBe(false);
  });
});

describe('push relay: token bucket', () => {
  let relay: RelayStandIn;
  let t: TestApp;

  beforeAll(async () => {
    relay = await RelayStandIn.start();
    t = await createTestApp(relay.env({ PUSH_RATE_BURST: '2', PUSH_RATE_PER_SECOND: '2' }));
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await relay?.close();
  });

  it('never more than the burst plus the refill in any window; everything is still delivered', async () => {
    const user = await newPushUser(t, relay);
    const ids: string[] = [];
    for (let i = 0; i < 6; i += 1) ids.push((await api(t.baseUrl, user.web.accessToken, 'POST', '/api/folders', folderBody())).body.id);
    await relay.waitFor('all six', () => ids.every((id) => relay.sends().some((b) => b.payload.id === id)), 20_000);
    const times = relay.attempts.map((a) => a.at);
    for (const start of times) {
      // burst 2 + 2/s × 1 s (+1 for a refill landing on the window's edge)
      expect(times.filter((at) => at >= start && at < start + 1000).length).toBeLessThanOrEqual(5);
    }
    expect(times.filter((at) => at >= times[0]! && at < times[0]! + 400).length).toBeLessThanOrEqual(3);
  });
});
