import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * The layering rules of eslint.config.mjs, run through the real `eslint` on the text of a file placed in each
 * area (stdin with --stdin-filename): a forbidden import fails lint, an allowed one passes.
 */
const ROOT = resolve(__dirname, '../..');
const ESLINT = resolve(ROOT, 'node_modules/eslint/bin/eslint.js');

const lint = (filePath: string, text: string): Promise<{ code: number; output: string }> => new Promise((done) => {
  const child = execFile(process.execPath, [ESLINT, '--stdin', '--stdin-filename', filePath], { cwd: ROOT, timeout: 120_000 }, (error, stdout, stderr) => {
    done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}` });
  });
  child.stdin?.end(text);
});

describe('layering, enforced by lint', () => {
  it.each([
    ['a feature importing a transport', 'src/ciphers/ciphers.service.ts', "import { HubGateway } from '../notifications/hub.gateway';\nexport const used = HubGateway;\n"],
    ['a feature importing the push consumer', 'src/folders/folders.service.ts', "import { OutboxWriter } from '../push/outbox.writer';\nexport const used = OutboxWriter;\n"],
    ['the hub importing push', 'src/notifications/hub.gateway.ts', "import { OutboxWriter } from '../push/outbox.writer';\nexport const used = OutboxWriter;\n"],
    ['push importing the hub', 'src/push/push.listener.ts', "import { HubGateway } from '../notifications/hub.gateway';\nexport const used = HubGateway;\n"],
    ['accounts importing identity', 'src/accounts/accounts.service.ts', "import { TokenGrantService } from '../identity/token-grant.service';\nexport const used = TokenGrantService;\n"],
    ['the bus importing a feature', 'src/event-bus/event-bus.service.ts', "import { CiphersService } from '../ciphers/ciphers.service';\nexport const used = CiphersService;\n"],
    ['common/ importing the database', 'src/common/auth/session.service.ts', "import { UnitOfWork } from '../../db/unit-of-work';\nexport const used = UnitOfWork;\n"],
    ['common/ importing the bus', 'src/common/auth/auth-context.ts', "import { EventBus } from '../../event-bus/event-bus.service';\nexport const used = EventBus;\n"],
    ['mail importing a feature', 'src/mail/mail.service.ts', "import { MembersRepository } from '../organizations/members.repository';\nexport const used = MembersRepository;\n"],
    ['mail importing the bus', 'src/mail/mail-worker.ts', "import { EventBus } from '../event-bus/event-bus.service';\nexport const used = EventBus;\n"],
  ])('%s fails lint', async (_what, filePath, text) => {
    const result = await lint(filePath, text);
    expect(result.code).toBe(1);
    expect(result.output).toContain('no-restricted-imports');
  }, 120_000);

  it('an allowed import passes', async () => {
    const result = await lint('src/ciphers/ciphers.service.ts', "import { EventBus } from '../event-bus/event-bus.service';\nexport const used = EventBus;\n");
    expect(result).toEqual({ code: 0, output: '' });
  }, 120_000);

  it('a feature may queue mail', async () => {
    const result = await lint('src/organizations/members.service.ts', "import { MailService } from '../mail/mail.service';\nexport const used = MailService;\n");
    expect(result).toEqual({ code: 0, output: '' });
  }, 120_000);
});
