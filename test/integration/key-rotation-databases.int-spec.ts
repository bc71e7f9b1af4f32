// KDF change and user key rotation on PostgreSQL and MySQL (MariaDB here), over HTTP: the rotation's reads (personal
// items, folders, Sends, emergency access grants with a key, memberships with a reset password key) and its writes
// (the `key` column, quoted on MySQL; emergency_access.key_encrypted; memberships.reset_password_key) in one
// transaction, and a refused rotation that leaves every row as it was.
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { EmergencyAccessEntity } from '../../src/db/entities';
import { DATA_SOURCE } from '../../src/db/unit-of-work';
import { createTestApp, TestApp } from '../support/app';
import { rotationRequest, sendKey, withMasterKey } from '../support/key-rotation';
import { call, createOrganization, Json, JsonResponse, newPerson, Person } from '../support/org-harness';
import { createMysqlDatabase, createPostgresDatabase, describeWithServices, TestDatabase } from '../support/services';
import {
  createPbkdf2User, decryptType2, decryptType2Text, decryptType4, encryptType2, encryptType4, KdfSettings, loginCipherRequest, passwordLogin, pbkdf2MasterKey, unwrapUserKey, WEB_VAULT,
} from '../support/test-crypto';

const DAY_MS = 24 * 3600_000;

