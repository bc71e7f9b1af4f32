// MySQL, tested on MariaDB (.ci/services.sh): every migration up, down and up again on an empty database, the
// entities and the migrations agree, and the whole app over HTTP: accounts, folders, ciphers (one larger than
// MySQL's TEXT), sync, the hub, mobile push through the relay stand-in, an organization with a member, a
// collection, a group and organization items, and deletions cascading.
import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { DataSource, DataSourceOptions } from 'typeorm';
import { MysqlLongText1796840100000 } from '../../migrations/1796840100000-MysqlLongText';
import { loadConfig } from '../../src/config/app-config';
import { dataSourceOptions, withMysqlLongText } from '../../src/db/data-source';
import { runMigrations } from '../../src/db/migrate';
import { UnitOfWork } from '../../src/db/unit-of-work';
import { createTestApp, TestApp } from '../support/app';
import { apiJson, Json } from '../support/api';
import { HubClient } from '../support/hub-client';
import { migrateConcurrently, migrateUpDownUp } from '../support/migration-checks';
import { organizationRequest } from '../support/org-harness';
import { createMysqlDatabase, describeWithServices, TestDatabase } from '../support/services';
import { RelayStandIn } from '../stand-ins/relay-stand-in';
import { ANDROID, login, newPushToken, Session } from '../e2e/push-harness';
import {
  createLoginItem, createPbkdf2User, decodeJwtPayload, decryptType2Text, encryptType2, encryptType4, loginCipherRequest, passwordLogin, TestAccount, WEB_VAULT,
} from '../support/test-crypto';

const TABLES = ['users', 'devices', 'folders', 'ciphers', 'folder_ciphers', 'favorites', 'auth_requests', 'push_outbox', 'organizations', 'memberships', 'collections'];

/**
 * Words MySQL 8.0 added to its reserved words (https://dev.mysql.com/doc/refman/8.0/en/keywords.html), most of which
 * MariaDB (what runs here) does not reserve: a table or column named so would pass these tests and break
 * unquoted hand-written SQL on MySQL 8.
 */
const MYSQL8_RESERVED = [
  'cube', 'cume_dist', 'dense_rank', 'empty', 'except', 'first_value', 'function', 'grouping', 'groups', 'intersect', 'json_table', 'lag', 'last_value',
  'lateral', 'lead', 'nth_value', 'ntile', 'of', 'over', 'percent_rank', 'rank', 'recursive', 'row', 'rows', 'row_number', 'system', 'window',
];

