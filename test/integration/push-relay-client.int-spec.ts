import { loadConfig } from '../../src/config/app-config';
import { MAX_BODY_BYTES, RelayClient } from '../../src/push/relay.client';
import { RelayStandIn } from '../stand-ins/relay-stand-in';

/** The relay client against the relay stand-in (the only stand-in): token handling and status mapping. */
describe('RelayClient', () => {
  let relay: RelayStandIn;
  beforeAll(async () => {
    relay = await RelayStandIn.start();
  });
  afterAll(async () => {
    await relay.close();
  });

  const client = (env: Record<string, string> = {}): RelayClient => new RelayClient(loadConfig({ DATA_FOLDER: '/tmp/vault-relay-client', ...relay.env(env) }).config);
  const body = (userId: string): string => JSON.stringify({
    userId, organizationId: null, deviceId: null, identifier: null, type: 5,
    payload: { userId, date: '2026-11-27T12:00:00.123000Z' }, clientType: null, installationId: null,
  });
  const USER = '7f0c5a52-8d6e-4f3b-9a1c-2b3d4e5f6a7b';

  it('concurrent callers share one token request (single flight); the token is reused', async () => {
    const c = client();
    const before = relay.tokenRequests.length;
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => c.call('send', body(USER))));
    expect(outcomes).toEqual(Array.from({ length: 5 }, () => ({ kind: 'ok' })));
    expect(await c.call('delete', JSON.stringify({ id: USER }))).toEqual({ kind: 'ok' });
    expect(relay.tokenRequests.length).toBe(before + 1);
  });

  it('the token is refreshed once half of its lifetime has passed', async () => {
    relay.setTokenLifetime(2);
    try {
      const c = client();
      const before = relay.tokenRequests.length;
      await c.call('send', body(USER));
      await c.call('send', body(USER));
      expect(relay.tokenRequests.length).toBe(before + 1);
      await new Promise((r) => setTimeout(r, 1100));
      await c.call('send', body(USER));
      expect(relay.tokenRequests.length).toBe(before + 2);
    } finally {
      relay.setTokenLifetime(86400);
    }
  });

  it('wrong key: the token request is refused with a message naming what to check, never the key', async () => {
    const c = client({ PUSH_INSTALLATION_KEY: 'wrong-key-value' });
    const outcome = await c.call('send', body(USER));
    expect(outcome).toMatchObject({ kind: 'token', rejected: true, status: 400 });
    const message = (outcome as { message: string }).message;
    expect(message).toMatch(/^invalid_client; check PUSH_INSTALLATION_ID and PUSH_INSTALLATION_KEY/);
    expect(message).not.toContain('wrong-key-value');
    expect(await c.checkToken()).toMatchObject({ kind: 'token', rejected: true });
  });

  it('maps relay answers: 429 with Retry-After, 5xx transient, 404/405 and redirects permanent with a hint', async () => {
    const c = client();
    relay.scriptNext(
      { kind: 'status', status: 429, headers: { 'Retry-After': '7' } },
      { kind: 'status', status: 502 },
      { kind: 'status', status: 405 },
      { kind: 'status', status: 302, headers: { Location: 'https://example.com/elsewhere' } },
    );
    expect(await c.call('send', body(USER))).toEqual({ kind: 'rate-limited', retryAfterMs: 7000 });
    expect(await c.call('send', body(USER))).toMatchObject({ kind: 'transient', status: 502 });
    expect(await c.call('send', body(USER))).toMatchObject({ kind: 'permanent', status: 405, hint: expect.stringContaining('PUSH_RELAY_URI') });
    expect(await c.call('send', body(USER))).toMatchObject({ kind: 'permanent', status: 302, message: expect.stringContaining('not followed'), hint: expect.stringContaining('PUSH_RELAY_URI') });
  });

  it('a body the relay rejects is permanent, with the relay\'s message', async () => {
    const outcome = await client().call('send', JSON.stringify({ userId: `${relay.installationId}_${USER}` }));
    expect(outcome).toMatchObject({ kind: 'permanent', status: 400, message: expect.stringContaining('The model state is invalid.') });
  });

  it('a huge or endless answer is read only up to the bound: the client hangs up, the outcome comes from the first bytes', async () => {
    // A long timeout: a client that read whole bodies would sit on the endless ones until it ends as "timed out".
    const c = client({ PUSH_RELAY_TIMEOUT_SECONDS: '30' });
    const prefix = '{"message":"The model state is invalid.","validationErrors":{"Type":["';
    const from = relay.streamed.length;
    const big = 64 * 1024 * 1024;
    relay.scriptNext(
      { kind: 'stream', status: 400, prefix, bytes: big },
      { kind: 'stream', status: 400, prefix },
      { kind: 'stream', status: 503, prefix },
      { kind: 'stream', status: 200 },
    );
    const outcomes = [];
    for (let i = 0; i < 4; i += 1) outcomes.push(await c.call('send', body(USER)));
    expect(outcomes[0]).toMatchObject({ kind: 'permanent', status: 400, message: expect.stringMatching(/^\{"message":"The model state is invalid\.","validationErrors":\{"Type":\["x+$/) });
    expect(outcomes[1]).toMatchObject({ kind: 'permanent', status: 400 });
    expect(outcomes[2]).toMatchObject({ kind: 'transient', status: 503 });
    expect(outcomes[3]).toEqual({ kind: 'ok' });
    for (const outcome of outcomes.slice(0, 3)) expect((outcome as { message: string }).message.length).toBeLessThanOrEqual(500);
    const answers = relay.streamed.slice(from);
    await relay.waitFor('the client to hang up on every streamed answer', () => answers.every((a) => a.closed));
    // Every stream ended by the client hanging up, the 64 MB one long before its end (kernel buffers hold a few MB).
    expect(answers.map((a) => a.closedByClient)).toEqual([true, true, true, true]);
    expect(answers[0]!.written).toBeLessThan(big / 4);
    console.log(`bounded reads: bytes handed to the socket before the client hung up: ${answers.map((a) => a.written).join(', ')} (client bound ${MAX_BODY_BYTES})`);
  }, 60_000);

  it('connection refused is transient', async () => {
    const c = new RelayClient(loadConfig({ DATA_FOLDER: '/tmp/vault-relay-client', ...relay.env({ PUSH_IDENTITY_URI: 'https://127.0.0.1:1' }) }).config);
    expect(await c.call('send', body(USER))).toMatchObject({ kind: 'token', rejected: false, status: null });
  });

  it('after abort() every call ends as aborted', async () => {
    const c = client();
    c.abort();
    expect(await c.call('send', body(USER))).toEqual({ kind: 'aborted' });
  });
});
