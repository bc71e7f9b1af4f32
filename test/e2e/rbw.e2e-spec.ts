// rbw (the unofficial Rust Bitwarden CLI) against the server: an isolated rbw profile with a scripted pinentry and
// the test CA, and the official CLI as a second device of the same account.
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { createTestApp, TestApp } from '../support/app';
import { BwProfile } from '../support/bw-cli';
import { describeWithRbw, RBW_VERSION, RbwProfile, withCaFetch } from '../support/rbw';
import { createPbkdf2User, passwordLogin, TestAccount, WEB_VAULT } from '../support/test-crypto';

/** rustls refuses a CA:TRUE certificate as the server's own, so this server gets a leaf signed by a test CA. */
const TLS_CA = resolve(process.cwd(), 'test/fixtures/tls-ca');
const CA_FILE = resolve(TLS_CA, 'ca.pem');
const LEAF_CERT = resolve(TLS_CA, 'cert.pem');
const LEAF_KEY = resolve(TLS_CA, 'key.pem');

/** What rbw-agent logs when a sync or the hub connection fails because of the server (not the local file race). */
const SERVER_TROUBLE = /failed to sync database from server|failed to subscribe to notifications|websocket error/;

/** How long a change made by another device may take to reach `rbw list` through the agent's hub connection. */
const HUB_DEADLINE_MS = 20_000;

