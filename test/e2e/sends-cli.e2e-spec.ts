// Sends (issue 18) with the official CLI 2026.6.0: a text Send from `bw send template send.text` and a file Send
// from `bw send -f`, listed (also after `bw sync --force`), edited and deleted by the owner; received by a fresh
// anonymous CLI profile (text, password-protected, file byte-identical, maxAccessCount 1); the owner's other device
// notified on its hub (12 create, 13 edit and counted access, 14 delete), another user's hub never.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, TestApp, TLS_CERT } from '../support/app';
import { BwProfile, BwResult } from '../support/bw-cli';
import { HubClient, HubNotification } from '../support/hub-client';
import { connectHub, loginCli, newPerson, nothingReaches, Person } from '../support/org-harness';

/** What `bw send template`, `create`, `get`, `list` print (the CLI's SendResponse). */
interface BwSend {
  object: 'send';
  id: string;
  accessId: string;
  accessUrl: string;
  name: string;
  notes: string | null;
  type: number;
  text?: { text: string; hidden: boolean } | null;
  file?: { id: string; fileName: string; size: string; sizeName: string } | null;
  maxAccessCount: number | null;
  accessCount: number;
  passwordSet: boolean;
  deletionDate: string;
  expirationDate: string | null;
  revisionDate: string;
  password?: string | null;
  disabled: boolean;
  authType: number;
}

