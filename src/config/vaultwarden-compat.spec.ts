import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './app-config';
import { configProblems } from '../../test/unit/support/config-problems';
import { parseLogLevel } from './log-level';
import { VAULTWARDEN_VARIABLES } from './vaultwarden-variables';

/** A Vaultwarden admin's environment, as it is, must start this server (issue 20). */
let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'vault-compat-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

const write = (name: string, text: string): string => {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
};
const load = (env: Record<string, string>) => loadConfig({ DATA_FOLDER: folder, ...env });
const problemsOf = (env: Record<string, string>): string[] => configProblems({ DATA_FOLDER: folder, ...env });

describe('IP_HEADER_TRUSTED_PROXIES beside TRUSTED_PROXIES', () => {
  it('neither set: the default of TRUSTED_PROXIES', () => {
    expect(load({}).config.trustedProxies).toEqual(['127.0.0.1', '::1']);
  });

  it('only IP_HEADER_TRUSTED_PROXIES: it is used, keywords and CIDR ranges included', () => {
    expect(load({ IP_HEADER_TRUSTED_PROXIES: 'local' }).config.trustedProxies).toEqual(['local']);
    expect(load({ IP_HEADER_TRUSTED_PROXIES: '10.0.0.0/8, fd00::/8,192.0.2.7' }).config.trustedProxies).toEqual(['10.0.0.0/8', 'fd00::/8', '192.0.2.7']);
  });

  it('both set: TRUSTED_PROXIES wins, with a warning naming both', () => {
    const { config, warnings } = load({ TRUSTED_PROXIES: '10.1.2.3', IP_HEADER_TRUSTED_PROXIES: 'all' });
    expect(config.trustedProxies).toEqual(['10.1.2.3']);
    expect(warnings).toContain('TRUSTED_PROXIES and IP_HEADER_TRUSTED_PROXIES are both set: TRUSTED_PROXIES is used and IP_HEADER_TRUSTED_PROXIES is ignored. Keep one of them.');
  });

  it('TRUSTED_PROXIES takes CIDR ranges and keywords too', () => {
    expect(load({ TRUSTED_PROXIES: '172.16.0.0/12,ALL' }).config.trustedProxies).toEqual(['172.16.0.0/12', 'ALL']);
  });

  it.each([
    [{ IP_HEADER_TRUSTED_PROXIES: '10.0.0.0/33' }, /^IP_HEADER_TRUSTED_PROXIES: "10.0.0.0\/33" is not an IP address or CIDR range; expected local/],
    [{ IP_HEADER_TRUSTED_PROXIES: 'proxy.internal,10.0.0.1' }, /^IP_HEADER_TRUSTED_PROXIES: "proxy.internal" is not/],
    [{ TRUSTED_PROXIES: 'locall' }, /^TRUSTED_PROXIES: "locall" is not/],
  ])('%j is refused, naming the variable', (env, pattern) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(pattern);
  });
});

