import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DataSource } from 'typeorm';
import WebSocket from 'ws';
import { DATA_SOURCE } from '../../src/db/unit-of-work';
import { LoginRateLimiter } from '../../src/identity/login-rate-limiter';
import { createTestApp, TestApp } from '../support/app';
import { RawHubSocket, sleep } from '../support/raw-ws';
import { createPbkdf2User, passwordLogin, TestAccount, WEB_VAULT } from '../support/test-crypto';

/**
 * Abuse resistance with real sockets and real concurrency: an unauthenticated caller cannot guess faster than
 * the limits, lock the owner out, grow server memory, crash validation with deep JSON or hold unbounded sockets.
 * Client addresses are set with X-Real-IP, which the server believes from 127.0.0.1 (TRUSTED_PROXIES default).
 */

interface Answer { status: number; body: Record<string, unknown>; retryAfter: string | null }

const tokenRequest = async (t: TestApp, fields: Record<string, string>, ip?: string): Promise<Answer> => {
  const res = await fetch(`${t.baseUrl}/identity/connect/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...(ip ? { 'X-Real-IP': ip } : {}) },
    body: new URLSearchParams(fields).toString(),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, retryAfter: res.headers.get('retry-after') };
};

const loginFields = (email: string, password: string, identifier: string = randomUUID()): Record<string, string> => ({
  grant_type: 'password', username: email, password, scope: 'api offline_access', client_id: 'web',
  deviceType: '9', deviceIdentifier: identifier, deviceName: 'chrome',
});

/** The heap in use after a full collection (the server runs in this process), so garbage does not count. */
const liveHeap = (): number => {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
};

const countBy = (statuses: number[]): Record<number, number> => statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});

describe('abuse: login guessing', () => {
  let t: TestApp;
  let owner: TestAccount;
  const ownerDevice = randomUUID();

  beforeAll(async () => {
    t = await createTestApp({ LOGIN_RATELIMIT_MAX_BURST: '10', LOGIN_RATELIMIT_SECONDS: '60' });
    owner = await createPbkdf2User(t.baseUrl, `owner-${randomUUID()}@example.com`, 'correct horse', 5_000);
    // The owner's device is known to the account from an earlier login.
    await passwordLogin(t.baseUrl, owner, { ...WEB_VAULT, identifier: ownerDevice });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('50 parallel wrong guesses from one address: at most the burst of 400s, then 429 with Retry-After, never a token', async () => {
    const answers = await Promise.all(Array.from({ length: 50 }, () => tokenRequest(t, loginFields(owner.email, 'wrong-guess'), '198.51.100.10')));
    const counts = countBy(answers.map((a) => a.status));
    expect(counts[200]).toBeUndefined();
    // Within the burst a guess is checked (400) or, on a loaded machine, turned away by the hashing gate (503);
    // either way it counts, and everything past the burst is a 429.
    const withinBurst = counts[400]! + (counts[503] ?? 0);
    expect(withinBurst).toBeLessThanOrEqual(10);
    expect(counts[400]).toBeGreaterThan(0);
    expect(counts[429]).toBe(50 - withinBurst);
    for (const a of answers.filter((x) => x.status === 429)) expect(a.retryAfter).toMatch(/^[1-9]\d*$/);
  });

  it('during a flood from many addresses the owner\'s known device still logs in; an unknown device is slowed, not blocked for good', async () => {
    // 30 strangers, 5 guesses each, all at once: the account is far past its failure budget.
    const flood = await Promise.all(Array.from({ length: 150 }, (_, i) => tokenRequest(t, loginFields(owner.email, `guess-${i}`), `203.0.113.${i % 30}`)));
    expect(flood.every((a) => a.status === 400 || a.status === 429)).toBe(true);
    expect(flood.filter((a) => a.status === 429).length).toBeGreaterThan(0);

    const known = await tokenRequest(t, loginFields(owner.email, owner.masterPasswordHash, ownerDevice), '192.0.2.77');
    expect(known.status).toBe(200);
    expect(known.body.access_token).toEqual(expect.any(String));

    const unknown = await tokenRequest(t, loginFields(owner.email, owner.masterPasswordHash), '192.0.2.78');
    expect(unknown.status).toBe(429);
    expect(Number(unknown.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(unknown.retryAfter)).toBeLessThanOrEqual(300);
  });

  it('unknown and known emails get the same answer to a wrong password', async () => {
    const knownEmail = await createPbkdf2User(t.baseUrl, `same-${randomUUID()}@example.com`, 'pw', 5_000);
    const a = await tokenRequest(t, loginFields(knownEmail.email, 'wrong'), '198.51.100.20');
    const b = await tokenRequest(t, loginFields(`nobody-${randomUUID()}@example.com`, 'wrong'), '198.51.100.21');
    expect(a.status).toBe(400);
    expect(b).toEqual(a);
  });

  it('a 2 MB username is refused at once, and 10,000 distinct bogus usernames leave bounded state', async () => {
    const limiter = t.app.get(LoginRateLimiter);
    const before = limiter.size;
    // Past the body limit (REQUEST_BODY_LIMIT, 2 MB): 413 before anything is parsed.
    const huge = await tokenRequest(t, loginFields(`${'a'.repeat(2 * 1024 * 1024)}@example.com`, 'x'), '198.51.100.30');
    expect(huge.status).toBe(413);
    // Within it: refused for its length before any lookup, hash or limiter state.
    const long = await tokenRequest(t, loginFields(`${'a'.repeat(1024 * 1024)}@example.com`, 'x'), '198.51.100.30');
    expect(long.status).toBe(400);
    expect(long.body).toMatchObject({ error: 'invalid_grant' });
    expect(limiter.size).toBe(before);

    const heapBefore = liveHeap();
    for (let batch = 0; batch < 100; batch += 1) {
      const answers = await Promise.all(Array.from({ length: 100 }, (_, i) =>
        tokenRequest(t, loginFields(`bogus-${batch}-${i}-${'z'.repeat(200)}@example.com`, 'x'), '198.51.100.31')));
      // 400 for a failed guess, 429 past the address's budget, 503 when the hashing gate's queue is full.
      expect(answers.filter((a) => ![400, 429, 503].includes(a.status))).toEqual([]);
    }
    // One address: its first 20 failures reach the account lookup, every later one is refused before any state.
    expect(limiter.size - before).toBeLessThanOrEqual(2 * 20 + 1);
    expect(liveHeap() - heapBefore).toBeLessThan(16 * 1024 * 1024);
  }, 120_000);
});

describe('abuse: the global gate on password hashing', () => {
  let t: TestApp;

  beforeAll(async () => {
    // A slow hash, one at a time, two may wait: a flood from many addresses fills the gate at once.
    t = await createTestApp({ PASSWORD_ITERATIONS: '2000000', PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE: '2' });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('during a spray of guesses that fills the gate, the owner\'s known device goes ahead of the strangers', async () => {
    const owner = await createPbkdf2User(t.baseUrl, `gate-owner-${randomUUID()}@example.com`, 'pw', 5_000);
    const device = randomUUID();
    await passwordLogin(t.baseUrl, owner, { ...WEB_VAULT, identifier: device });
    const flood = Promise.all(Array.from({ length: 12 }, (_, i) =>
      tokenRequest(t, loginFields(`spray-${i}@example.com`, 'guess'), `198.51.100.${150 + i}`)));
    await new Promise((r) => setTimeout(r, 50)); // the strangers are queued first
    const honest = await tokenRequest(t, loginFields(owner.email, owner.masterPasswordHash, device), '192.0.2.10');
    const strangers = await flood;
    expect(honest.status).toBe(200);
    expect(countBy(strangers.map((a) => a.status))[503]).toBeGreaterThan(0);
  }, 120_000);

  it('beyond the gate\'s queue the answer is 503 with Retry-After at once, and /alive stays responsive', async () => {
    const flood = Promise.all(Array.from({ length: 12 }, (_, i) =>
      tokenRequest(t, loginFields(`nobody-${i}@example.com`, 'guess'), `198.51.100.${100 + i}`)));
    const alive = await fetch(`${t.baseUrl}/alive`);
    expect(alive.status).toBe(200);
    const answers = await flood;
    const counts = countBy(answers.map((a) => a.status));
    // One running and two waiting get their (uniform) 400; the rest were turned away without hashing.
    expect(counts[400]).toBe(3);
    expect(counts[503]).toBe(9);
    const busy = answers.find((a) => a.status === 503)!;
    expect(busy.retryAfter).toBe('1');
    expect(busy.body).toMatchObject({ error: 'temporarily_unavailable' });
  }, 120_000);
});

describe('abuse: deeply nested JSON', () => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await createTestApp();
    const account = await createPbkdf2User(t.baseUrl, `deep-${randomUUID()}@example.com`, 'pw', 5_000);
    token = (await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() })).access_token;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const ROUTES: Array<[string, string]> = [
    ['POST', '/api/ciphers'], ['PUT', `/api/ciphers/${randomUUID()}`], ['POST', '/api/ciphers/create'], ['POST', '/api/ciphers/import'],
    ['POST', '/api/ciphers/delete'], ['PUT', '/api/ciphers/move'], ['POST', '/api/folders'], ['PUT', '/api/settings/domains'],
    ['PUT', '/api/accounts/profile'], ['POST', '/api/accounts/password'], ['POST', '/api/accounts/verify-password'],
    ['POST', '/api/auth-requests'], ['POST', '/identity/accounts/register/finish'], ['POST', '/identity/accounts/prelogin'],
    ['POST', '/api/does-not-exist'],
  ];

  it('a 1 MB body of nested arrays or objects gets 400 on every route, and /alive answers between them', async () => {
    const depth = 512 * 1024;
    const bodies = ['['.repeat(depth) + ']'.repeat(depth), '{"a":'.repeat(depth / 5) + '1' + '}'.repeat(depth / 5)];
    for (const body of bodies) {
      for (const [method, path] of ROUTES) {
        const res = await fetch(`${t.baseUrl}${path}`, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body });
        expect([method, path, res.status]).toEqual([method, path, 400]);
        expect(await res.json()).toMatchObject({ message: 'The request body is nested too deeply.', object: 'error' });
        expect((await fetch(`${t.baseUrl}/alive`)).status).toBe(200);
      }
    }
  }, 120_000);
});

/** Opens an upgrade and keeps the socket: the status (101 when it opened) and the socket to close later. */
const hold = (url: string, headers: Record<string, string>): Promise<{ status: number; ws: WebSocket }> => new Promise((resolve) => {
  const ws = new WebSocket(url, { headers });
  ws.on('unexpected-response', (_req, res) => {
    res.resume();
    resolve({ status: res.statusCode ?? 0, ws });
  });
  ws.on('open', () => resolve({ status: 101, ws }));
  ws.on('error', () => resolve({ status: 0, ws }));
});

describe('abuse: hub socket caps, before any 101', () => {
  let t: TestApp;
  let token: string;
  let url: string;
  const opened: WebSocket[] = [];

  beforeAll(async () => {
    t = await createTestApp({ HUB_MAX_CONNECTIONS_PER_USER: '20', HUB_MAX_CONNECTIONS_PER_IP: '30', HUB_MAX_CONNECTIONS: '45' });
    const account = await createPbkdf2User(t.baseUrl, `hubcap-${randomUUID()}@example.com`, 'pw', 5_000);
    token = (await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() })).access_token;
    url = `${t.baseUrl.replace('https://', 'wss://')}/notifications/hub`;
  }, 60_000);
  afterEach(() => {
    for (const ws of opened.splice(0)) ws.terminate();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('60 parallel upgrades with one token: exactly the per-user cap gets 101, the rest 429', async () => {
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => hold(url, { Authorization: `Bearer ${token}`, 'X-Real-IP': `198.51.100.${i}` })));
    opened.push(...results.map((r) => r.ws));
    expect(countBy(results.map((r) => r.status))).toEqual({ 101: 20, 429: 40 });
  });

  it('one address: at most HUB_MAX_CONNECTIONS_PER_IP sockets over both hubs; all addresses: HUB_MAX_CONNECTIONS, then 503', async () => {
    const anonymous = `${t.baseUrl.replace('https://', 'wss://')}/notifications/anonymous-hub`;
    // The anonymous hub's own cap is 25 per address: 25 there and 15 on the authenticated hub make 40 tries for 30 places.
    const one = await Promise.all([
      ...Array.from({ length: 25 }, () => hold(`${anonymous}?Token=${randomUUID()}`, { 'X-Real-IP': '203.0.113.5' })),
      ...Array.from({ length: 15 }, () => hold(url, { Authorization: `Bearer ${token}`, 'X-Real-IP': '203.0.113.5' })),
    ]);
    opened.push(...one.map((r) => r.ws));
    const counts = countBy(one.map((r) => r.status));
    expect(counts[101]).toBe(30);
    expect(counts[429]).toBe(10);

    const more = await Promise.all(Array.from({ length: 25 }, (_, i) => hold(`${anonymous}?Token=${randomUUID()}`, { 'X-Real-IP': `192.0.2.${i}` })));
    opened.push(...more.map((r) => r.ws));
    expect(countBy(more.map((r) => r.status))).toEqual({ 101: 15, 503: 10 });
  });

  it('closed sockets give their places back', async () => {
    const again = await Promise.all(Array.from({ length: 10 }, (_, i) => hold(url, { Authorization: `Bearer ${token}`, 'X-Real-IP': `198.51.100.${200 + i}` })));
    opened.push(...again.map((r) => r.ws));
    expect(again.every((r) => r.status === 101)).toBe(true);
  });
});

describe('abuse: the hub\'s periodic session re-check fails closed', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ HUB_REVALIDATE_SECONDS: '5', HUB_IDLE_TIMEOUT_SECONDS: '3600' });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('a socket whose session cannot be checked three times running is closed with 1013, without LogOut', async () => {
    const account = await createPbkdf2User(t.baseUrl, `reval-${randomUUID()}@example.com`, 'pw', 5_000);
    const { access_token } = await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() });
    const socket = await RawHubSocket.open(`${t.baseUrl.replace('https://', 'wss://')}/notifications/hub`, { Authorization: `Bearer ${access_token}` });
    socket.send('{"protocol":"json","version":1}\u001e', false);
    await socket.waitFrames(1);
    // A real database fault: the devices table the re-check reads is gone for a while.
    const db = t.app.get<DataSource>(DATA_SOURCE);
    await db.query('ALTER TABLE devices RENAME TO devices_unavailable');
    try {
      // Still open after one failed check (5 s); closed after the third (15 s).
      await sleep(7_000);
      expect(socket.closeCode).toBeNull();
      expect(await socket.waitClosed(15_000)).toBe(1013);
    } finally {
      await db.query('ALTER TABLE devices_unavailable RENAME TO devices');
    }
    const texts = socket.frames.map((f) => f.data.toString('utf8'));
    // No LogOut (update type 11): nothing says the session ended, the client just reconnects.
    expect(texts.filter((text) => text.includes('"target":"ReceiveMessage"') && /"Type":11\b/.test(text))).toEqual([]);
    expect(texts[texts.length - 1]).toContain('"type":7');
  }, 60_000);
});