describeWithServices(['TEST_MYSQL_URL'], 'MySQL', () => {
  describe('migrations on a fresh MySQL database', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createMysqlDatabase();
    });
    afterAll(async () => {
      await db?.drop();
    });

    it('apply on an empty database, revert to zero, apply again; a second run applies nothing', async () => {
      await migrateUpDownUp(db.url, 'mysql', '/tmp/unused-vault-mysql', {
        tables: TABLES,
        listTables: async (ds) =>
          ((await ds.query("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'")) as Array<{ name: string }>).map((t) => t.name),
        checkSchema: async (ds) => {
          // Timestamps are fixed-width RFC 3339 text; booleans are TINYINT(1); text is LONGTEXT; every table is InnoDB (foreign keys, transactions) in utf8mb4.
          const columns = (await ds.query(
            "SELECT column_name AS name, column_type AS type FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name IN ('ciphers', 'users') AND column_name IN ('revision_date', 'id', 'enabled', 'data')",
          )) as Array<{ name: string; type: string }>;
          expect(Object.fromEntries(columns.map((c) => [c.name, c.type.toLowerCase()]))).toEqual({ id: 'varchar(36)', revision_date: 'varchar(32)', enabled: 'tinyint(1)', data: 'longtext' });
          expect(await ds.query("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND data_type = 'text'")).toEqual([]);
          const engines = (await ds.query(
            "SELECT DISTINCT engine, table_collation AS collation FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'",
          )) as Array<{ engine: string; collation: string }>;
          expect(engines.map((e) => [e.engine, e.collation.split('_')[0]])).toEqual([['InnoDB', 'utf8mb4']]);
          const names = (await ds.query(
            'SELECT LOWER(table_name) AS name FROM information_schema.tables WHERE table_schema = DATABASE() UNION SELECT LOWER(column_name) FROM information_schema.columns WHERE table_schema = DATABASE()',
          )) as Array<{ name: string }>;
          expect(names.map((n) => n.name).filter((n) => MYSQL8_RESERVED.includes(n))).toEqual([]);
        },
        checkReverted: (left) => expect(left).toEqual(['migrations']),
      });
    }, 120_000);

    it('two instances migrating at once: GET_LOCK lets exactly one apply each migration', async () => {
      await migrateConcurrently(createMysqlDatabase, '/tmp/unused-vault-mysql');
    }, 120_000);

    it('entities and migrations agree (what `typeorm migration:generate --check` does)', async () => {
      const fresh = await createMysqlDatabase();
      const options = dataSourceOptions(loadConfig({ DATA_FOLDER: tmpdir(), DATABASE_URL: fresh.url }).config);
      // TypeORM reads a MariaDB schema right only when told it is MariaDB (column defaults come back quoted there).
      const probe = new DataSource(options);
      await probe.initialize();
      const [{ version }] = (await probe.query('SELECT VERSION() AS version')) as [{ version: string }];
      await probe.destroy();
      const ds = withMysqlLongText(new DataSource({ ...options, type: /mariadb/i.test(version) ? 'mariadb' : 'mysql' } as DataSourceOptions));
      await ds.initialize();
      try {
        await runMigrations(ds);
        // A database made before text columns were LONGTEXT: MysqlLongText converts them, nullability and defaults kept.
        await ds.query("ALTER TABLE ciphers MODIFY data TEXT NOT NULL, MODIFY notes TEXT NULL");
        await ds.query("ALTER TABLE users MODIFY equivalent_domains TEXT NOT NULL DEFAULT '[]'");
        const runner = ds.createQueryRunner();
        await new MysqlLongText1796840100000().up(runner);
        await runner.release();
        const types = (await ds.query(
          "SELECT DISTINCT LOWER(data_type) AS type FROM information_schema.columns WHERE table_schema = DATABASE() AND data_type LIKE '%text'",
        )) as Array<{ type: string }>;
        expect(types.map((t) => t.type)).toEqual(['longtext']);
        // A foreign key declared without ON UPDATE reads back as RESTRICT on MySQL and MariaDB, which InnoDB treats
        // exactly as NO ACTION (TypeORM's default for the entities): the same constraint, so it is compared as NO ACTION.
        const createQueryRunner = ds.createQueryRunner.bind(ds);
        ds.createQueryRunner = (mode) => {
          const runner = createQueryRunner(mode);
          const getTables = runner.getTables.bind(runner);
          runner.getTables = async (names) => {
            const tables = await getTables(names);
            for (const fk of tables.flatMap((t) => t.foreignKeys)) if (fk.onUpdate === 'RESTRICT') fk.onUpdate = 'NO ACTION';
            return tables;
          };
          return runner;
        };
        const log = await ds.driver.createSchemaBuilder().log();
        expect(log.upQueries.map((q) => q.query)).toEqual([]);
      } finally {
        await ds.destroy();
        await fresh.drop();
      }
    }, 120_000);
  });

  describe('the whole app on MySQL: accounts, vault, sync, the hub, mobile push, organizations and groups', () => {
    let db: TestDatabase;
    let relay: RelayStandIn;
    let t: TestApp;
    let owner: TestAccount;
    let ownerToken: string;
    let ownerDevice: string;
    let ownerId: string;
    let hub: HubClient;
    let member: TestAccount;
    let memberToken: string;
    let memberUserId: string;
    let memberPhone: Session;
    let orgId: string;
    let orgKey: Buffer;
    let membershipId: string;

    const call = (token: string, method: string, path: string, body?: unknown) => apiJson(t.baseUrl, token, method, path, body);

    beforeAll(async () => {
      db = await createMysqlDatabase();
      relay = await RelayStandIn.start();
      t = await createTestApp({ DATABASE_URL: db.url, ORG_GROUPS_ENABLED: 'true', ...relay.env() });
      owner = await createPbkdf2User(t.baseUrl, `my-owner-${randomUUID()}@example.com`, 'correct horse', 5_000);
      ownerToken = (await passwordLogin(t.baseUrl, owner, { ...WEB_VAULT, identifier: randomUUID() })).access_token;
      ownerDevice = String(decodeJwtPayload(ownerToken).device);
      ownerId = String(decodeJwtPayload(ownerToken).sub);
      const second = await passwordLogin(t.baseUrl, owner, { type: 8, name: 'linux', clientId: 'desktop', identifier: randomUUID() });
      hub = await HubClient.connect(t.baseUrl, second.access_token);
      await hub.waitFor((m) => m.Type === 5); // catch-up of a device never seen on the hub
      member = await createPbkdf2User(t.baseUrl, `my-member-${randomUUID()}@example.com`, 'battery staple', 5_000);
      memberToken = (await passwordLogin(t.baseUrl, member, { ...WEB_VAULT, identifier: randomUUID() })).access_token;
      memberUserId = String(decodeJwtPayload(memberToken).sub);
      // The member's phone, registered at the relay (the push outbox and its worker run on MySQL).
      memberPhone = await login(t.baseUrl, member, { ...ANDROID, identifier: randomUUID() });
      expect((await call(memberPhone.accessToken, 'PUT', `/api/devices/identifier/${memberPhone.identifier}/token`, { pushToken: newPushToken() })).status).toBe(200);
      await relay.waitFor('the register of the phone', () => relay.bodies('register').some((b) => b.deviceId === memberPhone.deviceId));
    }, 60_000);

    afterAll(async () => {
      await hub?.stop();
      await t?.close();
      await relay?.close();
      await db?.drop();
    });

    it('runs on MySQL (not a SQLite fallback)', () => {
      expect(t.config.database.type).toBe('mysql');
    });

    it('prelogin ignores the case of the email; a refresh token works', async () => {
      const res = await fetch(`${t.baseUrl}/identity/accounts/prelogin`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: owner.email.toUpperCase() }),
      });
      expect(((await res.json()) as { kdfIterations: number }).kdfIterations).toBe(5_000);
      const login = await passwordLogin(t.baseUrl, owner, { ...WEB_VAULT, identifier: randomUUID() });
      const refreshed = await fetch(`${t.baseUrl}/identity/connect/token`, {
        method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'web', refresh_token: login.refresh_token! }).toString(),
      });
      expect(refreshed.status).toBe(200);
      expect((await call(((await refreshed.json()) as { access_token: string }).access_token, 'GET', '/api/accounts/revision-date')).status).toBe(200);
    });

    it('personal vault: folder and cipher create, edit, favourite, trash, restore, delete — over the API, on the hub and in /api/sync', async () => {
      const api = (method: string, path: string, body?: unknown) => call(ownerToken, method, path, body);
      const folder = (await api('POST', '/api/folders', { name: encryptType2('work', owner.secrets.userKey) })).body as { id: string };
      expect((await hub.waitFor((m) => m.Type === 7 && m.Payload.Id === folder.id)).ContextId).toBe(ownerDevice);

      const created = await createLoginItem(t.baseUrl, ownerToken, owner, { name: 'bank', username: 'alice', password: 's3cret', uri: 'https://bank.example', folderId: folder.id });
      const id = String(created.id);
      expect(await hub.waitFor((m) => m.Type === 1 && m.Payload.Id === id)).toEqual({
        ContextId: ownerDevice, Type: 1, Payload: { Id: id, UserId: ownerId, OrganizationId: null, CollectionIds: null, RevisionDate: new Date(String(created.revisionDate)) },
      });

      const edited = await api('PUT', `/api/ciphers/${id}`, {
        ...loginCipherRequest(owner, ownerId, { name: 'bank 2', username: 'alice', password: 'n3w', uri: 'https://bank.example', folderId: folder.id }),
        favorite: true, lastKnownRevisionDate: created.revisionDate,
      });
      expect(edited.status).toBe(200);
      expect(edited.body).toMatchObject({ favorite: true, folderId: folder.id, edit: true, viewPassword: true });
      // An edit based on an older revision is refused (the revision dates compare as stored text).
      expect((await api('PUT', `/api/ciphers/${id}`, { ...loginCipherRequest(owner, ownerId, { name: 'stale', username: 'a', password: 'b', uri: 'https://c' }), lastKnownRevisionDate: created.revisionDate })).status).toBe(400);
      await hub.waitFor((m) => m.Type === 0 && m.Payload.Id === id && (m.Payload.RevisionDate as Date).toISOString() === edited.body.revisionDate);

      let sync = (await api('GET', '/api/sync')).body;
      expect(sync.profile).toMatchObject({ id: ownerId, email: owner.email, emailVerified: true, premium: true });
      expect(sync.folders.map((f: Json) => f.id)).toEqual([folder.id]);
      expect(sync.ciphers).toHaveLength(1);
      expect(sync.ciphers[0]).toMatchObject({ id, folderId: folder.id, favorite: true, deletedDate: null, revisionDate: edited.body.revisionDate, organizationId: null });
      expect(decryptType2Text(sync.ciphers[0].name, owner.secrets.userKey)).toBe('bank 2');

      expect((await api('PUT', `/api/ciphers/${id}/delete`)).status).toBe(200);
      sync = (await api('GET', '/api/sync')).body;
      expect(sync.ciphers[0].deletedDate).toEqual(expect.any(String));
      const restored = await api('PUT', `/api/ciphers/${id}/restore`);
      expect(restored.body).toMatchObject({ deletedDate: null, favorite: true });

      const renamed = await api('PUT', `/api/folders/${folder.id}`, { name: encryptType2('work 2', owner.secrets.userKey) });
      expect((await hub.waitFor((m) => m.Type === 8 && m.Payload.Id === folder.id)).Payload.RevisionDate).toEqual(new Date(renamed.body.revisionDate));

      expect((await api('DELETE', `/api/ciphers/${id}`)).status).toBe(200);
      expect((await hub.waitFor((m) => m.Type === 2 && m.Payload.Id === id)).ContextId).toBe(ownerDevice);
      expect((await api('DELETE', `/api/folders/${folder.id}`)).status).toBe(200);
      expect((await hub.waitFor((m) => m.Type === 3 && m.Payload.Id === folder.id)).ContextId).toBe(ownerDevice);

      sync = (await api('GET', '/api/sync')).body;
      expect(sync.ciphers).toEqual([]);
      expect(sync.folders).toEqual([]);
      expect(Number(await (await fetch(`${t.baseUrl}/api/accounts/revision-date`, { headers: { Authorization: `Bearer ${ownerToken}` } })).text()))
        .toBeGreaterThanOrEqual(new Date(renamed.body.revisionDate).getTime());
    }, 60_000);

    it('a large item (custom fields, password history and URIs of 100 KB or more each, as TEXT would refuse) is stored and read back whole', async () => {
      const enc = (text: string): string => encryptType2(text, owner.secrets.userKey);
      const filler = (n: number): string => randomBytes(n).toString('base64');
      const base = loginCipherRequest(owner, ownerId, { name: 'big', username: 'u', password: 'p', uri: 'https://big.example' });
      const body = {
        ...base,
        login: { ...(base.login as object), uris: Array.from({ length: 30 }, (_, i) => ({ uri: enc(`https://${i}.example/${filler(3_000)}`), match: null })) },
        fields: Array.from({ length: 20 }, (_, i) => ({ type: 1, name: enc(`field ${i}`), value: enc(filler(5_000)), linkedId: null })),
        passwordHistory: Array.from({ length: 30 }, () => ({ lastUsedDate: new Date().toISOString(), password: enc(filler(5_000)) })),
      };
      const created = await call(ownerToken, 'POST', '/api/ciphers', body);
      expect(created.status).toBe(200);
      const read = (await call(ownerToken, 'GET', `/api/ciphers/${created.body.id}`)).body;
      expect(read.fields.map((f: Json) => f.value)).toEqual(body.fields.map((f) => f.value));
      expect(read.passwordHistory.map((p: Json) => p.password)).toEqual(body.passwordHistory.map((p) => p.password));
      expect(read.login.uris.map((u: Json) => u.uri)).toEqual(body.login.uris.map((u) => u.uri));
      const lengths = (await call(ownerToken, 'GET', '/api/sync')).body.ciphers.find((c: Json) => c.id === created.body.id);
      expect(JSON.stringify(lengths.fields).length).toBeGreaterThan(100_000);
      expect((await call(ownerToken, 'DELETE', `/api/ciphers/${created.body.id}`)).status).toBe(200);
    });

    it('organization: create, invite and confirm a member, a collection, an item created into it; the member sees it in sync; hard delete', async () => {
      const request = organizationRequest(owner, 'Family', 'Shared');
      orgKey = request.orgKey;
      const created = await call(ownerToken, 'POST', '/api/organizations', request.body);
      expect(created.status).toBe(200);
      // Booleans read back as booleans (TINYINT(1) on MySQL), defaults included.
      expect(created.body).toMatchObject({ object: 'organization', name: 'Family', hasPublicAndPrivateKeys: true, limitCollectionCreation: false, allowAdminAccessToAllCollectionItems: true });
      orgId = created.body.id as string;
      const shared = (await call(ownerToken, 'GET', `/api/organizations/${orgId}/collections`)).body.data[0].id as string;

      expect((await call(ownerToken, 'POST', `/api/organizations/${orgId}/users/invite`, { emails: [member.email], type: 2 })).status).toBe(200);
      const members: Json[] = (await call(ownerToken, 'GET', `/api/organizations/${orgId}/users`)).body.data;
      expect(members.map((m) => [m.email, m.status]).sort()).toEqual([[member.email, 1], [owner.email, 2]].sort());
      const memberId = members.find((m) => m.email === member.email).id as string;
      membershipId = memberId;
      const ownerMemberId = members.find((m) => m.email === owner.email).id as string;
      expect((await call(ownerToken, 'POST', `/api/organizations/${orgId}/users/${memberId}/confirm`, { key: encryptType4(orgKey, member.publicKey) })).status).toBe(200);

      const collection = await call(ownerToken, 'POST', `/api/organizations/${orgId}/collections`, {
        name: encryptType2('Streaming', orgKey), users: [{ id: ownerMemberId, manage: true }, { id: memberId, readOnly: true, hidePasswords: false }],
      });
      expect(collection.status).toBe(200);
      const streaming = collection.body.id as string;

      const item = await call(ownerToken, 'POST', '/api/ciphers/create', {
        // Encrypted with the organization key, as a client does.
        cipher: { ...loginCipherRequest({ ...owner, secrets: { ...owner.secrets, userKey: orgKey } }, ownerId, { name: 'Netflix', username: 'family', password: 'hunter2', uri: 'https://netflix.example' }), organizationId: orgId },
        collectionIds: [streaming],
      });
      expect(item.status).toBe(200);
      expect(item.body).toMatchObject({ organizationId: orgId, collectionIds: [streaming] });
      const id = item.body.id as string;
      const onCreate = await hub.waitFor((m) => m.Type === 1 && m.Payload.Id === id);
      expect(onCreate.Payload).toMatchObject({ OrganizationId: orgId, CollectionIds: [streaming], UserId: null });

      // The member's phone hears of it through the relay: a fanout row expanded by the worker into the member's send.
      await relay.waitFor('the send to the member', () => relay.bodies('send').some((b) => b.userId === memberUserId && b.type === 1 && b.payload?.id === id));
      expect(relay.bodies('send').find((b) => b.userId === memberUserId && b.payload?.id === id)).toMatchObject({ organizationId: null, payload: { organizationId: orgId, userId: memberUserId } });

      const memberSync = (await call(memberToken, 'GET', '/api/sync')).body;
      expect(memberSync.profile.organizations).toEqual([expect.objectContaining({ id: orgId, enabled: true, status: 2, type: 2 })]);
      expect(memberSync.collections).toEqual([expect.objectContaining({ id: streaming, readOnly: true, hidePasswords: false, manage: false })]);
      expect(memberSync.ciphers).toEqual([expect.objectContaining({ id, organizationId: orgId, collectionIds: [streaming], edit: false, viewPassword: true })]);
      expect(decryptType2Text(memberSync.ciphers[0].login.password, orgKey)).toBe('hunter2');
      expect((await call(memberToken, 'GET', `/api/ciphers/${id}`)).body).toMatchObject({ id, edit: false });
      expect((await call(memberToken, 'DELETE', `/api/ciphers/${id}`)).status).toBe(400);
      // The owner sees both collections, manages them, and the item in the first sync too.
      const ownerSync = (await call(ownerToken, 'GET', '/api/sync')).body;
      expect(ownerSync.collections.map((c: Json) => c.id).sort()).toEqual([shared, streaming].sort());
      expect(ownerSync.ciphers.filter((c: Json) => c.organizationId).map((c: Json) => c.id)).toEqual([id]);

      expect((await call(ownerToken, 'DELETE', `/api/ciphers/${id}`)).status).toBe(200);
      await hub.waitFor((m) => m.Type === 2 && m.Payload.Id === id);
      await relay.waitFor('the delete sent to the member', () => relay.bodies('send').some((b) => b.userId === memberUserId && b.type === 2 && b.payload?.id === id));
      expect((await call(memberToken, 'GET', '/api/sync')).body.ciphers).toEqual([]);
      expect((await call(memberToken, 'GET', `/api/ciphers/${id}`)).status).toBe(404);
    }, 60_000);

    it('a group gives the member a collection and its items (read-write), until the group goes', async () => {
      const shared = (await call(ownerToken, 'GET', `/api/organizations/${orgId}/collections`)).body.data.find((c: Json) => decryptType2Text(c.name, orgKey) === 'Shared').id as string;
      const item = await call(ownerToken, 'POST', '/api/ciphers/create', {
        cipher: { ...loginCipherRequest({ ...owner, secrets: { ...owner.secrets, userKey: orgKey } }, ownerId, { name: 'Bank', username: 'family', password: 'p4ss', uri: 'https://bank.example' }), organizationId: orgId },
        collectionIds: [shared],
      });
      expect(item.status).toBe(200);
      expect((await call(memberToken, 'GET', `/api/ciphers/${item.body.id}`)).status).toBe(404);
      const group = await call(ownerToken, 'POST', `/api/organizations/${orgId}/groups`, {
        name: 'Family', collections: [{ id: shared, readOnly: false, hidePasswords: false, manage: false }], users: [membershipId],
      });
      expect(group.status).toBe(200);
      expect((await call(ownerToken, 'GET', `/api/organizations/${orgId}/groups/${group.body.id}/users`)).body).toEqual([membershipId]);
      const sync = (await call(memberToken, 'GET', '/api/sync')).body;
      expect(sync.collections.find((c: Json) => c.id === shared)).toMatchObject({ readOnly: false, hidePasswords: false });
      expect(sync.ciphers.find((c: Json) => c.id === item.body.id)).toMatchObject({ edit: true, collectionIds: [shared] });
      expect((await call(ownerToken, 'DELETE', `/api/organizations/${orgId}/groups/${group.body.id}`)).status).toBe(200);
      expect((await call(memberToken, 'GET', `/api/ciphers/${item.body.id}`)).status).toBe(404);
    }, 60_000);

    it('deletions cascade: the member deletes their account, the owner the organization with an item and a group in it; nothing is left', async () => {
      const shared = (await call(ownerToken, 'GET', `/api/organizations/${orgId}/collections`)).body.data.map((c: Json) => c.id) as string[];
      const item = await call(ownerToken, 'POST', '/api/ciphers/create', {
        cipher: { ...loginCipherRequest(owner, ownerId, { name: 'Wifi', username: 'home', password: 'swordfish', uri: 'https://router.example' }), organizationId: orgId },
        collectionIds: shared,
      });
      expect(item.status).toBe(200);
      const group = await call(ownerToken, 'POST', `/api/organizations/${orgId}/groups`, {
        name: 'Everyone', collections: shared.map((id) => ({ id, readOnly: true, hidePasswords: false, manage: false })), users: [membershipId],
      });
      expect(group.status).toBe(200);
      expect((await call(memberToken, 'DELETE', '/api/accounts', { masterPasswordHash: member.masterPasswordHash })).status).toBe(200);
      const members: Json[] = (await call(ownerToken, 'GET', `/api/organizations/${orgId}/users`)).body.data;
      expect(members.map((m) => m.email)).toEqual([owner.email]);

      expect((await call(ownerToken, 'POST', `/api/organizations/${orgId}/delete`, { masterPasswordHash: owner.masterPasswordHash })).status).toBe(200);
      const sync = (await call(ownerToken, 'GET', '/api/sync')).body;
      expect([sync.profile.organizations, sync.collections, sync.ciphers]).toEqual([[], [], []]);
      const count = async (sql: string): Promise<number> => t.app.get(UnitOfWork).read(async (db) => Number(((await db.query(sql)) as [{ n: number | string }])[0].n));
      const left: Record<string, number> = {};
      for (const table of ['memberships', 'collections', 'collection_members', 'collection_ciphers', 'org_groups', 'group_members', 'collection_groups', 'ciphers']) {
        left[table] = await count(`SELECT COUNT(*) AS n FROM ${table}`);
      }
      left.otherUsers = await count(`SELECT COUNT(*) AS n FROM users WHERE id <> '${ownerId}'`);
      left.otherDevices = await count(`SELECT COUNT(*) AS n FROM devices WHERE user_id <> '${ownerId}'`);
      expect(left).toEqual({
        memberships: 0, collections: 0, collection_members: 0, collection_ciphers: 0, org_groups: 0, group_members: 0, collection_groups: 0, ciphers: 0, otherUsers: 0, otherDevices: 0,
      });
    }, 60_000);
  });
});
