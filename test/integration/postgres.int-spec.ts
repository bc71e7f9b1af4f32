import { apiCall } from '../support/api';
import { randomUUID } from 'node:crypto';
import { createTestApp, TestApp } from '../support/app';
import { HubClient } from '../support/hub-client';
import { migrateConcurrently, migrateUpDownUp } from '../support/migration-checks';
import { createPostgresDatabase, describeWithServices } from '../support/services';
import {
  createLoginItem, createPbkdf2User, decodeJwtPayload, encryptType2, loginCipherRequest, passwordLogin, TestAccount, WEB_VAULT,
} from '../support/test-crypto';

const TABLES = ['users', 'devices', 'folders', 'ciphers', 'folder_ciphers', 'favorites', 'auth_requests', 'push_outbox'];

describeWithServices(['TEST_POSTGRES_URL'], 'PostgreSQL', () => {
  describe('migrations on a fresh PostgreSQL database', () => {
    let db: Awaited<ReturnType<typeof createPostgresDatabase>>;
    beforeAll(async () => {
      db = await createPostgresDatabase();
    });
    afterAll(async () => {
      await db?.drop();
    });

    it('apply on an empty database, revert to zero, apply again; a second run applies nothing', async () => {
      await migrateUpDownUp(db.url, 'postgres', '/tmp/unused-vault-pg', {
        tables: TABLES,
        listTables: async (ds) =>
          ((await ds.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")) as Array<{ table_name: string }>).map((t) => t.table_name),
        checkSchema: async (ds) => {
          // Timestamps are fixed-width RFC 3339 text; booleans are real booleans.
          const columns = (await ds.query(
            "SELECT column_name, data_type, character_maximum_length FROM information_schema.columns WHERE table_name = 'ciphers' AND column_name IN ('revision_date', 'id')",
          )) as Array<{ column_name: string; data_type: string; character_maximum_length: number }>;
          expect(Object.fromEntries(columns.map((c) => [c.column_name, [c.data_type, c.character_maximum_length]]))).toEqual({ id: ['character varying', 36], revision_date: ['character varying', 32] });
        },
        checkReverted: (left) => expect(left.filter((t) => TABLES.includes(t))).toEqual([]),
      });
    }, 60_000);

    it('two instances migrating at once: the advisory lock lets exactly one apply each migration', async () => {
      await migrateConcurrently(createPostgresDatabase, '/tmp/unused-vault-pg');
    }, 60_000);
  });

  describe('the whole app on PostgreSQL: accounts, vault, sync and the hub', () => {
    let db: Awaited<ReturnType<typeof createPostgresDatabase>>;
    let t: TestApp;
    let account: TestAccount;
    let tokenA: string;
    let deviceA: string;
    let userId: string;
    let hubB: HubClient;

    const api = (method: string, path: string, body?: unknown, token = tokenA): Promise<Response> => apiCall(t.baseUrl, token, method, path, body);

    beforeAll(async () => {
      db = await createPostgresDatabase();
      t = await createTestApp({ DATABASE_URL: db.url });
      account = await createPbkdf2User(t.baseUrl, `pg-${randomUUID()}@example.com`, 'correct horse', 5_000);
      const a = await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() });
      tokenA = a.access_token;
      deviceA = String(decodeJwtPayload(tokenA).device);
      userId = String(decodeJwtPayload(tokenA).sub);
      const b = await passwordLogin(t.baseUrl, account, { type: 8, name: 'linux', clientId: 'desktop', identifier: randomUUID() });
      hubB = await HubClient.connect(t.baseUrl, b.access_token);
      await hubB.waitFor((m) => m.Type === 5); // catch-up of a device never seen on the hub
    }, 60_000);

    afterAll(async () => {
      await hubB?.stop();
      await t?.close();
      await db?.drop();
    });

    it('runs on PostgreSQL (not a SQLite fallback)', () => {
      expect(t.config.database.type).toBe('postgres');
    });

    it('prelogin ignores the case of the email (case-sensitive comparisons on PostgreSQL)', async () => {
      const res = await fetch(`${t.baseUrl}/identity/accounts/prelogin`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: account.email.toUpperCase() }),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { kdfIterations: number }).kdfIterations).toBe(5_000);
    });

    it('cipher create, edit, trash, restore, delete; folder create, rename, delete — over the API, on the hub and in /api/sync', async () => {
      const folder = (await (await api('POST', '/api/folders', { name: encryptType2('work', account.secrets.userKey) })).json()) as { id: string; revisionDate: string };
      expect((await hubB.waitFor((m) => m.Type === 7 && m.Payload.Id === folder.id)).ContextId).toBe(deviceA);

      const created = await createLoginItem(t.baseUrl, tokenA, account, { name: 'bank', username: 'alice', password: 's3cret', uri: 'https://bank.example', folderId: folder.id });
      const id = String(created.id);
      const onCreate = await hubB.waitFor((m) => m.Type === 1 && m.Payload.Id === id);
      expect(onCreate).toEqual({ ContextId: deviceA, Type: 1, Payload: { Id: id, UserId: userId, OrganizationId: null, CollectionIds: null, RevisionDate: new Date(String(created.revisionDate)) } });

      const editRes = await api('PUT', `/api/ciphers/${id}`, { ...loginCipherRequest(account, userId, { name: 'bank 2', username: 'alice', password: 'n3w', uri: 'https://bank.example', folderId: folder.id }), lastKnownRevisionDate: created.revisionDate });
      expect(editRes.status).toBe(200);
      const edited = (await editRes.json()) as { revisionDate: string };
      await hubB.waitFor((m) => m.Type === 0 && m.Payload.Id === id && (m.Payload.RevisionDate as Date).toISOString() === edited.revisionDate);

      let sync = (await (await api('GET', '/api/sync')).json()) as { ciphers: Array<{ id: string; folderId: string | null; deletedDate: string | null; revisionDate: string }>; folders: Array<{ id: string }>; profile: { id: string; email: string } };
      expect(sync.profile.id).toBe(userId);
      expect(sync.folders.map((f) => f.id)).toContain(folder.id);
      expect(sync.ciphers.find((c) => c.id === id)).toMatchObject({ folderId: folder.id, deletedDate: null, revisionDate: edited.revisionDate });

      expect((await api('PUT', `/api/ciphers/${id}/delete`)).status).toBe(200);
      await hubB.waitFor((m) => m.Type === 0 && m.Payload.Id === id && (m.Payload.RevisionDate as Date).getTime() > new Date(edited.revisionDate).getTime());
      sync = (await (await api('GET', '/api/sync')).json()) as typeof sync;
      expect(sync.ciphers.find((c) => c.id === id)?.deletedDate).toEqual(expect.any(String));

      const restored = (await (await api('PUT', `/api/ciphers/${id}/restore`)).json()) as { revisionDate: string; deletedDate: string | null };
      expect(restored.deletedDate).toBeNull();
      await hubB.waitFor((m) => m.Type === 0 && m.Payload.Id === id && (m.Payload.RevisionDate as Date).toISOString() === restored.revisionDate);

      const renamed = (await (await api('PUT', `/api/folders/${folder.id}`, { name: encryptType2('work 2', account.secrets.userKey) })).json()) as { revisionDate: string };
      expect((await hubB.waitFor((m) => m.Type === 8 && m.Payload.Id === folder.id)).Payload.RevisionDate).toEqual(new Date(renamed.revisionDate));

      expect((await api('DELETE', `/api/ciphers/${id}`)).status).toBe(200);
      expect((await hubB.waitFor((m) => m.Type === 2 && m.Payload.Id === id)).ContextId).toBe(deviceA);
      expect((await api('DELETE', `/api/folders/${folder.id}`)).status).toBe(200);
      expect((await hubB.waitFor((m) => m.Type === 3 && m.Payload.Id === folder.id)).ContextId).toBe(deviceA);

      sync = (await (await api('GET', '/api/sync')).json()) as typeof sync;
      expect(sync.ciphers.map((c) => c.id)).not.toContain(id);
      expect(sync.folders.map((f) => f.id)).not.toContain(folder.id);
      const revision = Number(await (await api('GET', '/api/accounts/revision-date')).text());
      expect(revision).toBeGreaterThanOrEqual(new Date(renamed.revisionDate).getTime());
    }, 60_000);
  });
});
