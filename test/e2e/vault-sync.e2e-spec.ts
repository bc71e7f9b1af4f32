import { randomUUID } from 'node:crypto';
import { BetterSqlite3QueryRunner } from 'typeorm/driver/better-sqlite3/BetterSqlite3QueryRunner';
import { SeededUser } from '../support/seed';
import { encString, Json, loginBody, randomName, sleep, startVault, VaultHarness } from './vault-harness';

describe('vault: sync, domain settings, request validation', () => {
  let h: VaultHarness;
  let bob: SeededUser;

  beforeAll(async () => {
    h = await startVault();
    bob = await h.newUser();
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    h.take();
  });

  describe('GET /api/sync', () => {
    it('has the shape of real-clients.md §3.8 with folders, live and trashed ciphers, favourites and folder links; no events', async () => {
      const user = await h.newUser();
      const folder = (await h.call(user, 'POST', '/api/folders', { name: randomName() })).body;
      const inFolder = (await h.call(user, 'POST', '/api/ciphers', loginBody({ folderId: folder.id, favorite: true }))).body;
      const trashed = (await h.call(user, 'POST', '/api/ciphers', { type: 2, name: randomName(), secureNote: { type: 0 } })).body;
      await h.call(user, 'PUT', `/api/ciphers/${trashed.id}/delete`);
      await h.call(bob, 'POST', '/api/ciphers', loginBody());
      h.take();

      const res = await h.call(user, 'GET', '/api/sync?excludeDomains=true');
      expect(res.status).toBe(200);
      const sync = res.body;
      expect(Object.keys(sync)).toEqual(['object', 'profile', 'folders', 'collections', 'policies', 'sends', 'ciphers', 'domains', 'userDecryption']);
      expect(sync).toMatchObject({ object: 'sync', collections: [], policies: [], sends: [], domains: null });
      expect(sync.profile).toMatchObject({ object: 'profile', id: user.id, email: user.email, name: user.name, securityStamp: expect.any(String) });
      expect(sync.profile.accountKeys.publicKeyEncryptionKeyPair.publicKey).toEqual(expect.any(String));
      expect(sync.userDecryption).toMatchObject({ masterPasswordUnlock: { kdf: { kdfType: 0, iterations: 600000 }, salt: user.email } });
      expect(sync.folders).toEqual([folder]);
      expect(sync.ciphers).toHaveLength(2);
      const byId = new Map<string, Json>(sync.ciphers.map((c: Json) => [c.id, c]));
      expect(byId.get(inFolder.id)).toEqual(inFolder);
      expect(byId.get(inFolder.id)).toMatchObject({ folderId: folder.id, favorite: true, object: 'cipherDetails' });
      const inTrash = byId.get(trashed.id);
      expect(inTrash.deletedDate).toEqual(expect.any(String));
      expect(inTrash).toEqual((await h.call(user, 'GET', `/api/ciphers/${trashed.id}/details`)).body);
      expect(h.take()).toEqual([]);
    });

    it('without excludeDomains (or excludeDomains=false) → domains object, excluded global groups left out', async () => {
      const user = await h.newUser();
      await h.call(user, 'PUT', '/api/settings/domains', { equivalentDomains: [['example.com', 'example.net']], excludedGlobalEquivalentDomains: [0] });
      h.take();
      for (const query of ['', '?excludeDomains=false']) {
        const sync = (await h.call(user, 'GET', `/api/sync${query}`)).body;
        expect(sync.domains).toMatchObject({ object: 'domains', equivalentDomains: [['example.com', 'example.net']] });
        const types = sync.domains.globalEquivalentDomains.map((g: Json) => g.type);
        expect(types).not.toContain(0);
        expect(types).toContain(1);
        expect(sync.domains.globalEquivalentDomains.every((g: Json) => g.excluded === false)).toBe(true);
      }
      expect(h.take()).toEqual([]);
    });

    it('no N+1: the number of SQL statements does not grow with the number of ciphers and folders', async () => {
      const count = async (user: SeededUser): Promise<number> => {
        const spy = jest.spyOn(BetterSqlite3QueryRunner.prototype, 'query');
        try {
          expect((await h.call(user, 'GET', '/api/sync')).status).toBe(200);
          return spy.mock.calls.length;
        } finally {
          spy.mockRestore();
        }
      };
      const small = await h.newUser();
      const big = await h.newUser();
      const fill = async (user: SeededUser, n: number): Promise<void> => {
        for (let i = 0; i < n; i += 1) {
          const folder = (await h.call(user, 'POST', '/api/folders', { name: randomName() })).body;
          await h.call(user, 'POST', '/api/ciphers', loginBody({ folderId: folder.id, favorite: i % 2 === 0 }));
        }
      };
      await fill(small, 1);
      await fill(big, 25);
      h.take();
      const few = await count(small);
      const many = await count(big);
      expect(few).toBeGreaterThan(0);
      expect(many).toBe(few);
    });

    it('needs a token', async () => {
      const res = await fetch(`${h.t.baseUrl}/api/sync`);
      expect(res.status).toBe(401);
    });
  });

  describe('/api/settings/domains', () => {
    it('GET → equivalent domains and Bitwarden global groups (type numbers of GlobalEquivalentDomainsType); no events', async () => {
      const user = await h.newUser();
      const res = await h.call(user, 'GET', '/api/settings/domains');
      expect(res.status).toBe(200);
      expect(Object.keys(res.body)).toEqual(['equivalentDomains', 'globalEquivalentDomains', 'object']);
      expect(res.body).toMatchObject({ equivalentDomains: [], object: 'domains' });
      const groups: Json[] = res.body.globalEquivalentDomains;
      expect(groups.length).toBeGreaterThanOrEqual(20);
      const byType = new Map<number, Json>(groups.map((g) => [g.type, g]));
      expect(byType.size).toBe(groups.length);
      for (const [type, domain] of [[0, 'google.com'], [1, 'apple.com'], [10, 'microsoft.com'], [18, 'amazon.com'], [14, 'paypal.com'], [51, 'facebook.com'], [64, 'ebay.com'], [81, 'discord.com']] as const) {
        expect(byType.get(type)).toEqual({ type, domains: expect.arrayContaining([domain]), excluded: false });
      }
      expect(byType.has(67)).toBe(false);
      expect(h.take()).toEqual([]);
    });

    it.each(['PUT', 'POST'])('%s stores equivalent and excluded domains → UserSettingsChanged, revision date moves', async (method) => {
      const user = await h.newUser();
      const before = await h.revisionDate(user);
      await sleep(5);
      const body = { equivalentDomains: [['a.example', 'b.example'], ['c.example', 'd.example']], excludedGlobalEquivalentDomains: [10, 18, 18] };
      const res = await h.call(user, method, '/api/settings/domains', body);
      expect(res.status).toBe(200);
      expect(res.body.object).toBe('domains');
      expect(res.body.equivalentDomains).toEqual(body.equivalentDomains);
      expect(h.take()).toEqual([{ name: 'UserSettingsChanged', payload: { userId: user.id, actor: { userId: user.id, deviceId: user.deviceId, deviceIdentifier: user.deviceIdentifier } } }]);
      expect(await h.revisionDate(user)).toBeGreaterThan(before);

      const got = (await h.call(user, 'GET', '/api/settings/domains')).body;
      expect(got).toEqual(res.body);
      const excluded = got.globalEquivalentDomains.filter((g: Json) => g.excluded).map((g: Json) => g.type).sort((a: number, b: number) => a - b);
      expect(excluded).toEqual([10, 18]);
      // another user is not affected
      expect((await h.call(bob, 'GET', '/api/settings/domains')).body.equivalentDomains).toEqual([]);
      h.take();
    });

    it('invalid bodies → 400 model state, nothing stored, no event', async () => {
      const user = await h.newUser();
      for (const body of [
        { equivalentDomains: ['flat.example'] },
        { equivalentDomains: [[1, 2]] },
        { equivalentDomains: [['x'.repeat(256)]] },
        { equivalentDomains: 'x' },
        { excludedGlobalEquivalentDomains: ['google'] },
        { excludedGlobalEquivalentDomains: [1.5] },
      ]) {
        const res = await h.call(user, 'PUT', '/api/settings/domains', body);
        expect(res.status).toBe(400);
        expect(res.body.message).toBe('The model state is invalid.');
      }
      expect(h.take()).toEqual([]);
      const got = (await h.call(user, 'GET', '/api/settings/domains')).body;
      expect(got.equivalentDomains).toEqual([]);
      expect(got.globalEquivalentDomains.some((g: Json) => g.excluded)).toBe(false);
    });
  });

  describe('cipher request validation → 400 Bitwarden body, nothing written, no event', () => {
    let user: SeededUser;
    let existing: Json;
    beforeAll(async () => {
      user = await h.newUser();
      existing = (await h.call(user, 'POST', '/api/ciphers', loginBody())).body;
    });

    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['type missing', { type: undefined }, 'type'],
      ['type 0', { type: 0 }, 'type'],
      ['type 6', { type: 6 }, 'type'],
      ['type as a string', { type: '1' }, 'type'],
      ['type not an integer', { type: 1.5 }, 'type'],
      ['name missing', { name: undefined }, 'name'],
      ['name null', { name: null }, 'name'],
      ['name not an EncString', { name: 'my bank' }, 'name'],
      ['name as a number', { name: 7 }, 'name'],
      ['name too long', { name: `2.${'A'.repeat(10_000)}` }, 'name'],
      ['notes too long', { notes: `2.${'A'.repeat(10_000)}` }, 'notes'],
      ['notes not an EncString', { notes: 'hello' }, 'notes'],
      ['key not an EncString', { key: 'k' }, 'key'],
      ['folderId not a UUID', { folderId: 'abc' }, 'folderId'],
      ['favorite not a boolean', { favorite: 'yes' }, 'favorite'],
      ['reprompt 2', { reprompt: 2 }, 'reprompt'],
      ['lastKnownRevisionDate not a date', { lastKnownRevisionDate: 'yesterday' }, 'lastKnownRevisionDate'],
      ['login missing for type 1', { login: undefined }, 'login'],
      ['login not an object', { login: 'x' }, 'login'],
      ['login.username not an EncString', { login: { username: 'alice' } }, 'login'],
      ['login.password as a number', { login: { password: 5 } }, 'login'],
      ['login.uris not an array', { login: { uris: 'x' } }, 'login'],
      ['login.uris[].uri not an EncString', { login: { uris: [{ uri: 'https://example.com' }] } }, 'login'],
      ['login.uris[].match out of range', { login: { uris: [{ uri: encString(), match: 9 }] } }, 'login'],
      ['more than 1,000 uris', { login: { uris: Array.from({ length: 1001 }, () => ({ uri: '2.AA==' })) } }, 'login'],
      ['login.fido2Credentials[] bad', { login: { fido2Credentials: [{ credentialId: 'plain' }] } }, 'login'],
      ['login.autofillOnPageLoad not a boolean', { login: { autofillOnPageLoad: 'true' } }, 'login'],
      ['secure note type missing', { type: 2, login: undefined, secureNote: {} }, 'secureNote'],
      ['card.number not an EncString', { type: 3, login: undefined, card: { number: '4111111111111111' } }, 'card'],
      ['identity.ssn not an EncString', { type: 4, login: undefined, identity: { ssn: '123-45-6789' } }, 'identity'],
      ['sshKey.privateKey not an EncString', { type: 5, login: undefined, sshKey: { privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----' } }, 'sshKey'],
      ['fields not an array', { fields: {} }, 'fields'],
      ['fields[].type out of range', { fields: [{ type: 7, name: encString() }] }, 'fields.0.type'],
      ['fields[].value not an EncString', { fields: [{ type: 0, value: 'secret' }] }, 'fields.0.value'],
      ['passwordHistory[] without a date', { passwordHistory: [{ password: encString() }] }, 'passwordHistory.0.lastUsedDate'],
      ['passwordHistory[].password not an EncString', { passwordHistory: [{ lastUsedDate: '2026-01-01T00:00:00Z', password: 'old' }] }, 'passwordHistory.0.password'],
      ['more than 10,000 password history entries', { passwordHistory: Array.from({ length: 10_001 }, () => ({ lastUsedDate: '2026-01-01T00:00:00Z', password: '2.AA==' })) }, 'passwordHistory'],
    ];

    it.each(cases)('%s', async (_label, override, field) => {
      const body = loginBody(override);
      for (const [key, value] of Object.entries(override)) if (value === undefined) delete body[key];
      const count = (await h.call(user, 'GET', '/api/ciphers')).body.data.length;
      const revision = await h.revisionDate(user);

      for (const [method, path] of [['POST', '/api/ciphers'], ['PUT', `/api/ciphers/${existing.id}`]] as const) {
        const res = await h.call(user, method, path, body);
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({
          message: 'The model state is invalid.',
          errorModel: { message: 'The model state is invalid.', object: 'error' },
          object: 'error',
        });
        expect(res.body.validationErrors[field]).toEqual(expect.arrayContaining([expect.any(String)]));
      }
      const wrapped = await h.call(user, 'POST', '/api/ciphers/create', { cipher: body, collectionIds: [] });
      expect(wrapped.status).toBe(400);
      expect(Object.keys(wrapped.body.validationErrors).some((k) => k.startsWith('cipher'))).toBe(true);

      expect((await h.call(user, 'GET', '/api/ciphers')).body.data.length).toBe(count);
      expect((await h.call(user, 'GET', `/api/ciphers/${existing.id}`)).body).toEqual(existing);
      expect(await h.revisionDate(user)).toBe(revision);
      expect(h.take()).toEqual([]);
    });

    it('the message names the offending nested field', async () => {
      const res = await h.call(user, 'POST', '/api/ciphers', loginBody({ login: { uris: [{ uri: encString() }, { uri: 'https://example.com' }] } }));
      expect(res.status).toBe(400);
      expect(res.body.validationErrors.login.join(' ')).toContain('login.uris.1.uri');
    });

    it('a type object for another type is ignored; the cipher keeps only its own', async () => {
      const res = await h.call(user, 'POST', '/api/ciphers', loginBody({ card: { number: encString() } }));
      expect(res.status).toBe(200);
      expect(res.body.card).toBeNull();
      expect(res.body.login).not.toBeNull();
      expect(h.take().map((e) => e.name)).toEqual(['CipherCreated']);
    });

    it('malformed JSON → 400, nothing written', async () => {
      const res = await fetch(`${h.t.baseUrl}/api/ciphers`, { method: 'POST', headers: { Authorization: `Bearer ${user.token}`, 'Content-Type': 'application/json' }, body: '{"type":1,' });
      expect(res.status).toBe(400);
      expect(h.take()).toEqual([]);
    });

    it('unknown top-level fields are dropped, not rejected', async () => {
      const res = await h.call(user, 'POST', '/api/ciphers', loginBody({ someNewTopLevelField: randomUUID(), someNewObject: { x: 1 } }));
      expect(res.status).toBe(200);
      expect(res.body).not.toHaveProperty('someNewTopLevelField');
      expect(res.body.attachments).toBeNull();
      h.take();
    });
  });
});
