// The Vaultwarden migration fixture (test/fixtures/vaultwarden, issue 21) agrees with its manifest: every row and
// file the manifest promises is in the database and data folder Vaultwarden wrote, and the client-side crypto
// in it opens with the recorded master passwords. Reads a copy of db.sqlite3, so the fixture folder stays clean.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createDecipheriv, createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import * as argon2 from 'argon2';
import {
  argon2idSalt, decodeJwtPayload, decryptType2, decryptType2Text, decryptType4, pbkdf2MasterKey, stretchMasterKey, type KdfSettings,
} from '../support/test-crypto';

const FIXTURE = resolve(process.cwd(), 'test/fixtures/vaultwarden');
const DATA = join(FIXTURE, 'data');

interface Manifest {
  vaultwardenVersion: string; schemaVersion: string; domain: string; createdAt: string; files: string[];
  users: Array<{
    email: string; password: string; kdf: KdfSettings; userId: string; totpSecret?: string; rememberToken?: string; deviceIdentifier?: string;
    apiKey?: { clientId: string; clientSecret: string };
  }>;
  folders: Array<{ id: string; owner: string; name: string }>;
  items: Array<{
    id: string; owner: string; ownerKind: 'user' | 'organization'; type: number; name: string; folder: string | null; favorite: boolean;
    deleted: boolean; archived: boolean; perItemKey: boolean; collections?: string[];
    login?: { username: string; password: string };
    attachments: Array<{ id: string; fileName: string; plaintextSha256: string; size: number; encryptedSha256: string; encryptedSize: number }>;
  }>;
  sends: Array<{
    id: string; accessId: string; owner: string; type: number; name: string; text?: string; fileId?: string; fileName?: string;
    plaintextSha256?: string; encryptedSha256?: string; keyMaterialB64Url: string; password?: string; accessCount?: number; maxAccessCount?: number;
  }>;
  organizations: Array<{
    id: string; name: string; members: Array<{ email: string; memberId: string; userId: string; status: number; type: number }>; collections: Array<{ id: string; name: string }>;
    groups: Array<{ id: string; name: string; collections: Array<{ id: string; readOnly: boolean; hidePasswords: boolean; manage: boolean }>; members: string[] }>;
    policies: Array<{ id: string; type: number; enabled: boolean; data: Record<string, unknown> | null }>;
  }>;
  twoFactor: { webAuthn: { userEmail: string; keyId: number; keyName: string; credentialId: string; publicJwk: { x: string; y: string }; counter: number } };
  authRequests: Array<{ id: string; userEmail: string; deviceIdentifier: string; deviceType: number; publicKey: string }>;
  emergencyAccess: Array<{ id: string; grantor: string; grantee: string; status: number }>;
  cli: { appDataDir: string; email: string };
  tokens: { accessToken: string; refreshToken: string; deviceIdentifier: string; userEmail: string; accessTokenExpiresAt: string };
}

type Row = Record<string, unknown>;
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** EncArrayBuffer: [2] ‖ iv(16) ‖ mac(32) ‖ ct. */
function decryptFile(bytes: Buffer, key: Buffer): Buffer {
  expect(bytes[0]).toBe(2);
  const iv = bytes.subarray(1, 17), mac = bytes.subarray(17, 49), ct = bytes.subarray(49);
  const expected = createHmac('sha256', key.subarray(32, 64)).update(Buffer.concat([iv, ct])).digest();
  expect(timingSafeEqual(mac, expected)).toBe(true);
  const decipher = createDecipheriv('aes-256-cbc', key.subarray(0, 32), iv);
  return Buffer.concat([decipher.update(ct), decipher.final()]);
}

