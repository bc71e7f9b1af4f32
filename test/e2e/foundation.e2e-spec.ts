import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp, TestApp } from '../support/app';

describe('foundation over HTTPS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('GET /alive answers the current time as JSON and the SQLite file exists in DATA_FOLDER', async () => {
    const res = await fetch(`${t.baseUrl}/alive`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await res.json()) as string;
    expect(Math.abs(Date.parse(body) - Date.now())).toBeLessThan(60_000);
    expect(existsSync(join(t.dataFolder, 'db.sqlite3'))).toBe(true);
  });

  it('GET /api/version and /api/alive answer', async () => {
    expect(await (await fetch(`${t.baseUrl}/api/version`)).json()).toBe('2026.6.0');
    expect((await fetch(`${t.baseUrl}/api/alive`)).status).toBe(200);
  });

  it('unknown route → 404 with the Bitwarden error body', async () => {
    const res = await fetch(`${t.baseUrl}/api/does-not-exist`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      message: 'Resource not found.',
      validationErrors: { '': ['Resource not found.'] },
      errorModel: { message: 'Resource not found.', object: 'error' },
      error: '',
      error_description: '',
      exceptionMessage: null,
      exceptionStackTrace: null,
      innerExceptionMessage: null,
      object: 'error',
    });
  });

  it('malformed JSON → 400 with a message, never 500', async () => {
    const res = await fetch(`${t.baseUrl}/api/accounts/prelogin`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"email":' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { message: string; object: string };
    expect(body.message).toBe('The request body is not valid JSON.');
    expect(body.object).toBe('error');
  });

  it('oversized body → 413 with the Bitwarden error body', async () => {
    const big = JSON.stringify({ email: 'x'.repeat(3 * 1024 * 1024) });
    const res = await fetch(`${t.baseUrl}/api/accounts/prelogin`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: big });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { message: string }).message).toBe('The request body is too large.');
  });
});
