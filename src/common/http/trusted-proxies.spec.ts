import { invalidProxyEntries, isNonGlobal, proxyMatcher } from './trusted-proxies';

describe('trusted proxies', () => {
  it.each([
    '127.0.0.1', '127.255.0.9', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '100.64.0.1', '169.254.1.1',
    '0.1.2.3', '192.0.0.8', '192.0.2.1', '198.51.100.1', '203.0.113.1', '198.18.0.1', '198.19.255.255', '240.0.0.1',
    '255.255.255.255', '::', '::1', '::ffff:10.0.0.1', '::ffff:127.0.0.1', 'fe80::1', 'fc00::1', 'fd12:3456::1',
    '2001:db8::1', '2002::1', '64:ff9b:1::1', '100::1', '2001:2::1', '3fff::1', '5f00::1',
  ])('local: %s is not global (Vaultwarden\'s is_global)', (ip) => {
    expect(isNonGlobal(ip)).toBe(true);
    expect(proxyMatcher(['local'])(ip)).toBe(true);
  });

  it.each([
    '1.1.1.1', '8.8.8.8', '172.32.0.1', '172.15.255.255', '100.128.0.1', '192.0.0.9', '192.0.0.10', '198.20.0.1',
    '2606:4700::1111', '2001:1::1', '2001:1::2', '2001:3::1', '2001:4:112::1', '2001:20::1', '2a00:1450::1', '::ffff:8.8.8.8',
  ])('local: %s is global, not trusted', (ip) => {
    expect(isNonGlobal(ip)).toBe(false);
    expect(proxyMatcher(['local'])(ip)).toBe(false);
  });

  it('all: every address', () => {
    const all = proxyMatcher(['ALL']);
    expect(all('8.8.8.8')).toBe(true);
    expect(all('2606:4700::1111')).toBe(true);
  });

  it('addresses and CIDR ranges, IPv4-mapped peers compared as IPv4', () => {
    const match = proxyMatcher(['10.0.0.0/8', '192.0.2.7', 'fd00::/8', '2001:db8::5']);
    expect(match('10.200.3.4')).toBe(true);
    expect(match('::ffff:10.200.3.4')).toBe(true);
    expect(match('11.0.0.1')).toBe(false);
    expect(match('192.0.2.7')).toBe(true);
    expect(match('192.0.2.8')).toBe(false);
    expect(match('fd12::1')).toBe(true);
    expect(match('fe80::1')).toBe(false);
    expect(match('2001:DB8::5')).toBe(true);
    expect(match('2001:db8::6')).toBe(false);
    expect(match('not an ip')).toBe(false);
  });

  it('local and a list together', () => {
    const match = proxyMatcher(['local', '8.8.8.8']);
    expect(match('8.8.8.8')).toBe(true);
    expect(match('10.0.0.1')).toBe(true);
    expect(match('1.1.1.1')).toBe(false);
  });

  it('entries that are neither an address, a range nor a keyword are named', () => {
    expect(invalidProxyEntries(['local', 'all', '10.0.0.0/8', '::1', 'fd00::/128', '1.2.3.4/32'])).toEqual([]);
    expect(invalidProxyEntries(['10.0.0.0/33', 'fd00::/129', 'proxy', '1.2.3', '10.0.0.0/', '/8', 'localhost'])).toEqual(['10.0.0.0/33', 'fd00::/129', 'proxy', '1.2.3', '10.0.0.0/', '/8', 'localhost']);
  });
});