interface BwItem {
  id: string;
  name: string;
  notes: string | null;
  folderId: string | null;
  deletedDate: string | null;
  login?: { username: string | null; password: string | null; totp: string | null; uris?: Array<{ uri: string; match: number | null }> };
  passwordHistory?: Array<{ password: string; lastUsedDate: string }> | null;
}
interface RbwEntry {
  id: string;
  folder: string | null;
  name: string;
  data: { username: string | null; password: string | null; totp: string | null; uris: Array<{ uri: string; match_type: string | null }> | null };
  notes: string | null;
  history: Array<{ last_used_date: string; password: string }>;
}
interface SyncedCipher { id: string; login?: Record<string, unknown> }

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Every key path of a JSON value: login → ['username', …, 'uris', 'uris[].uri', 'uris[].match']. */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => keyPaths(v, `${prefix}[]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return [path, ...keyPaths(v, path)];
  });
}

describeWithRbw(`rbw ${RBW_VERSION}: add, edit, list, get, sync and remove against the server`, (binaries) => {
  const password = 'correct horse battery staple';
  const email = `rbw-${randomUUID()}@example.com`;
  let t: TestApp;
  let account: TestAccount;
  let rbw: RbwProfile;
  let bw: BwProfile; // the official CLI: another device of the same user
  const otherDeviceItems: string[] = []; // ids of the items the official CLI created

  beforeAll(async () => {
    t = await createTestApp({ ROCKET_TLS: `{certs="${LEAF_CERT}",key="${LEAF_KEY}"}` });
    account = await withCaFetch(CA_FILE, () => createPbkdf2User(t.baseUrl, email, password, 5_000));
    rbw = new RbwProfile(binaries, CA_FILE);
    await rbw.configure({ baseUrl: t.baseUrl, email, password });
    bw = new BwProfile(CA_FILE);
    await bw.login(t.baseUrl, email, password);
  }, 120_000);

  afterAll(async () => {
    await rbw?.stop();
    await t?.close();
    if (bw) rmSync(bw.appDataDir, { recursive: true, force: true });
  }, 30_000);

  /** `rbw list --fields id,name,user,folder`, one tab-separated line per entry. */
  const rbwList = async (): Promise<string[]> => (await rbw.ok(['list', '--fields', 'id,name,user,folder'])).split('\n').filter(Boolean);

  /** Polls `rbw list` (never `rbw sync`) until `done` holds or the deadline passes; returns the last listing. */
  const rbwListUntil = async (done: (lines: string[]) => boolean): Promise<string[]> => {
    const deadline = Date.now() + HUB_DEADLINE_MS;
    for (;;) {
      const lines = await rbwList();
      if (done(lines) || Date.now() >= deadline) return lines;
      await sleep(250);
    }
  };

  /** The official CLI's view after `bw sync`. */
  const bwItem = async (id: string): Promise<BwItem> => {
    expect((await bw.run(['sync'])).code).toBe(0);
    return bw.json<BwItem>(['get', 'item', id]);
  };

  it(`is rbw ${RBW_VERSION}`, async () => {
    expect((await rbw.ok(['--version'])).trim()).toBe(`rbw ${RBW_VERSION}`);
  });

  it('logs in and unlocks with the master password from the scripted pinentry, over TLS with the test CA', async () => {
    expect((await rbw.run(['unlocked'])).code).not.toBe(0); // no agent yet
    await rbw.ok(['login'], { timeoutMs: 60_000 });
    expect(rbw.pinentryPrompts()).toBe(1);
    expect(rbw.pinentryCommands()).toContain('SETPROMPT Master Password');
    expect(rbw.agentPid()).toEqual(expect.any(Number));
    await rbw.ok(['unlocked']); // login unlocked the agent too
    expect(await rbwList()).toEqual([]); // a new account: empty vault

    await rbw.ok(['lock']);
    expect((await rbw.run(['unlocked'])).code).not.toBe(0);
    rbw.setPinentryPassword('not the master password');
    const wrong = await rbw.run(['unlock'], { timeoutMs: 60_000 });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('failed to unlock database');
    expect(rbw.pinentryPrompts()).toBe(4); // rbw asks three times before giving up
    expect((await rbw.run(['unlocked'])).code).not.toBe(0);

    rbw.setPinentryPassword(password);
    await rbw.ok(['unlock'], { timeoutMs: 60_000 });
    expect(rbw.pinentryPrompts()).toBe(5);
    await rbw.ok(['unlocked']);
    expect(rbw.agentLog()).not.toMatch(SERVER_TROUBLE);
  }, 120_000);

  it('changes made by another device reach `rbw list` without `rbw sync` (agent hub connection); `rbw remove` deletes for every device', async () => {
    // Created by the official CLI: appears in rbw's local database through a hub message to rbw-agent.
    const created = await bw.json<BwItem>(['create', 'item', BwProfile.encode({
      type: 1, name: 'From the other device', notes: null,
      login: { username: 'carol', password: 'other-device-pass', totp: null, uris: [] },
    })]);
    otherDeviceItems.push(created.id);
    const line = `${created.id}\tFrom the other device\tcarol\t`;
    expect(await rbwListUntil((lines) => lines.includes(line))).toEqual([line]);
    expect((await rbw.ok(['get', 'From the other device'])).trim()).toBe('other-device-pass');

    // Moved to the trash by the official CLI: rbw drops trashed items, again without `rbw sync`.
    expect((await bw.run(['delete', 'item', created.id])).code).toBe(0);
    expect(await rbwListUntil((lines) => lines.length === 0)).toEqual([]);

    // A second item from the other device, then `rbw remove` deletes it on the server.
    const doomed = await bw.json<BwItem>(['create', 'item', BwProfile.encode({
      type: 1, name: 'Doomed', notes: null, login: { username: 'dave', password: 'doomed-pass', totp: null, uris: [] },
    })]);
    otherDeviceItems.push(doomed.id);
    const doomedLine = `${doomed.id}\tDoomed\tdave\t`;
    expect(await rbwListUntil((lines) => lines.includes(doomedLine))).toEqual([doomedLine]);
    await rbw.ok(['remove', 'Doomed']);
    expect(await rbwList()).toEqual([]);
    expect((await bw.run(['sync'])).code).toBe(0);
    const left = await bw.json<BwItem[]>(['list', 'items']);
    expect(left.map((i) => i.id)).not.toContain(doomed.id);
    const trash = await bw.json<BwItem[]>(['list', 'items', '--trash']);
    expect(trash.map((i) => i.id)).toEqual([created.id]); // rbw remove deletes permanently (DELETE /api/ciphers/:id)
    expect(rbw.agentLog()).not.toMatch(SERVER_TROUBLE);
  }, 120_000);

  let itemId: string | undefined; // set by the `rbw add` test
  const addedId = (): string => {
    if (!itemId) throw new Error('no item: the `rbw add` test failed');
    return itemId;
  };

  it('rbw add stores name, username, password, notes, URI and folder; rbw list and rbw get show them', async () => {
    await rbw.ok(['add', 'Example login', 'alice', '--uri', 'https://login.example.com/sign-in', '--folder', 'Work'],
      { input: 'first-Pa55word\n\nfirst line of the notes\nsecond line\n' });
    const lines = await rbwList();
    expect(lines).toHaveLength(1);
    const [id, name, user, folder] = lines[0]!.split('\t');
    expect({ name, user, folder }).toEqual({ name: 'Example login', user: 'alice', folder: 'Work' });
    itemId = id!;

    expect(await rbw.ok(['get', 'Example login'])).toBe('first-Pa55word\n');
    expect((await rbw.ok(['get', 'Example login', '--field', 'username'])).trim()).toBe('alice');
    expect((await rbw.ok(['get', 'Example login', '--full'])).split('\n')).toEqual([
      'first-Pa55word',
      'Username: alice',
      'URI: https://login.example.com/sign-in',
      '',
      'first line of the notes',
      'second line',
      '',
    ]);
    const entry = JSON.parse(await rbw.ok(['get', addedId(), '--raw'])) as RbwEntry;
    expect(entry).toMatchObject({
      id: itemId, name: 'Example login', folder: 'Work', notes: 'first line of the notes\nsecond line', history: [],
      data: { username: 'alice', password: 'first-Pa55word', totp: null, uris: [{ uri: 'https://login.example.com/sign-in', match_type: null }] },
    });
  }, 60_000);

  it('/api/sync returns the login rbw wrote with camelCase keys only (no Username/Password/Totp/Uris/Uri/Match)', async () => {
    const synced = await withCaFetch(CA_FILE, async () => {
      const web = await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() });
      const response = await fetch(`${t.baseUrl}/api/sync?excludeDomains=true`, { headers: { Authorization: `Bearer ${web.access_token}` } });
      expect(response.status).toBe(200);
      return (await response.json()) as { ciphers: SyncedCipher[] };
    });
    // The one cipher not created by the official CLI is the one rbw added (found even if `rbw add` failed locally).
    const written = synced.ciphers.filter((c) => !otherDeviceItems.includes(c.id));
    expect(written.map((c) => c.id)).toEqual([itemId ?? expect.any(String)]);
    const login = written[0]?.login;
    expect(login).toBeDefined();
    const keys = keyPaths(login);
    expect(keys.filter((k) => /(^|\.)[A-Z]/.test(k))).toEqual([]);
    expect(keys).toEqual(expect.arrayContaining(['username', 'password', 'totp', 'uris', 'uris[].uri', 'uris[].match']));
    expect(login!.username).toMatch(/^2\./); // still encrypted, as rbw sent it
  }, 60_000);

  it('rbw sync succeeds, repeatedly, and keeps the item', async () => {
    for (let i = 0; i < 3; i++) {
      const sync = await rbw.run(['sync']);
      expect({ code: sync.code, stderr: sync.stderr.trim() }).toEqual({ code: 0, stderr: '' });
    }
    expect(await rbwList()).toEqual([`${addedId()}\tExample login\talice\tWork`]);
    expect(rbw.agentLog()).not.toMatch(SERVER_TROUBLE);
  }, 60_000);

  it('rbw edit changes password and notes and keeps the old password in the history', async () => {
    await rbw.ok(['edit', 'Example login'], { input: 'second-Pa55word\n\nedited notes\n' });
    expect(await rbw.ok(['get', 'Example login'])).toBe('second-Pa55word\n');
    const entry = JSON.parse(await rbw.ok(['get', addedId(), '--raw'])) as RbwEntry;
    expect(entry).toMatchObject({ notes: 'edited notes', data: { username: 'alice', password: 'second-Pa55word' } });
    expect(entry.history.map((h) => h.password)).toEqual(['first-Pa55word']);
    const history = (await rbw.ok(['history', 'Example login'])).trim().split('\n');
    expect(history).toHaveLength(1);
    expect(history[0]).toMatch(/^\d{4}-\d\d-\d\dT.*: first-Pa55word$/);
    await rbw.ok(['sync']);
    expect((await rbw.ok(['get', 'Example login'])).trim()).toBe('second-Pa55word');
  }, 60_000);

  it('the official CLI reads exactly what rbw wrote: username, password, notes, URI, folder and password history', async () => {
    const item = await bwItem(addedId());
    expect(item).toMatchObject({ id: itemId, name: 'Example login', notes: 'edited notes' });
    expect(item.deletedDate ?? null).toBeNull(); // the CLI omits the key when null
    expect(item.login).toMatchObject({ username: 'alice', password: 'second-Pa55word' });
    expect(item.login?.uris?.map((u) => u.uri)).toEqual(['https://login.example.com/sign-in']);
    expect(item.passwordHistory?.map((h) => h.password)).toEqual(['first-Pa55word']);
    expect(Date.parse(item.passwordHistory?.[0]?.lastUsedDate ?? '')).not.toBeNaN();
    expect(item.folderId).toEqual(expect.any(String));
    expect((await bw.json<{ name: string }>(['get', 'folder', item.folderId!])).name).toBe('Work');
  }, 120_000);

  it('rbw remove deletes the item rbw added, for the official CLI too', async () => {
    await rbw.ok(['remove', 'Example login']);
    expect(await rbwList()).toEqual([]);
    expect((await bw.run(['sync'])).code).toBe(0);
    expect((await bw.json<BwItem[]>(['list', 'items'])).map((i) => i.id)).not.toContain(addedId());
  }, 60_000);
});