describe('Sends with the official CLI: create, list, edit, delete, anonymous receive, hub notifications', () => {
  let t: TestApp;
  let server: { baseUrl: string };
  let work: string;
  let alice: Person & { cli: BwProfile };
  let bob: Person & { hub: HubClient };
  let aliceHub: HubClient; // another (web vault) device of the owner
  let anonymous: BwProfile; // never logged in
  const sendIds: string[] = [];

  const ok = async (cli: BwProfile, args: string[]): Promise<string> => {
    const result = await cli.run(args);
    if (result.code !== 0) throw new Error(`bw ${args.slice(0, 2).join(' ')} failed (${result.code}): ${result.stderr || result.stdout}`);
    return result.stdout;
  };

  /** `bw send create` of the text template with `changes` applied. */
  const createText = async (changes: Partial<BwSend> & { text: { text: string; hidden: boolean } }): Promise<BwSend> => {
    const template = await alice.cli.json<BwSend>(['send', 'template', 'send.text']);
    const send = await alice.cli.json<BwSend>(['send', 'create', BwProfile.encode({ ...template, ...changes })]);
    sendIds.push(send.id);
    return send;
  };

  /** A new CLI profile that only knows the server (receive asks the configured identity server for its token). */
  const freshAnonymous = async (): Promise<BwProfile> => {
    const profile = new BwProfile(TLS_CERT);
    await ok(profile, ['config', 'server', server.baseUrl]);
    return profile;
  };

  const receive = (url: string, ...extra: string[]): Promise<BwResult> => anonymous.run(['send', 'receive', url, ...extra]);

  /** A hub message of `type` about Send `id`. */
  const aboutSend = (id: string, type: number) => (n: HubNotification): boolean => n.Type === type && String(n.Payload.Id).toLowerCase() === id;

  /** The owner's other device gets `type` about `id` from `contextId`; returns it. */
  const ownerHears = async (id: string, type: number, contextId: string | null): Promise<HubNotification> => {
    const message = await aliceHub.waitFor((n) => aboutSend(id, type)(n) && n.ContextId === contextId);
    expect(String(message.Payload.UserId).toLowerCase()).toBe(alice.userId);
    expect(message.Payload.RevisionDate).toBeInstanceOf(Date);
    return message;
  };

  beforeAll(async () => {
    // Send links and download URLs are absolute ({DOMAIN}/#/send/…, {DOMAIN}/api/sends/…): DOMAIN must name the real port.
    t = await createTestApp({}, { reachableDomain: true });
    server = { baseUrl: t.baseUrl };
    work = mkdtempSync(join(tmpdir(), 'sends-cli-'));
    const a = await newPerson(server, 'alice');
    const b = await newPerson(server, 'bob');
    [alice, bob, aliceHub] = await Promise.all([
      loginCli(server, a.account).then((cli) => ({ ...a, cli })),
      connectHub(server, b.account).then((hub) => ({ ...b, hub })),
      connectHub(server, a.account),
    ]);
    anonymous = await freshAnonymous();
  }, 120_000);

  afterAll(async () => {
    await Promise.all([aliceHub?.stop(), bob?.hub.stop()]);
    await t?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('text Send from the template and file Send from `bw send -f`: listed (also after sync --force), received anonymously; 12 on create, 13 (no ContextId) on a counted access', async () => {
    const cliDevice = alice.cli.deviceIdentifier();
    expect(cliDevice).toMatch(/^[0-9a-f-]{36}$/);

    const text = await createText({ name: 'Wifi', notes: 'for guests', text: { text: 'the wifi password is hunter2', hidden: false } });
    expect(text).toMatchObject({ type: 0, name: 'Wifi', notes: 'for guests', text: { text: 'the wifi password is hunter2', hidden: false }, passwordSet: false, accessCount: 0 });
    expect(text.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(text.accessUrl).toBe(`${server.baseUrl}/#/send/${text.accessId}/${text.accessUrl.split('/').pop()}`);
    await ownerHears(text.id, 12, cliDevice);

    const content = Buffer.concat([randomBytes(100 * 1024), Buffer.from(Array.from({ length: 256 }, (_, i) => i))]);
    const path = join(work, 'report.bin');
    writeFileSync(path, content);
    const fileResult = await alice.cli.run(['send', '-f', path, '--fullObject']);
    expect(fileResult.code).toBe(0);
    const file = JSON.parse(fileResult.stdout) as BwSend;
    sendIds.push(file.id);
    expect(file).toMatchObject({ type: 1, name: 'report.bin', file: { fileName: 'report.bin' } });
    expect(file.accessUrl).toContain(`${server.baseUrl}/#/send/${file.accessId}/`);
    await ownerHears(file.id, 12, cliDevice); // v2 metadata: the row exists
    await ownerHears(file.id, 13, cliDevice); // upload accepted

    const names = async (): Promise<string[]> => (await alice.cli.json<BwSend[]>(['send', 'list'])).map((s) => s.name).sort();
    expect(await names()).toEqual(['Wifi', 'report.bin']);
    await ok(alice.cli, ['sync', '--force']);
    const listed = await alice.cli.json<BwSend[]>(['send', 'list']);
    expect(listed.map((s) => s.id).sort()).toEqual([text.id, file.id].sort());
    expect(listed.find((s) => s.id === text.id)).toMatchObject({ name: 'Wifi', text: { text: 'the wifi password is hunter2' }, accessUrl: text.accessUrl });
    expect(listed.find((s) => s.id === file.id)).toMatchObject({ name: 'report.bin', file: { fileName: 'report.bin' } });

    // (a) plain text: the fresh anonymous profile prints the text; the count moves, and the owner hears it without ContextId.
    aliceHub.clear();
    const received = await receive(text.accessUrl);
    expect(received).toMatchObject({ code: 0, stdout: 'the wifi password is hunter2' });
    await ownerHears(text.id, 13, null);

    // (c) file: --output writes the exact bytes.
    const output = join(work, 'received.bin');
    const fileReceived = await receive(file.accessUrl, '--output', output);
    expect(fileReceived.code).toBe(0);
    expect(readFileSync(output).equals(content)).toBe(true);
    await ownerHears(file.id, 13, null);

    await ok(alice.cli, ['sync', '--force']);
    expect((await alice.cli.json<BwSend>(['send', 'get', text.id])).accessCount).toBe(1);
    expect((await alice.cli.json<BwSend>(['send', 'get', file.id])).accessCount).toBe(1);
  }, 240_000);

  it('(b) password-protected Send: without a password "Password required", a wrong one "Invalid password", the right one prints the text', async () => {
    const send = await createText({ name: 'Locked', password: 'open sesame', text: { text: 'behind a password', hidden: true } });
    expect(send).toMatchObject({ passwordSet: true, authType: 1 });

    const none = await receive(send.accessUrl);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('Password required');
    expect(none.stdout).not.toContain('behind a password');

    // `bw send receive <url> --password <p>` never reaches the receive command: the parent `send` command has a
    // `--password` option of its own (for creating) and commander gives it the flag. `--passwordenv`,
    // `--passwordfile` and the top-level `bw receive … --password` do reach it.
    const shadowed = await receive(send.accessUrl, '--password', 'open sesame');
    expect(shadowed).toMatchObject({ code: 1, stderr: 'Password required' });

    const wrong = await anonymous.run(['send', 'receive', send.accessUrl, '--passwordenv', 'SEND_PASSWORD'], 60_000, { SEND_PASSWORD: 'open barley' });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('Invalid password');
    expect(wrong.stdout).not.toContain('behind a password');
    const wrongTopLevel = await anonymous.run(['receive', send.accessUrl, '--password', 'open barley']);
    expect(wrongTopLevel.code).not.toBe(0);
    expect(wrongTopLevel.stderr).toContain('Invalid password');

    aliceHub.clear();
    const passwordFile = join(work, 'send-password.txt');
    writeFileSync(passwordFile, 'open sesame\n');
    expect(await receive(send.accessUrl, '--passwordfile', passwordFile)).toMatchObject({ code: 0, stdout: 'behind a password' });
    await ownerHears(send.id, 13, null);
    aliceHub.clear();
    expect(await anonymous.run(['receive', send.accessUrl, '--password', 'open sesame'])).toMatchObject({ code: 0, stdout: 'behind a password' });
    await ownerHears(send.id, 13, null);
  }, 120_000);

  it('(d) maxAccessCount 1: the first receive prints the text, the second fails', async () => {
    const send = await createText({ name: 'Once', maxAccessCount: 1, text: { text: 'read me once', hidden: false } });
    expect(send.maxAccessCount).toBe(1);
    expect(await receive(send.accessUrl)).toMatchObject({ code: 0, stdout: 'read me once' });
    // The profile reuses its cached access token: POST /api/sends/access answers 404 → "Not found.".
    expect(await receive(send.accessUrl)).toEqual({ code: 1, stdout: '', stderr: 'Not found.' });
    // A profile without a token is refused at the grant (send_id_invalid) → "Not found." too.
    expect(await (await freshAnonymous()).run(['send', 'receive', send.accessUrl])).toEqual({ code: 1, stdout: '', stderr: 'Not found.' });
  }, 120_000);

  it('edit renames (13 from the CLI, `send get` shows it), delete removes (14 from the CLI, gone from the list); another user hears nothing', async () => {
    const cliDevice = alice.cli.deviceIdentifier();
    const send = await createText({ name: 'Draft', text: { text: 'first words', hidden: false } });

    aliceHub.clear();
    const edited = await alice.cli.json<BwSend>(['send', 'edit', BwProfile.encode({ ...send, name: 'Final' })]);
    expect(edited).toMatchObject({ id: send.id, name: 'Final', text: { text: 'first words' } });
    expect(Date.parse(edited.revisionDate)).toBeGreaterThan(Date.parse(send.revisionDate));
    await ownerHears(send.id, 13, cliDevice);
    expect(await alice.cli.json<BwSend>(['send', 'get', send.id])).toMatchObject({ id: send.id, name: 'Final' });
    expect(await receive(send.accessUrl)).toMatchObject({ code: 0, stdout: 'first words' });

    aliceHub.clear();
    await ok(alice.cli, ['send', 'delete', send.id]);
    await ownerHears(send.id, 14, cliDevice);
    expect((await alice.cli.json<BwSend[]>(['send', 'list'])).map((s) => s.id)).not.toContain(send.id);
    await ok(alice.cli, ['sync', '--force']);
    expect((await alice.cli.json<BwSend[]>(['send', 'list'])).map((s) => s.id)).not.toContain(send.id);
    // With the token cached by the receive above the server answers 400 "Could not locate send"; without one, the grant refuses.
    expect(await receive(send.accessUrl)).toEqual({ code: 1, stdout: '', stderr: 'Could not locate send' });
    // An unknown id gets one of the three grant answers, stable per id (enumeration protection, sends-plan §5.3).
    const unknown = await (await freshAnonymous()).run(['send', 'receive', send.accessUrl]);
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(['Not found.', 'Password required', 'Email verification required. Run in interactive mode.']).toContain(unknown.stderr);

    // Bob's hub: nothing about any Send of this spec (checked after a change of his own arrived, order is kept).
    expect(sendIds.length).toBe(5);
    await nothingReaches(server, bob, (n) => sendIds.includes(String(n.Payload.Id).toLowerCase()) || String(n.Payload.UserId).toLowerCase() === alice.userId);
  }, 180_000);
});
