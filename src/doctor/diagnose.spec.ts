import { diagnoseConfig, diagnoseHub, diagnoseNetFailure, diagnoseUpgradeRejection, diagnoseUrl, fixFor, proxyProduct } from './diagnose';
import type { HubProbeResult } from './hub-probe';

const body = (message: string): string => JSON.stringify({ message, validationErrors: { '': [message] }, errorModel: { message, object: 'error' }, object: 'error' });
const url = new URL('https://vault.example.com');

describe('doctor diagnosis: rejected upgrades', () => {
  it('names the header the server says is missing', () => {
    const upgrade = diagnoseUpgradeRejection('hub', 'hub', 400, body('Missing "Upgrade: websocket" header; the reverse proxy must forward Upgrade and Connection'), 'nginx', true);
    expect(upgrade).toMatchObject({ status: 'fail', problem: 'UPGRADE_HEADER_MISSING' });
    expect(upgrade.cause).toContain('missing Upgrade header');
    expect(upgrade.fix).toContain('proxy_http_version 1.1');
    const connection = diagnoseUpgradeRejection('hub', 'hub', 400, body('Missing "Connection: Upgrade" header; the reverse proxy must forward Upgrade and Connection'), 'apache', true);
    expect(connection).toMatchObject({ problem: 'CONNECTION_HEADER_MISSING' });
    expect(connection.fix).toContain('upgrade=websocket');
  });

  it('an upgrade that reached the server as something else than an HTTP/1.1 upgrade → HTTP/1.0 upstream', () => {
    const finding = diagnoseUpgradeRejection('hub', 'hub', 400, body('Not a valid WebSocket upgrade; the reverse proxy must forward Upgrade and Connection over HTTP/1.1'), 'nginx', true);
    expect(finding.problem).toBe('HTTP10_UPSTREAM');
    expect(finding.fix).toContain('proxy_http_version 1.1');
  });

  it('404 from the proxy → hub not proxied; 404 from the server itself → hubs disabled', () => {
    expect(diagnoseUpgradeRejection('hub', 'hub', 404, '<html>404 Not Found</html>', 'nginx', true).problem).toBe('HUB_NOT_PROXIED');
    expect(diagnoseUpgradeRejection('hub', 'hub', 404, body('Resource not found.'), 'nginx', true).problem).toBe('HUBS_DISABLED');
  });

  it('502/503/504 → hub not proxied (old port 3012 rule); 200 → a catch-all answers the hub path', () => {
    for (const status of [502, 503, 504]) {
      const finding = diagnoseUpgradeRejection('anonymous-hub', 'anonymous-hub', status, '', 'unknown', false);
      expect(finding.problem).toBe('HUB_NOT_PROXIED');
      expect(finding.cause).toContain('3012');
    }
    expect(diagnoseUpgradeRejection('hub', 'hub', 200, '<html>', 'caddy', true).problem).toBe('HUB_NOT_PROXIED');
  });

  it('401 "Invalid claim" with a header token → the proxy drops Authorization; other 401 → token refused', () => {
    expect(diagnoseUpgradeRejection('hub', 'hub', 401, body('Invalid claim'), 'nginx', true).problem).toBe('AUTH_HEADER_DROPPED');
    expect(diagnoseUpgradeRejection('hub', 'hub', 401, body('Invalid token'), 'nginx', true).problem).toBe('TOKEN_REJECTED');
  });

  it('429 on the anonymous hub points at client IP forwarding', () => {
    const finding = diagnoseUpgradeRejection('anonymous-hub', 'anonymous-hub', 429, body('Too many connections'), 'nginx', false);
    expect(finding.problem).toBe('TOO_MANY_CONNECTIONS');
    expect(finding.fix).toContain('TRUSTED_PROXIES');
  });
});

