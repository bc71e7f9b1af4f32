import { formatReport, parseArgs } from './doctor';
import { parseRecords } from './hub-probe';
import { stableDeviceIdentifier } from './client-crypto';
import { endpoint, tokenSecondsLeft } from './account';

describe('doctor command line', () => {
  const files: Record<string, string> = { '/pw': 'secret pw\n', '/ca.pem': '-----BEGIN CERTIFICATE-----\n' };
  const read = (path: string): string => {
    const text = files[path];
    if (text === undefined) throw new Error('ENOENT');
    return text;
  };

  it('URL alone, with credentials, with a token, with a CA', () => {
    expect(parseArgs(['https://v.example.com'], read)).toEqual({ ok: true, options: { url: 'https://v.example.com' } });
    expect(parseArgs(['https://v.example.com', '--email', 'a@b.c', '--password-file', '/pw'], read)).toEqual({ ok: true, options: { url: 'https://v.example.com', email: 'a@b.c', password: 'secret pw' } });
    expect(parseArgs(['--token=abc', 'https://v.example.com', '--ca', '/ca.pem'], read)).toEqual({ ok: true, options: { url: 'https://v.example.com', token: 'abc', ca: ['-----BEGIN CERTIFICATE-----\n'] } });
  });

  it('usage errors', () => {
    expect(parseArgs([], read).ok).toBe(false);
    expect(parseArgs(['https://a', 'https://b'], read).ok).toBe(false);
    expect(parseArgs(['https://a', '--email', 'x@y.z'], read).ok).toBe(false);
    expect(parseArgs(['https://a', '--password', 'p'], read).ok).toBe(false);
    expect(parseArgs(['https://a', '--token', 't', '--email', 'x@y.z', '--password', 'p'], read).ok).toBe(false);
    expect(parseArgs(['https://a', '--bogus'], read).ok).toBe(false);
    expect(parseArgs(['https://a', '--ca', '/missing'], read).ok).toBe(false);
    expect(parseArgs(['--help'], read)).toMatchObject({ ok: false, help: true });
  });
});

describe('doctor helpers', () => {
  it('endpoint keeps the sub-path of the public URL', () => {
    expect(endpoint(new URL('https://h.example/vault'), '/api/config').href).toBe('https://h.example/vault/api/config');
    expect(endpoint(new URL('https://h.example/'), '/alive').href).toBe('https://h.example/alive');
  });

  it('SignalR JSON records are split on 0x1e', () => {
    expect(parseRecords('{}\u001e')).toEqual([{}]);
    expect(parseRecords('{"type":6}\u001e{"type":1,"target":"x","arguments":[]}\u001e')).toEqual([{ type: 6 }, { type: 1, target: 'x', arguments: [] }]);
    expect(parseRecords('garbage\u001e')).toEqual(['garbage']);
  });

  it('one stable, well-formed device identifier per account', () => {
    const id = stableDeviceIdentifier(' User@Example.com ');
    expect(id).toBe(stableDeviceIdentifier('user@example.com'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(id).not.toBe(stableDeviceIdentifier('other@example.com'));
  });

  it('reads the expiry of a JWT', () => {
    const jwt = (claims: object): string => `x.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.y`;
    expect(tokenSecondsLeft(jwt({ exp: 1_000 }), 900_000)).toBe(100);
    expect(tokenSecondsLeft('not a jwt')).toBeNull();
  });

  it('the report prints cause and fix under each failure, and a verdict', () => {
    const text = formatReport({ url: 'https://v', proxy: 'nginx', exitCode: 1, findings: [
      { check: 'alive', status: 'pass', summary: 'ok' },
      { check: 'hub', status: 'fail', summary: 'closed', problem: 'PROXY_IDLE_TIMEOUT', cause: 'why', fix: 'line one\nline two' },
    ] });
    expect(text).toContain('  FAIL  hub           closed  [PROXY_IDLE_TIMEOUT]\n        cause: why\n        fix:   line one\n               line two\n');
    expect(text).toContain('1 check failed.');
  });
});
