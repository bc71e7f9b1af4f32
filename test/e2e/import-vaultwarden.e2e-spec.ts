// Issue 21: a real Vaultwarden 1.37.2 data folder (test/fixtures/vaultwarden) imported in one call, then Vaultwave
// on the same DOMAIN (https://localhost:8910): every account logs in with its password (and TOTP) through the
// official CLI and decrypts the same vault; files come out byte-identical; a CLI profile logged in to Vaultwarden
// syncs without logging in again; a hub client connects with a token Vaultwarden issued. Plus the refusals.
import argon2 from 'argon2';
import Database from 'better-sqlite3';
import { createHash, createPrivateKey, randomUUID } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../src/config/app-config';
import { totpCode, totpStep } from '../../src/two-factor/totp';
import { createDataSource } from '../../src/db/data-source';
import { TARGET_TABLES } from '../../src/import/mapped-data';
import { formatReport, runImport } from '../../src/import/run-import';
import { TargetNotEmptyError } from '../../src/import/import-writer';
import { createTestApp, TestApp, TLS_CERT } from '../support/app';
import { BwProfile } from '../support/bw-cli';
import { HubClient } from '../support/hub-client';
import { argon2idSalt, decodeJwtPayload, decryptType2Text, masterPasswordHash, passwordLogin, pbkdf2MasterKey, TestAccount, unwrapUserKey } from '../support/test-crypto';
import { withClockShifted } from '../support/clock';
import { SoftAuthenticator } from '../support/soft-authenticator';

jest.setTimeout(300_000);

const FIXTURE = resolve(__dirname, '../fixtures/vaultwarden');
const DOMAIN = 'https://localhost:8910';

interface ManifestUser {
  email: string; password: string; userId: string; totpSecret?: string; rememberToken?: string; deviceIdentifier?: string;
  kdf: { kdfType: number; iterations: number; memory?: number | null; parallelism?: number | null };
}
interface ManifestItem {
  id: string; owner: string; ownerKind: 'user' | 'organization'; type: number; name: string; notes?: string | null; folder: string | null;
  favorite: boolean; deleted: boolean; archived: boolean; login?: { username: string; password: string };
  attachments?: Array<{ id: string; fileName: string; plaintextSha256: string; encryptedSha256: string }>;
}
interface Manifest {
  createdAt: string;
  users: ManifestUser[];
  folders: Array<{ owner: string; name: string }>;
  items: ManifestItem[];
  sends: Array<{ id: string; owner: string; name: string; type: number; text?: string; url: string; password?: string; fileId?: string; plaintextSha256?: string; encryptedSha256?: string }>;
  organizations: Array<{
    id: string; members: Array<{ email: string; memberId: string; userId: string; status: number; type: number }>; collections: Array<{ id: string; name: string }>;
    groups: Array<{ id: string; name: string; collections: Array<{ id: string; readOnly: boolean; hidePasswords: boolean; manage: boolean }>; members: string[] }>;
    policies: Array<{ id: string; type: number; enabled: boolean; data: Record<string, unknown> | null }>;
  }>;
  twoFactor: {
    webAuthn: { userEmail: string; keyId: number; keyName: string; rpId: string; origin: string; credentialId: string; privateKeyPkcs8: string; publicJwk: { x: string; y: string }; counter: number };
  };
  authRequests: Array<{ id: string; userEmail: string; deviceIdentifier: string; deviceType: number; publicKey: string; creationDate: string }>;
  cli: { appDataDir: string; email: string; session: string };
  tokens: { accessToken: string; refreshToken: string; userId: string; userEmail: string; deviceIdentifier: string; accessTokenIssuedAt: string; accessTokenExpiresAt: string };
}

const manifest = JSON.parse(readFileSync(join(FIXTURE, 'manifest.json'), 'utf8')) as Manifest;
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const configFor = (dataFolder: string) => loadConfig({ DATA_FOLDER: dataFolder, DOMAIN }).config;

/** A scratch copy of the fixture's Vaultwarden folder (the fixture itself is never opened for writing). */
function vaultwardenCopy(): string {
  const folder = mkdtempSync(join(tmpdir(), 'vw-source-'));
  cpSync(join(FIXTURE, 'data'), folder, { recursive: true });
  return folder;
}

