import { randomUUID } from 'node:crypto';
import { SeededUser } from '../support/seed';
import { createPbkdf2User, makePbkdf2Account } from '../support/test-crypto';
import { encString, Json, startVault, VaultHarness } from './vault-harness';

/** Every key of a JSON value, at every depth, as `path` strings (arrays by index). */
function keyPaths(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => keyPaths(item, `${path}[${i}]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => [`${path}.${key}`, ...keyPaths(item, `${path}.${key}`)]);
}

/** Keys of a response that are not camelCase (first letter upper-case). */
const pascalKeys = (value: unknown): string[] => keyPaths(value).filter((p) => /[.][A-Z][^.[]*$/.test(p));

describe('request bodies are read case-insensitively; responses and stored data have one camelCase spelling', () => {
  let h: VaultHarness;
  let alice: SeededUser;

  beforeAll(async () => {
    h = await startVault();
    alice = await h.newUser();
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  const sync = async (): Promise<Json> => (await h.call(alice, 'GET', '/api/sync?excludeDomains=true')).body;

  it('a PascalCase cipher (as rbw and other third-party clients send it) is stored and answered in camelCase', async () => {
    const [name, user, pass, uri, old, fieldName, fieldValue] = Array.from({ length: 7 }, () => encString());
    const res = await h.call(alice, 'POST', '/api/ciphers', {
      Type: 1,
      Name: name,
      Notes: null,
      FolderId: null,
      OrganizationId: null,
      Favorite: true,
      Login: { Username: user, Password: pass, Totp: null, Uris: [{ Uri: uri, Match: 3 }] },
      Fields: [{ Type: 1, Name: fieldName, Value: fieldValue }],
      PasswordHistory: [{ LastUsedDate: '2026-01-02T03:04:05.000Z', Password: old }],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name, favorite: true,
      login: { username: user, password: pass, totp: null, uri, uris: [{ uri, match: 3, uriChecksum: null }] },
      fields: [{ type: 1, name: fieldName, value: fieldValue, linkedId: null }],
      passwordHistory: [{ lastUsedDate: '2026-01-02T03:04:05.000Z', password: old }],
    });
    expect(pascalKeys(res.body)).toEqual([]);

    const synced = (await sync()).ciphers.find((c: Json) => c.id === res.body.id);
    expect(synced.login).toMatchObject({ username: user, password: pass });
    expect(pascalKeys(synced)).toEqual([]);
    const [row] = (await h.db.query('SELECT data FROM ciphers WHERE id = ?', [res.body.id])) as Array<{ data: string }>;
    expect(Object.keys(JSON.parse(row!.data)).sort()).toEqual(['password', 'totp', 'uris', 'username']);
  });

  it('an edit with capitalised password history entries is accepted (it was a 400 "model state is invalid")', async () => {
    const created = await h.call(alice, 'POST', '/api/ciphers', { type: 1, name: encString(), login: { username: encString() } });
    const old = encString();
    const res = await h.call(alice, 'PUT', `/api/ciphers/${created.body.id}`, {
      type: 1, name: created.body.name, login: { Username: created.body.login.username, Password: encString() },
      passwordHistory: [{ LastUsedDate: '2026-02-03T04:05:06.000Z', Password: old }],
    });
    expect(res.status).toBe(200);
    expect(res.body.passwordHistory).toEqual([{ lastUsedDate: '2026-02-03T04:05:06.000Z', password: old }]);
    expect(res.body.login.username).toBe(created.body.login.username);
  });

  it('a field sent under two spellings is a 400 naming it, and nothing is stored', async () => {
    const before = (await sync()).ciphers.length;
    const res = await h.call(alice, 'POST', '/api/ciphers', { type: 1, name: encString(), login: { username: null, Username: encString() } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ message: 'The model state is invalid.', object: 'error' });
    expect(Object.keys(res.body.validationErrors)).toEqual(['login.username']);
    expect((await sync()).ciphers.length).toBe(before);

    const top = await h.call(alice, 'POST', '/api/folders', { name: encString(), Name: encString() });
    expect(top.status).toBe(400);
    expect(Object.keys(top.body.validationErrors)).toEqual(['name']);
  });

  it('other shapes: a folder, a bulk move and an import with PascalCase keys', async () => {
    const folder = await h.call(alice, 'POST', '/api/folders', { Name: encString() });
    expect(folder.status).toBe(200);
    const cipher = await h.call(alice, 'POST', '/api/ciphers', { Type: 2, Name: encString(), SecureNote: { Type: 0 } });
    expect(cipher.status).toBe(200);
    expect(cipher.body.secureNote).toEqual({ type: 0 });
    const move = await h.call(alice, 'PUT', '/api/ciphers/move', { Ids: [cipher.body.id], FolderId: folder.body.id });
    expect(move.status).toBe(200);
    expect((await h.call(alice, 'GET', `/api/ciphers/${cipher.body.id}`)).body.folderId).toBe(folder.body.id);

    const importName = encString();
    const imported = await h.call(alice, 'POST', '/api/ciphers/import', {
      Ciphers: [{ Type: 3, Name: importName, Card: { CardholderName: encString(), Code: encString() } }],
      Folders: [{ Name: encString() }],
      FolderRelationships: [{ Key: 0, Value: 0 }],
    });
    expect(imported.status).toBe(200);
    const card = (await sync()).ciphers.find((c: Json) => c.name === importName);
    expect(card.folderId).toEqual(expect.any(String));
    expect(Object.keys(card.card).sort()).toEqual(['brand', 'cardholderName', 'code', 'expMonth', 'expYear', 'number']);
  });

  it('the token form matches field names in any case, and refuses one field sent twice', async () => {
    const account = await createPbkdf2User(h.t.baseUrl, `case-${randomUUID()}@example.com`, 'pw', 5_000);
    const form = (fields: Record<string, string>): Promise<Response> => fetch(`${h.t.baseUrl}/identity/connect/token`, {
      method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(),
    });
    const base = { grant_type: 'password', username: account.email, password: account.masterPasswordHash, scope: 'api offline_access', client_id: 'cli' };
    const ok = await form({ ...base, DeviceIdentifier: randomUUID(), DeviceType: '8', DeviceName: 'linux' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ access_token: expect.any(String), token_type: 'Bearer' });

    const twice = await form({ ...base, Username: makePbkdf2Account('other@example.com', 'pw', 5_000).email, deviceIdentifier: randomUUID(), deviceType: '8', deviceName: 'linux' });
    expect(twice.status).toBe(400);
    expect(await twice.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringContaining('username') });
  });
});