describe('<NAME>_FILE for every variable', () => {
  it('DATABASE_URL_FILE holding a PostgreSQL URL selects PostgreSQL (never a silent SQLite fallback)', () => {
    const path = write('db-url', 'postgresql://vw:secret@db.internal:5432/vaultwarden\n');
    expect(load({ DATABASE_URL_FILE: path }).config.database).toMatchObject({ type: 'postgres', url: 'postgresql://vw:secret@db.internal:5432/vaultwarden', sqlitePath: null });
  });

  it('plain (non-secret) variables of every kind are read from a file, trimmed', () => {
    const { config } = load({
      SIGNUPS_ALLOWED_FILE: write('signups', 'false\n'),
      ROCKET_PORT_FILE: write('port', ' 8123 '),
      DOMAIN_FILE: write('domain', 'https://vault.example.com/vw\n'),
      TRUSTED_PROXIES_FILE: write('proxies', '10.0.0.0/8\n'),
    });
    expect(config.signupsAllowed).toBe(false);
    expect(config.port).toBe(8123);
    expect(config.basePath).toBe('/vw');
    expect(config.trustedProxies).toEqual(['10.0.0.0/8']);
  });

  it('an alias reads its _FILE too (PORT_FILE)', () => {
    expect(load({ PORT_FILE: write('port', '9009') }).config.port).toBe(9009);
  });

  it('a value read from a file is validated like any other, naming the variable', () => {
    expect(problemsOf({ ROCKET_PORT_FILE: write('port', 'eighty') })).toEqual([expect.stringMatching(/^ROCKET_PORT: "eighty" is not a whole number/)]);
  });

  it('both NAME and NAME_FILE set: refused, naming both (Vaultwarden refuses it too)', () => {
    const problems = problemsOf({ DATABASE_URL: 'postgresql://a@b/c', DATABASE_URL_FILE: write('db-url', 'postgresql://x@y/z') });
    expect(problems).toEqual(['DATABASE_URL: DATABASE_URL and DATABASE_URL_FILE are both set; set only one of them']);
  });

  it('an unreadable file: refused, naming the variable', () => {
    expect(problemsOf({ DATABASE_URL_FILE: join(folder, 'missing') })).toEqual([expect.stringMatching(/^DATABASE_URL_FILE: cannot read the file it names \(ENOENT\); expected a readable file holding the value of DATABASE_URL$/)]);
    if (process.getuid?.() !== 0) {
      const locked = write('locked', 'x');
      chmodSync(locked, 0);
      expect(problemsOf({ SMTP_HOST_FILE: locked })[0]).toMatch(/^SMTP_HOST_FILE: cannot read the file it names/);
    }
  });

  it('NAME_FILE of a known variable is never an unknown variable', () => {
    const { warnings } = load({ DATABASE_URL_FILE: write('db-url', 'postgresql://vw@db/vw'), HUB_MAX_CONNECTIONS_FILE: write('hub', '10') });
    expect(warnings).toEqual([]);
  });
});

