import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configProblems as problemsOf } from '../../test/unit/support/config-problems';
import { describeConfig, loadConfig } from './app-config';

const ID = '0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a';
const KEY = 'installation-key-0123456789';
const base = { DATA_FOLDER: '/tmp/vault-push-config-spec' };
const enabled = { ...base, PUSH_ENABLED: 'true', PUSH_INSTALLATION_ID: ID, PUSH_INSTALLATION_KEY: KEY };

describe('push configuration (notifications.md §10.1)', () => {
  it('is off by default, with the US relay and identity hosts and the documented rate and retry defaults', () => {
    const { config, warnings } = loadConfig(base);
    expect(config.push).toEqual({
      enabled: false, installationId: null, installationKey: null,
      relayUri: 'https://push.bitwarden.com', identityUri: 'https://identity.bitwarden.com',
      rateBurst: 5, ratePerSecond: 1, retryBaseMs: 1000, retryMaxMs: 300_000, timeoutMs: 10_000, relayConcurrency: 4, userPendingMax: 20,
    });
    expect(warnings.filter((w) => w.includes('PUSH'))).toEqual([]);
  });

  it('enabled with id and key: US defaults, id lowercased', () => {
    const { config } = loadConfig({ ...enabled, PUSH_INSTALLATION_ID: ID.toUpperCase() });
    expect(config.push).toMatchObject({ enabled: true, installationId: ID, installationKey: KEY, relayUri: 'https://push.bitwarden.com', identityUri: 'https://identity.bitwarden.com' });
  });

  it('the EU pair is accepted; trailing slashes are removed; HTTPS is case-insensitive', () => {
    const { config, warnings } = loadConfig({ ...enabled, PUSH_RELAY_URI: 'HTTPS://api.bitwarden.eu/', PUSH_IDENTITY_URI: 'https://identity.bitwarden.eu//' });
    expect(config.push.relayUri).toBe('https://api.bitwarden.eu');
    expect(config.push.identityUri).toBe('https://identity.bitwarden.eu');
    expect(warnings).toEqual([]);
  });

  it('a path on a self-hosted relay is kept, without its trailing slash', () => {
    const { config } = loadConfig({ ...enabled, PUSH_RELAY_URI: 'https://relay.example.com/bitwarden/', PUSH_IDENTITY_URI: 'https://id.example.com' });
    expect(config.push.relayUri).toBe('https://relay.example.com/bitwarden');
  });

  it('the installation key (and id) may come from files (_FILE)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'push-secret-'));
    writeFileSync(join(dir, 'key'), `${KEY}\n`);
    writeFileSync(join(dir, 'id'), `${ID}\n`);
    const { config } = loadConfig({ ...base, PUSH_ENABLED: 'yes', PUSH_INSTALLATION_ID_FILE: join(dir, 'id'), PUSH_INSTALLATION_KEY_FILE: join(dir, 'key') });
    expect(config.push).toMatchObject({ enabled: true, installationId: ID, installationKey: KEY });
  });

  it('rate, retry, timeout and concurrency knobs are read', () => {
    const { config } = loadConfig({ ...enabled, PUSH_RATE_BURST: '10', PUSH_RATE_PER_SECOND: '3', PUSH_RETRY_BASE_MS: '250', PUSH_RETRY_MAX_SECONDS: '60', PUSH_RELAY_TIMEOUT_SECONDS: '5', PUSH_RELAY_CONCURRENCY: '16' });
    expect(config.push).toMatchObject({ rateBurst: 10, ratePerSecond: 3, retryBaseMs: 250, retryMaxMs: 60_000, timeoutMs: 5000, relayConcurrency: 16 });
  });

  it.each([
    ['enabled without id', { ...base, PUSH_ENABLED: 'true', PUSH_INSTALLATION_KEY: KEY }, /^PUSH_INSTALLATION_ID: required when PUSH_ENABLED=true; get an installation id and key at https:\/\/bitwarden.com\/host/],
    ['enabled without key', { ...base, PUSH_ENABLED: 'true', PUSH_INSTALLATION_ID: ID }, /^PUSH_INSTALLATION_KEY: required when PUSH_ENABLED=true/],
    ['enabled with an empty key', { ...enabled, PUSH_INSTALLATION_KEY: '' }, /^PUSH_INSTALLATION_KEY: required when PUSH_ENABLED=true/],
    ['id that is not a UUID', { ...enabled, PUSH_INSTALLATION_ID: 'my-installation' }, /^PUSH_INSTALLATION_ID: the value is not an installation id; expected a UUID/],
    ['unreadable key file', { ...base, PUSH_ENABLED: 'true', PUSH_INSTALLATION_ID: ID, PUSH_INSTALLATION_KEY_FILE: '/nope/key' }, /^PUSH_INSTALLATION_KEY_FILE: cannot read the file/],
    ['http relay', { ...enabled, PUSH_RELAY_URI: 'http://push.bitwarden.com' }, /^PUSH_RELAY_URI: "http:\/\/push.bitwarden.com" must start with https:\/\//],
    ['http identity', { ...enabled, PUSH_IDENTITY_URI: 'http://identity.bitwarden.com' }, /^PUSH_IDENTITY_URI: .* must start with https:\/\//],
    ['relay that is not a URL', { ...enabled, PUSH_RELAY_URI: 'push.bitwarden.com' }, /^PUSH_RELAY_URI: "push.bitwarden.com" is not an absolute URL; expected https:\/\//],
    ['identity that is not a URL', { ...enabled, PUSH_IDENTITY_URI: 'https://' }, /^PUSH_IDENTITY_URI: "https:\/\/" is not an absolute URL/],
    ['relay with a query string', { ...enabled, PUSH_RELAY_URI: 'https://push.bitwarden.com/?region=us' }, /^PUSH_RELAY_URI: .* must not carry a query string or fragment/],
    ['relay with an empty query', { ...enabled, PUSH_RELAY_URI: 'https://push.bitwarden.com?' }, /^PUSH_RELAY_URI: .* must not carry a query string or fragment/],
    ['identity with a fragment', { ...enabled, PUSH_IDENTITY_URI: 'https://identity.bitwarden.com#eu' }, /^PUSH_IDENTITY_URI: .* must not carry a query string or fragment/],
    ['relay with credentials', { ...enabled, PUSH_RELAY_URI: 'https://user:pw@push.bitwarden.com' }, /^PUSH_RELAY_URI: .* must not carry credentials/],
    ['US relay with EU identity', { ...enabled, PUSH_IDENTITY_URI: 'https://identity.bitwarden.eu' }, /^PUSH_RELAY_URI: push.bitwarden.com \(US\) and PUSH_IDENTITY_URI identity.bitwarden.eu \(EU\) are in different regions.*PUSH_RELAY_URI=https:\/\/api.bitwarden.eu with PUSH_IDENTITY_URI=https:\/\/identity.bitwarden.eu \(EU\)/],
    ['EU relay with US identity', { ...enabled, PUSH_RELAY_URI: 'https://api.bitwarden.eu' }, /^PUSH_RELAY_URI: api.bitwarden.eu \(EU\) and PUSH_IDENTITY_URI identity.bitwarden.com \(US\) are in different regions/],
    ['PUSH_ENABLED not a boolean', { ...enabled, PUSH_ENABLED: 'on' }, /^PUSH_ENABLED: "on" is not a boolean/],
    ['burst out of range', { ...enabled, PUSH_RATE_BURST: '0' }, /^PUSH_RATE_BURST: 0 is out of range/],
    ['no relay lane', { ...enabled, PUSH_RELAY_CONCURRENCY: '0' }, /^PUSH_RELAY_CONCURRENCY: 0 is out of range/],
    ['too many relay lanes', { ...enabled, PUSH_RELAY_CONCURRENCY: '65' }, /^PUSH_RELAY_CONCURRENCY: 65 is out of range/],
    ['rate not a number', { ...enabled, PUSH_RATE_PER_SECOND: 'fast' }, /^PUSH_RATE_PER_SECOND: "fast" is not a whole number/],
  ])('%s stops the start with one line naming the variable', (_name, env, pattern) => {
    const problems = problemsOf(env as Record<string, string>);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(pattern);
  });

  it('every push problem is reported at once', () => {
    const problems = problemsOf({ ...base, PUSH_ENABLED: 'true', PUSH_RELAY_URI: 'http://x', PUSH_IDENTITY_URI: 'ftp://y' });
    expect(problems.map((p) => p.split(':')[0])).toEqual(['PUSH_INSTALLATION_ID', 'PUSH_INSTALLATION_KEY', 'PUSH_RELAY_URI', 'PUSH_IDENTITY_URI']);
  });

  it('https://push.bitwarden.eu is accepted with a warning naming the EU relay', () => {
    const { config, warnings } = loadConfig({ ...enabled, PUSH_RELAY_URI: 'https://push.bitwarden.eu', PUSH_IDENTITY_URI: 'https://identity.bitwarden.eu' });
    expect(config.push.enabled).toBe(true);
    expect(warnings).toEqual([expect.stringMatching(/^PUSH_RELAY_URI=https:\/\/push.bitwarden.eu is not a documented relay host; the EU relay is https:\/\/api.bitwarden.eu/)]);
  });

  it('id or key set while push is disabled: a warning, push stays off, URIs are not checked', () => {
    const { config, warnings } = loadConfig({ ...base, PUSH_INSTALLATION_ID: ID, PUSH_INSTALLATION_KEY: KEY, PUSH_RELAY_URI: 'http://ignored' });
    expect(config.push.enabled).toBe(false);
    expect(config.push.installationKey).toBeNull();
    expect(warnings).toEqual([expect.stringMatching(/^PUSH_INSTALLATION_ID \/ PUSH_INSTALLATION_KEY are set but PUSH_ENABLED is false: mobile push is disabled/)]);
  });

  it('misspelt PUSH_ variables get a did-you-mean warning', () => {
    const { warnings } = loadConfig({ ...base, PUSH_RELAY_URL: 'https://push.bitwarden.com' });
    expect(warnings.some((w) => w.startsWith('PUSH_RELAY_URL is not a known variable; did you mean') && w.includes('PUSH_RELAY_URI'))).toBe(true);
  });

  it('diagnostics mask the installation id and key', () => {
    const described = describeConfig(loadConfig(enabled).config);
    expect(described.push).toEqual({ enabled: true, relayUri: 'https://push.bitwarden.com', identityUri: 'https://identity.bitwarden.com', installationId: '***', installationKey: '***' });
    expect(JSON.stringify(described)).not.toContain(KEY);
  });

  it('the clear-token rate limit defaults to 50 per 60 s', () => {
    expect(loadConfig(base).config.unauthenticatedRateLimit).toEqual({ seconds: 60, maxBurst: 50 });
  });
});
