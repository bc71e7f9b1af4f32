// The hand-written SQL on the cipher write path (ciphers.repository.ts, users.repository.ts,
// session.repository.ts) on every database the server supports: the same requests, the same answers.
import { createPostgresDatabase, describeWithServices } from '../support/services';
import { Json, loginBody, randomName, startVault, VaultHarness } from './vault-harness';

function cipherSqlSuite(label: string, env: () => Promise<{ env: Record<string, string>; drop(): Promise<void> }>): void {
  describe(`cipher writes through plain SQL (${label})`, () => {
    let h: VaultHarness;
    let drop: () => Promise<void>;

    beforeAll(async () => {
      const database = await env();
      drop = database.drop;
      h = await startVault(database.env);
    }, 60_000);

    afterAll(async () => {
      await h?.close();
      await drop?.();
    });

    it('create in a folder as a favourite, read back, edit out of the folder, unfavourite: every column round-trips', async () => {
      const user = await h.newUser();
      const folder = await h.call(user, 'POST', '/api/folders', { name: randomName() });
      expect(folder.status).toBe(200);
      const before = await h.revisionDate(user);

      const body = loginBody({ folderId: folder.body.id, favorite: true, reprompt: 1 });
      const created = await h.call(user, 'POST', '/api/ciphers', body);
      expect(created.status).toBe(200);
      const id = created.body.id as string;
      const read = await h.call(user, 'GET', `/api/ciphers/${id}`);
      expect(read.status).toBe(200);
      for (const got of [created.body, read.body] as Json[]) {
        expect(got).toMatchObject({ id, folderId: folder.body.id, favorite: true, reprompt: 1, name: body.name, notes: body.notes, key: body.key, organizationId: null, deletedDate: null });
        expect(got.login.uris).toEqual(expect.arrayContaining([expect.objectContaining({ uri: (body.login as Json).uris[0].uri })]));
        expect(got.fields).toHaveLength(2);
        expect(got.passwordHistory).toEqual(body.passwordHistory);
      }
      expect(read.body.revisionDate).toBe(created.body.revisionDate);
      expect(read.body.creationDate).toBe(created.body.creationDate);
      const afterCreate = await h.revisionDate(user);
      expect(afterCreate).toBeGreaterThan(before);

      const newName = randomName();
      const edited = await h.call(user, 'PUT', `/api/ciphers/${id}`, { ...body, name: newName, folderId: null, favorite: false, notes: null, fields: null, lastKnownRevisionDate: read.body.revisionDate });
      expect(edited.status).toBe(200);
      const again = await h.call(user, 'GET', `/api/ciphers/${id}`);
      expect(again.body).toMatchObject({ id, name: newName, folderId: null, favorite: false, notes: null, fields: null, creationDate: created.body.creationDate });
      expect(new Date(again.body.revisionDate).getTime()).toBeGreaterThan(new Date(created.body.revisionDate).getTime());
      expect(await h.revisionDate(user)).toBeGreaterThan(afterCreate);

      // The stale check reads the stored revision date back exactly.
      const stale = await h.call(user, 'PUT', `/api/ciphers/${id}`, { ...body, lastKnownRevisionDate: created.body.revisionDate });
      expect(stale.status).toBe(400);
    });

    it("another user's cipher is neither readable nor writable: the user id is part of every statement", async () => {
      const owner = await h.newUser();
      const other = await h.newUser();
      const created = await h.call(owner, 'POST', '/api/ciphers', loginBody());
      expect((await h.call(other, 'GET', `/api/ciphers/${created.body.id}`)).status).toBe(404);
      expect((await h.call(other, 'PUT', `/api/ciphers/${created.body.id}`, loginBody({ name: randomName() }))).status).toBe(404);
      expect((await h.call(owner, 'GET', `/api/ciphers/${created.body.id}`)).body.name).toBe(created.body.name);
    });

    it('an import of 450 items (three multi-row statements) lands whole, with its folder links', async () => {
      const user = await h.newUser();
      const ciphers = Array.from({ length: 450 }, () => loginBody({ name: randomName() }));
      const res = await h.call(user, 'POST', '/api/ciphers/import', {
        ciphers, folders: [{ name: randomName() }], folderRelationships: Array.from({ length: 450 }, (_, i) => ({ key: i, value: 0 })).filter((r) => r.key % 3 === 0),
      });
      expect(res.status).toBe(200);
      const sync = await h.call(user, 'GET', '/api/sync');
      expect(sync.body.ciphers).toHaveLength(450);
      expect(new Set((sync.body.ciphers as Json[]).map((c) => c.name))).toEqual(new Set(ciphers.map((c) => c.name)));
      expect((sync.body.ciphers as Json[]).filter((c) => c.folderId === sync.body.folders[0].id)).toHaveLength(150);
    });

    it('a session whose device was deleted is refused; the user row alone does not authenticate', async () => {
      const user = await h.newUser();
      expect((await h.call(user, 'GET', '/api/accounts/revision-date')).status).toBe(200);
      const devices = await h.call(user, 'GET', '/api/devices');
      for (const device of devices.body.data as Json[]) await h.call(user, 'DELETE', `/api/devices/${device.id}`);
      expect((await h.call(user, 'GET', '/api/accounts/revision-date')).status).toBe(401);
    });
  });
}

cipherSqlSuite('SQLite', async () => ({ env: {}, drop: async () => undefined }));

describeWithServices(['TEST_POSTGRES_URL'], 'PostgreSQL', () => {
  cipherSqlSuite('PostgreSQL', async () => {
    const pg = await createPostgresDatabase('vault_sql');
    return { env: { DATABASE_URL: pg.url }, drop: pg.drop };
  });
});
