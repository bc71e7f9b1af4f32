import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultHashConcurrency, loadConfig } from './app-config';
import { configProblems } from '../../test/unit/support/config-problems';
import { ENV_SCHEMA } from './env.schema';

const problemsOf = (env: Record<string, string>): string[] => configProblems({ DATA_FOLDER: '/tmp/vault-config-spec', ...env });

describe('loadConfig', () => {
  it('defaults: port 8000 on 0.0.0.0, SQLite in DATA_FOLDER, hubs on, signups open', () => {
    const { config } = loadConfig({ DATA_FOLDER: '/tmp/vault-config-spec' });
    expect(config.port).toBe(8000);
    expect(config.address).toBe('0.0.0.0');
    expect(config.database).toMatchObject({ type: 'better-sqlite3', sqlitePath: '/tmp/vault-config-spec/db.sqlite3' });
    expect(config.hub.enabled).toBe(true);
    expect(config.hub.redisUrl).toBeNull();
    expect(config.signupsAllowed).toBe(true);
    expect(config.basePath).toBe('');
  });

  it.each(['true', 't', 'YES', 'y', '1'])('boolean %s is true', (value) => {
    expect(loadConfig({ SIGNUPS_ALLOWED: value }).config.signupsAllowed).toBe(true);
  });
  it.each(['false', 'F', 'no', 'n', '0'])('boolean %s is false', (value) => {
    expect(loadConfig({ SIGNUPS_ALLOWED: value }).config.signupsAllowed).toBe(false);
  });

  it('DOMAIN path becomes the base path', () => {
    const { config } = loadConfig({ DOMAIN: 'https://host.example/vault/' });
    expect(config.basePath).toBe('/vault');
    expect(config.publicUrl).toBe('https://host.example/vault');
  });

  it('PORT and ROCKET_PORT are both accepted', () => {
    expect(loadConfig({ PORT: '9001' }).config.port).toBe(9001);
    expect(loadConfig({ ROCKET_PORT: '9002' }).config.port).toBe(9002);
  });

  it.each([
    [{ SIGNUPS_ALLOWED: 'maybe' }, /^SIGNUPS_ALLOWED: "maybe" is not a boolean; expected one of true\/t\/yes\/y\/1/],
    [{ ROCKET_PORT: 'http' }, /^ROCKET_PORT: "http" is not a whole number/],
    [{ ROCKET_PORT: '70000' }, /^ROCKET_PORT: 70000 is out of range/],
    [{ DOMAIN: 'vault.example.com' }, /^DOMAIN: "vault.example.com" is not an absolute URL; expected the form https:\/\//],
    [{ DOMAIN: 'ftp://x' }, /^DOMAIN: .* must start with http:\/\/ or https:\/\//],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL: "loud" is not accepted; expected one of trace, debug/],
    [{ DATABASE_URL: 'oracle://x' }, /^DATABASE_URL: unsupported scheme/],
    [{ REDIS_URL: 'http://cache:6379' }, /^REDIS_URL: unsupported value/],
    [{ ROCKET_TLS: 'yes please' }, /^ROCKET_TLS: .* expected \{certs=/],
    [{ ROCKET_TLS: '{certs="/nope/cert.pem",key="/etc/hostname"}' }, /^ROCKET_TLS: certs file "\/nope\/cert.pem" does not exist/],
    [{ ADMIN_TOKEN_FILE: '/nope/admin-token' }, /^ADMIN_TOKEN_FILE: cannot read the file/],
    [{ ENABLE_WEBSOCKET: 'sometimes' }, /^ENABLE_WEBSOCKET: /],
  ])('rejects %j with a line naming the variable', (env, pattern) => {
    const problems = problemsOf(env as Record<string, string>);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(pattern);
  });

  it('collects every problem at once', () => {
    expect(problemsOf({ SIGNUPS_ALLOWED: 'x', ROCKET_PORT: 'y' })).toHaveLength(2);
  });

  it('obsolete WEBSOCKET_* variables are accepted with one warning each', () => {
    const { warnings } = loadConfig({ WEBSOCKET_ENABLED: 'true', WEBSOCKET_PORT: '3012' });
    expect(warnings.filter((w) => w.startsWith('WEBSOCKET_ENABLED is obsolete'))).toHaveLength(1);
    expect(warnings.filter((w) => w.startsWith('WEBSOCKET_PORT is obsolete'))).toHaveLength(1);
  });

  describe('byte sizes (REQUEST_BODY_LIMIT, HUB_QUEUE_MAX_BYTES)', () => {
    it('defaults: 2 MiB request bodies, 1 MiB hub queues', () => {
      const { config } = loadConfig({});
      expect(config.requestBodyLimit).toBe(2 * 1024 * 1024);
      expect(config.hub.queueMaxBytes).toBe(1024 * 1024);
    });

    it.each([
      ['1048576', 1048576],
      ['4096b', 4096],
      ['512K', 512 * 1024],
      ['512k', 512 * 1024],
      ['512KB', 512 * 1024],
      ['512KiB', 512 * 1024],
      ['2M', 2 * 1024 * 1024],
      ['2mb', 2 * 1024 * 1024],
      ['2MiB', 2 * 1024 * 1024],
      ['2mib', 2 * 1024 * 1024],
      ['2 MB', 2 * 1024 * 1024],
      [' 3m ', 3 * 1024 * 1024],
      ['1G', 1024 ** 3],
      ['1gb', 1024 ** 3],
      ['1GiB', 1024 ** 3],
    ])('REQUEST_BODY_LIMIT=%j is %d bytes', (value, bytes) => {
      expect(loadConfig({ REQUEST_BODY_LIMIT: value }).config.requestBodyLimit).toBe(bytes);
    });

    it('HUB_QUEUE_MAX_BYTES takes units too', () => {
      expect(loadConfig({ HUB_QUEUE_MAX_BYTES: '64K' }).config.hub.queueMaxBytes).toBe(65536);
      expect(loadConfig({ HUB_QUEUE_MAX_BYTES: '4MiB' }).config.hub.queueMaxBytes).toBe(4 * 1024 * 1024);
    });

    it('an empty value means the default, not 0 or "no limit"', () => {
      expect(loadConfig({ REQUEST_BODY_LIMIT: '' }).config.requestBodyLimit).toBe(2 * 1024 * 1024);
    });

    it.each(['2megs', '1.5M', '2T', '2TB', '-1', '2MBB', '2iB', 'M', '0x400', '1e6', '2 M B', 'lots'])('REQUEST_BODY_LIMIT=%j is refused at start-up, naming the variable and the accepted forms', (value) => {
      const problems = problemsOf({ REQUEST_BODY_LIMIT: value });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^REQUEST_BODY_LIMIT: ".*" is not a byte size; expected a whole number of bytes or one with a unit, e\.g\. 1048576, 512K, 2M, 1G/);
    });

    it.each([
      ['REQUEST_BODY_LIMIT', '2', /^REQUEST_BODY_LIMIT: "2" is out of range; expected between 1024 \(1K\) and 1073741824 \(1G\) bytes/],
      ['REQUEST_BODY_LIMIT', '2G', /^REQUEST_BODY_LIMIT: "2G" is out of range/],
      ['HUB_QUEUE_MAX_BYTES', '1K', null],
      ['HUB_QUEUE_MAX_BYTES', '1023', /^HUB_QUEUE_MAX_BYTES: "1023" is out of range/],
      ['HUB_QUEUE_MAX_BYTES', '99999999999999999999G', /^HUB_QUEUE_MAX_BYTES: ".*" is out of range/],
      ['HUB_QUEUE_MAX_BYTES', 'big', /^HUB_QUEUE_MAX_BYTES: "big" is not a byte size/],
    ])('%s=%j: bounds are checked in bytes', (name, value, pattern) => {
      const problems = problemsOf({ [name]: value });
      if (pattern === null) {
        expect(problems).toEqual([]);
      } else {
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(pattern);
      }
    });
  });

  it('REFRESH_TOKEN_IDLE_DAYS: default 30, settable, bounded', () => {
    expect(loadConfig({}).config.refreshTokenIdleDays).toBe(30);
    expect(loadConfig({ REFRESH_TOKEN_IDLE_DAYS: '7' }).config.refreshTokenIdleDays).toBe(7);
    expect(problemsOf({ REFRESH_TOKEN_IDLE_DAYS: '0' })[0]).toMatch(/^REFRESH_TOKEN_IDLE_DAYS: 0 is out of range/);
    expect(problemsOf({ REFRESH_TOKEN_IDLE_DAYS: 'forever' })[0]).toMatch(/^REFRESH_TOKEN_IDLE_DAYS: "forever" is not a whole number/);
  });

  it('unknown variables with a known prefix get a did-you-mean warning', () => {
    const { warnings } = loadConfig({ HUB_MAX_CONNECTION_PER_USER: '3' });
    expect(warnings.some((w) => w.startsWith('HUB_MAX_CONNECTION_PER_USER is not a known variable; did you mean'))).toBe(true);
  });
});

describe('.env.example', () => {
  it('documents exactly the variables of the schema, with their defaults', () => {
    const text = readFileSync(join(__dirname, '../../.env.example'), 'utf8');
    const documented = new Map([...text.matchAll(/^# ([A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
    expect([...documented.keys()].sort()).toEqual(ENV_SCHEMA.map((v) => v.name).sort());
    for (const spec of ENV_SCHEMA) expect(documented.get(spec.name)).toBe(spec.default ?? '');
  });
});

describe('password hashing gate defaults', () => {
  it('leaves a core for the event loop and a pool thread for file work, and runs at least one hash', () => {
    expect(defaultHashConcurrency({}, 2)).toBe(1);
    expect(defaultHashConcurrency({}, 1)).toBe(1);
    expect(defaultHashConcurrency({}, 16)).toBe(3);
    expect(defaultHashConcurrency({ UV_THREADPOOL_SIZE: '16' }, 8)).toBe(7);
    expect(loadConfig({ DATA_FOLDER: '/tmp/vault-config-spec', PASSWORD_HASH_CONCURRENCY: '5' }).config.passwordHashing).toEqual({ concurrency: 5, queue: 8 });
  });
});
