import { randomUUID } from 'node:crypto';
import { createTestApp, TestApp, TLS_CERT } from '../support/app';
import { BwCliVersion, BwProfile } from '../support/bw-cli';
import { createPbkdf2User } from '../support/test-crypto';

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
}

describe.each<BwCliVersion>(['2026.6.0', '2026.9.0'])('official CLI %s: folders and items round-trip through the vault API', (version) => {
  const password = 'correct horse battery staple';
  let t: TestApp;
  let cli: BwProfile;

  beforeAll(async () => {
    t = await createTestApp();
    const account = await createPbkdf2User(t.baseUrl, `vault-cli-${randomUUID()}@example.com`, password, 5_000);
    cli = new BwProfile(TLS_CERT, version);
    await cli.login(t.baseUrl, account.email, password);
  }, 120_000);
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

    const listed = await cli.json<BwItem[]>(['list', 'items']);
    expect(listed.map((i) => i.name).sort()).toEqual(['A note', 'My bank', 'Visa']);
    expect(await cli.json<BwItem[]>(['list', 'items', '--folderid', folder.id])).toEqual([expect.objectContaining({ id: login.id })]);

    const edited = await cli.json<BwItem>(['edit', 'item', login.id, BwProfile.encode({ ...login, name: 'My bank (edited)', login: { ...login.login, password: 'correct-horse' } })]);
    expect(edited).toMatchObject({ id: login.id, name: 'My bank (edited)', folderId: folder.id });
    expect(edited.login?.password).toBe('correct-horse');
    expect(Date.parse(edited.revisionDate)).toBeGreaterThan(Date.parse(login.revisionDate));

    expect((await cli.run(['delete', 'item', note.id])).code).toBe(0);
    const trash = await cli.json<BwItem[]>(['list', 'items', '--trash']);
    expect(trash.map((i) => i.id)).toEqual([note.id]);
    expect(trash[0]?.deletedDate).toEqual(expect.any(String));
    expect((await cli.run(['restore', 'item', note.id])).code).toBe(0);
    expect(await cli.json<BwItem[]>(['list', 'items', '--trash'])).toEqual([]);

    expect((await cli.run(['delete', 'item', card.id, '--permanent'])).code).toBe(0);
    expect((await cli.run(['delete', 'folder', folder.id])).code).toBe(0);

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
