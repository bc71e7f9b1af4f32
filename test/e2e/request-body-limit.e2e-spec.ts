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