describe('PostgreSQL keyword/value DATABASE_URL', () => {
  it('is turned into a postgresql:// URL with libpq quoting', () => {
    const { config } = load({ DATABASE_URL: "host = db.internal port=5433 dbname=vaultwarden user=vw password='it\\'s a \\\\ p@w/d' sslmode=require" });
    expect(config.database.type).toBe('postgres');
    const url = new URL(config.database.url!);
    expect(url.hostname).toBe('db.internal');
    expect(url.port).toBe('5433');
    expect(url.pathname).toBe('/vaultwarden');
    expect(decodeURIComponent(url.username)).toBe('vw');
    expect(decodeURIComponent(url.password)).toBe("it's a \\ p@w/d");
    expect(url.searchParams.get('sslmode')).toBe('require');
  });

  it('problems never repeat the password', () => {
    const problems = problemsOf({ DATABASE_URL: 'host=db user=vw password=hunter2 s3cr3t-rest' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^DATABASE_URL: not a valid PostgreSQL keyword\/value connection string \(word 4 is not followed by "="/);
    expect(problems[0]).not.toContain('hunter2');
    expect(problems[0]).not.toContain('s3cr3t');
  });

  it('an unknown keyword is refused, not taken for a SQLite file name', () => {
    expect(problemsOf({ DATABASE_URL: 'host=db dbnme=vw' })[0]).toMatch(/^DATABASE_URL: not a valid PostgreSQL keyword\/value connection string \(word 2 is not a PostgreSQL connection keyword/);
  });
});

describe('LOG_LEVEL as Vaultwarden writes it', () => {
  it.each([
    ['trace', 'trace'], ['DEBUG', 'debug'], ['Info', 'info'], ['warn', 'warn'], ['ERROR', 'error'], ['off', 'silent'], ['OFF', 'silent'],
    ['fatal', 'fatal'], ['silent', 'silent'],
  ])('%s → %s, no warning', (value, level) => {
    const { config, warnings } = load({ LOG_LEVEL: value });
    expect(config.log.level).toBe(level);
    expect(warnings).toEqual([]);
  });

  it.each([
    ['info,vaultwarden::api=debug', 'info', 'vaultwarden::api=debug is ignored'],
    ['warn,rocket=info', 'warn', 'rocket=info is ignored'],
    ['OFF,a=debug,b::c=TRACE', 'silent', 'a=debug, b::c=TRACE are ignored'],
  ])('%s: the first level, and a warning naming what is ignored', (value, level, ignored) => {
    const { config, warnings } = load({ LOG_LEVEL: value });
    expect(config.log.level).toBe(level);
    expect(warnings).toEqual([`LOG_LEVEL: per-module levels are not supported; the level is ${level} for everything, and ${ignored}.`]);
  });

  it.each(['loud', 'vaultwarden=debug', 'info,debug', 'info,rocket=loud'])('%s is refused, naming the variable', (value) => {
    const problems = problemsOf({ LOG_LEVEL: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^LOG_LEVEL: ".*" .*expected one of trace, debug, info, warn, error, off/);
  });

  it('parseLogLevel keeps the module entries as written', () => {
    expect(parseLogLevel(' info , vaultwarden::api::icons=debug ')).toEqual({ level: 'info', ignored: ['vaultwarden::api::icons=debug'] });
  });
});

describe('Vaultwarden variables this server does not support', () => {
  it('the list is Vaultwarden\'s config keys in upper case', () => {
    for (const name of ['DOMAIN', 'IP_HEADER_TRUSTED_PROXIES', 'SMTP_DEBUG', 'YUBICO_CLIENT_ID', '_ENABLE_DUO', 'SSO_ENABLED', 'TRASH_PURGE_SCHEDULE']) {
      expect(VAULTWARDEN_VARIABLES.has(name)).toBe(true);
    }
    expect(VAULTWARDEN_VARIABLES.has('_IP_HEADER_ENABLED')).toBe(false);
  });

  it('one warning names them all, including those set through NAME_FILE', () => {
    const { warnings } = load({ SMTP_DEBUG: 'true', YUBICO_CLIENT_ID: '1', SSO_CLIENT_SECRET_FILE: write('sso', 'x'), ORG_EVENTS_ENABLED: 'true' });
    expect(warnings).toEqual(['ORG_EVENTS_ENABLED, SMTP_DEBUG, SSO_CLIENT_SECRET, YUBICO_CLIENT_ID are Vaultwarden settings this server does not support; they are ignored.']);
  });

  it('one of them: a warning naming it', () => {
    expect(load({ TRASH_PURGE_SCHEDULE: '0 5 0 * * *' }).warnings).toEqual(['TRASH_PURGE_SCHEDULE is a Vaultwarden setting this server does not support; it is ignored.']);
  });

  it('an unknown name with a known prefix still gets the did-you-mean warning', () => {
    const { warnings } = load({ SMTP_HOSTNAME: 'x', SMTP_DEBUG: 'true' });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^SMTP_HOSTNAME is not a known variable; did you mean one of SMTP_HOST, /);
    expect(warnings[1]).toBe('SMTP_DEBUG is a Vaultwarden setting this server does not support; it is ignored.');
  });
});

describe('TRASH_AUTO_DELETE_DAYS as in Vaultwarden', () => {
  it('unset means never (null), 0 and other days are kept', () => {
    expect(load({}).config.trashAutoDeleteDays).toBeNull();
    expect(load({ TRASH_AUTO_DELETE_DAYS: '' }).config.trashAutoDeleteDays).toBeNull();
    expect(load({ TRASH_AUTO_DELETE_DAYS: '0' }).config.trashAutoDeleteDays).toBe(0);
    expect(load({ TRASH_AUTO_DELETE_DAYS: '30' }).config.trashAutoDeleteDays).toBe(30);
    expect(problemsOf({ TRASH_AUTO_DELETE_DAYS: '-1' })[0]).toMatch(/^TRASH_AUTO_DELETE_DAYS: -1 is out of range/);
  });
});

describe('config.json (Vaultwarden\'s admin panel file)', () => {
  it('DATA_FOLDER/config.json is read: lower-case keys, JSON types; its settings win over the environment, with a warning', () => {
    write('config.json', JSON.stringify({ signups_allowed: false, rocket_port: 8200, domain: 'https://vw.example.com', log_level: 'warn', smtp_host: null }));
    const { config, warnings } = load({ SIGNUPS_ALLOWED: 'true', DOMAIN: 'https://env.example.com' });
    expect(config.signupsAllowed).toBe(false);
    expect(config.port).toBe(8200);
    expect(config.publicUrl).toBe('https://vw.example.com');
    expect(config.log.level).toBe('warn');
    expect(config.mail.enabled).toBe(false);
    expect(warnings).toEqual([`${join(folder, 'config.json')} overrides the environment for DOMAIN, SIGNUPS_ALLOWED (its settings win, as in Vaultwarden); change them there or remove them from the file.`]);
  });

  it('the file also wins over NAME_FILE and over an alias (no "both set" problem)', () => {
    write('config.json', JSON.stringify({ database_url: 'postgresql://vw@file/vw', rocket_port: 8300 }));
    const { config } = load({ DATABASE_URL_FILE: write('db-url', 'postgresql://vw@env/vw'), PORT: '9000' });
    expect(config.database.url).toBe('postgresql://vw@file/vw');
    expect(config.port).toBe(8300);
  });

  it('CONFIG_FILE names another file', () => {
    const path = write('elsewhere.json', JSON.stringify({ invitations_allowed: false }));
    expect(load({ CONFIG_FILE: path }).config.invitationsAllowed).toBe(false);
  });

  it('no file: nothing read, no warning; a CONFIG_FILE that does not exist: a warning', () => {
    expect(load({}).warnings).toEqual([]);
    expect(load({ CONFIG_FILE: join(folder, 'none.json') }).warnings).toEqual([`CONFIG_FILE: ${join(folder, 'none.json')} does not exist; no settings are read from it.`]);
  });

  it('unknown keys: Vaultwarden ones get the unsupported warning, others an unknown-key warning', () => {
    const path = write('config.json', JSON.stringify({ smtp_debug: true, _enable_duo: false, bogus_key: 1, 'Mixed-Case': 2 }));
    const { warnings } = load({});
    expect(warnings).toEqual([
      `${path}: "bogus_key", "Mixed-Case" are not known settings; they are ignored.`,
      'SMTP_DEBUG, _ENABLE_DUO are Vaultwarden settings this server does not support; they are ignored.',
    ]);
  });

  it.each([
    ['{"signups_allowed": false,', /not valid JSON/],
    ['[1, 2]', /expected a JSON object of settings/],
    ['"text"', /expected a JSON object of settings/],
  ])('a malformed file (%s) stops start-up, naming the file', (text, pattern) => {
    const path = write('config.json', text);
    const problems = problemsOf({});
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`config file ${path}: `);
    expect(problems[0]).toMatch(pattern);
  });

  it('a value that is not a string, number or boolean is refused, naming the key and the variable', () => {
    write('config.json', JSON.stringify({ signups_allowed: { yes: true } }));
    expect(problemsOf({})).toEqual([`config file ${join(folder, 'config.json')}: "signups_allowed" (SIGNUPS_ALLOWED) must be a string, a number or a boolean`]);
  });

  it('a bad value in the file is refused like one in the environment, naming the variable', () => {
    write('config.json', JSON.stringify({ signups_allowed: 'maybe' }));
    expect(problemsOf({})[0]).toMatch(/^SIGNUPS_ALLOWED: "maybe" is not a boolean/);
  });

  it('when CONFIG_FILE is set, problems name it', () => {
    const path = write('vw.json', '{');
    expect(problemsOf({ CONFIG_FILE: path })[0]).toMatch(new RegExp(`^CONFIG_FILE \\(${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\): not valid JSON`));
  });
});
