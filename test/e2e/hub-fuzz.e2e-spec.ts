import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { ConnectionRegistry } from '../../src/notifications/connection-registry';
import { createTestApp, TestApp } from '../support/app';
import { HubClient } from '../support/hub-client';
import { sleep } from '../support/raw-ws';
import { createPbkdf2User, encryptType2, passwordLogin, WEB_VAULT } from '../support/test-crypto';

/** Small deterministic PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VALID_HANDSHAKES = ['{"protocol":"messagepack","version":1}\u001e', '{"protocol":"json","version":1}\u001e'];

describe('fuzz: random handshakes and frames against a live hub', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ HUB_MAX_CONNECTIONS_PER_USER: '1000' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('the server survives, releases every socket and keeps delivering', async () => {
    const seed = 20261128;
    const random = prng(seed);
    const account = await createPbkdf2User(t.baseUrl, `fuzz-${randomUUID()}@example.com`, 'pw', 5_000);
    const { access_token } = await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() });
    const url = `${t.baseUrl.replace('https://', 'wss://')}/notifications/hub`;
    const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));

    const rounds = 150;
    for (let batch = 0; batch < rounds; batch += 15) {
      await Promise.all(
        Array.from({ length: 15 }, async () => {
          const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${access_token}` } });
          ws.on('error', () => undefined);
          await new Promise<void>((resolve) => {
            ws.once('open', () => resolve());
            ws.once('close', () => resolve());
          });
          if (ws.readyState !== ws.OPEN) return;
          const roll = random();
          if (roll < 0.4) ws.send(VALID_HANDSHAKES[Math.floor(random() * 2)]!, { binary: false });
          else if (roll < 0.6) ws.send(bytes(Math.floor(random() * 64)), { binary: random() < 0.5 });
          else if (roll < 0.7) ws.send(`{"protocol":"${bytes(4).toString('hex')}","version":${Math.floor(random() * 3)}}\u001e`, { binary: false });
          const frames = Math.floor(random() * 6);
          for (let i = 0; i < frames && ws.readyState === ws.OPEN; i++) {
            const kind = random();
            if (kind < 0.3) ws.send(bytes(Math.floor(random() * 5000)), { binary: true });
            else if (kind < 0.5) ws.send(Buffer.concat([Buffer.from([Math.floor(random() * 128)]), bytes(Math.floor(random() * 40))]), { binary: true });
            else if (kind < 0.7) ws.send(bytes(Math.floor(random() * 300)).toString('latin1'), { binary: false });
            else ws.send(Buffer.from([0x02, 0x91, 0x06]), { binary: true });
          }
          await sleep(Math.floor(random() * 30));
          if (random() < 0.5) ws.terminate();
          else ws.close();
        }),
      );
    }

    expect((await fetch(`${t.baseUrl}/alive`)).status).toBe(200);
    const registry = t.app.get(ConnectionRegistry);
    for (let i = 0; i < 200 && registry.size > 0; i++) await sleep(50);
    expect(registry.size).toBe(0);

    const hub = await HubClient.connect(t.baseUrl, access_token);
    const folder = (await (await fetch(`${t.baseUrl}/api/folders`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${access_token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: encryptType2('after fuzz', account.secrets.userKey) }),
    })).json()) as { id: string };
    await hub.waitFor((m) => m.Type === 7 && m.Payload.Id === folder.id);
    await hub.stop();
  }, 120_000);
});
