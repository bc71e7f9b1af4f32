import { createTestApp, TestApp } from '../support/app';

/** REQUEST_BODY_LIMIT with a unit is that many bytes (2K = 2048), for JSON and form bodies alike. */
describe('REQUEST_BODY_LIMIT=2K', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ REQUEST_BODY_LIMIT: '2K' });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  // JSON allows any amount of whitespace, so the body's size changes and its meaning does not.
  const prelogin = (size: number) => {
    const json = JSON.stringify({ email: 'nobody@example.com' });
    return fetch(`${t.baseUrl}/identity/accounts/prelogin/password`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: json.slice(0, -1) + ' '.repeat(size - json.length) + '}',
    });
  };

  it('is 2048 bytes in the configuration', () => {
    expect(t.config.requestBodyLimit).toBe(2048);
  });

  it('a JSON body of 2048 bytes is accepted; 2049 bytes → 413', async () => {
    expect((await prelogin(2048)).status).toBe(200);
    expect((await prelogin(2049)).status).toBe(413);
  });

  it('a form body over 2048 bytes → 413', async () => {
    const res = await fetch(`${t.baseUrl}/identity/connect/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'x'.repeat(2100) }).toString(),
    });
    expect(res.status).toBe(413);
  });
});

/** The routes that carry a whole vault (import, key rotation) take BULK_REQUEST_BODY_LIMIT; the rest stay small. */
describe('BULK_REQUEST_BODY_LIMIT', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ REQUEST_BODY_LIMIT: '2K', BULK_REQUEST_BODY_LIMIT: '8K' });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const post = (path: string, size: number): Promise<Response> =>
    fetch(`${t.baseUrl}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: `{"ciphers":[]${' '.repeat(size - 14)}}` });

  it('a 6K body reaches the import and the rotation (their answer is the missing login, 401), not elsewhere (413); past 8K it is 413 there too', async () => {
    for (const path of ['/api/ciphers/import', '/api/ciphers/import-organization', '/api/accounts/key-management/rotate-user-account-keys']) {
      expect((await post(path, 6 * 1024)).status).toBe(401);
      expect((await post(path, 8 * 1024 + 1)).status).toBe(413);
    }
    expect((await post('/api/ciphers', 6 * 1024)).status).toBe(413);
    expect((await post('/api/ciphers/import/extra', 6 * 1024)).status).toBe(413);
  });

  it('never falls below REQUEST_BODY_LIMIT', async () => {
    const app = await createTestApp({ REQUEST_BODY_LIMIT: '16K', BULK_REQUEST_BODY_LIMIT: '4K' });
    try {
      expect(app.config.bulkRequestBodyLimit).toBe(16 * 1024);
    } finally {
      await app.close();
    }
  });
});
