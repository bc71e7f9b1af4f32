import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { clientIp } from './client-ip';

const config = { ipHeader: 'x-real-ip', trustedProxies: ['127.0.0.1', '::1', '10.0.0.2'] };
const request = (remoteAddress: string, headers: Record<string, string | string[]> = {}): IncomingMessage =>
  ({ socket: { remoteAddress }, headers }) as unknown as IncomingMessage;

describe('clientIp', () => {
  it('an untrusted peer is the client, whatever it sends', () => {
    expect(clientIp(request('198.51.100.9', { 'x-real-ip': '203.0.113.7' }), config)).toBe('198.51.100.9');
  });

  it('IP_HEADER none: always the socket peer', () => {
    expect(clientIp(request('127.0.0.1', { 'x-real-ip': '203.0.113.7' }), { ...config, ipHeader: null })).toBe('127.0.0.1');
  });

  it.each([
    ['203.0.113.7', '203.0.113.7'],
    [' 203.0.113.7 ', '203.0.113.7'],
    ['2001:DB8::1', '2001:db8::1'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['203.0.113.7:51234', '203.0.113.7'],
    ['[2001:db8::1]:443', '2001:db8::1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['198.51.100.1, 203.0.113.7', '203.0.113.7'],
    ['203.0.113.7, 10.0.0.2', '203.0.113.7'],
    ['203.0.113.7, 10.0.0.2, 127.0.0.1', '203.0.113.7'],
  ])('from a trusted proxy, header %j → %s', (value, expected) => {
    expect(clientIp(request('127.0.0.1', { 'x-real-ip': value }), config)).toBe(expected);
  });

  it.each([
    ['oversized', 'a'.repeat(10_000)],
    ['oversized digits', '1'.repeat(200)],
    ['an IPv6 zone id of any length', `fe80::1%${'x'.repeat(300)}`],
    ['a short zone id', 'fe80::1%eth0'],
    ['not an address', 'evil.example.com'],
    ['SQL', "1.2.3.4'; DROP TABLE users; --"],
    ['control characters', '1.2.3.4\u0000'],
    ['an out-of-range IPv4', '256.1.1.1'],
    ['an IPv4 with a bad port', '1.2.3.4:port'],
    ['a garbage last hop', '203.0.113.7, garbage'],
    ['a padded huge last hop', `203.0.113.7, ${' '.repeat(5000)}1.2.3.4${'0'.repeat(5000)}`],
    ['only our own proxies', '127.0.0.1, 10.0.0.2'],
    ['empty hops', ' , ,'],
  ])('from a trusted proxy, a hostile header (%s) → the socket peer', (_what, value) => {
    expect(clientIp(request('127.0.0.1', { 'x-real-ip': value }), config)).toBe('127.0.0.1');
    expect(clientIp(request('::ffff:127.0.0.1', { 'x-real-ip': value }), config)).toBe('127.0.0.1');
  });

  it('a repeated header: the first value is read, and still validated', () => {
    expect(clientIp(request('127.0.0.1', { 'x-real-ip': ['203.0.113.7', '198.51.100.1'] }), config)).toBe('203.0.113.7');
    expect(clientIp(request('127.0.0.1', { 'x-real-ip': ['x'.repeat(100), '198.51.100.1'] }), config)).toBe('127.0.0.1');
  });

  it('the answer is always an IP address of at most 45 characters (fuzzed headers)', () => {
    const alphabet = '0123456789abcdef:.,[]% fx-';
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      const value = Array.from({ length: random(120) }, () => alphabet[random(alphabet.length)]).join('');
      const ip = clientIp(request('::1', { 'x-real-ip': value }), config);
      expect(ip.length).toBeLessThanOrEqual(45);
      expect(isIP(ip)).not.toBe(0);
    }
  });
});

describe('clientIp with CIDR ranges and keywords (IP_HEADER_TRUSTED_PROXIES)', () => {
  it('a peer inside a trusted range is believed; one outside is not', () => {
    const ranged = { ipHeader: 'x-real-ip', trustedProxies: ['10.0.0.0/8', 'fd00::/8'] };
    expect(clientIp(request('10.20.30.40', { 'x-real-ip': '203.0.113.7' }), ranged)).toBe('203.0.113.7');
    expect(clientIp(request('::ffff:10.20.30.40', { 'x-real-ip': '203.0.113.7' }), ranged)).toBe('203.0.113.7');
    expect(clientIp(request('fd00::2', { 'x-real-ip': '203.0.113.7' }), ranged)).toBe('203.0.113.7');
    expect(clientIp(request('11.0.0.1', { 'x-real-ip': '203.0.113.7' }), ranged)).toBe('11.0.0.1');
    expect(clientIp(request('127.0.0.1', { 'x-real-ip': '203.0.113.7' }), ranged)).toBe('127.0.0.1');
  });

  it('hops inside the range are skipped in X-Forwarded-For style lists', () => {
    const ranged = { ipHeader: 'x-forwarded-for', trustedProxies: ['10.0.0.0/8'] };
    expect(clientIp(request('10.0.0.1', { 'x-forwarded-for': '198.51.100.1, 8.8.8.8, 10.9.9.9' }), ranged)).toBe('8.8.8.8');
  });

  it('local: any non-global peer (a proxy on a container network) is believed; a global one is not', () => {
    const local = { ipHeader: 'x-real-ip', trustedProxies: ['local'] };
    expect(clientIp(request('172.18.0.2', { 'x-real-ip': '8.8.8.8' }), local)).toBe('8.8.8.8');
    expect(clientIp(request('1.1.1.1', { 'x-real-ip': '8.8.8.8' }), local)).toBe('1.1.1.1');
  });

  it('all: every peer is believed; when every hop is trusted the furthest hop is the client', () => {
    const all = { ipHeader: 'x-real-ip', trustedProxies: ['all'] };
    expect(clientIp(request('1.1.1.1', { 'x-real-ip': '8.8.8.8' }), all)).toBe('8.8.8.8');
    expect(clientIp(request('1.1.1.1', { 'x-real-ip': '8.8.8.8, 9.9.9.9' }), all)).toBe('8.8.8.8');
    expect(clientIp(request('1.1.1.1', { 'x-real-ip': 'garbage' }), all)).toBe('1.1.1.1');
  });
});
