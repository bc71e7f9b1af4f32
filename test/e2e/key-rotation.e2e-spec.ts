// KDF change (POST /api/accounts/kdf) and user key rotation (POST /api/accounts/key-management/rotate-user-account-keys)
// as the web vault's Settings → Security → Keys makes them: every key derived and every item re-encrypted here with
// real client crypto, the other device on the hub (the official SignalR client) told to log out with the right
// Reason, and the official CLI logging in afterwards with the new settings and decrypting everything.
import { argon2id, hash as argon2 } from 'argon2';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { EmergencyAccessEntity, UserEntity } from '../../src/db/entities';
import { DATA_SOURCE } from '../../src/db/unit-of-work';
import { createTestApp, TestApp, TLS_CERT } from '../support/app';
import { uploadAttachment } from '../support/attachments';
import { BwProfile } from '../support/bw-cli';
import { HubClient } from '../support/hub-client';
import { encryptFile, rotationRequest, sendKey, withMasterKey } from '../support/key-rotation';
import { call, createOrganization, Json, JsonResponse, PASSWORD } from '../support/org-harness';
import {
  accountFromMasterKey, argon2idSalt, ClientDevice, createPbkdf2User, decodeJwtPayload, decryptType2, decryptType2Text, decryptType4, encryptType2, encryptType4, HttpError, KdfSettings,
  loginCipherRequest, masterPasswordHash, passwordLogin, pbkdf2MasterKey, PlainLogin, stretchMasterKey, TestAccount, unwrapUserKey, WEB_VAULT,
} from '../support/test-crypto';

const DAY = 24 * 60 * 60_000;
const ATTACHMENT_NAME = 'scan.bin';

interface BwItem { id: string; name: string; folderId: string | null; login?: { username: string; password: string } }
interface BwFolder { id: string | null; name: string }
interface BwSend { id: string; name: string; text?: { text: string } | null }

/** A signed-in web vault device: its tokens and identifier. */
interface Session { device: ClientDevice; accessToken: string; refreshToken: string }

/** An account with a vault: three logins (one in the folder, one with an attachment), a folder and a text Send. */
interface Owner {
  account: TestAccount;
  userId: string;
  web: Session;
  items: PlainLogin[];
  folderName: string;
  sendName: string;
  attachment: { cipherId: string; bytes: Buffer };
}

const argon2MasterKey = (password: string, email: string, kdf: { iterations: number; memory: number; parallelism: number }): Promise<Buffer> =>
  argon2(password, { type: argon2id, raw: true, salt: argon2idSalt(email), timeCost: kdf.iterations, memoryCost: kdf.memory * 1024, parallelism: kdf.parallelism, hashLength: 32 });

