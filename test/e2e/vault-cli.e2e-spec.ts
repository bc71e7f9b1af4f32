import { randomUUID } from 'node:crypto';
import { createTestApp, TestApp, TLS_CERT } from '../support/app';
import { BwCliVersion, BwProfile } from '../support/bw-cli';
import { createPbkdf2User, passwordLogin, TestAccount, WEB_VAULT } from '../support/test-crypto';

interface BwFolder { id: string; name: string }
interface BwItem {
  id: string;
  type: number;
  name: string;
  notes: string | null;
  folderId: string | null;
  favorite: boolean;
  deletedDate: string | null;
  revisionDate: string;
  login?: { username: string | null; password: string | null; totp: string | null; uris: Array<{ uri: string; match: number | null }> };
  secureNote?: { type: number };
  card?: { cardholderName: string | null; number: string | null; code: string | null };
  fields?: Array<{ name: string; value: string; type: number }>;
  identity?: { firstName: string | null; lastName: string | null };
  passwordHistory?: Array<{ password: string; lastUsedDate: string }> | null;
}

describe.each<BwCliVersion>(['2026.6.0', '2026.9.0'])('official CLI %s: folders and items round-trip through the vault API', (version) => {
  const password = 'correct horse battery staple';
  let t: TestApp;
  let cli: BwProfile;
  let second: BwProfile;
  let account: TestAccount;

  beforeAll(async () => {
    t = await createTestApp();
    account = await createPbkdf2User(t.baseUrl, `vault-cli-${randomUUID()}@example.com`, password, 5_000);
    cli = new BwProfile(TLS_CERT, version);
    await cli.login(t.baseUrl, account.email, password);
    second = new BwProfile(TLS_CERT, version); // a second install of the same user
    await second.login(t.baseUrl, account.email, password);
  }, 120_000);

  /** The second profile, after `bw sync`, lists exactly these item names. */
  const secondSees = async (names: string[]): Promise<void> => {
    expect((await second.run(['sync'])).code).toBe(0);
    expect((await second.json<BwItem[]>(['list', 'items'])).map((i) => i.name).sort()).toEqual([...names].sort());
  };
  afterAll(async () => {
    await t?.close();
  });

  it('create folder and items, list and get them decrypted, edit, trash, restore, delete permanently, sync --force', async () => {
    const folder = await cli.json<BwFolder>(['create', 'folder', BwProfile.encode({ name: 'Banking' })]);
    expect(folder.name).toBe('Banking');

    const login = await cli.json<BwItem>(['create', 'item', BwProfile.encode({
      type: 1,
      name: 'My bank',
      notes: 'secret notes',
      folderId: folder.id,
      favorite: true,
      fields: [{ name: 'pin', value: '1234', type: 1 }],
      login: { username: 'alice', password: 'hunter2', totp: null, uris: [{ uri: 'https://bank.example', match: null }] },
    })]);
    expect(login).toMatchObject({ type: 1, name: 'My bank', notes: 'secret notes', folderId: folder.id, favorite: true });
    expect(login.login).toMatchObject({ username: 'alice', password: 'hunter2', uris: [{ uri: 'https://bank.example' }] });
    expect(login.fields).toEqual([expect.objectContaining({ name: 'pin', value: '1234', type: 1 })]);

    const note = await cli.json<BwItem>(['create', 'item', BwProfile.encode({ type: 2, name: 'A note', notes: 'body', secureNote: { type: 0 } })]);
    expect(note).toMatchObject({ type: 2, name: 'A note', notes: 'body', secureNote: { type: 0 } });
    const card = await cli.json<BwItem>(['create', 'item', BwProfile.encode({ type: 3, name: 'Visa', card: { cardholderName: 'Alice', number: '4111111111111111', code: '123' } })]);
    expect(card.card).toMatchObject({ cardholderName: 'Alice', number: '4111111111111111', code: '123' });

    const person = await cli.json<BwItem>(['create', 'item', BwProfile.encode({ type: 4, name: 'Me', folderId: folder.id, identity: { firstName: 'Alice', lastName: 'Liddell' } })]);
    expect(person.identity).toMatchObject({ firstName: 'Alice', lastName: 'Liddell' });

    const listed = await cli.json<BwItem[]>(['list', 'items']);
    expect(listed.map((i) => i.name).sort()).toEqual(['A note', 'Me', 'My bank', 'Visa']);
    expect((await cli.json<BwItem[]>(['list', 'items', '--search', 'bank'])).map((i) => i.id)).toEqual([login.id]);
    expect(await cli.json<BwItem>(['get', 'item', login.id])).toMatchObject({ id: login.id, name: 'My bank', login: { password: 'hunter2' } });
    await secondSees(['A note', 'Me', 'My bank', 'Visa']);

    // With the per-item key flag on (/api/config), the CLI wrapped each item under its own key.
    const web = await passwordLogin(t.baseUrl, account, { ...WEB_VAULT, identifier: randomUUID() });
    const synced = (await (await fetch(`${t.baseUrl}/api/sync?excludeDomains=true`, { headers: { Authorization: `Bearer ${web.access_token}` } })).json()) as { ciphers: Array<{ id: string; key: string | null }> };
    expect(synced.ciphers.find((c) => c.id === login.id)?.key).toMatch(/^2\./);
    expect((await cli.json<BwItem[]>(['list', 'items', '--folderid', folder.id])).map((i) => i.id).sort()).toEqual([login.id, person.id].sort());

    const edited = await cli.json<BwItem>(['edit', 'item', login.id, BwProfile.encode({ ...login, name: 'My bank (edited)', login: { ...login.login, password: 'correct-horse' } })]);
    expect(edited).toMatchObject({ id: login.id, name: 'My bank (edited)', folderId: folder.id });
    expect(edited.login?.password).toBe('correct-horse');
    expect(Date.parse(edited.revisionDate)).toBeGreaterThan(Date.parse(login.revisionDate));
    const history = (await cli.json<BwItem>(['get', 'item', login.id])).passwordHistory ?? [];
    expect(history.map((h) => h.password)).toContain('hunter2');
    await secondSees(['A note', 'Me', 'My bank (edited)', 'Visa']);
    expect((await second.json<BwItem>(['get', 'item', login.id])).login?.password).toBe('correct-horse');

    const renamed = await cli.json<BwFolder>(['edit', 'folder', folder.id, BwProfile.encode({ name: 'Money' })]);
    expect(renamed).toMatchObject({ id: folder.id, name: 'Money' });

    expect((await cli.run(['delete', 'item', note.id])).code).toBe(0);
    const trash = await cli.json<BwItem[]>(['list', 'items', '--trash']);
    expect(trash.map((i) => i.id)).toEqual([note.id]);
    expect(trash[0]?.deletedDate).toEqual(expect.any(String));
    expect((await cli.run(['restore', 'item', note.id])).code).toBe(0);
    expect(await cli.json<BwItem[]>(['list', 'items', '--trash'])).toEqual([]);

    expect((await cli.run(['delete', 'item', card.id, '--permanent'])).code).toBe(0);
    expect((await cli.run(['delete', 'item', person.id, '--permanent'])).code).toBe(0);
    expect((await cli.run(['delete', 'folder', folder.id])).code).toBe(0);
    await secondSees(['A note', 'My bank (edited)']);
    expect((await second.json<BwFolder[]>(['list', 'folders'])).map((f) => f.name)).toEqual(['No Folder']);

    const sync = await cli.run(['sync', '--force']);
    expect(sync.code).toBe(0);
    const after = await cli.json<BwItem[]>(['list', 'items']);
    expect(after.map((i) => i.name).sort()).toEqual(['A note', 'My bank (edited)']);
    const kept = after.find((i) => i.id === login.id);
    expect(kept).toMatchObject({ favorite: true, login: { username: 'alice', password: 'correct-horse' } });
    expect(kept?.folderId ?? null).toBeNull(); // the folder is gone; the CLI may omit the key
    expect((await cli.json<BwFolder[]>(['list', 'folders'])).map((f) => f.name)).toEqual(['No Folder']);
  }, 240_000);
});
