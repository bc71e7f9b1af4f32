import { parseIconHost } from './host-name';

describe('parseIconHost', () => {
  it.each([
    ['example.com', 'example.com', null],
    ['Vault.Example.COM', 'vault.example.com', null],
    ['a-b.c0.example', 'a-b.c0.example', null],
    ['xn--deadbeafcaf-lbb.test', 'xn--deadbeafcaf-lbb.test', null],
    ['deadbeafcafé.test', 'xn--deadbeafcaf-lbb.test', null],
    ['localhost', 'localhost', null],
    ['127.0.0.2', '127.0.0.2', '127.0.0.2'],
    ['8.8.8.8', '8.8.8.8', '8.8.8.8'],
    // Numeric IPv4 forms become dotted: they cannot hide a loopback address from the block.
    ['2130706433', '127.0.0.1', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1', '127.0.0.1'],
    ['0177.0.0.01', '127.0.0.1', '127.0.0.1'],
    ['[::1]', '[::1]', '::1'],
    ['[2001:DB8:0:0::1]', '[2001:db8::1]', '2001:db8::1'],
    ['[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '::ffff:7f00:1'],
    [`${'a'.repeat(63)}.test`, `${'a'.repeat(63)}.test`, null],
  ])('accepts %s as %s', (raw, name, ip) => {
    expect(parseIconHost(raw)).toEqual({ name, ip });
  });

  it.each([
    '', 'example.com:8080', 'example.com/x', 'a/../b', '..', 'a..b', '.example.com', 'example.com.', '-a.com', 'a-.com',
    'dead_beaf.cafe', 'user@example.com', 'exa mple.com', 'example.com?x', 'example.com#x', 'a\\b', '%2e%2e', 'xn--',
    '[::1]:80', '[example.com]', '::1', 'exa\u0000mple.com', 'exa\nmple.com', `${'a'.repeat(64)}.test`,
    `${'a.'.repeat(130)}test`, 'x'.repeat(10_000),
  ])('refuses %j', (raw) => {
    expect(parseIconHost(raw)).toBeNull();
  });
});