describe('KDF change and user key rotation, with real client crypto, the hub and the official CLI', () => {
  let t: TestApp;
  let work: string;

  beforeAll(async () => {
    // Attachment download links are absolute ({DOMAIN}/attachments/…): DOMAIN must name the port the server listens on.
    t = await createTestApp({}, { reachableDomain: true });
    work = mkdtempSync(join(tmpdir(), 'key-rotation-'));
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const login = async (account: TestAccount): Promise<Session> => {
    const device = { ...WEB_VAULT, identifier: randomUUID() };
    const tokens = await passwordLogin(t.baseUrl, account, device);
    return { device, accessToken: tokens.access_token, refreshToken: String(tokens.refresh_token) };
  };

  const refresh = async (refreshToken: string): Promise<Response> => fetch(`${t.baseUrl}/identity/connect/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'web', refresh_token: refreshToken }).toString(),
  });

  const expectRefused = (res: JsonResponse, message: string): void => {
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain(message);
  };

  /** Another web vault device of the account (a login of its own) on the hub, with its refresh token. */
  const otherDevice = async (account: TestAccount): Promise<{ hub: HubClient; session: Session }> => {
    const session = await login(account);
    return { hub: await HubClient.connect(t.baseUrl, session.accessToken), session };
  };

  async function vaultOwner(iterations: number, withAttachment = true): Promise<Owner> {
    const account = await createPbkdf2User(t.baseUrl, `keys-${randomUUID()}@example.com`, PASSWORD, iterations);
    const web = await login(account);
    const userId = String(decodeJwtPayload(web.accessToken).sub);
    const userKey = account.secrets.userKey;
    const folderName = 'Work';
    const folder = await call(t, web.accessToken, 'POST', '/api/folders', { name: encryptType2(folderName, userKey) });
    expect(folder.status).toBe(200);
    const items: PlainLogin[] = [
      { name: 'Bank', username: 'owner', password: 'b4nk-pass', uri: 'https://bank.example' },
      { name: 'Mail', username: 'owner@mail.example', password: 'm4il-pass', uri: 'https://mail.example', notes: 'recovery codes inside', folderId: folder.body.id },
      { name: 'Passport scan', username: 'owner', password: 'n/a', uri: 'https://gov.example' },
    ];
    const cipherIds: string[] = [];
    for (const item of items) {
      const created = await call(t, web.accessToken, 'POST', '/api/ciphers', loginCipherRequest(account, userId, item));
      expect(created.status).toBe(200);
      cipherIds.push(created.body.id);
    }
    const bytes = Buffer.concat([randomBytes(20_000), Buffer.from('end of scan')]);
    const attachment = { cipherId: cipherIds[2] ?? '', bytes };
    if (withAttachment) {
      const attachmentKey = randomBytes(64);
      const encrypted = encryptFile(bytes, attachmentKey);
      const fileName = encryptType2(ATTACHMENT_NAME, userKey);
      const announced = await call(t, web.accessToken, 'POST', `/api/ciphers/${attachment.cipherId}/attachment/v2`, {
        key: encryptType2(attachmentKey, userKey), fileName, fileSize: encrypted.length, adminRequest: false,
      });
      expect(announced.status).toBe(200);
      expect((await uploadAttachment(t, web.accessToken, attachment.cipherId, announced.body.attachmentId, encrypted, fileName)).status).toBe(200);
    }
    const sendName = 'Wifi password';
    const seed = randomBytes(16);
    const send = await call(t, web.accessToken, 'POST', '/api/sends', {
      type: 0, name: encryptType2(sendName, sendKey(seed)), notes: null, key: encryptType2(seed, userKey),
      text: { text: encryptType2('correct-horse', sendKey(seed)), hidden: false }, deletionDate: new Date(Date.now() + 7 * DAY).toISOString(),
      expirationDate: null, maxAccessCount: null, disabled: false, hideEmail: false, password: null, authType: 2,
    });
    expect(send.status).toBe(200);
    return { account, userId, web, items, folderName, sendName, attachment };
  }

  /** A fresh install of the official CLI logs in with `account` and decrypts every item, the folder, the Send and the attachment. */
  async function cliDecryptsEverything(owner: Owner, account: TestAccount): Promise<void> {
    const cli = new BwProfile(TLS_CERT);
    await cli.login(t.baseUrl, account.email, account.password);
    const items = await cli.json<BwItem[]>(['list', 'items']);
    expect(items.map((i) => ({ name: i.name, username: i.login?.username, password: i.login?.password })).sort((a, b) => a.name.localeCompare(b.name)))
      .toEqual(owner.items.map((i) => ({ name: i.name, username: i.username, password: i.password })).sort((a, b) => a.name.localeCompare(b.name)));
    const folders = await cli.json<BwFolder[]>(['list', 'folders']);
    const folder = folders.find((f) => f.id !== null);
    expect(folder?.name).toBe(owner.folderName);
    expect(items.find((i) => i.name === 'Mail')?.folderId).toBe(folder?.id);
    const sends = await cli.json<BwSend[]>(['send', 'list']);
    expect(sends.map((s) => s.name)).toEqual([owner.sendName]);
    const output = join(mkdtempSync(join(work, 'download-')), ATTACHMENT_NAME);
    const got = await cli.run(['get', 'attachment', ATTACHMENT_NAME, '--itemid', owner.attachment.cipherId, '--output', output]);
    expect(got.code).toBe(0);
    expect(readFileSync(output).equals(owner.attachment.bytes)).toBe(true);
  }

  it('KDF change PBKDF2 600000 → Argon2id (current shape): other device gets LogOut Reason 0, acting device stays signed in, old password dead, the CLI decrypts everything', async () => {
    const owner = await vaultOwner(600_000);
    const other = await otherDevice(owner.account);
    const kdf = { kdfType: 1 as const, iterations: 3, memory: 64, parallelism: 4 };
    const masterKey = await argon2MasterKey(PASSWORD, owner.account.email, kdf);
    const changed = withMasterKey(owner.account, kdf, masterKey);

    const res = await call(t, owner.web.accessToken, 'POST', '/api/accounts/kdf', {
      masterPasswordHash: owner.account.masterPasswordHash,
      authenticationData: { salt: owner.account.email, kdf, masterPasswordAuthenticationHash: changed.masterPasswordHash },
      unlockData: { salt: owner.account.email, kdf, masterKeyWrappedUserKey: changed.wrappedUserKey },
    });
    expect(res.status).toBe(200);

    const logout = await other.hub.waitFor((n) => n.Type === 11);
    expect(logout.Payload).toMatchObject({ UserId: owner.userId, Reason: 0 });
    expect((await refresh(owner.web.refreshToken)).status).toBe(200);
    expect((await refresh(other.session.refreshToken)).status).toBe(400);
    expect((await call(t, null, 'POST', '/identity/accounts/prelogin', { email: owner.account.email })).body)
      .toMatchObject({ kdf: 1, kdfIterations: 3, kdfMemory: 64, kdfParallelism: 4 });
    await expect(login(owner.account)).rejects.toThrow(HttpError);
    const tokens = await passwordLogin(t.baseUrl, changed, { ...WEB_VAULT, identifier: randomUUID() });
    expect(unwrapUserKey(String(tokens.Key), masterKey).equals(owner.account.secrets.userKey)).toBe(true);

    await cliDecryptsEverything(owner, changed);
    await other.hub.stop();
  }, 180_000);

  it('KDF change with the older flat shape: PBKDF2 600000 → 650000, LogOut Reason 0, only the new password logs in', async () => {
    const owner = await vaultOwner(600_000, false);
    const other = await otherDevice(owner.account);
    const kdf: KdfSettings = { kdfType: 0, iterations: 650_000, memory: null, parallelism: null };
    const changed = withMasterKey(owner.account, kdf, pbkdf2MasterKey(PASSWORD, owner.account.email, kdf.iterations));

    const res = await call(t, owner.web.accessToken, 'POST', '/api/accounts/kdf', {
      kdf: 0, kdfIterations: 650_000, kdfMemory: null, kdfParallelism: null,
      masterPasswordHash: owner.account.masterPasswordHash, newMasterPasswordHash: changed.masterPasswordHash, key: changed.wrappedUserKey,
    });
    expect(res.status).toBe(200);
    expect((await other.hub.waitFor((n) => n.Type === 11)).Payload).toMatchObject({ Reason: 0 });
    expect((await refresh(owner.web.refreshToken)).status).toBe(200);
    await expect(login(owner.account)).rejects.toThrow(HttpError);
    const tokens = await passwordLogin(t.baseUrl, changed, { ...WEB_VAULT, identifier: randomUUID() });
    expect(unwrapUserKey(String(tokens.Key), changed.secrets.masterKey).equals(owner.account.secrets.userKey)).toBe(true);
    await other.hub.stop();
  }, 120_000);

  it('key rotation: everything re-keyed in one request, LogOut Reason 1 and nothing per item, the CLI decrypts everything, the old user key opens nothing', async () => {
    const owner = await vaultOwner(600_000);
    const other = await otherDevice(owner.account);
    const sync = (await call(t, owner.web.accessToken, 'GET', '/api/sync')).body;
    expect(sync.ciphers).toHaveLength(3);
    const oldKey = owner.account.secrets.userKey;
    const newKey = randomBytes(64);

    const res = await call(t, owner.web.accessToken, 'POST', '/api/accounts/key-management/rotate-user-account-keys', rotationRequest(owner.account, owner.userId, sync, newKey));
    expect(res.status).toBe(200);

    const logout = await other.hub.waitFor((n) => n.Type === 11);
    expect(logout.Payload).toMatchObject({ UserId: owner.userId, Reason: 1 });
    // Nothing per item, folder or Send (one socket keeps the order: they would have come before the LogOut). The
    // SyncVault a newly connected device gets at once (catch-up) is the only other message.
    expect(other.hub.received((n) => n.Type !== 11 && n.Type !== 5)).toEqual([]);
    expect((await refresh(owner.web.refreshToken)).status).toBe(200);
    expect((await refresh(other.session.refreshToken)).status).toBe(400);

    // The same password now unwraps the new user key; nothing stored opens with the old one.
    const rotated: TestAccount = { ...owner.account, wrappedUserKey: '', secrets: { ...owner.account.secrets, userKey: newKey } };
    const tokens = await passwordLogin(t.baseUrl, owner.account, { ...WEB_VAULT, identifier: randomUUID() });
    expect(unwrapUserKey(String(tokens.Key), owner.account.secrets.masterKey).equals(newKey)).toBe(true);
    const after = (await call(t, tokens.access_token, 'GET', '/api/sync')).body;
    expect(decryptType2(after.profile.privateKey, newKey).equals(owner.account.secrets.privateKeyDer)).toBe(true);
    expect(() => decryptType2(after.profile.privateKey, oldKey)).toThrow();
    for (const cipher of after.ciphers as Json[]) {
      expect(() => decryptType2(cipher.name, oldKey)).toThrow();
      expect(() => decryptType2(cipher.login.username, oldKey)).toThrow();
      expect(owner.items.map((i) => i.name)).toContain(decryptType2Text(cipher.name, newKey));
      for (const a of (cipher.attachments ?? []) as Json[]) {
        expect(() => decryptType2(a.key, oldKey)).toThrow();
        expect(decryptType2Text(a.fileName, newKey)).toBe(ATTACHMENT_NAME);
      }
      expect(Date.parse(cipher.revisionDate)).toBeGreaterThan(Date.parse((sync.ciphers as Json[]).find((c) => c.id === cipher.id).revisionDate));
    }
    expect(decryptType2Text(after.folders[0].name, newKey)).toBe(owner.folderName);
    expect(() => decryptType2(after.folders[0].name, oldKey)).toThrow();
    expect(() => decryptType2(after.sends[0].key, oldKey)).toThrow();
    expect(decryptType2(after.sends[0].key, newKey)).toHaveLength(16);

    await cliDecryptsEverything(owner, rotated);
    await other.hub.stop();
  }, 180_000);

  it('key rotation re-keys the account recovery key of an organization and the emergency contact\'s copy; leaving either out is refused', async () => {
    const owner = await vaultOwner(5_000, false);
    const sync = (await call(t, owner.web.accessToken, 'GET', '/api/sync')).body;
    const org = await createOrganization(t, { account: owner.account, token: owner.web.accessToken }, 'Recovery');
    const policy = (type: number, data: Record<string, unknown> | null = null): Promise<JsonResponse> =>
      call(t, owner.web.accessToken, 'PUT', `/api/organizations/${org.id}/policies/${type}`, { policy: { type, enabled: true, data }, metadata: {} });
    expect((await policy(3)).status).toBe(200);
    expect((await policy(8, { autoEnrollEnabled: false })).status).toBe(200);
    const enrolled = await call(t, owner.web.accessToken, 'PUT', `/api/organizations/${org.id}/users/${owner.userId}/reset-password-enrollment`, {
      resetPasswordKey: encryptType4(owner.account.secrets.userKey, org.publicKey), masterPasswordHash: owner.account.masterPasswordHash,
    });
    expect(enrolled.status).toBe(200);

    // An emergency contact who holds a copy of the user key, and an invited one who holds none (the emergency access
    // routes are another module's: the rows are written as it writes them).
    const grantee = await createPbkdf2User(t.baseUrl, `grantee-${randomUUID()}@example.com`, PASSWORD, 5_000);
    const granteeId = String(decodeJwtPayload((await login(grantee)).accessToken).sub);
    const confirmedId = randomUUID();
    const now = new Date();
    const grants = t.app.get<DataSource>(DATA_SOURCE).getRepository(EmergencyAccessEntity);
    await grants.insert([
      { id: confirmedId, grantorId: owner.userId, granteeId, email: null, keyEncrypted: encryptType4(owner.account.secrets.userKey, grantee.publicKey), type: 1, status: 2, waitTimeDays: 7, recoveryInitiatedAt: null, lastNotificationAt: null, creationDate: now, revisionDate: now },
      { id: randomUUID(), grantorId: owner.userId, granteeId: null, email: 'invited@example.com', keyEncrypted: null, type: 0, status: 0, waitTimeDays: 7, recoveryInitiatedAt: null, lastNotificationAt: null, creationDate: now, revisionDate: now },
    ]);

    const newKey = randomBytes(64);
    const recoveryKey = encryptType4(newKey, org.publicKey);
    const contactKey = encryptType4(newKey, grantee.publicKey);
    const request = (recovery: unknown[], emergency: unknown[]): Json => {
      const body: Json = rotationRequest(owner.account, owner.userId, sync, newKey);
      body.accountUnlockData.organizationAccountRecoveryUnlockData = recovery;
      body.accountUnlockData.emergencyAccessUnlockData = emergency;
      return body;
    };
    const rotate = (body: unknown): Promise<JsonResponse> => call(t, owner.web.accessToken, 'POST', '/api/accounts/key-management/rotate-user-account-keys', body);
    const recovery = [{ organizationId: org.id, resetPasswordKey: recoveryKey }];
    const emergency = [{ id: confirmedId, type: 1, waitTimeDays: 7, keyEncrypted: contactKey }];

    expectRefused(await rotate(request([], emergency)), 'All existing reset password keys must be included in the rotation.');
    expectRefused(await rotate(request(recovery, [])), 'All existing emergency access keys must be included in the rotation.');
    expectRefused(await rotate(request([...recovery, { organizationId: randomUUID(), resetPasswordKey: recoveryKey }], emergency)), "Reset password doesn't exist");
    const stored = async (): Promise<string | null> => (await grants.findOneByOrFail({ id: confirmedId })).keyEncrypted;
    const memberId = ((await call(t, owner.web.accessToken, 'GET', `/api/organizations/${org.id}/users`)).body.data as Json[]).find((m) => m.userId === owner.userId).id;
    const details = async (): Promise<Json> => (await call(t, owner.web.accessToken, 'GET', `/api/organizations/${org.id}/users/${memberId}/reset-password-details`)).body;
    expect(decryptType4(String(await stored()), grantee.secrets.privateKeyDer).equals(owner.account.secrets.userKey)).toBe(true);
    expect((await details()).resetPasswordKey).not.toBe(recoveryKey);

    expect((await rotate(request(recovery, emergency))).status).toBe(200);
    expect(decryptType4(String(await stored()), grantee.secrets.privateKeyDer).equals(newKey)).toBe(true);
    const fresh = await passwordLogin(t.baseUrl, owner.account, { ...WEB_VAULT, identifier: randomUUID() });
    const detailsAfter = (await call(t, fresh.access_token, 'GET', `/api/organizations/${org.id}/users/${memberId}/reset-password-details`)).body;
    expect(detailsAfter.resetPasswordKey).toBe(recoveryKey);
    expect(unwrapUserKey(String(fresh.Key), owner.account.secrets.masterKey).equals(newKey)).toBe(true);
  }, 60_000);

  it('key rotation with a new master password in the same request (the web vault\'s change password + rotate): only the new password logs in', async () => {
    const owner = await vaultOwner(5_000, false);
    const sync = (await call(t, owner.web.accessToken, 'GET', '/api/sync')).body;
    const newKey = randomBytes(64);
    const newPassword = 'a brand new passphrase';
    const newMasterKey = pbkdf2MasterKey(newPassword, owner.account.email, 5_000);
    const body = rotationRequest(owner.account, owner.userId, sync, newKey);
    Object.assign(body.accountUnlockData.masterPasswordUnlockData, {
      masterKeyAuthenticationHash: masterPasswordHash(newMasterKey, newPassword), masterKeyEncryptedUserKey: encryptType2(newKey, stretchMasterKey(newMasterKey)), masterPasswordHint: 'the new one',
    });
    expect((await call(t, owner.web.accessToken, 'POST', '/api/accounts/key-management/rotate-user-account-keys', body)).status).toBe(200);
    await expect(login(owner.account)).rejects.toThrow(HttpError);
    const renewed: TestAccount = { ...owner.account, password: newPassword, masterPasswordHash: masterPasswordHash(newMasterKey, newPassword), secrets: { ...owner.account.secrets, masterKey: newMasterKey, userKey: newKey } };
    const tokens = await passwordLogin(t.baseUrl, renewed, { ...WEB_VAULT, identifier: randomUUID() });
    expect(unwrapUserKey(String(tokens.Key), newMasterKey).equals(newKey)).toBe(true);
    expect((await t.app.get<DataSource>(DATA_SOURCE).getRepository(UserEntity).findOneByOrFail({ id: owner.userId })).passwordHint).toBe('the new one');
  });

  describe('refusals: nothing is written', () => {
    let owner: Owner;
    let sync: Json;
    const rotate = (body: unknown): Promise<JsonResponse> => call(t, owner.web.accessToken, 'POST', '/api/accounts/key-management/rotate-user-account-keys', body);
    const kdfChange = (body: Record<string, unknown>): Promise<JsonResponse> => call(t, owner.web.accessToken, 'POST', '/api/accounts/kdf', body);

    beforeAll(async () => {
      owner = await vaultOwner(5_000, false);
      sync = (await call(t, owner.web.accessToken, 'GET', '/api/sync')).body;
    }, 60_000);

    /** The vault is as before (same ciphertexts), still opens with the old user key, and the old password still logs in. */
    const unchanged = async (): Promise<void> => {
      const tokens = await passwordLogin(t.baseUrl, owner.account, { ...WEB_VAULT, identifier: randomUUID() });
      expect(unwrapUserKey(String(tokens.Key), owner.account.secrets.masterKey).equals(owner.account.secrets.userKey)).toBe(true);
      const now = (await call(t, tokens.access_token, 'GET', '/api/sync')).body;
      expect(now.ciphers).toEqual(sync.ciphers);
      expect(now.folders).toEqual(sync.folders);
      expect(now.sends).toEqual(sync.sends);
      expect(now.profile.privateKey).toBe(sync.profile.privateKey);
      const item = (now.ciphers as Json[]).find((c) => c.folderId !== null);
      expect(decryptType2Text(item.name, owner.account.secrets.userKey)).toBe('Mail');
      expect(decryptType2Text(now.folders[0].name, owner.account.secrets.userKey)).toBe(owner.folderName);
    };

    it('rotation with a wrong old master password', async () => {
      const body = rotationRequest(owner.account, owner.userId, sync, randomBytes(64));
      body.oldMasterKeyAuthenticationHash = masterPasswordHash(pbkdf2MasterKey('not the password', owner.account.email, 5_000), 'not the password');
      expectRefused(await rotate(body), 'Invalid password');
      await unchanged();
    });

    it('rotations that leave out an item, the folder or the Send: 400 with the official message', async () => {
      const full = (): Json => rotationRequest(owner.account, owner.userId, sync, randomBytes(64));
      const noCipher = full();
      noCipher.accountData.ciphers = noCipher.accountData.ciphers.slice(1);
      expectRefused(await rotate(noCipher), 'All existing ciphers must be included in the rotation.');
      const noFolder = full();
      noFolder.accountData.folders = [];
      expectRefused(await rotate(noFolder), 'All existing folders must be included in the rotation.');
      const noSend = full();
      noSend.accountData.sends = [];
      expectRefused(await rotate(noSend), 'All existing sends must be included in the rotation.');
      await unchanged();
    });

    it("a rotation that names another user's item is refused; that item is untouched", async () => {
      const mallory = await vaultOwner(5_000, false);
      const theirs = (await call(t, mallory.web.accessToken, 'GET', '/api/sync')).body.ciphers[0];
      const body: Json = rotationRequest(owner.account, owner.userId, sync, randomBytes(64));
      const mine = body.accountData.ciphers[0];
      body.accountData.ciphers.push({ ...mine, id: theirs.id });
      expectRefused(await rotate(body), "Cipher doesn't exist");
      const still = await call(t, mallory.web.accessToken, 'GET', `/api/ciphers/${theirs.id}`);
      expect(still.body.name).toBe(theirs.name);
      expect(decryptType2Text(still.body.name, mallory.account.secrets.userKey)).toBe('Bank');
      await unchanged();
    }, 60_000);

    it('a rotation may not change the KDF or the key pair', async () => {
      const kdf: Json = rotationRequest(owner.account, owner.userId, sync, randomBytes(64));
      kdf.accountUnlockData.masterPasswordUnlockData.kdfIterations = 600_000;
      expectRefused(await rotate(kdf), 'Changing the kdf variant or email is not supported during key rotation');
      const keys: Json = rotationRequest(owner.account, owner.userId, sync, randomBytes(64));
      keys.accountKeys.accountPublicKey = mallowPublicKey();
      expectRefused(await rotate(keys), 'Changing the asymmetric keypair is not possible during key rotation');
      await unchanged();
    });

    it('KDF change: bad parameters (official messages), wrong password, foreign salt, differing authentication and unlock KDF', async () => {
      const hash = owner.account.masterPasswordHash;
      const shaped = (kdf: Record<string, unknown>, unlockKdf = kdf, salt = owner.account.email): Record<string, unknown> => ({
        masterPasswordHash: hash,
        authenticationData: { salt, kdf, masterPasswordAuthenticationHash: hash },
        unlockData: { salt, kdf: unlockKdf, masterKeyWrappedUserKey: owner.account.wrappedUserKey },
      });
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ kdfType: 0, iterations: 599_999 }, 'KDF iterations must be between 600000 and 2000000.'],
        [{ kdfType: 0, iterations: 2_000_001 }, 'KDF iterations must be between 600000 and 2000000.'],
        [{ kdfType: 1, iterations: 1, memory: 64, parallelism: 4 }, 'Argon2 iterations must be between 2 and 10.'],
        [{ kdfType: 1, iterations: 3, memory: 14, parallelism: 4 }, 'Argon2 memory must be between 15mb and 1024mb.'],
        [{ kdfType: 1, iterations: 3, memory: 1025, parallelism: 4 }, 'Argon2 memory must be between 15mb and 1024mb.'],
        [{ kdfType: 1, iterations: 3, parallelism: 4 }, 'Argon2 memory must be between 15mb and 1024mb.'],
        [{ kdfType: 1, iterations: 3, memory: 64, parallelism: 17 }, 'Argon2 parallelism must be between 1 and 16.'],
      ];
      for (const [kdf, message] of cases) expectRefused(await kdfChange(shaped(kdf)), message);
      expectRefused(await kdfChange({ kdf: 0, kdfIterations: 100_000, masterPasswordHash: hash, newMasterPasswordHash: hash, key: owner.account.wrappedUserKey }),
        'KDF iterations must be between 600000 and 2000000.');
      const good = { kdfType: 0, iterations: 600_000 };
      expectRefused(await kdfChange({ ...shaped(good), masterPasswordHash: masterPasswordHash(randomBytes(32), 'x') }), 'Invalid password');
      expectRefused(await kdfChange(shaped(good, good, 'someone-else@example.com')), 'Invalid master password salt.');
      expectRefused(await kdfChange(shaped(good, { kdfType: 0, iterations: 700_000 })), 'KDF settings must be equal for authentication and unlock.');
      expectRefused(await kdfChange({ masterPasswordHash: hash, unlockData: shaped(good).unlockData }), 'AuthenticationData and UnlockData must be provided.');
      expect((await call(t, null, 'POST', '/identity/accounts/prelogin', { email: owner.account.email })).body).toMatchObject({ kdf: 0, kdfIterations: 5_000 });
      await unchanged();
    });
  });
});

/** Some other account's public key (SPKI, base64). */
function mallowPublicKey(): string {
  return accountFromMasterKey('other@example.com', 'x', { kdfType: 0, iterations: 5_000, memory: null, parallelism: null }, randomBytes(32)).publicKey;
}
