// Attachments (issue 17) with the official CLI: a binary file attached to a personal item and to an organization
// item, listed, downloaded byte-identical by the uploader, by a second install of the same account and by another
// member, and deleted (row and file).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, TestApp, TLS_CERT } from '../support/app';
import { BwProfile } from '../support/bw-cli';
import { addMembers, call, createOrganization, loginCli, newPerson, Person } from '../support/org-harness';
import { encryptType2 } from '../support/test-crypto';

interface BwAttachment { id: string; fileName: string; size: string; sizeName: string; url: string | null }
interface BwItem { id: string; name: string; organizationId: string | null; attachments?: BwAttachment[] | null }

/** Encrypted length of `n` plaintext bytes as the clients send it: type byte, IV, MAC, AES-CBC with PKCS#7 padding. */
const encryptedLength = (n: number): number => 1 + 16 + 32 + (Math.floor(n / 16) + 1) * 16;

describe('attachments with the official CLI: create, list, download byte-identical (second install, org member), delete', () => {
  let t: TestApp;
  let server: { baseUrl: string }; // DOMAIN: what every client here talks to
  let work: string; // files the CLI reads and writes
  let alice: Person & { cli: BwProfile };
  let bob: Person & { cli: BwProfile };

  /** 300 KiB of random bytes followed by every byte value 0x00..0xff. */
  const binaryContent = (): Buffer => Buffer.concat([randomBytes(300 * 1024), Buffer.from(Array.from({ length: 256 }, (_, i) => i))]);

  const ok = async (cli: BwProfile, args: string[]): Promise<string> => {
    const result = await cli.run(args);
    if (result.code !== 0) throw new Error(`bw ${args.slice(0, 2).join(' ')} failed (${result.code}): ${result.stderr || result.stdout}`);
    return result.stdout;
  };

  /** `bw get attachment <name> --itemid <id> --output <file>` and the bytes written. */
  const download = async (cli: BwProfile, name: string, itemId: string): Promise<Buffer> => {
    const output = join(mkdtempSync(join(work, 'download-')), name);
    await ok(cli, ['get', 'attachment', name, '--itemid', itemId, '--output', output]);
    return readFileSync(output);
  };

  const storedFile = (cipherId: string, attachmentId: string): string => join(t.dataFolder, 'attachments', cipherId, attachmentId);

  beforeAll(async () => {
    // The download links are absolute ({DOMAIN}/attachments/…): DOMAIN must name the port the server listens on.
    t = await createTestApp({}, { reachableDomain: true });
    server = { baseUrl: t.baseUrl };
    work = mkdtempSync(join(tmpdir(), 'attachments-cli-'));
    const person = async (name: string): Promise<Person & { cli: BwProfile }> => {
      const p = await newPerson(server, name);
      return { ...p, cli: await loginCli(server, p.account) };
    };
    [alice, bob] = await Promise.all([person('alice'), person('bob')]);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('personal item: a 300 KB binary file is attached, listed, downloaded byte-identical by both installs, then deleted with its file', async () => {
    const content = binaryContent();
    const path = join(work, 'scan.bin');
    writeFileSync(path, content);
    const item = await alice.cli.json<BwItem>(['create', 'item', BwProfile.encode({
      type: 1, name: 'Passport', notes: null, favorite: false, fields: [], reprompt: 0,
      login: { username: 'alice', password: 'hunter2', totp: null, uris: [] },
    })]);

    const updated = await alice.cli.json<BwItem>(['create', 'attachment', '--file', path, '--itemid', item.id]);
    expect(updated.id).toBe(item.id);
    expect(updated.attachments).toHaveLength(1);

    const listed = await alice.cli.json<BwItem>(['get', 'item', item.id]);
    expect(listed.attachments).toHaveLength(1);
    const attachment = listed.attachments![0]!;
    const size = encryptedLength(content.length); // 307,456 plaintext bytes → 307,521 encrypted
    expect(attachment).toMatchObject({ fileName: 'scan.bin', size: String(size), sizeName: '300.31 KB' });
    expect(attachment.id).toMatch(/^[a-z0-9]{1,64}$/);
    expect(updated.attachments![0]).toMatchObject({ id: attachment.id, fileName: 'scan.bin', size: String(size) });

    // On disk: the encrypted bytes as uploaded (type 2 = AES-CBC-256 + HMAC), never the plaintext.
    const stored = readFileSync(storedFile(item.id, attachment.id));
    expect(stored.length).toBe(size);
    expect(stored[0]).toBe(2);
    expect(stored.includes(content.subarray(0, 64))).toBe(false);

    expect((await download(alice.cli, 'scan.bin', item.id)).equals(content)).toBe(true);

    // A second install of the same account: after `bw sync` it lists and downloads the same bytes.
    const second = new BwProfile(TLS_CERT);
    await second.login(server.baseUrl, alice.account.email, alice.account.password);
    await ok(second, ['sync']);
    expect((await second.json<BwItem>(['get', 'item', item.id])).attachments).toEqual([expect.objectContaining({ id: attachment.id, fileName: 'scan.bin', size: String(size) })]);
    expect((await download(second, 'scan.bin', item.id)).equals(content)).toBe(true);

    await ok(alice.cli, ['delete', 'attachment', attachment.id, '--itemid', item.id]);
    expect((await alice.cli.json<BwItem>(['get', 'item', item.id])).attachments ?? []).toEqual([]);
    expect(existsSync(storedFile(item.id, attachment.id))).toBe(false);
    await ok(second, ['sync']);
    expect((await second.json<BwItem>(['get', 'item', item.id])).attachments ?? []).toEqual([]);
    const gone = await second.run(['get', 'attachment', 'scan.bin', '--itemid', item.id, '--output', join(work, 'gone.bin')]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('No attachments available for this item.');
    expect(existsSync(join(work, 'gone.bin'))).toBe(false);
  }, 240_000);

  it('organization item: the owner attaches a binary file with the CLI; a read-only member downloads it byte-identical after `bw sync`', async () => {
    const org = await createOrganization(server, alice, 'Family');
    const memberId = await addMembers(server, alice, org, [bob]);
    const shared = await call(server, alice.token, 'PUT', `/api/organizations/${org.id}/collections/${org.collectionId}`, {
      name: encryptType2('Shared', org.key), users: [{ id: memberId(alice), manage: true }, { id: memberId(bob), readOnly: true }],
    });
    expect(shared.status).toBe(200);
    await ok(alice.cli, ['sync']);

    const item = await alice.cli.json<BwItem>(['create', 'item', BwProfile.encode({
      type: 2, name: 'Deeds', organizationId: org.id, collectionIds: [org.collectionId], notes: null, secureNote: { type: 0 }, reprompt: 0,
    })]);
    expect(item.organizationId).toBe(org.id);
    const content = binaryContent();
    const path = join(work, 'deeds.pdf');
    writeFileSync(path, content);
    const updated = await alice.cli.json<BwItem>(['create', 'attachment', '--file', path, '--itemid', item.id]);
    expect(updated.attachments).toEqual([expect.objectContaining({ fileName: 'deeds.pdf', size: String(encryptedLength(content.length)) })]);
    const attachmentId = updated.attachments![0]!.id;
    expect(existsSync(storedFile(item.id, attachmentId))).toBe(true);

    await ok(bob.cli, ['sync']);
    const seen = await bob.cli.json<BwItem>(['get', 'item', item.id]);
    expect(seen).toMatchObject({ organizationId: org.id, attachments: [expect.objectContaining({ id: attachmentId, fileName: 'deeds.pdf' })] });
    expect((await download(bob.cli, 'deeds.pdf', item.id)).equals(content)).toBe(true);
    expect((await download(alice.cli, 'deeds.pdf', item.id)).equals(content)).toBe(true);
  }, 240_000);
});
