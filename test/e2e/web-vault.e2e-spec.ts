// The web vault served from WEB_VAULT_FOLDER (the official build of ../shared/web-vault), at the root and under a
// DOMAIN path: types, caching, Vaultwarden's security headers, app-id.json, and the API untouched by it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, TestApp } from '../support/app';
import { call, createOrganization, newPerson } from '../support/org-harness';
import { uploadAttachment } from '../support/attachments';
import { encryptType2 } from '../support/test-crypto';
import { decodeJwtPayload } from '../support/test-crypto';
import { webVaultFolder } from '../support/web-vault';

describe('web vault', () => {
  let t: TestApp;
  let origin: string;

  beforeAll(async () => {
    t = await createTestApp({ WEB_VAULT_FOLDER: webVaultFolder() }, { reachableDomain: true });
    origin = new URL(t.baseUrl).origin;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('/ is the web vault\'s index.html, never cached, with the security headers and a CSP that lets it run', async () => {
    const res = await fetch(`${t.baseUrl}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache, no-store, max-age=0');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('permissions-policy')).toContain('camera=()');
    const html = await res.text();
    expect(html).toContain('<app-root');
  });

  it('hashed assets are cached a year with their type; the others a week; a missing file is a 404', async () => {
    const html = await (await fetch(`${t.baseUrl}/`)).text();
    const script = /src="([^"]*app\/main\.[0-9a-f]+\.js)"/.exec(html)?.[1] ?? /src="([^"]+\.[0-9a-f]{8,}\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const js = await fetch(new URL(script as string, `${t.baseUrl}/`));
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await js.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    const icon = await fetch(`${t.baseUrl}/images/icons/favicon-32x32.png`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/png');
    expect(icon.headers.get('cache-control')).toBe('public, max-age=604800');
    await icon.arrayBuffer();
    expect((await fetch(`${t.baseUrl}/no-such-file.js`)).status).toBe(404);
    expect((await fetch(`${t.baseUrl}/../../etc/passwd`)).status).toBe(404);
  });

  it('the connector pages come without CSP or frame refusal (they run in frames and popups); app-id.json names the origin', async () => {
    const connector = await fetch(`${t.baseUrl}/webauthn-connector.html`);
    expect(connector.status).toBe(200);
    expect(connector.headers.get('content-security-policy')).toBeNull();
    expect(connector.headers.get('x-frame-options')).toBeNull();
    expect(await connector.text()).toContain('<html');
    const appId = await fetch(`${t.baseUrl}/app-id.json`);
    expect(appId.headers.get('content-type')).toMatch(/^application\/fido\.trusted-apps\+json/);
    expect(((await appId.json()) as { trustedFacets: Array<{ ids: string[] }> }).trustedFacets[0]?.ids[0]).toBe(origin);
    const index = await fetch(`${t.baseUrl}/index.html`, { redirect: 'manual' });
    expect(index.status).toBe(302);
    expect(index.headers.get('location')).toBe('/');
  });

  it('the API keeps its JSON errors; POST is never served from the folder', async () => {
    for (const path of ['/api/nothing-here', '/identity/nothing-here', '/api']) {
      const res = await fetch(`${t.baseUrl}${path}`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
    }
    expect((await fetch(`${t.baseUrl}/api/config`)).headers.get('content-type')).toMatch(/application\/json/);
    expect((await fetch(`${t.baseUrl}/`, { method: 'POST' })).status).toBe(404);
  });
});

describe('GET /api/devices/knowndevice (the web vault asks it before the password grant)', () => {
  it('answers a JSON boolean: true only for a device the account has logged in from', async () => {
    const t = await createTestApp();
    try {
      const alice = await newPerson(t, 'alice');
      const device = String(decodeJwtPayload(alice.token).device);
      const ask = async (email: string, identifier: string): Promise<unknown> => {
        const res = await fetch(`${t.baseUrl}/api/devices/knowndevice`, { headers: { 'X-Request-Email': Buffer.from(email).toString('base64url'), 'X-Device-Identifier': identifier } });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        return res.json();
      };
      expect(await ask(alice.account.email, device)).toBe(true);
      expect(await ask(alice.account.email.toUpperCase(), device)).toBe(true);
      expect(await ask(alice.account.email, '00000000-0000-4000-8000-000000000000')).toBe(false);
      expect(await ask('nobody@example.com', device)).toBe(false);
      expect(await (await fetch(`${t.baseUrl}/api/devices/knowndevice`)).json()).toBe(false);
      expect(await (await fetch(`${t.baseUrl}/api/devices/knowndevice/${encodeURIComponent(alice.account.email)}/${device}`)).json()).toBe(true);
    } finally {
      await t.close();
    }
  }, 60_000);
});

describe('the reads of the web vault\'s settings and organization pages', () => {
  it('subscriptions report the attachment storage; passkeys and emergency contacts are empty lists; outsiders get 404', async () => {
    const t = await createTestApp({ USER_ATTACHMENT_LIMIT: String(2 * 1024 * 1024) });
    try {
      const alice = await newPerson(t, 'alice');
      const empty = { object: 'list', data: [], continuationToken: null };
      for (const path of ['/api/webauthn', '/api/emergency-access/trusted', '/api/emergency-access/granted']) {
        expect(await call(t, alice.token, 'GET', path)).toEqual({ status: 200, body: empty });
      }
      expect(await call(t, alice.token, 'GET', '/api/accounts/subscription')).toEqual({
        status: 200,
        body: { object: 'subscription', storageName: null, storageGb: null, maxStorageGb: 2, subscription: null, upcomingInvoice: null, license: null, expiration: null },
      });
      const key = alice.account.secrets.userKey;
      const cipher = (await call(t, alice.token, 'POST', '/api/ciphers', { type: 2, name: encryptType2('n', key), secureNote: { type: 0 } })).body;
      const bytes = Buffer.alloc(1536, 7);
      const created = await call(t, alice.token, 'POST', `/api/ciphers/${cipher.id}/attachment/v2`, { key: encryptType2('k', key), fileName: encryptType2('f', key), fileSize: bytes.length, lastKnownRevisionDate: cipher.revisionDate });
      expect((await uploadAttachment(t, alice.token, cipher.id, created.body.attachmentId, bytes, encryptType2('f', key))).status).toBe(200);
      expect((await call(t, alice.token, 'GET', '/api/accounts/subscription')).body).toMatchObject({ storageName: '1.5 KB', storageGb: 0 });
      const org = await createOrganization(t, alice, 'Family');
      const sub = await call(t, alice.token, 'GET', `/api/organizations/${org.id}/subscription`);
      expect(sub).toMatchObject({ status: 200, body: { object: 'organizationSubscription', id: org.id, storageName: null, maxStorageGb: 10240, subscription: null, upcomingInvoice: null } });
      const outsider = await newPerson(t, 'outsider');
      expect((await call(t, outsider.token, 'GET', `/api/organizations/${org.id}/subscription`)).status).toBe(404);
      expect((await call(t, null, 'GET', '/api/emergency-access/trusted')).status).toBe(401);
    } finally {
      await t.close();
    }
  }, 60_000);
});

describe('web vault under a DOMAIN path, and without a build', () => {
  it('is served at the base path', async () => {
    const t = await createTestApp({ WEB_VAULT_FOLDER: webVaultFolder(), DOMAIN: 'https://127.0.0.1/vault' });
    try {
      const res = await fetch(`${t.baseUrl}/`);
      expect(t.baseUrl).toMatch(/\/vault$/);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<app-root');
      expect((await fetch(`${t.baseUrl}/index.html`, { redirect: 'manual' })).headers.get('location')).toBe('/vault/');
    } finally {
      await t.close();
    }
  }, 60_000);

  it('without a build, / says where to put one; with WEB_VAULT_ENABLED=false nothing is served', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-web-vault-'));
    const t = await createTestApp({ WEB_VAULT_FOLDER: empty });
    try {
      const res = await fetch(`${t.baseUrl}/`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('WEB_VAULT_FOLDER');
    } finally {
      await t.close();
    }
    const off = await createTestApp({ WEB_VAULT_FOLDER: webVaultFolder(), WEB_VAULT_ENABLED: 'false' });
    try {
      expect((await fetch(`${off.baseUrl}/`)).status).toBe(404);
    } finally {
      await off.close();
    }
  }, 60_000);
});
