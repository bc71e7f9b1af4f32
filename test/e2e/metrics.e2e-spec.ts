// /metrics scraped as Prometheus does, before and after hub traffic from the official SignalR client: the counters
// move, and no label carries a user, device or item identifier.
import { createTestApp, TestApp } from '../support/app';
import { HubClient } from '../support/hub-client';
import { call, connectHub, newPerson, Person } from '../support/org-harness';
import { encryptType2 } from '../support/test-crypto';

const TOKEN = 'metrics-scrape-token';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** The value of one sample line (`name{labels} value`), 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((l) => line.includes(l))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

describe('/metrics', () => {
  let t: TestApp;
  let alice: Person;
  let hub: HubClient;

  const scrape = async (): Promise<string> => {
    const res = await fetch(`${t.baseUrl}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
    return res.text();
  };

  beforeAll(async () => {
    t = await createTestApp({ METRICS_ENABLED: 'true', METRICS_TOKEN: TOKEN });
    alice = await newPerson(t, 'alice');
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
    await t?.close();
  });

  it('demands the token', async () => {
    expect((await fetch(`${t.baseUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${t.baseUrl}/metrics`, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
  });

  it('counts sockets, deliveries, their latency, logins and HTTP requests; labels carry no identifier', async () => {
    const before = await scrape();
    hub = await connectHub(t, alice.account);
    const body = { type: 2, name: encryptType2('note', alice.account.secrets.userKey), secureNote: { type: 0 } };
    const created = await call(t, alice.token, 'POST', '/api/ciphers', body);
    expect(created.status).toBe(200);
    // The hub's own device is not the acting one: it receives the create.
    await hub.waitFor((n) => n.Type === 1 && n.Payload.Id === created.body.id);
    const after = await scrape();

    expect(sample(after, 'vaultwave_hub_sockets', { hub: 'hub', client: 'web' })).toBe(sample(before, 'vaultwave_hub_sockets', { hub: 'hub', client: 'web' }) + 1);
    expect(sample(after, 'vaultwave_hub_messages_total', { result: 'queued' })).toBeGreaterThan(sample(before, 'vaultwave_hub_messages_total', { result: 'queued' }));
    expect(sample(after, 'vaultwave_hub_delivery_seconds_count')).toBeGreaterThan(sample(before, 'vaultwave_hub_delivery_seconds_count'));
    expect(sample(after, 'vaultwave_logins_total', { grant: 'password', result: 'ok' })).toBeGreaterThanOrEqual(2);
    expect(sample(after, 'vaultwave_http_request_duration_seconds_count', { method: 'POST', route: '/api/ciphers', status: '2xx' })).toBe(1);
    expect(after).not.toMatch(UUID);
    expect(after).not.toContain(alice.account.email);
  });

  it('is off by default', async () => {
    const off = await createTestApp();
    try {
      expect((await fetch(`${off.baseUrl}/metrics`)).status).toBe(404);
    } finally {
      await off.close();
    }
  }, 60_000);
});
