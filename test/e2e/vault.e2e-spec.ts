import { randomUUID } from 'node:crypto';
import { SeededUser } from '../support/seed';
import { encString, Json, loginBody, randomName, sleep, startVault, VaultHarness } from './vault-harness';

const NOT_FOUND = 'Resource not found.';
const INVALID_FOLDER = 'Invalid folder';

describe('vault: folders and single-cipher endpoints', () => {
  let h: VaultHarness;
  let alice: SeededUser;
  let bob: SeededUser;

  beforeAll(async () => {
    h = await startVault();
    alice = await h.newUser();
    bob = await h.newUser();
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    h.take();
  });

  const createCipher = async (user: SeededUser, body: Record<string, unknown> = loginBody()): Promise<Json> => {
    const res = await h.call(user, 'POST', '/api/ciphers', body);
    expect(res.status).toBe(200);
    h.take();
    return res.body;
  };
  const createFolder = async (user: SeededUser): Promise<Json> => {
    const res = await h.call(user, 'POST', '/api/folders', { name: randomName() });
    expect(res.status).toBe(200);
    h.take();
    return res.body;
  };
  const expectError = (res: { status: number; body: Json }, status: number, message: string): void => {
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ message, object: 'error', errorModel: { message, object: 'error' } });
  };

  describe('folders', () => {
    it('POST /api/folders → folder JSON, FolderCreated, account revision date moves', async () => {
      const before = await h.revisionDate(alice);
      await sleep(5);
      const name = randomName();
      const res = await h.call(alice, 'POST', '/api/folders', { name, unknownField: 'dropped' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), name, revisionDate: expect.any(String), object: 'folder' });
      expect(Object.keys(res.body)).toEqual(['id', 'name', 'revisionDate', 'object']);
      const events = h.take();
      expect(events).toEqual([
        { name: 'FolderCreated', payload: { folderId: res.body.id, userId: alice.id, revisionDate: new Date(res.body.revisionDate), actor: { userId: alice.id, deviceId: alice.deviceId, deviceIdentifier: alice.deviceIdentifier } } },
      ]);
      const after = await h.revisionDate(alice);
      expect(after).toBeGreaterThan(before);
      expect(after).toBe(Date.parse(res.body.revisionDate));
    });

    it('GET /api/folders and GET /api/folders/{id}: list shape, only own folders, no events', async () => {
      const mine = await createFolder(alice);
      const theirs = await createFolder(bob);
      const list = await h.call(alice, 'GET', '/api/folders');
      expect(list.status).toBe(200);
      expect(list.body).toEqual({ data: expect.any(Array), object: 'list', continuationToken: null });
      const ids = list.body.data.map((f: Json) => f.id);
      expect(ids).toContain(mine.id);
      expect(ids).not.toContain(theirs.id);
      const one = await h.call(alice, 'GET', `/api/folders/${mine.id}`);
      expect(one.status).toBe(200);
      expect(one.body).toEqual(mine);
      expectError(await h.call(alice, 'GET', `/api/folders/${theirs.id}`), 400, INVALID_FOLDER);
      expectError(await h.call(alice, 'GET', `/api/folders/${randomUUID()}`), 400, INVALID_FOLDER);
      expect(h.take()).toEqual([]);
    });

    it.each(['PUT', 'POST'])('%s /api/folders/{id} renames → FolderUpdated with the new revision date', async (method) => {
      const folder = await createFolder(alice);
      await sleep(5);
      const name = randomName();
      const res = await h.call(alice, method, `/api/folders/${folder.id}`, { name });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: folder.id, name, object: 'folder' });
      expect(Date.parse(res.body.revisionDate)).toBeGreaterThan(Date.parse(folder.revisionDate));
      expect(h.take()).toEqual([{ name: 'FolderUpdated', payload: expect.objectContaining({ folderId: folder.id, userId: alice.id, revisionDate: new Date(res.body.revisionDate) }) }]);
      expect(await h.revisionDate(alice)).toBe(Date.parse(res.body.revisionDate));
    });

    it.each([
      ['DELETE', ''],
      ['POST', '/delete'],
    ])('%s /api/folders/{id}%s deletes it, its ciphers go to no folder, FolderDeleted', async (method, suffix) => {
      const folder = await createFolder(alice);
      const cipher = await createCipher(alice, loginBody({ folderId: folder.id }));
      expect(cipher.folderId).toBe(folder.id);
      await sleep(5);
      const res = await h.call(alice, method, `/api/folders/${folder.id}${suffix}`);
      expect(res.status).toBe(200);
      expect(res.text).toBe('');
      const events = h.take();
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ name: 'FolderDeleted', payload: { folderId: folder.id, userId: alice.id } });
      const deletedAt = (events[0]!.payload as { revisionDate: Date }).revisionDate.getTime();
      expect(Math.abs(deletedAt - Date.now())).toBeLessThan(10_000);
      expect(await h.revisionDate(alice)).toBe(deletedAt);
      const after = await h.call(alice, 'GET', `/api/ciphers/${cipher.id}`);
      expect(after.body.folderId).toBeNull();
      expect(after.body.revisionDate).toBe(cipher.revisionDate);
      expectError(await h.call(alice, 'GET', `/api/folders/${folder.id}`), 400, INVALID_FOLDER);
    });

    it("another user's folder: update and delete refused with Invalid folder, nothing changed, no events", async () => {
      const folder = await createFolder(bob);
      const bobBefore = await h.revisionDate(bob);
      expectError(await h.call(alice, 'PUT', `/api/folders/${folder.id}`, { name: randomName() }), 400, INVALID_FOLDER);
      expectError(await h.call(alice, 'POST', `/api/folders/${folder.id}`, { name: randomName() }), 400, INVALID_FOLDER);
      expectError(await h.call(alice, 'DELETE', `/api/folders/${folder.id}`), 400, INVALID_FOLDER);
      expectError(await h.call(alice, 'POST', `/api/folders/${folder.id}/delete`), 400, INVALID_FOLDER);
      expect(h.take()).toEqual([]);
      expect((await h.call(bob, 'GET', `/api/folders/${folder.id}`)).body).toEqual(folder);
      expect(await h.revisionDate(bob)).toBe(bobBefore);
    });

    it('validation: missing, non-EncString, non-string and oversized names → 400 model state, nothing written', async () => {
      const count = (await h.call(alice, 'GET', '/api/folders')).body.data.length;
      for (const body of [{}, { name: 'plain text' }, { name: 42 }, { name: `2.${'A'.repeat(10_001)}` }, { name: null }]) {
        const res = await h.call(alice, 'POST', '/api/folders', body);
        expect(res.status).toBe(400);
        expect(res.body.message).toBe('The model state is invalid.');
        expect(res.body.validationErrors.name).toEqual(expect.any(Array));
      }
      expect((await h.call(alice, 'GET', '/api/folders')).body.data.length).toBe(count);
      expect(h.take()).toEqual([]);
    });

    it('non-UUID id → 400; no token → 401', async () => {
      expect((await h.call(alice, 'GET', '/api/folders/not-a-uuid')).status).toBe(400);
      expect((await fetch(`${h.t.baseUrl}/api/folders`)).status).toBe(401);
    });
  });

  describe('ciphers: create and read', () => {
    it('POST /api/ciphers returns every field the request carried (cipherDetails), CipherCreated', async () => {
      const folder = await createFolder(alice);
      const body = loginBody({ folderId: folder.id, favorite: true, reprompt: 1, encryptedFor: alice.id });
      const before = await h.revisionDate(alice);
      await sleep(5);
      const res = await h.call(alice, 'POST', '/api/ciphers', body);
      expect(res.status).toBe(200);
      const c = res.body;
      const login = body.login as Json;
      expect(c).toEqual({
        object: 'cipherDetails',
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        type: 1,
        organizationId: null,
        folderId: folder.id,
        favorite: true,
        edit: true,
        viewPassword: true,
        permissions: { delete: true, restore: true },
        organizationUseTotp: true,
        collectionIds: [],
        key: body.key,
        reprompt: 1,
        name: body.name,
        notes: body.notes,
        fields: [
          { type: 0, name: (body.fields as Json)[0].name, value: (body.fields as Json)[0].value, linkedId: null },
          { type: 3, name: (body.fields as Json)[1].name, value: null, linkedId: 100 },
        ],
        passwordHistory: body.passwordHistory,
        attachments: null,
        login: {
          username: login.username,
          password: login.password,
          totp: login.totp,
          uri: login.uris[0].uri,
          uris: [
            { uri: login.uris[0].uri, match: 3, uriChecksum: login.uris[0].uriChecksum },
            { uri: login.uris[1].uri, match: null, uriChecksum: login.uris[1].uriChecksum },
          ],
          passwordRevisionDate: login.passwordRevisionDate,
          fido2Credentials: login.fido2Credentials,
          autofillOnPageLoad: true,
          futureLoginField: { nested: [1, 2, 3] },
        },
        secureNote: null,
        card: null,
        identity: null,
        sshKey: null,
        creationDate: expect.any(String),
        revisionDate: expect.any(String),
        deletedDate: null,
        archivedDate: null,
      });
      expect(c.creationDate).toBe(c.revisionDate);
      expect(c.revisionDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(h.take()).toEqual([
        {
          name: 'CipherCreated',
          payload: {
            cipherId: c.id, userId: alice.id, organizationId: null, collectionIds: null, revisionDate: new Date(c.revisionDate),
            recipients: [alice.id], actor: { userId: alice.id, deviceId: alice.deviceId, deviceIdentifier: alice.deviceIdentifier },
          },
        },
      ]);
      const after = await h.revisionDate(alice);
      expect(after).toBeGreaterThan(before);
      expect(after).toBe(Date.parse(c.revisionDate));
      // what is read back equals what was returned
      expect((await h.call(alice, 'GET', `/api/ciphers/${c.id}`)).body).toEqual(c);
    });

    it.each([
      ['secure note', { type: 2, secureNote: { type: 0, extra: 'kept' } }, 'secureNote', { type: 0, extra: 'kept' }],
      [
        'card',
        { type: 3, card: { cardholderName: encString(), brand: encString(), number: encString(), expMonth: encString(), expYear: encString(), code: encString(), response: null } },
        'card',
        null,
      ],
      ['identity', { type: 4, identity: { firstName: encString(), lastName: encString(), email: encString(), ssn: null, newIdField: encString() } }, 'identity', null],
      ['SSH key', { type: 5, sshKey: { privateKey: encString(), publicKey: encString(), keyFingerprint: encString() } }, 'sshKey', null],
    ])('POST /api/ciphers %s: the type object comes back with known keys filled and unknown keys kept', async (_label, typed, key, exact) => {
      const body = { name: randomName(), notes: null, favorite: false, ...typed };
      const res = await h.call(alice, 'POST', '/api/ciphers', body);
      expect(res.status).toBe(200);
      const sent = { ...(typed as Json)[key] };
      delete sent.response;
      expect(res.body[key]).toMatchObject(sent);
      expect(res.body[key]).not.toHaveProperty('response');
      if (exact) expect(res.body[key]).toEqual(exact);
      for (const other of ['login', 'secureNote', 'card', 'identity', 'sshKey'].filter((k) => k !== key)) expect(res.body[other]).toBeNull();
      if (key === 'card') expect(Object.keys(res.body.card).sort()).toEqual(['brand', 'cardholderName', 'code', 'expMonth', 'expYear', 'number']);
      if (key === 'identity') {
        expect(res.body.identity).toMatchObject({ title: null, middleName: null, passportNumber: null, licenseNumber: null });
        expect(res.body.identity.newIdField).toBe(sent.newIdField);
      }
      expect(res.body.fields).toBeNull();
      expect(res.body.passwordHistory).toBeNull();
      expect(h.take().map((e) => e.name)).toEqual(['CipherCreated']);
    });

    it('POST /api/ciphers/create (personal: empty collectionIds) → CipherCreated; another organization 404, collections without one or an organization without collections 400; nothing written', async () => {
      const body = loginBody();
      const res = await h.call(alice, 'POST', '/api/ciphers/create', { cipher: body, collectionIds: [] });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ object: 'cipherDetails', name: body.name, organizationId: null, collectionIds: [] });
      expect(h.take().map((e) => e.name)).toEqual(['CipherCreated']);

      const count = (await h.call(alice, 'GET', '/api/ciphers')).body.data.length;
      const orgId = randomUUID();
      expectError(await h.call(alice, 'POST', '/api/ciphers/create', { cipher: loginBody({ organizationId: orgId }), collectionIds: [randomUUID()] }), 404, 'Resource not found.');
      expectError(await h.call(alice, 'POST', '/api/ciphers/create', { cipher: loginBody(), collectionIds: [randomUUID()] }), 400, 'Only organization items can be in collections.');
      expectError(await h.call(alice, 'POST', '/api/ciphers', loginBody({ organizationId: orgId })), 400, 'You must select at least one collection.');
      expect((await h.call(alice, 'POST', '/api/ciphers/create', { collectionIds: [] })).status).toBe(400);
      expect((await h.call(alice, 'GET', '/api/ciphers')).body.data.length).toBe(count);
      expect(h.take()).toEqual([]);
    });

    it('POST /api/ciphers with encryptedFor another user → 400, nothing written', async () => {
      const count = (await h.call(alice, 'GET', '/api/ciphers')).body.data.length;
      expectError(await h.call(alice, 'POST', '/api/ciphers', loginBody({ encryptedFor: bob.id })), 400, 'Cipher was not encrypted for the current user. Please try again.');
      expect((await h.call(alice, 'GET', '/api/ciphers')).body.data.length).toBe(count);
      expect(h.take()).toEqual([]);
    });

    it('GET /api/ciphers, /{id} and /{id}/details: own ciphers only; missing or foreign → 404; no events', async () => {
      const mine = await createCipher(alice);
      const theirs = await createCipher(bob);
      const list = await h.call(alice, 'GET', '/api/ciphers');
      expect(list.status).toBe(200);
      expect(list.body).toEqual({ data: expect.any(Array), object: 'list', continuationToken: null });
      expect(list.body.data.map((c: Json) => c.id)).toContain(mine.id);
      expect(list.body.data.map((c: Json) => c.id)).not.toContain(theirs.id);
      expect(list.body.data.every((c: Json) => c.object === 'cipherDetails')).toBe(true);
      for (const suffix of ['', '/details']) {
        const one = await h.call(alice, 'GET', `/api/ciphers/${mine.id}${suffix}`);
        expect(one.status).toBe(200);
        expect(one.body).toEqual(mine);
        expectError(await h.call(alice, 'GET', `/api/ciphers/${theirs.id}${suffix}`), 404, NOT_FOUND);
        expectError(await h.call(alice, 'GET', `/api/ciphers/${randomUUID()}${suffix}`), 404, NOT_FOUND);
      }
      expect(h.take()).toEqual([]);
    });
  });

  describe('ciphers: edit', () => {
    it.each(['PUT', 'POST'])('%s /api/ciphers/{id} with the current lastKnownRevisionDate → new content, CipherUpdated', async (method) => {
      const cipher = await createCipher(alice);
      const folder = await createFolder(alice);
      await sleep(5);
      const body = loginBody({ name: randomName(), notes: null, folderId: folder.id, favorite: true, lastKnownRevisionDate: cipher.revisionDate, fields: [], login: { username: encString('u2'), uris: [] } });
      const res = await h.call(alice, method, `/api/ciphers/${cipher.id}`, body);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id: cipher.id, name: body.name, notes: null, folderId: folder.id, favorite: true, fields: [], creationDate: cipher.creationDate,
        login: { username: (body.login as Json).username, password: null, uri: null, uris: [] },
      });
      expect(Date.parse(res.body.revisionDate)).toBeGreaterThan(Date.parse(cipher.revisionDate));
      expect(h.take()).toEqual([
        { name: 'CipherUpdated', payload: expect.objectContaining({ cipherId: cipher.id, userId: alice.id, organizationId: null, collectionIds: null, recipients: [alice.id], revisionDate: new Date(res.body.revisionDate) }) },
      ]);
      expect(await h.revisionDate(alice)).toBe(Date.parse(res.body.revisionDate));
      expect((await h.call(alice, 'GET', `/api/ciphers/${cipher.id}/details`)).body).toEqual(res.body);
    });

    it('a stale lastKnownRevisionDate is refused (compared to the millisecond); without one the edit applies', async () => {
      const cipher = await createCipher(alice);
      const stale = new Date(Date.parse(cipher.revisionDate) - 1).toISOString();
      const res = await h.call(alice, 'PUT', `/api/ciphers/${cipher.id}`, loginBody({ name: randomName(), lastKnownRevisionDate: stale }));
      expectError(res, 400, 'The client copy of this cipher is out of date. Resync the client and try again.');
      expect(h.take()).toEqual([]);
      expect((await h.call(alice, 'GET', `/api/ciphers/${cipher.id}`)).body).toEqual(cipher);

      const withMicros = `${cipher.revisionDate.slice(0, 23)}999Z`;
      expect((await h.call(alice, 'PUT', `/api/ciphers/${cipher.id}`, loginBody({ lastKnownRevisionDate: withMicros }))).status).toBe(200);
      expect((await h.call(alice, 'PUT', `/api/ciphers/${cipher.id}`, loginBody({ lastKnownRevisionDate: null }))).status).toBe(200);
      expect(h.take().map((e) => e.name)).toEqual(['CipherUpdated', 'CipherUpdated']);
    });

    it("edit with another user's folder → 400 Invalid folder; another user's cipher → 404; nothing modified", async () => {
      const cipher = await createCipher(alice);
      const bobsFolder = await createFolder(bob);
      const bobsCipher = await createCipher(bob);
      expectError(await h.call(alice, 'PUT', `/api/ciphers/${cipher.id}`, loginBody({ folderId: bobsFolder.id })), 400, INVALID_FOLDER);
      expectError(await h.call(alice, 'POST', '/api/ciphers', loginBody({ folderId: bobsFolder.id })), 400, INVALID_FOLDER);
      expectError(await h.call(alice, 'PUT', `/api/ciphers/${bobsCipher.id}`, loginBody()), 404, NOT_FOUND);
      expectError(await h.call(alice, 'POST', `/api/ciphers/${bobsCipher.id}`, loginBody()), 404, NOT_FOUND);
      expect(h.take()).toEqual([]);
      expect((await h.call(alice, 'GET', `/api/ciphers/${cipher.id}`)).body).toEqual(cipher);
      expect((await h.call(bob, 'GET', `/api/ciphers/${bobsCipher.id}`)).body).toEqual(bobsCipher);
    });

    it.each(['PUT', 'POST'])('%s /api/ciphers/{id}/partial sets folder and favourite: no event, cipher date unchanged, account date moves', async (method) => {
      const cipher = await createCipher(alice);
      const folder = await createFolder(alice);
      const before = await h.revisionDate(alice);
      await sleep(5);
      const res = await h.call(alice, method, `/api/ciphers/${cipher.id}/partial`, { folderId: folder.id, favorite: true });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...cipher, folderId: folder.id, favorite: true });
      expect(h.take()).toEqual([]);
      expect(await h.revisionDate(alice)).toBeGreaterThan(before);

      const cleared = await h.call(alice, method, `/api/ciphers/${cipher.id}/partial`, { folderId: null, favorite: false });
      expect(cleared.body).toEqual(cipher);
      expect(h.take()).toEqual([]);
      expectError(await h.call(alice, method, `/api/ciphers/${cipher.id}/partial`, { folderId: (await createFolder(bob)).id }), 400, INVALID_FOLDER);
      expectError(await h.call(bob, method, `/api/ciphers/${cipher.id}/partial`, { favorite: true }), 404, NOT_FOUND);
      expect((await h.call(alice, 'GET', `/api/ciphers/${cipher.id}`)).body).toEqual(cipher);
      expect(h.take()).toEqual([]);
    });
  });

  describe('ciphers: trash, restore, archive, delete', () => {
    it('PUT /api/ciphers/{id}/delete trashes (200, empty body, CipherUpdated); PUT …/restore returns the cipher (CipherUpdated)', async () => {
      const cipher = await createCipher(alice);
      await sleep(5);
      const trashed = await h.call(alice, 'PUT', `/api/ciphers/${cipher.id}/delete`);
      expect(trashed.status).toBe(200);
      expect(trashed.text).toBe('');
      const afterTrash = (await h.call(alice, 'GET', `/api/ciphers/${cipher.id}`)).body;
      expect(afterTrash.deletedDate).toBe(afterTrash.revisionDate);
      expect(Date.parse(afterTrash.revisionDate)).toBeGreaterThan(Date.parse(cipher.revisionDate));
      expect(h.take()).toEqual([{ name: 'CipherUpdated', payload: expect.objectContaining({ cipherId: cipher.id, revisionDate: new Date(afterTrash.revisionDate) }) }]);
      expect(await h.revisionDate(alice)).toBe(Date.parse(afterTrash.revisionDate));

      // trashing again changes nothing
      expect((await h.call(alice, 'PUT', `/api/ciphers/${cipher.id}/delete`)).status).toBe(200);
      expect(h.take()).toEqual([]);

      await sleep(5);
      const restored = await h.call(alice, 'PUT', `/api/ciphers/${cipher.id}/restore`);
      expect(restored.status).toBe(200);
      expect(restored.body).toMatchObject({ id: cipher.id, object: 'cipherDetails', deletedDate: null, name: cipher.name });
      expect(Date.parse(restored.body.revisionDate)).toBeGreaterThan(Date.parse(afterTrash.revisionDate));
      expect(h.take()).toEqual([{ name: 'CipherUpdated', payload: expect.objectContaining({ cipherId: cipher.id, revisionDate: new Date(restored.body.revisionDate) }) }]);
    });

    it('PUT /api/ciphers/{id}/archive and /unarchive → cipher JSON with archivedDate, CipherUpdated each', async () => {
      const cipher = await createCipher(alice);
      await sleep(5);
      const archived = await h.call(alice, 'PUT', `/api/ciphers/${cipher.id}/archive`);
      expect(archived.status).toBe(200);
      expect(archived.body.archivedDate).toBe(archived.body.revisionDate);
      expect(h.take()).toEqual([{ name: 'CipherUpdated', payload: expect.objectContaining({ cipherId: cipher.id, revisionDate: new Date(archived.body.revisionDate) }) }]);
      await sleep(5);
      const unarchived = await h.call(alice, 'PUT', `/api/ciphers/${cipher.id}/unarchive`);
      expect(unarchived.status).toBe(200);
      expect(unarchived.body.archivedDate).toBeNull();
      expect(Date.parse(unarchived.body.revisionDate)).toBeGreaterThan(Date.parse(archived.body.revisionDate));
      expect(h.take().map((e) => e.name)).toEqual(['CipherUpdated']);
    });

    it.each([
      ['DELETE', ''],
      ['POST', '/delete'],
    ])('%s /api/ciphers/{id}%s hard-deletes → 200 empty, CipherDeleted with the time of deletion, then 404', async (method, suffix) => {
      const cipher = await createCipher(alice);
      const started = Date.now();
      await sleep(5);
      const res = await h.call(alice, method, `/api/ciphers/${cipher.id}${suffix}`);
      expect(res.status).toBe(200);
      expect(res.text).toBe('');
      const events = h.take();
      expect(events).toEqual([
        { name: 'CipherDeleted', payload: expect.objectContaining({ cipherId: cipher.id, userId: alice.id, organizationId: null, collectionIds: null, recipients: [alice.id] }) },
      ]);
      const at = (events[0]!.payload as { revisionDate: Date }).revisionDate.getTime();
      expect(at).toBeGreaterThanOrEqual(started);
      expect(at).toBeGreaterThan(Date.parse(cipher.revisionDate));
      expect(await h.revisionDate(alice)).toBe(at);
      expectError(await h.call(alice, 'GET', `/api/ciphers/${cipher.id}`), 404, NOT_FOUND);
    });

    it("another user's cipher: trash, restore, archive, unarchive, delete → 404; nothing modified; no events", async () => {
      const theirs = await createCipher(bob);
      const bobBefore = await h.revisionDate(bob);
      for (const [method, suffix] of [
        ['PUT', '/delete'], ['PUT', '/restore'], ['PUT', '/archive'], ['PUT', '/unarchive'], ['DELETE', ''], ['POST', '/delete'],
      ] as const) {
        expectError(await h.call(alice, method, `/api/ciphers/${theirs.id}${suffix}`), 404, NOT_FOUND);
      }
      expect(h.take()).toEqual([]);
      expect((await h.call(bob, 'GET', `/api/ciphers/${theirs.id}`)).body).toEqual(theirs);
      expect(await h.revisionDate(bob)).toBe(bobBefore);
    });
  });
});
