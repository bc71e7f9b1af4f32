// The admin panel (/admin: server-rendered pages, plain forms, no script) driven in real headless Chromium: a wrong
// token is refused on the page, the right one leads to the users page with each device's live hub sockets, and the
// page's own buttons deauthorise (the user's official SignalR client gets LogOut and is closed), disable (the
// user's password login is refused) and delete. Last, the login limit per client address: after
// ADMIN_RATELIMIT_MAX_BURST attempts the page says so, and the right token is refused too.
//
// SAVE_SCREENSHOTS=1 writes docs/screenshots/admin-login.png (the login page with its error) and
// docs/screenshots/admin-users.png (the users page).
import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { createTestApp, TestApp } from '../support/app';
import { HubClient } from '../support/hub-client';
import { connectHub, newPerson, Person } from '../support/org-harness';
import { passwordLogin, WEB_VAULT } from '../support/test-crypto';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const SCREENSHOTS = resolve(process.cwd(), 'docs/screenshots');
const TOKEN = `plain-admin-token-${randomUUID()}`;
/** Login attempts allowed per address in the window; every POST /admin counts, right token or wrong. */
const BURST = 4;

const launch = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });

async function screenshot(page: Page, file: string): Promise<void> {
  if (process.env.SAVE_SCREENSHOTS !== '1') return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: resolve(SCREENSHOTS, file), fullPage: true });
}

/** A fresh browser context (no cookies) on the admin login page. */
async function openLogin(browser: Browser, t: TestApp): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const res = await page.goto(`${t.baseUrl}/admin`);
  expect(res?.status()).toBe(200);
  await expect(page.title()).resolves.toContain('Admin login');
  return { context, page };
}

/** Types `token` in the password field and submits the form as a person would (Enter); returns the answer's status. */
async function submitToken(page: Page, token: string): Promise<number> {
  const field = page.locator('input[type=password][name=token]');
  await field.fill(token);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/admin'),
    field.press('Enter'),
  ]);
  await page.waitForLoadState('domcontentloaded');
  return response.status();
}

const alertText = (page: Page): Promise<string> => page.getByRole('alert').innerText();

