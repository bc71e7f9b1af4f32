import { ipGroup, limitKey } from './client-key';

describe('ipGroup', () => {
  it('IPv4 as it is, IPv4-mapped IPv6 as IPv4', () => {
    expect(ipGroup('192.0.2.7')).toBe('192.0.2.7');
    expect(ipGroup('::ffff:192.0.2.7')).toBe('192.0.2.7');
  });

  it('IPv6 by its /64, whatever the spelling', () => {
    expect(ipGroup('2001:db8:0:1::1')).toBe('2001:db8:0:1::/64');
    expect(ipGroup('2001:0DB8:0000:0001:ffff:ffff:ffff:ffff')).toBe('2001:db8:0:1::/64');
    expect(ipGroup('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(ipGroup('::1')).toBe('0:0:0:0::/64');
    expect(ipGroup('2001:db8:0:2::1')).not.toBe(ipGroup('2001:db8:0:1::1'));
  });

  it('anything else unchanged', () => {
    expect(ipGroup('unknown')).toBe('unknown');
  });
});

describe('limitKey', () => {
  it('is short and fixed-size whatever the input, and distinct per kind and value', () => {
    const huge = limitKey('pair', 'x'.repeat(2_000_000));
    expect(huge.length).toBeLessThan(40);
    expect(limitKey('pair', 'a')).not.toBe(limitKey('ip', 'a'));
    expect(limitKey('pair', 'a')).not.toBe(limitKey('pair', 'b'));
    expect(limitKey('pair', 'a')).toBe(limitKey('pair', 'a'));
  });
});