function rotationOn(name: string, variable: 'TEST_POSTGRES_URL' | 'TEST_MYSQL_URL', createDatabase: () => Promise<TestDatabase>, type: string): void {
  describeWithServices([variable], `KDF change and key rotation on ${name}`, () => {
    let db: TestDatabase;
    let t: TestApp;
    let owner: Person;

    const rotate = (body: unknown): Promise<JsonResponse> => call(t, owner.token, 'POST', '/api/accounts/key-management/rotate-user-account-keys', body);

    beforeAll(async () => {
      db = await createDatabase();
      t = await createTestApp({ DATABASE_URL: db.url });
      owner = await newPerson(t, 'rotating');
    }, 60_000);
    afterAll(async () => {
      await t?.close();
      await db?.drop();
    });

    it(`runs on ${name}`, () => {
      expect(t.config.database.type).toBe(type);
    });

    it('a refused rotation writes nothing; a complete one re-keys items, folder, Send, emergency access and account recovery; then a KDF change', async () => {
      const key = owner.account.secrets.userKey;
      const folder = (await call(t, owner.token, 'POST', '/api/folders', { name: encryptType2('Work', key) })).body;
      for (const item of [{ name: 'Bank', folderId: folder.id }, { name: 'Mail' }]) {
        const created = await call(t, owner.token, 'POST', '/api/ciphers', loginCipherRequest(owner.account, owner.userId, { ...item, username: 'u', password: 'p', uri: 'https://x.example' }));
        expect(created.status).toBe(200);
      }
      const seed = randomBytes(16);
      expect((await call(t, owner.token, 'POST', '/api/sends', {
        type: 0, name: encryptType2('Wifi', sendKey(seed)), notes: null, key: encryptType2(seed, key), text: { text: encryptType2('pw', sendKey(seed)), hidden: false },
        deletionDate: new Date(Date.now() + 7 * DAY_MS).toISOString(), expirationDate: null, maxAccessCount: null, disabled: false, hideEmail: false, password: null, authType: 2,
      })).status).toBe(200);
      const org = await createOrganization(t, owner, 'Recovery');
      for (const [policyType, data] of [[3, null], [8, { autoEnrollEnabled: false }]] as const) {
        expect((await call(t, owner.token, 'PUT', `/api/organizations/${org.id}/policies/${policyType}`, { policy: { type: policyType, enabled: true, data }, metadata: {} })).status).toBe(200);
      }
      expect((await call(t, owner.token, 'PUT', `/api/organizations/${org.id}/users/${owner.userId}/reset-password-enrollment`, {
        resetPasswordKey: encryptType4(key, org.publicKey), masterPasswordHash: owner.account.masterPasswordHash,
      })).status).toBe(200);
      const grantee = await createPbkdf2User(t.baseUrl, `grantee-${randomUUID()}@example.com`, 'pw', 5_000);
      const grants = t.app.get<DataSource>(DATA_SOURCE).getRepository(EmergencyAccessEntity);
      const grantId = randomUUID();
      const now = new Date();
      await grants.insert({
        id: grantId, grantorId: owner.userId, granteeId: null, email: grantee.email, keyEncrypted: encryptType4(key, grantee.publicKey), type: 0, status: 2, waitTimeDays: 7,
        recoveryInitiatedAt: null, lastNotificationAt: null, creationDate: now, revisionDate: now,
      });
      const sync = (await call(t, owner.token, 'GET', '/api/sync')).body;
      const newKey = randomBytes(64);
      const recoveryKey = encryptType4(newKey, org.publicKey);
      const complete = (): Json => {
        const body = rotationRequest(owner.account, owner.userId, sync, newKey);
        body.accountUnlockData.organizationAccountRecoveryUnlockData = [{ organizationId: org.id, resetPasswordKey: recoveryKey }];
        body.accountUnlockData.emergencyAccessUnlockData = [{ id: grantId, keyEncrypted: encryptType4(newKey, grantee.publicKey) }];
        return body;
      };

      const partial = complete();
      partial.accountData.sends = [];
      expect((await rotate(partial)).body.message).toBe('All existing sends must be included in the rotation.');
      const mallory = await newPerson(t, 'mallory');
      const theirs = (await call(t, mallory.token, 'POST', '/api/ciphers', loginCipherRequest(mallory.account, mallory.userId, { name: 'Theirs', username: 'm', password: 'm', uri: 'https://m.example' }))).body;
      const foreign = complete();
      foreign.accountData.ciphers.push({ ...foreign.accountData.ciphers[0], id: theirs.id });
      expect((await rotate(foreign)).body.message).toBe("Cipher doesn't exist");
      const unchanged = (await call(t, owner.token, 'GET', '/api/sync')).body;
      expect(unchanged.ciphers).toEqual(sync.ciphers);
      expect(unchanged.folders).toEqual(sync.folders);
      expect(unchanged.sends).toEqual(sync.sends);
      expect(decryptType4(String((await grants.findOneByOrFail({ id: grantId })).keyEncrypted), grantee.secrets.privateKeyDer).equals(key)).toBe(true);

      expect((await rotate(complete())).status).toBe(200);
      const tokens = await passwordLogin(t.baseUrl, owner.account, { ...WEB_VAULT, identifier: randomUUID() });
      expect(unwrapUserKey(String(tokens.Key), owner.account.secrets.masterKey).equals(newKey)).toBe(true);
      const after = (await call(t, tokens.access_token, 'GET', '/api/sync')).body;
      expect((after.ciphers as Json[]).map((c) => decryptType2Text(c.name, newKey)).sort()).toEqual(['Bank', 'Mail']);
      expect((after.ciphers as Json[]).find((c) => c.folderId === folder.id)).toBeDefined();
      expect(decryptType2Text(after.folders[0].name, newKey)).toBe('Work');
      expect(decryptType2(after.sends[0].key, newKey).equals(seed)).toBe(true);
      expect(decryptType4(String((await grants.findOneByOrFail({ id: grantId })).keyEncrypted), grantee.secrets.privateKeyDer).equals(newKey)).toBe(true);
      const members = (await call(t, tokens.access_token, 'GET', `/api/organizations/${org.id}/users`)).body.data as Json[];
      const details = await call(t, tokens.access_token, 'GET', `/api/organizations/${org.id}/users/${members.find((m) => m.userId === owner.userId).id}/reset-password-details`);
      expect(details.body.resetPasswordKey).toBe(recoveryKey);
      expect((await call(t, mallory.token, 'GET', `/api/ciphers/${theirs.id}`)).body.name).toBe(theirs.name);

      // KDF change (older flat shape) on the same database.
      const kdf: KdfSettings = { kdfType: 0, iterations: 600_000, memory: null, parallelism: null };
      const changed = withMasterKey({ ...owner.account, secrets: { ...owner.account.secrets, userKey: newKey } }, kdf, pbkdf2MasterKey(owner.account.password, owner.account.email, kdf.iterations));
      expect((await call(t, tokens.access_token, 'POST', '/api/accounts/kdf', {
        kdf: 0, kdfIterations: 600_000, masterPasswordHash: owner.account.masterPasswordHash, newMasterPasswordHash: changed.masterPasswordHash, key: changed.wrappedUserKey,
      })).status).toBe(200);
      const relogin = await passwordLogin(t.baseUrl, changed, { ...WEB_VAULT, identifier: randomUUID() });
      expect(unwrapUserKey(String(relogin.Key), changed.secrets.masterKey).equals(newKey)).toBe(true);
      await expect(passwordLogin(t.baseUrl, owner.account, { ...WEB_VAULT, identifier: randomUUID() })).rejects.toThrow();
    }, 120_000);
  });
}

rotationOn('PostgreSQL', 'TEST_POSTGRES_URL', () => createPostgresDatabase(), 'postgres');
rotationOn('MySQL', 'TEST_MYSQL_URL', () => createMysqlDatabase(), 'mysql');