describe('the admin panel in headless Chromium: login, users with live sockets, deauthorise, disable, delete, rate limit', () => {
  let t: TestApp;
  let browser: Browser;
  let admin: Page;
  let alice: Person;
  let bob: Person;
  let carol: Person;
  let aliceHub: HubClient;
  /** POST /admin requests made so far from this address (all of them from 127.0.0.1). */
  let attempts = 0;

  const row = (who: Person) => admin.locator(`tr[data-user="${who.account.email}"]`);
  const button = (action: string, who: Person) => admin.locator(`button[data-action="${action}"][data-email="${who.account.email}"]`);

  /** Clicks the button of `who`'s row and waits for the form post to lead back to the users page. */
  async function clickAction(action: string, who: Person): Promise<void> {
    await Promise.all([
      admin.waitForURL((url) => url.pathname === '/admin/users/overview' && url.searchParams.get('done') === `${action}: done`),
      button(action, who).click(),
    ]);
    await expect(admin.getByRole('status').innerText()).resolves.toBe(`${action}: done`);
  }

  beforeAll(async () => {
    t = await createTestApp({ ADMIN_TOKEN: TOKEN, ADMIN_RATELIMIT_MAX_BURST: String(BURST) }, { reachableDomain: true });
    browser = await launch();
    alice = await newPerson(t, 'alice');
    bob = await newPerson(t, 'bob');
    carol = await newPerson(t, 'carol');
    aliceHub = await connectHub(t, alice.account);
  }, 60_000);
  afterAll(async () => {
    await aliceHub?.stop().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  it('a wrong token typed in the login page is refused with a message, and no session cookie is set', async () => {
    const { context, page } = await openLogin(browser, t);
    expect(await submitToken(page, 'not-the-admin-token')).toBe(401);
    attempts += 1;
    expect(await alertText(page)).toBe('Invalid admin token, please try again.');
    // Still the login form, ready for another try.
    await expect(page.locator('input[type=password][name=token]').isVisible()).resolves.toBe(true);
    expect((await context.cookies()).filter((c) => c.name === 'VW_ADMIN')).toEqual([]);
    await screenshot(page, 'admin-login.png');
    await context.close();
  }, 60_000);

  it('the right token leads to the users page, listing the users and alice\'s live hub socket', async () => {
    const opened = await openLogin(browser, t);
    admin = opened.page;
    expect(await submitToken(admin, TOKEN)).toBe(303);
    attempts += 1;
    expect(new URL(admin.url()).pathname).toBe('/admin/users/overview');
    await expect(admin.title()).resolves.toContain('Users');
    const cookie = (await opened.context.cookies()).find((c) => c.name === 'VW_ADMIN');
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/admin' });

    for (const who of [alice, bob, carol]) {
      await expect(row(who).count()).resolves.toBe(1);
      await expect(row(who).innerText()).resolves.toContain('enabled');
    }
    // alice: the device newPerson logged in with (no socket) and the hub client's own device (one live socket).
    const aliceRow = row(alice);
    expect(await aliceRow.innerHTML()).toContain('1</span> live');
    expect(await aliceRow.innerText()).toMatch(/\b1 live\b/);
    expect(await aliceRow.innerText()).toMatch(/\b0 live\b/);
    for (const who of [bob, carol]) {
      expect(await row(who).innerText()).not.toMatch(/\b1 live\b/);
    }
    await screenshot(admin, 'admin-users.png');
  }, 60_000);

  it('"Deauthorize sessions" on alice\'s row: her official SignalR client gets LogOut and its connection is closed', async () => {
    const closed = new Promise<Error | undefined>((done) => aliceHub.connection.onclose((error) => done(error)));
    await clickAction('deauth', alice);
    const logout = await aliceHub.waitFor((n) => n.Type === 11);
    expect(String(logout.Payload.UserId).toLowerCase()).toBe(alice.userId.toLowerCase());
    // The server ends the connection with a SignalR Close message ("Unauthorized"), which the client reports (and logs).
    expect(String(await closed)).toMatch(/Unauthorized/);
    // Her access token from before is refused too.
    expect((await fetch(`${t.baseUrl}/api/sync`, { headers: { Authorization: `Bearer ${alice.token}` } })).status).toBe(401);
    // The page, reloaded by the form post, shows no live socket for her any more.
    expect(await row(alice).innerText()).not.toMatch(/\b1 live\b/);
  }, 60_000);

  it('"Disable" on bob\'s row: his password login is refused, and the page shows him disabled', async () => {
    await clickAction('disable', bob);
    await expect(passwordLogin(t.baseUrl, bob.account, { ...WEB_VAULT, identifier: randomUUID() })).rejects.toThrow(/This user has been disabled/);
    expect(await row(bob).innerText()).toMatch(/\bdisabled\b/);
    await expect(button('enable', bob).count()).resolves.toBe(1);
    await expect(button('disable', bob).count()).resolves.toBe(0);
    // Nobody else was disabled with him.
    expect(await row(alice).innerText()).toMatch(/\benabled\b/);
    expect(await row(carol).innerText()).toMatch(/\benabled\b/);
  }, 60_000);

  it('"Delete" on carol\'s row: the page reloads without her, and her login is refused', async () => {
    await clickAction('delete', carol);
    await expect(row(carol).count()).resolves.toBe(0);
    expect(await admin.content()).not.toContain(carol.account.email);
    await expect(row(alice).count()).resolves.toBe(1);
    await expect(row(bob).count()).resolves.toBe(1);
    await expect(passwordLogin(t.baseUrl, carol.account, { ...WEB_VAULT, identifier: randomUUID() })).rejects.toThrow();
  }, 60_000);

  it(`after ${BURST} attempts from one address the login page says "Too many requests", and the right token is refused too`, async () => {
    const { context, page } = await openLogin(browser, t);
    while (attempts < BURST) {
      expect(await submitToken(page, `wrong-${attempts}`)).toBe(401);
      attempts += 1;
      expect(await alertText(page)).toBe('Invalid admin token, please try again.');
    }
    expect(await submitToken(page, 'wrong-once-more')).toBe(429);
    expect(await alertText(page)).toBe('Too many requests, try again later.');
    // The limit is per client address, not per token: the right one is refused as well, with no session.
    expect(await submitToken(page, TOKEN)).toBe(429);
    expect(await alertText(page)).toBe('Too many requests, try again later.');
    expect(new URL(page.url()).pathname).toBe('/admin');
    expect((await context.cookies()).filter((c) => c.name === 'VW_ADMIN')).toEqual([]);
    // A fresh browser context is the same address: still limited.
    const fresh = await openLogin(browser, t);
    expect(await submitToken(fresh.page, TOKEN)).toBe(429);
    expect(await alertText(fresh.page)).toBe('Too many requests, try again later.');
    // The session that logged in before the limit was hit still works: the limit only gates logins.
    await admin.reload();
    expect(new URL(admin.url()).pathname).toBe('/admin/users/overview');
    await expect(row(alice).count()).resolves.toBe(1);
    await fresh.context.close();
    await context.close();
  }, 60_000);
});