describe('Vaultwarden fixture (issue 21)', () => {
  const manifest = JSON.parse(readFileSync(join(FIXTURE, 'manifest.json'), 'utf8')) as Manifest;
  let dir: string;
  let db: Database.Database;
  const one = (sql: string, ...params: unknown[]): Row | undefined => db.prepare(sql).get(...params) as Row | undefined;
  const all = (sql: string, ...params: unknown[]): Row[] => db.prepare(sql).all(...params) as Row[];
  const userId = (email: string): string => {
    const user = manifest.users.find((u) => u.email === email);
    if (!user) throw new Error(`no user ${email} in the manifest`);
    return user.userId;
  };
  const userKeys = new Map<string, Buffer>();
  const userKey = (email: string): Buffer => {
    const key = userKeys.get(email);
    if (!key) throw new Error(`no user key for ${email}`);
    return key;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vw-fixture-check-'));
    copyFileSync(join(DATA, 'db.sqlite3'), join(dir, 'db.sqlite3'));
    db = new Database(join(dir, 'db.sqlite3'), { readonly: true, fileMustExist: true });
    for (const user of manifest.users) {
      const row = one('SELECT akey FROM users WHERE uuid = ?', user.userId);
      const masterKey = user.kdf.kdfType === 0
        ? pbkdf2MasterKey(user.password, user.email, user.kdf.iterations)
        : Buffer.from(await argon2.hash(user.password, {
          type: argon2.argon2id, raw: true, salt: argon2idSalt(user.email), hashLength: 32,
          timeCost: user.kdf.iterations, memoryCost: user.kdf.memory * 1024, parallelism: user.kdf.parallelism,
        }));
      userKeys.set(user.email, decryptType2(String(row?.akey), stretchMasterKey(masterKey)));
    }
  }, 60_000);

  afterAll(() => {
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is small, complete and at the recorded schema version', () => {
    let total = 0;
    for (const file of manifest.files) {
      expect(existsSync(join(DATA, file))).toBe(true);
      total += statSync(join(DATA, file)).size;
    }
    expect(total).toBeLessThan(1024 * 1024);
    expect(manifest.files).toEqual(expect.arrayContaining(['db.sqlite3', 'rsa_key.pem']));
    expect(one('SELECT version FROM __diesel_schema_migrations ORDER BY version DESC LIMIT 1')?.version).toBe(manifest.schemaVersion);
    expect(manifest.domain).toBe('https://localhost:8910');
  });

  it('has the users with their KDF settings and key pairs', () => {
    expect(manifest.users).toHaveLength(4);
    for (const user of manifest.users) {
      const row = one('SELECT * FROM users WHERE uuid = ?', user.userId);
      expect(row).toMatchObject({ email: user.email, client_kdf_type: user.kdf.kdfType, client_kdf_iter: user.kdf.iterations });
      expect(row?.client_kdf_memory ?? null).toBe(user.kdf.memory);
      expect(row?.client_kdf_parallelism ?? null).toBe(user.kdf.parallelism);
      expect(String(row?.public_key)).not.toBe('');
      // the private key opens with the user key derived from the recorded master password
      const privateKey = decryptType2(String(row?.private_key), userKey(user.email));
      expect(privateKey.length).toBeGreaterThan(1000);
    }
    expect(manifest.users.some((u) => u.kdf.kdfType === 1)).toBe(true);
  });

  it('has the folders and every item with its folder, favorite, trash and archive state', () => {
    for (const folder of manifest.folders) {
      const row = one('SELECT * FROM folders WHERE uuid = ?', folder.id);
      expect(row?.user_uuid).toBe(userId(folder.owner));
      expect(decryptType2Text(String(row?.name), userKey(folder.owner))).toBe(folder.name);
    }
    expect(new Set(manifest.items.map((i) => i.type))).toEqual(new Set([1, 2, 3, 4, 5]));
    for (const item of manifest.items) {
      const row = one('SELECT * FROM ciphers WHERE uuid = ?', item.id);
      expect(row?.atype).toBe(item.type);
      expect(row?.deleted_at !== null).toBe(item.deleted);
      expect(row?.key !== null).toBe(item.perItemKey);
      let key: Buffer;
      if (item.ownerKind === 'user') {
        const owner = userId(item.owner);
        expect(row?.user_uuid).toBe(owner);
        key = userKey(item.owner);
        expect(one('SELECT 1 AS x FROM favorites WHERE user_uuid = ? AND cipher_uuid = ?', owner, item.id) !== undefined).toBe(item.favorite);
        expect(one('SELECT 1 AS x FROM archives WHERE user_uuid = ? AND cipher_uuid = ?', owner, item.id) !== undefined).toBe(item.archived);
        const folderRow = one('SELECT f.name FROM folders_ciphers fc JOIN folders f ON f.uuid = fc.folder_uuid WHERE fc.cipher_uuid = ?', item.id);
        expect(folderRow ? decryptType2Text(String(folderRow.name), key) : null).toBe(item.folder);
      } else {
        expect(row?.organization_uuid).toBe(item.owner);
        const alice = manifest.users[0];
        if (!alice) throw new Error('no first user');
        const member = one('SELECT akey FROM users_organizations WHERE org_uuid = ? AND user_uuid = ?', item.owner, alice.userId);
        const privateKey = decryptType2(String(one('SELECT private_key FROM users WHERE uuid = ?', alice.userId)?.private_key), userKey(alice.email));
        key = decryptType4(String(member?.akey), privateKey);
        const collections = all('SELECT collection_uuid FROM ciphers_collections WHERE cipher_uuid = ?', item.id).map((r) => r.collection_uuid);
        expect(collections).toEqual(item.collections);
      }
      if (item.perItemKey) key = decryptType2(String(row?.key), key);
      expect(decryptType2Text(String(row?.name), key)).toBe(item.name);
      if (item.login) {
        const data = JSON.parse(String(row?.data)) as { username: string; password: string };
        expect(decryptType2Text(data.username, key)).toBe(item.login.username);
        expect(decryptType2Text(data.password, key)).toBe(item.login.password);
      }
      for (const attachment of item.attachments) {
        const att = one('SELECT * FROM attachments WHERE id = ?', attachment.id);
        expect(att).toMatchObject({ cipher_uuid: item.id, file_size: attachment.encryptedSize });
        expect(decryptType2Text(String(att?.file_name), key)).toBe(attachment.fileName);
        const bytes = readFileSync(join(DATA, 'attachments', item.id, attachment.id));
        expect(sha256(bytes)).toBe(attachment.encryptedSha256);
        const plain = decryptFile(bytes, decryptType2(String(att?.akey), key));
        expect([sha256(plain), plain.length]).toEqual([attachment.plaintextSha256, attachment.size]);
      }
    }
    expect(manifest.items.filter((i) => i.attachments.length > 0).length).toBeGreaterThan(0);
  });

  it('has the Sends and the file Send bytes', () => {
    expect(manifest.sends.map((s) => s.type).sort()).toEqual([0, 0, 1, 1]);
    expect(manifest.sends.some((s) => s.type === 1 && s.password !== undefined)).toBe(true);
    for (const send of manifest.sends) {
      const row = one('SELECT * FROM sends WHERE uuid = ?', send.id);
      expect(row).toMatchObject({ atype: send.type, user_uuid: userId(send.owner) });
      expect(Buffer.from(send.id.replace(/-/g, ''), 'hex').toString('base64url')).toBe(send.accessId);
      const material = decryptType2(String(row?.akey), userKey(send.owner));
      expect(material.toString('base64url')).toBe(send.keyMaterialB64Url);
      const key = Buffer.from(hkdfSync('sha256', material, Buffer.from('bitwarden-send'), Buffer.from('send'), 64));
      expect(decryptType2Text(String(row?.name), key)).toBe(send.name);
      const data = JSON.parse(String(row?.data)) as { text?: string; fileName?: string };
      if (send.text !== undefined) expect(decryptType2Text(String(data.text), key)).toBe(send.text);
      expect(row?.password_hash !== null).toBe(send.password !== undefined);
      expect(row?.access_count).toBe(send.accessCount ?? 0);
      expect(row?.max_access_count ?? null).toBe(send.maxAccessCount ?? null);
      if (send.fileId) {
        expect(decryptType2Text(String(data.fileName), key)).toBe(send.fileName);
        const bytes = readFileSync(join(DATA, 'sends', send.id, send.fileId));
        expect(sha256(bytes)).toBe(send.encryptedSha256);
        expect(sha256(decryptFile(bytes, key))).toBe(send.plaintextSha256);
      }
    }
  });

  it('has the personal API key', () => {
    const withKey = manifest.users.filter((u) => u.apiKey);
    expect(withKey).toHaveLength(1);
    for (const user of withKey) {
      expect(user.apiKey?.clientId).toBe(`user.${user.userId}`);
      expect(one('SELECT api_key FROM users WHERE uuid = ?', user.userId)?.api_key).toBe(user.apiKey?.clientSecret);
    }
  });

  it('has the organization with a confirmed member, its collection, and the emergency access grant', () => {
    for (const org of manifest.organizations) {
      expect(one('SELECT name FROM organizations WHERE uuid = ?', org.id)?.name).toBe(org.name);
      for (const member of org.members.filter((m) => m.status === 2 && m.type !== 4)) {
        expect(one('SELECT status, atype FROM users_organizations WHERE org_uuid = ? AND user_uuid = ?', org.id, userId(member.email)))
          .toEqual({ status: member.status, atype: member.type });
      }
      expect(org.members.filter((m) => m.status === 2).length).toBeGreaterThanOrEqual(2);
      for (const collection of org.collections) expect(one('SELECT org_uuid FROM collections WHERE uuid = ?', collection.id)?.org_uuid).toBe(org.id);
    }
    for (const grant of manifest.emergencyAccess) {
      expect(one('SELECT grantor_uuid, grantee_uuid, status FROM emergency_access WHERE uuid = ?', grant.id))
        .toEqual({ grantor_uuid: userId(grant.grantor), grantee_uuid: userId(grant.grantee), status: grant.status });
    }
  });

  it('has a Manager, a revoked member, an invitation to an address with no account, a group with collection access, a policy', () => {
    const org = manifest.organizations[0];
    if (!org) throw new Error('no organization');
    const member = (email: string) => {
      const m = org.members.find((x) => x.email === email);
      if (!m) throw new Error(`manifest: ${email} is no member`);
      return one('SELECT * FROM users_organizations WHERE uuid = ?', m.memberId);
    };
    // the API shows Manager as Custom (4) and a revoked member as -1; the rows keep 3 and status - 128
    expect(org.members.find((m) => m.email === 'dave@example.com')).toMatchObject({ status: 2, type: 4 });
    expect(member('dave@example.com')).toMatchObject({ status: 2, atype: 3, access_all: 0 });
    expect(org.members.find((m) => m.email === 'carol@example.com')).toMatchObject({ status: -1, type: 2 });
    expect(member('carol@example.com')).toMatchObject({ status: 1 - 128, atype: 2 });
    expect(org.members.find((m) => m.email === 'erin@example.com')).toMatchObject({ status: 0, type: 2 });
    expect(member('erin@example.com')).toMatchObject({ status: 0, atype: 2 });
    expect(manifest.users.some((u) => u.email === 'erin@example.com')).toBe(false);
    expect(one('SELECT email, password_hash FROM users WHERE email = ?', 'erin@example.com')).toEqual({ email: 'erin@example.com', password_hash: Buffer.alloc(0) });
    expect(one('SELECT email FROM invitations WHERE email = ?', 'erin@example.com')).toEqual({ email: 'erin@example.com' });

    expect(org.groups).toHaveLength(1);
    for (const group of org.groups) {
      expect(one('SELECT organizations_uuid, name, access_all FROM groups WHERE uuid = ?', group.id)).toEqual({ organizations_uuid: org.id, name: group.name, access_all: 0 });
      const members = all('SELECT users_organizations_uuid AS m FROM groups_users WHERE groups_uuid = ?', group.id).map((r) => r.m);
      expect(members).toEqual(group.members.map((email) => org.members.find((m) => m.email === email)?.memberId));
      const access = all('SELECT collections_uuid AS id, read_only, hide_passwords, manage FROM collections_groups WHERE groups_uuid = ?', group.id);
      expect(access).toEqual(group.collections.map((c) => ({ id: c.id, read_only: Number(c.readOnly), hide_passwords: Number(c.hidePasswords), manage: Number(c.manage) })));
      // the Manager has the collection only through the group
      for (const email of group.members) {
        const memberId = org.members.find((m) => m.email === email)?.memberId;
        expect(all('SELECT 1 AS x FROM users_collections WHERE user_uuid = ?', userId(email))).toEqual([]);
        expect(memberId).toBeDefined();
      }
    }
    expect(org.policies).toHaveLength(1);
    for (const policy of org.policies) {
      const row = one('SELECT org_uuid, atype, enabled, data FROM org_policies WHERE uuid = ?', policy.id);
      expect({ ...row, data: JSON.parse(String(row?.data)) }).toEqual({ org_uuid: org.id, atype: policy.type, enabled: Number(policy.enabled), data: policy.data });
    }
  });

  it('has the WebAuthn security key and the pending login-with-device request', () => {
    const { webAuthn } = manifest.twoFactor;
    const row = one('SELECT enabled, data FROM twofactor WHERE user_uuid = ? AND atype = 7', userId(webAuthn.userEmail));
    expect(row?.enabled).toBe(1);
    const keys = JSON.parse(String(row?.data)) as Array<{ id: number; name: string; credential: { cred: { cred_id: string; counter: number; cred: { key: { EC_EC2: { x: string; y: string } } } } } }>;
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ id: webAuthn.keyId, name: webAuthn.keyName });
    expect(keys[0]?.credential.cred).toMatchObject({ cred_id: webAuthn.credentialId, counter: webAuthn.counter, cred: { key: { EC_EC2: webAuthn.publicJwk } } });

    expect(manifest.authRequests).toHaveLength(1);
    for (const request of manifest.authRequests) {
      expect(one('SELECT user_uuid, request_device_identifier, device_type, public_key, approved FROM auth_requests WHERE uuid = ?', request.id)).toEqual({
        user_uuid: userId(request.userEmail), request_device_identifier: request.deviceIdentifier, device_type: request.deviceType, public_key: request.publicKey, approved: null,
      });
    }
  });

  it('has the TOTP second factor, the remembered device and the recorded device tokens', () => {
    const carol = manifest.users.find((u) => u.totpSecret);
    expect(carol?.rememberToken).toBeDefined();
    expect(one('SELECT atype, enabled, data FROM twofactor WHERE user_uuid = ?', carol?.userId)).toEqual({ atype: 0, enabled: 1, data: carol?.totpSecret });
    const device = one('SELECT user_uuid, twofactor_remember FROM devices WHERE uuid = ?', carol?.deviceIdentifier);
    expect(device?.user_uuid).toBe(carol?.userId);
    expect(device?.twofactor_remember).not.toBeNull();

    const { tokens } = manifest;
    const access = decodeJwtPayload(tokens.accessToken);
    expect(access).toMatchObject({ sub: userId(tokens.userEmail), device: tokens.deviceIdentifier, iss: `${manifest.domain}|login` });
    expect(new Date(Number(access.exp) * 1000).toISOString()).toBe(tokens.accessTokenExpiresAt);
    // Vaultwarden 1.37's refresh token is a JWT whose device_token is the device row's refresh_token
    const stored = one('SELECT refresh_token, user_uuid FROM devices WHERE uuid = ?', tokens.deviceIdentifier);
    expect(decodeJwtPayload(tokens.refreshToken).device_token).toBe(stored?.refresh_token);
    expect(stored?.user_uuid).toBe(userId(tokens.userEmail));
  });

  it('keeps the logged-in official CLI profile', () => {
    const state = JSON.parse(readFileSync(join(FIXTURE, manifest.cli.appDataDir, 'data.json'), 'utf8')) as Record<string, unknown>;
    const appId = String(state.global_applicationId_appId);
    expect(one('SELECT user_uuid, atype FROM devices WHERE uuid = ?', appId)).toEqual({ user_uuid: userId(manifest.cli.email), atype: 25 });
  });
});
