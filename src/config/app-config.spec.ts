import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './app-config';
import { ENV_SCHEMA } from './env.schema';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig({ DATA_FOLDER: '/tmp/vault-config-spec', ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

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
