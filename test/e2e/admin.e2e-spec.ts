// The admin panel over HTTP as a browser and as an admin script use it: off without a token, login with an Argon2
// PHC token (wrong ones refused, then rate-limited), the users with their devices and live hub sockets, and the
// actions: deauthorise (the user's official SignalR client gets LogOut and is closed), disable, enable, delete.
import argon2 from 'argon2';
import { randomUUID } from 'node:crypto';
import { createTestApp, TestApp } from '../support/app';
import { HubClient } from '../support/hub-client';
import { TestSmtpServer } from '../support/smtp-server';
import { connectHub, newPerson, Person } from '../support/org-harness';
import { createPbkdf2User, passwordLogin, WEB_VAULT } from '../support/test-crypto';

const TOKEN = 'correct-admin-token-for-tests';

async function form(t: TestApp, path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${t.baseUrl}${path}`, {
    method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: new URL(t.baseUrl).origin, ...headers }, body: new URLSearchParams(fields),
  });
}

async function adminLogin(t: TestApp, token = TOKEN): Promise<string> {
  const res = await form(t, '/admin', { token });
  expect(res.status).toBe(303);
  const cookie = res.headers.get('set-cookie') ?? '';
  expect(cookie).toMatch(/^VW_ADMIN=[^;]+; Path=\/admin; Max-Age=1200; HttpOnly; SameSite=Strict; Secure$/);
  return cookie.split(';')[0] as string;
}

const adminJson = (t: TestApp, cookie: string, method: string, path: string, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(`${t.baseUrl}${path}`, { method, headers: { Cookie: cookie, 'Content-Type': 'application/json', ...headers } });

describe('admin panel: off without ADMIN_TOKEN', () => {
  it('answers 404 everywhere under /admin', async () => {
    const t = await createTestApp();
    try {
      expect((await fetch(`${t.baseUrl}/admin`)).status).toBe(404);
      expect((await fetch(`${t.baseUrl}/admin/users`)).status).toBe(404);
      expect((await form(t, '/admin', { token: 'anything' })).status).toBe(404);
    } finally {
      await t.close();
    }
  }, 60_000);
});

describe('admin panel: DISABLE_ADMIN_TOKEN', () => {
  it('opens the panel without any token (for a panel the proxy protects)', async () => {
    const t = await createTestApp({ DISABLE_ADMIN_TOKEN: 'true' }, { reachableDomain: true });
    try {
      expect((await fetch(`${t.baseUrl}/admin/users`)).status).toBe(200);
      expect((await fetch(`${t.baseUrl}/admin`, { redirect: 'manual' })).status).toBe(303);
    } finally {
      await t.close();
    }
  }, 60_000);
});

describe('admin panel: reached at another address than DOMAIN', () => {
  it('logs in and acts when the browser\'s Origin is the host it sent the request to (DOMAIN names no port here)', async () => {
    const t = await createTestApp({ ADMIN_TOKEN: TOKEN });
    try {
      expect(t.config.domain.origin).toBe('https://127.0.0.1');
      const cookie = await adminLogin(t);
      expect((await adminJson(t, cookie, 'GET', '/admin/users')).status).toBe(200);
    } finally {
      await t.close();
    }
  }, 60_000);
});

describe('admin panel: login', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ ADMIN_TOKEN: await argon2.hash(TOKEN, { type: argon2.argon2id }), ADMIN_RATELIMIT_MAX_BURST: '3' }, { reachableDomain: true });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('shows the login form; a wrong token is refused, then the address is rate-limited even with the right one', async () => {
    const page = await fetch(`${t.baseUrl}/admin`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('name="token"');
    const first = await form(t, '/admin', { token: 'wrong' });
    expect(first.status).toBe(401);
    expect(await first.text()).toContain('Invalid admin token, please try again.');
    expect(first.headers.get('set-cookie')).toBeNull();
    expect((await form(t, '/admin', { token: 'also wrong' })).status).toBe(401);
    expect((await form(t, '/admin', { token: TOKEN })).status).toBe(303);
    const limited = await form(t, '/admin', { token: TOKEN });
    expect(limited.status).toBe(429);
    expect(await limited.text()).toContain('Too many requests');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('without a session the JSON routes answer 401 and the pages the login form', async () => {
    expect((await fetch(`${t.baseUrl}/admin/users`)).status).toBe(401);
    expect((await adminJson(t, 'VW_ADMIN=forged.token.value', 'GET', '/admin/users')).status).toBe(401);
    const overview = await fetch(`${t.baseUrl}/admin/users/overview`);
    expect(overview.status).toBe(401);
    expect(await overview.text()).toContain('name="token"');
  });
});

describe('admin panel: users and actions', () => {
  let t: TestApp;
  let cookie: string;
  let alice: Person;
  let aliceHub: HubClient;

  beforeAll(async () => {
    t = await createTestApp({ ADMIN_TOKEN: TOKEN }, { reachableDomain: true });
    cookie = await adminLogin(t);
    alice = await newPerson(t, 'alice');
    aliceHub = await connectHub(t, alice.account);
  }, 60_000);
  afterAll(async () => {
    await aliceHub?.stop().catch(() => undefined);
    await t?.close();
  });

  it('lists the users with 2FA state, devices and their live hub sockets (JSON and page)', async () => {
    const res = await adminJson(t, cookie, 'GET', '/admin/users');
    expect(res.status).toBe(200);
    const users = (await res.json()) as Array<{ id: string; email: string; userEnabled: boolean; twoFactorEnabled: boolean; liveSockets: number; devices: Array<{ liveSockets: number }> }>;
    const listed = users.find((u) => u.email === alice.account.email);
    expect(listed).toMatchObject({ id: alice.userId, userEnabled: true, twoFactorEnabled: false, liveSockets: 1 });
    expect(listed?.devices).toHaveLength(2);
    expect(listed?.devices.map((d) => d.liveSockets).sort()).toEqual([0, 1]);
    const byMail = await adminJson(t, cookie, 'GET', `/admin/users/by-mail/${encodeURIComponent(alice.account.email)}`);
    expect(await byMail.json()).toMatchObject({ id: alice.userId });
    const page = await (await fetch(`${t.baseUrl}/admin/users/overview`, { headers: { Cookie: cookie } })).text();
    expect(page).toContain(alice.account.email);
    expect(page).toContain('1</span> live');
  });

  it('deauthorise: the live official client gets LogOut and is closed; the old token is refused', async () => {
    const closed = new Promise<void>((resolve) => aliceHub.connection.onclose(() => resolve()));
    const res = await adminJson(t, cookie, 'POST', `/admin/users/${alice.userId}/deauth`);
    expect(res.status).toBe(200);
    const logout = await aliceHub.waitFor((n) => n.Type === 11);
    expect(logout.Payload.UserId).toBe(alice.userId);
    await closed;
    expect((await fetch(`${t.baseUrl}/api/sync`, { headers: { Authorization: `Bearer ${alice.token}` } })).status).toBe(401);
  });

  it('disable refuses logins with a clear message; enable lets them in again', async () => {
    const bob = await newPerson(t, 'bob');
    expect((await adminJson(t, cookie, 'POST', `/admin/users/${bob.userId}/disable`)).status).toBe(200);
    await expect(passwordLogin(t.baseUrl, bob.account, { ...WEB_VAULT, identifier: randomUUID() })).rejects.toThrow(/This user has been disabled/);
    const listed = (await (await adminJson(t, cookie, 'GET', `/admin/users/${bob.userId}`)).json()) as { userEnabled: boolean };
    expect(listed.userEnabled).toBe(false);
    // The page's own form (same origin): back to the overview.
    const enabled = await form(t, `/admin/users/${bob.userId}/enable`, {}, { Cookie: cookie });
    expect(enabled.status).toBe(303);
    expect((await passwordLogin(t.baseUrl, bob.account, { ...WEB_VAULT, identifier: randomUUID() })).access_token).toBeTruthy();
  });

  it('a cross-site post is refused and changes nothing; delete removes the account', async () => {
    const carol = await newPerson(t, 'carol');
    const forged = await form(t, `/admin/users/${carol.userId}/delete`, {}, { Cookie: cookie, Origin: 'https://evil.example' });
    expect(forged.status).toBe(403);
    const sameSite = await form(t, `/admin/users/${carol.userId}/delete`, {}, { Cookie: cookie, 'Sec-Fetch-Site': 'same-site' });
    expect(sameSite.status).toBe(403);
    expect((await adminJson(t, cookie, 'GET', `/admin/users/${carol.userId}`)).status).toBe(200);
    expect((await adminJson(t, cookie, 'POST', `/admin/users/${carol.userId}/delete`)).status).toBe(200);
    expect((await adminJson(t, cookie, 'GET', `/admin/users/${carol.userId}`)).status).toBe(404);
    await expect(passwordLogin(t.baseUrl, carol.account, { ...WEB_VAULT, identifier: randomUUID() })).rejects.toThrow();
  });

  it('logout clears the cookie', async () => {
    const res = await fetch(`${t.baseUrl}/admin/logout`, { headers: { Cookie: cookie }, redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('set-cookie')).toMatch(/^VW_ADMIN=; Path=\/admin; Max-Age=0/);
  });
});

describe('admin panel: diagnostics and the test mail', () => {
  it('shows the diagnostics and sends a test mail through the configured SMTP server', async () => {
    const smtp = await TestSmtpServer.start({ security: 'off' });
    const t = await createTestApp(smtp.env({ ADMIN_TOKEN: TOKEN, HUB_PING_INTERVAL_SECONDS: '1' }), { reachableDomain: true });
    try {
      const cookie = await adminLogin(t);
      const facts = (await (await adminJson(t, cookie, 'GET', '/admin/diagnostics/config')).json()) as Record<string, unknown>;
      expect(facts).toMatchObject({ database: 'better-sqlite3', mail: true, websocketHub: true, pushRelay: false, adminTokenKind: 'plain text' });
      const page = await (await fetch(`${t.baseUrl}/admin/diagnostics`, { headers: { Cookie: cookie } })).text();
      expect(page).toContain('Send a test mail');
      const sent = await form(t, '/admin/test/smtp', { email: 'admin@example.test' }, { Cookie: cookie });
      expect(sent.status).toBe(303);
      const mail = await smtp.waitFor('the test mail', () => smtp.mailsTo('admin@example.test')[0]);
      expect(mail.subject).toContain('Test mail from the admin panel');
      expect((await adminJson(t, cookie, 'POST', '/admin/test/smtp', {}).then((r) => r.status))).toBe(400);
      // The WebSocket doctor from the server to its own DOMAIN: every anonymous hop passes.
      const doctor = (await (await adminJson(t, cookie, 'GET', '/admin/diagnostics/doctor')).json()) as { findings: Array<{ check: string; status: string }> };
      expect(doctor.findings.slice(0, 4).map((f) => [f.check, f.status])).toEqual([['url', 'pass'], ['alive', 'pass'], ['config', 'pass'], ['anonymous-hub', 'pass']]);
      expect(doctor.findings.filter((f) => f.status === 'fail')).toEqual([]);
      const doctorPage = await (await fetch(`${t.baseUrl}/admin/diagnostics?doctor=1`, { headers: { Cookie: cookie } })).text();
      expect(doctorPage).toContain('All checks passed');
    } finally {
      await t.close();
      await smtp.close();
    }
  }, 60_000);
});

describe('admin panel: invitations', () => {
  it('an invited address may register while signups are closed, gets the invitation by mail, and leaves the pending list when it does', async () => {
    const smtp = await TestSmtpServer.start({ security: 'off' });
    const t = await createTestApp(smtp.env({ ADMIN_TOKEN: TOKEN, SIGNUPS_ALLOWED: 'false' }), { reachableDomain: true });
    try {
      const cookie = await adminLogin(t);
      const email = `invited-${randomUUID()}@example.com`;
      await expect(createPbkdf2User(t.baseUrl, email, 'pw', 5_000)).rejects.toThrow();
      const invited = await form(t, '/admin/invite', { email }, { Cookie: cookie });
      expect(invited.status).toBe(303);
      const mail = await smtp.waitFor('the invitation', () => smtp.mailsTo(email)[0]);
      expect(mail.text).toContain(`/#/register?email=${encodeURIComponent(email)}`);
      expect(await (await fetch(`${t.baseUrl}/admin/users/overview`, { headers: { Cookie: cookie } })).text()).toContain(email);
      expect((await form(t, '/admin/invite/resend', { email }, { Cookie: cookie })).status).toBe(303);
      await smtp.waitFor('the second invitation', () => smtp.mailsTo(email).length === 2);
      const account = await createPbkdf2User(t.baseUrl, email, 'pw', 5_000);
      expect((await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() })).access_token).toBeTruthy();
      const again = await adminJson(t, cookie, 'POST', '/admin/invite', {});
      expect(again.status).toBe(400);
      const existing = await fetch(`${t.baseUrl}/admin/invite`, { method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/json' }, body: JSON.stringify({ email }) });
      expect(await existing.json()).toMatchObject({ message: 'User already exists' });
      expect(await (await fetch(`${t.baseUrl}/admin/users/overview`, { headers: { Cookie: cookie } })).text()).not.toContain('Pending invitations');
    } finally {
      await t.close();
      await smtp.close();
    }
  }, 60_000);
});