interface BwItem { id: string; name: string; notes: string | null; folderId: string | null; organizationId: string | null; favorite: boolean; deletedDate: string | null; login?: { username: string; password: string } }

describe('import a Vaultwarden data folder (npm run import:vaultwarden)', () => {
  let source: string;
  let target: string;
  let t: TestApp;
  let work: string;
  /** What the import printed: progress lines and the final report. */
  const output: string[] = [];

  beforeAll(async () => {
    source = vaultwardenCopy();
    target = mkdtempSync(join(tmpdir(), 'vw-import-target-'));
    work = mkdtempSync(join(tmpdir(), 'vw-import-work-'));
    const summary = await runImport(configFor(target), { vaultwardenFolder: source, progress: (line) => output.push(line) });
    output.push(formatReport(summary));
    // groups on, as on the Vaultwarden that made the fixture
    // The purges of expired login requests and Sends stay off: by real time the fixture's pending request (and, a month
    // after the fixture was made, its Sends) are expired, and the jobs would delete them before the tests look at them
    // at the fixture's time.
    t = await createTestApp({ DATA_FOLDER: target, DOMAIN, ORG_GROUPS_ENABLED: 'true', AUTH_REQUEST_PURGE_SCHEDULE: '', SEND_PURGE_SCHEDULE: '' }, { port: 8910 });
  });

  afterAll(async () => {
    await t?.close();
    for (const folder of [source, target, work]) if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('prints counts and names only: no hash, salt, key, stamp, token or secret of the source appears', () => {
    const text = output.join('\n');
    expect(text).toMatch(new RegExp(`users\\s+${manifest.users.length}`));
    const db = new Database(join(FIXTURE, 'data', 'db.sqlite3'), { readonly: true });
    try {
      const secrets: string[] = [];
      for (const row of db.prepare('SELECT password_hash, salt, akey, private_key, security_stamp, api_key, totp_recover FROM users').all() as Array<Record<string, unknown>>) {
        for (const value of Object.values(row)) if (value) secrets.push(Buffer.isBuffer(value) ? value.toString('base64') : String(value));
      }
      for (const row of db.prepare('SELECT refresh_token, twofactor_remember FROM devices').all() as Array<Record<string, unknown>>) {
        for (const value of Object.values(row)) if (value) secrets.push(String(value));
      }
      for (const row of db.prepare('SELECT data FROM twofactor').all() as Array<{ data: string }>) secrets.push(row.data);
      for (const row of db.prepare('SELECT akey FROM sends').all() as Array<{ akey: string }>) secrets.push(row.akey);
      expect(secrets.length).toBeGreaterThan(10);
      // (the invited, never registered account has empty hash and salt: nothing to leak)
      for (const secret of secrets.filter((v) => v !== '')) expect(text).not.toContain(secret);
    } finally {
      db.close();
    }
  });

  async function loggedIn(user: ManifestUser): Promise<BwProfile> {
    const cli = new BwProfile(TLS_CERT);
    await cli.run(['config', 'server', DOMAIN]);
    const extra = user.totpSecret ? ['--method', '0', '--code', totpCode(user.totpSecret, totpStep(Date.now()) + 1)] : [];
    const result = await cli.run(['login', user.email, user.password, ...extra, '--raw']);
    if (result.code !== 0 || !result.stdout) throw new Error(`bw login ${user.email} failed: ${result.stderr || result.stdout}`);
    cli.session = result.stdout;
    const sync = await cli.run(['sync']);
    if (sync.code !== 0) throw new Error(`bw sync failed: ${sync.stderr}`);
    return cli;
  }

  function expectedItems(user: ManifestUser): ManifestItem[] {
    // confirmed members only: a revoked member sees none of the organization's items
    const orgs = manifest.organizations.filter((o) => o.members.some((m) => m.email === user.email && m.status === 2)).map((o) => o.id);
    return manifest.items.filter((i) => (i.ownerKind === 'user' ? i.owner === user.email : orgs.includes(i.owner)));
  }

  it.each(manifest.users.map((u) => [u.email, u] as const))('%s logs in with the same master password (TOTP where set) and decrypts the same vault', async (_email, user) => {
    const cli = await loggedIn(user);
    const folders = await cli.json<Array<{ id: string | null; name: string }>>(['list', 'folders']);
    expect(folders.filter((f) => f.id).map((f) => f.name).sort()).toEqual(manifest.folders.filter((f) => f.owner === user.email).map((f) => f.name).sort());
    const folderName = new Map(folders.map((f) => [f.id, f.name]));
    const listed = await cli.json<BwItem[]>(['list', 'items']);
    const trash = await cli.json<BwItem[]>(['list', 'items', '--trash']);
    const all = new Map([...listed, ...trash].map((i) => [i.id, i]));
    for (const item of expectedItems(user)) {
      // Archived items are not listed by this CLI (their archive state is checked through the API below).
      if (item.archived) { expect(all.has(item.id)).toBe(false); continue; }
      const got = all.get(item.id);
      expect(got?.name).toBe(item.name);
      if (!got) continue;
      expect(got.notes ?? null).toBe(item.notes ?? null);
      if (item.login) expect({ username: got.login?.username, password: got.login?.password }).toEqual({ username: item.login.username, password: item.login.password });
      if (item.ownerKind === 'user') {
        expect(got.folderId ? folderName.get(got.folderId) : null).toBe(item.folder);
        expect(got.favorite).toBe(item.favorite);
      } else {
        expect(got.organizationId).toBe(item.owner);
      }
      expect(trash.some((i) => i.id === item.id)).toBe(item.deleted);
    }
    const mine = new Set(expectedItems(user).map((i) => i.id));
    expect([...all.keys()].filter((id) => !mine.has(id))).toEqual([]);
  });

  it('archived items stay archived (API, decrypted with the account\'s own keys)', async () => {
    for (const item of manifest.items.filter((i) => i.archived)) {
      const user = manifest.users.find((u) => u.email === item.owner && u.kdf.kdfType === 0);
      if (!user) continue;
      const masterKey = pbkdf2MasterKey(user.password, user.email, user.kdf.iterations);
      const device = { type: 8, name: 'linux', clientId: 'desktop', identifier: randomUUID() };
      const login = await passwordLogin(DOMAIN, { email: user.email, masterPasswordHash: masterPasswordHash(masterKey, user.password) } as TestAccount, device);
      const sync = await (await fetch(`${DOMAIN}/api/sync`, { headers: { Authorization: `Bearer ${login.access_token}` } })).json() as {
        profile: { key: string }; ciphers: Array<{ id: string; name: string; archivedDate: string | null }>;
      };
      const cipher = sync.ciphers.find((c) => c.id === item.id);
      expect(cipher?.archivedDate).toBeTruthy();
      expect(decryptType2Text(String(cipher?.name), unwrapUserKey(sync.profile.key, masterKey))).toBe(item.name);
    }
  });

  it('attachments download byte-identical (decrypted, and the stored encrypted file)', async () => {
    const withFiles = manifest.items.filter((i) => i.attachments?.length);
    expect(withFiles.length).toBeGreaterThan(0);
    for (const item of withFiles) {
      const owner = manifest.users.find((u) => u.email === item.owner);
      if (!owner) throw new Error('attachment of an organization item: not in the fixture');
      const cli = await loggedIn(owner);
      for (const attachment of item.attachments ?? []) {
        const output = join(work, `${attachment.id}.out`);
        const result = await cli.run(['get', 'attachment', attachment.id, '--itemid', item.id, '--output', output]);
        expect(result.code).toBe(0);
        expect(sha256(readFileSync(output))).toBe(attachment.plaintextSha256);
        expect(sha256(readFileSync(join(t.config.attachments.folder, item.id, attachment.id)))).toBe(attachment.encryptedSha256);
      }
    }
  });

  it('Sends are there and open with the same link (text, file, password-protected text and file)', async () => {
    for (const user of manifest.users) {
      const sends = manifest.sends.filter((s) => s.owner === user.email);
      if (sends.length === 0) continue;
      const cli = await loggedIn(user);
      const listed = await cli.json<Array<{ id: string; name: string }>>(['send', 'list']);
      expect(listed.map((s) => s.name).sort()).toEqual(sends.map((s) => s.name).sort());
      for (const send of sends) {
        const anonymous = new BwProfile(TLS_CERT);
        await anonymous.run(['config', 'server', DOMAIN]);
        // --passwordenv: `--password` after `send receive` is taken by the parent `send` command (sends-cli.e2e-spec.ts).
        const password = send.password ? ['--passwordenv', 'SEND_PASSWORD'] : [];
        const env: Record<string, string> = send.password ? { SEND_PASSWORD: send.password } : {};
        if (send.type === 0) {
          // Opened at the fixture's time: Vaultwarden gave its Sends 30 days before deletion.
          expect(await atFixtureTime(() => anonymous.run(['send', 'receive', send.url, ...password], 60_000, env))).toEqual({ code: 0, stdout: send.text, stderr: '' });
        } else {
          const output = join(work, `${send.id}.out`);
          expect((await atFixtureTime(() => anonymous.run(['send', 'receive', send.url, '--output', output, ...password], 60_000, env))).code).toBe(0);
          expect(sha256(readFileSync(output))).toBe(send.plaintextSha256);
          expect(sha256(readFileSync(join(t.config.sends.folder, send.id, String(send.fileId))))).toBe(send.encryptedSha256);
        }
      }
    }
  });

  /**
   * Runs `body` with the server's clock a minute after Vaultwarden issued the fixture's tokens, so that the tokens,
   * refresh windows, remembered devices, login requests and Sends it made are checked as on the day of a real switch,
   * however old the fixture is (its access token lived 2 hours, login requests 15 minutes, the rest 30 days).
   */
  function atFixtureTime<T>(body: () => Promise<T>): Promise<T> {
    return withClockShifted(t, Date.parse(manifest.tokens.accessTokenIssuedAt) + 60_000 - Date.now(), body);
  }

  it('the fixture CLI profile, logged in to Vaultwarden, syncs against Vaultwave without logging in again', async () => {
    const cli = new BwProfile(TLS_CERT);
    copyFileSync(join(FIXTURE, manifest.cli.appDataDir, 'data.json'), join(cli.appDataDir, 'data.json'));
    cli.session = manifest.cli.session;
    // The profile's tokens are Vaultwarden's: its access token is long expired, so the CLI refreshes first.
    const sync = await atFixtureTime(() => cli.run(['sync']));
    expect(sync).toMatchObject({ code: 0, stderr: '' });
    const user = manifest.users.find((u) => u.email === manifest.cli.email);
    if (!user) throw new Error('manifest: no CLI user');
    const names = (await cli.json<BwItem[]>(['list', 'items'])).map((i) => i.name);
    for (const item of expectedItems(user).filter((i) => !i.deleted && !i.archived)) expect(names).toContain(item.name);
  });

  /** POST /identity/connect/token as the official clients send it (form-encoded). */
  async function tokenGrant(fields: Record<string, string>, deviceType: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const body = Object.entries(fields).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
    const response = await fetch(`${DOMAIN}/identity/connect/token`, {
      method: 'POST', body, headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8', Accept: 'application/json', 'Device-Type': deviceType },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('a refresh token Vaultwarden issued is honoured; the answer hands the client this server\'s form of it', () => atFixtureTime(async () => {
    const first = await tokenGrant({ grant_type: 'refresh_token', client_id: 'desktop', refresh_token: manifest.tokens.refreshToken }, '8');
    expect(first.status).toBe(200);
    expect(decodeJwtPayload(String(first.body.access_token))).toMatchObject({ sub: manifest.tokens.userId, iss: `${DOMAIN}/identity`, device: manifest.tokens.deviceIdentifier });
    const opaque = String(first.body.refresh_token);
    expect(opaque).not.toBe(manifest.tokens.refreshToken);
    expect(opaque.split('.')).toHaveLength(1);
    const again = await tokenGrant({ grant_type: 'refresh_token', client_id: 'desktop', refresh_token: opaque }, '8');
    expect(again.status).toBe(200);
    // A forged or foreign JWT with Vaultwarden's shape is refused.
    const [header, payload] = manifest.tokens.refreshToken.split('.');
    expect((await tokenGrant({ grant_type: 'refresh_token', client_id: 'desktop', refresh_token: `${header}.${payload}.${'A'.repeat(342)}` }, '8')).status).toBe(400);
   }));

  it('a device remembered by Vaultwarden\'s two-step login still skips the second factor', async () => {
    const carol = manifest.users.find((u) => u.rememberToken);
    if (!carol?.rememberToken || !carol.deviceIdentifier || carol.kdf.kdfType !== 1) throw new Error('manifest: no remembered Argon2id account');
    const kdf = carol.kdf as { iterations: number; memory: number; parallelism: number };
    const masterKey = Buffer.from(await argon2.hash(carol.password, {
      type: argon2.argon2id, raw: true, salt: argon2idSalt(carol.email), hashLength: 32, timeCost: kdf.iterations, memoryCost: kdf.memory * 1024, parallelism: kdf.parallelism,
    }));
    const fields = {
      grant_type: 'password', scope: 'api offline_access', client_id: 'mobile', deviceType: '0', deviceIdentifier: carol.deviceIdentifier, deviceName: 'Android',
      username: carol.email, password: masterPasswordHash(masterKey, carol.password),
    };
    const without = await tokenGrant(fields, '0');
    expect(without.status).toBe(400);
    expect(without.body.TwoFactorProviders2 ?? without.body.twoFactorProviders2).toBeTruthy();
    const rememberToken = carol.rememberToken;
    const remembered = await atFixtureTime(() => tokenGrant({ ...fields, twoFactorProvider: '5', twoFactorToken: rememberToken }, '0'));
    expect(remembered.status).toBe(200);
    expect(remembered.body.access_token).toBeTruthy();
  });

  /** A fresh password login (PBKDF2 accounts) on Vaultwave: its access token. */
  async function apiToken(email: string): Promise<string> {
    const user = manifest.users.find((u) => u.email === email && u.kdf.kdfType === 0);
    if (!user) throw new Error(`manifest: no PBKDF2 user ${email}`);
    const masterKey = pbkdf2MasterKey(user.password, user.email, user.kdf.iterations);
    const device = { type: 8, name: 'linux', clientId: 'desktop', identifier: randomUUID() };
    const login = await passwordLogin(DOMAIN, { email: user.email, masterPasswordHash: masterPasswordHash(masterKey, user.password) } as TestAccount, device);
    return String(login.access_token);
  }
  async function getJson<T>(path: string, token: string): Promise<T> {
    const response = await fetch(`${DOMAIN}${path}`, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  }

  it('the group keeps its members and collection access; a member reaches the collection through the group only', async () => {
    const org = manifest.organizations[0];
    const group = org?.groups[0];
    if (!org || !group) throw new Error('manifest: no group');
    const owner = await apiToken('alice@example.com');
    const groups = await getJson<{ data: Array<{ id: string; name: string }> }>(`/api/organizations/${org.id}/groups/details`, owner);
    expect(groups.data.map((g) => ({ id: g.id, name: g.name }))).toEqual([{ id: group.id, name: group.name }]);
    const listed = await getJson<{ data: Array<{ id: string; collections: Array<{ id: string; readOnly: boolean; hidePasswords: boolean; manage: boolean }> }> }>(`/api/organizations/${org.id}/groups`, owner);
    expect(listed.data.map((g) => g.id)).toEqual([group.id]);
    const details = await getJson<{ collections: Array<{ id: string; readOnly: boolean; hidePasswords: boolean; manage: boolean }> }>(`/api/organizations/${org.id}/groups/${group.id}/details`, owner);
    expect(details.collections.map((c) => ({ id: c.id, readOnly: c.readOnly, hidePasswords: c.hidePasswords, manage: c.manage }))).toEqual(group.collections);
    const groupUsers = await getJson<string[]>(`/api/organizations/${org.id}/groups/${group.id}/users`, owner);
    expect(groupUsers).toEqual(group.members.map((email) => org.members.find((m) => m.email === email)?.memberId));
    // the group's member (no direct collection access) sees the collection and its item in its sync
    const memberEmail = group.members[0] ?? '';
    const sync = await getJson<{ collections: Array<{ id: string }>; ciphers: Array<{ id: string }> }>('/api/sync', await apiToken(memberEmail));
    expect(sync.collections.map((c) => c.id)).toEqual(group.collections.map((c) => c.id));
    const orgItems = manifest.items.filter((i) => i.owner === org.id).map((i) => i.id);
    expect(sync.ciphers.map((c) => c.id).sort()).toEqual(orgItems.sort());
  });

  it('the policy, the Manager, the revoked member and the invitation come through as the importer maps them', async () => {
    const org = manifest.organizations[0];
    if (!org) throw new Error('manifest: no organization');
    const owner = await apiToken('alice@example.com');
    const policies = await getJson<{ data: Array<{ id: string; type: number; enabled: boolean; data: Record<string, unknown> | null }> }>(`/api/organizations/${org.id}/policies`, owner);
    for (const policy of org.policies) {
      expect(policies.data.find((p) => p.type === policy.type)).toMatchObject({ type: policy.type, enabled: policy.enabled, data: policy.data });
    }
    const users = await getJson<{ data: Array<{ id: string; email: string; status: number; type: number; permissions?: Record<string, boolean> | null }> }>(`/api/organizations/${org.id}/users`, owner);
    const byEmail = new Map(users.data.map((u) => [u.email, u]));
    // Manager (Vaultwarden atype 3, shown by Vaultwarden as Custom) -> Custom (4) with manager collection permissions
    expect(byEmail.get('dave@example.com')).toMatchObject({ status: 2, type: 4 });
    expect(byEmail.get('dave@example.com')?.permissions).toMatchObject({ manageUsers: false, managePolicies: false });
    // revoked stays revoked (-1); the invitation to an address with no account stays an invitation (0)
    expect(byEmail.get('carol@example.com')).toMatchObject({ status: -1, type: 2 });
    expect(byEmail.get('erin@example.com')).toMatchObject({ status: 0, type: 2 });
    for (const member of org.members) expect(byEmail.get(member.email)?.id).toBe(member.memberId);
    expect(users.data).toHaveLength(org.members.length);
  });

  it('the WebAuthn security key registered on Vaultwarden is the second factor on Vaultwave', async () => {
    const { webAuthn } = manifest.twoFactor;
    const user = manifest.users.find((u) => u.email === webAuthn.userEmail);
    if (!user || user.kdf.kdfType !== 1) throw new Error('manifest: no Argon2id WebAuthn account');
    const key = new SoftAuthenticator(webAuthn.rpId, webAuthn.origin);
    // the same key: its credential id, private key and signature counter as recorded when Vaultwarden registered it
    Object.assign(key, {
      credentialId: Buffer.from(webAuthn.credentialId, 'base64url'), counter: webAuthn.counter, publicJwk: webAuthn.publicJwk,
      privateKey: createPrivateKey({ key: Buffer.from(webAuthn.privateKeyPkcs8, 'base64'), format: 'der', type: 'pkcs8' }),
    });
    const kdf = user.kdf as { iterations: number; memory: number; parallelism: number };
    const masterKey = Buffer.from(await argon2.hash(user.password, {
      type: argon2.argon2id, raw: true, salt: argon2idSalt(user.email), hashLength: 32, timeCost: kdf.iterations, memoryCost: kdf.memory * 1024, parallelism: kdf.parallelism,
    }));
    const fields = {
      grant_type: 'password', scope: 'api offline_access', client_id: 'desktop', deviceType: '8', deviceIdentifier: randomUUID(), deviceName: 'linux',
      username: user.email, password: masterPasswordHash(masterKey, user.password),
    };
    const challenge = await tokenGrant(fields, '8');
    expect(challenge.status).toBe(400);
    const providers = (challenge.body.TwoFactorProviders2 ?? challenge.body.twoFactorProviders2) as Record<string, { challenge: string; rpId?: string; allowCredentials?: Array<{ id: string }> }>;
    const options = providers['7'];
    expect(options?.allowCredentials?.map((c) => c.id)).toEqual([webAuthn.credentialId]);
    if (!options) throw new Error('no WebAuthn challenge');
    const ok = await tokenGrant({ ...fields, twoFactorProvider: '7', twoFactorToken: key.assertionToken(options) }, '8');
    expect(ok.status).toBe(200);
    expect(ok.body.access_token).toBeTruthy();
    // another key on a fresh challenge is refused
    const again = await tokenGrant(fields, '8');
    const other = new SoftAuthenticator(webAuthn.rpId, webAuthn.origin);
    const otherOptions = ((again.body.TwoFactorProviders2 ?? again.body.twoFactorProviders2) as Record<string, { challenge: string }>)['7'];
    if (!otherOptions) throw new Error('no WebAuthn challenge');
    expect((await tokenGrant({ ...fields, twoFactorProvider: '7', twoFactorToken: other.assertionToken(otherOptions) }, '8')).status).toBe(400);
  });

  it('the pending login-with-device request is listed to its owner (at fixture time, when it was not expired)', () => atFixtureTime(async () => {
    for (const request of manifest.authRequests) {
      expect(request.userEmail).toBe(manifest.tokens.userEmail);
      const listed = await getJson<{ data: Array<{ id: string; publicKey: string; requestDeviceIdentifier: string; requestApproved: boolean; responseDate: string | null }> }>('/api/auth-requests', manifest.tokens.accessToken);
      // Vaultwave's wire form of an unanswered request: requestApproved false and no response date
      expect(listed.data.find((r) => r.id === request.id)).toMatchObject({ publicKey: request.publicKey, requestDeviceIdentifier: request.deviceIdentifier, requestApproved: false, responseDate: null });
    }
  }));

  it('an official SignalR client connects with the access token Vaultwarden issued', async () => {
    await atFixtureTime(async () => {
      const hub = await HubClient.connect(DOMAIN, manifest.tokens.accessToken);
      expect(hub.connection.state).toBe('Connected');
      await hub.connection.stop();
    });
  });
});

describe('import refusals and failures', () => {
  const scratch: string[] = [];
  const folder = (prefix: string): string => {
    const made = mkdtempSync(join(tmpdir(), prefix));
    scratch.push(made);
    return made;
  };
  afterAll(() => { for (const f of scratch) rmSync(f, { recursive: true, force: true }); });

  /** Rows in every table the import writes. */
  async function rowCounts(dataFolder: string): Promise<Record<string, number>> {
    const dataSource = createDataSource(configFor(dataFolder));
    await dataSource.initialize();
    try {
      const counts: Record<string, number> = {};
      for (const table of TARGET_TABLES) counts[table] = Number(((await dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`)) as Array<{ n: number }>)[0]?.n);
      return counts;
    } finally {
      await dataSource.destroy();
    }
  }

  it('a dry run reads and maps everything, reports the counts, and writes nothing', async () => {
    const source = vaultwardenCopy();
    scratch.push(source);
    const target = join(folder('vw-dry-'), 'data');
    const summary = await runImport(configFor(target), { vaultwardenFolder: source, dryRun: true });
    expect(summary.written.users).toBe(manifest.users.length);
    expect(summary.written.ciphers).toBe(manifest.items.length);
    expect(summary.files.count).toBeGreaterThan(0);
    expect(existsSync(target)).toBe(false);
  });

  it('a target that has an account is refused without --force', async () => {
    const source = vaultwardenCopy();
    scratch.push(source);
    const target = folder('vw-nonempty-');
    await runImport(configFor(target), { vaultwardenFolder: source });
    const before = await rowCounts(target);
    await expect(runImport(configFor(target), { vaultwardenFolder: source })).rejects.toBeInstanceOf(TargetNotEmptyError);
    expect(await rowCounts(target)).toEqual(before);
  });

  it('an unknown Vaultwarden schema version is refused, naming it and the versions understood', async () => {
    const source = vaultwardenCopy();
    scratch.push(source);
    const db = new Database(join(source, 'db.sqlite3'));
    db.prepare('INSERT INTO __diesel_schema_migrations (version) VALUES (?)').run('20991231235959');
    db.close();
    const target = join(folder('vw-unknown-'), 'data');
    await expect(runImport(configFor(target), { vaultwardenFolder: source })).rejects.toThrow(/Unknown Vaultwarden schema version 20991231235959.*understands 20260505120000/);
    expect(existsSync(target)).toBe(false);
  });

  it('a failure mid-way leaves nothing: every table empty, no file, no signing key', async () => {
    const source = vaultwardenCopy();
    scratch.push(source);
    const target = folder('vw-fail-');
    await expect(runImport(configFor(target), {
      vaultwardenFolder: source,
      afterTable: (table) => { if (table === 'attachments') throw new Error('injected failure after attachments'); },
    })).rejects.toThrow('injected failure');
    expect(Object.values(await rowCounts(target)).every((n) => n === 0)).toBe(true);
    expect(readdirSync(target).filter((name) => !name.startsWith('db.sqlite3'))).toEqual([]);
  });
});