describe('doctor diagnosis: opened hubs', () => {
  const opened = (patch: Partial<Extract<HubProbeResult, { kind: 'opened' }>>): HubProbeResult => ({
    kind: 'opened', handshake: 'ok', handshakeDetail: null, pingAfterMs: null, closedAfterMs: null, closedAfterLastFrameMs: null, closeCode: null, serverClose: null, records: [], ...patch,
  });

  it('a Ping in time passes', () => {
    expect(diagnoseHub('hub', 'hub', url, opened({ pingAfterMs: 15_002 }), 'nginx', 20_000)).toMatchObject({ status: 'pass' });
  });

  it('closed without a SignalR Close before the first Ping → proxy idle timeout, with the seconds and the proxy\'s setting', () => {
    const finding = diagnoseHub('hub', 'hub', url, opened({ closeCode: 1006, closedAfterMs: 5_010, closedAfterLastFrameMs: 5_004 }), 'nginx', 20_000);
    expect(finding.problem).toBe('PROXY_IDLE_TIMEOUT');
    expect(finding.summary).toContain('5.0 s');
    expect(finding.fix).toContain('proxy_read_timeout 3600s');
    expect(diagnoseHub('hub', 'hub', url, opened({ closeCode: 1006, closedAfterMs: 5_010 }), 'unknown', 20_000).fix).toContain('haproxy: set "timeout tunnel 1h"');
  });

  it('closed by the server with a Close record → not blamed on the proxy', () => {
    const finding = diagnoseHub('hub', 'hub', url, opened({ closeCode: 1001, closedAfterMs: 1_000, serverClose: { type: 7, allowReconnect: true } }), 'nginx', 20_000);
    expect(finding.problem).toBe('CLOSED_BY_SERVER');
  });

  it('open but silent → no Ping; handshake trouble → handshake failed', () => {
    expect(diagnoseHub('hub', 'hub', url, opened({}), 'nginx', 20_000).problem).toBe('NO_PING');
    expect(diagnoseHub('hub', 'hub', url, opened({ handshake: 'closed', closeCode: 1006 }), 'nginx', 20_000).problem).toBe('HANDSHAKE_FAILED');
  });
});

describe('doctor diagnosis: network, TLS, DOMAIN, URL', () => {
  it('classifies TLS failures by their Node error codes', () => {
    expect(diagnoseNetFailure('alive', 'GET /alive', url, { code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' }).problem).toBe('TLS_UNTRUSTED');
    expect(diagnoseNetFailure('alive', 'GET /alive', url, { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', message: 'unable to verify the first certificate' }).fix).toContain('fullchain.pem');
    expect(diagnoseNetFailure('alive', 'GET /alive', url, { code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: 'Hostname/IP does not match' }).problem).toBe('TLS_HOSTNAME_MISMATCH');
    expect(diagnoseNetFailure('alive', 'GET /alive', url, { code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' }).problem).toBe('TLS_EXPIRED');
    expect(diagnoseNetFailure('alive', 'GET /alive', url, { code: 'EPROTO', message: 'wrong version number' }).problem).toBe('TLS_PLAIN_HTTP');
    expect(diagnoseNetFailure('alive', 'GET /alive', url, { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }).problem).toBe('UNREACHABLE');
    expect(diagnoseNetFailure('alive', 'GET /alive', url, { code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND' }).problem).toBe('DNS');
  });

  it('environment.notifications must be <URL>/notifications; otherwise names the DOMAIN to set', () => {
    const config = (notifications: string): string => JSON.stringify({ environment: { notifications } });
    expect(diagnoseConfig(config('https://vault.example.com/notifications'), url).status).toBe('pass');
    expect(diagnoseConfig(config('https://VAULT.example.com:443/notifications'), url).status).toBe('pass');
    const wrong = diagnoseConfig(config('http://localhost:8000/notifications'), url);
    expect(wrong.problem).toBe('WRONG_DOMAIN');
    expect(wrong.fix).toContain('DOMAIN=https://vault.example.com ');
    const sub = diagnoseConfig(config('https://vault.example.com/notifications'), new URL('https://vault.example.com/vault'));
    expect(sub.problem).toBe('WRONG_DOMAIN');
    expect(sub.fix).toContain('DOMAIN=https://vault.example.com/vault');
    expect(diagnoseConfig('<html></html>', url).problem).toBe('NOT_THIS_SERVER');
  });

  it('URL: https required by the clients; query strings refused', () => {
    expect(diagnoseUrl('https://vault.example.com/vault').finding.status).toBe('pass');
    expect(diagnoseUrl('http://vault.example.com').finding.problem).toBe('NOT_HTTPS');
    expect(diagnoseUrl('vault.example.com').finding.problem).toBe('BAD_URL');
    expect(diagnoseUrl('https://vault.example.com/?x=1').url).toBeNull();
  });

  it('recognises the proxy from its Server header', () => {
    expect(proxyProduct('nginx/1.22.1')).toBe('nginx');
    expect(proxyProduct('Apache/2.4.67 (Debian)')).toBe('apache');
    expect(proxyProduct('Caddy')).toBe('caddy');
    expect(proxyProduct(undefined)).toBe('unknown');
    expect(fixFor('PROXY_IDLE_TIMEOUT', 'caddy')).toContain('nginx:'); // no Caddy-specific line: all known proxies listed
  });
});
