import { isGlobalAddress, v6ToSegments } from './global-address';

describe('isGlobalAddress', () => {
  it.each([
    '0.0.0.0', '0.1.2.3', '10.0.0.1', '10.255.255.255', '100.64.0.1', '100.127.255.254', '127.0.0.1', '127.0.0.2',
    '169.254.169.254', '172.16.0.1', '172.31.255.255', '192.0.0.1', '192.0.0.170', '192.0.2.1', '192.168.1.1',
    '198.18.0.1', '198.19.255.255', '198.51.100.7', '203.0.113.9', '224.0.0.1', '239.255.255.250', '240.0.0.1',
    '255.255.255.255',
  ])('IPv4 %s is not global', (address) => {
    expect(isGlobalAddress(address)).toBe(false);
  });

  it.each(['1.1.1.1', '8.8.8.8', '9.255.255.255', '11.0.0.1', '100.63.255.255', '100.128.0.1', '126.255.255.255', '128.0.0.1',
    '169.253.0.1', '172.15.255.255', '172.32.0.1', '192.0.0.9', '192.0.0.10', '192.0.3.1', '192.167.1.1', '198.17.0.1',
    '198.20.0.1', '203.0.114.1', '223.255.255.255'])('IPv4 %s is global', (address) => {
    expect(isGlobalAddress(address)).toBe(true);
  });

  it.each([
    '::', '::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:192.168.0.1', '::127.0.0.1',
    '64:ff9b::10.0.0.1', '64:ff9b::127.0.0.1', '64:ff9b:1::1', '100::1', 'fc00::1', 'fd12:3456::1', 'fe80::1',
    'fe80::1%eth0', 'febf::1', 'fec0::1', 'ff02::1', 'ff0e::1', '2001:db8::1', '2001:db8:ffff::1', '2001::1', '2001:0:1::1',
    '2002:7f00:1::1', '3fff::1', '5f00::1', '1::1',
  ])('IPv6 %s is not global', (address) => {
    expect(isGlobalAddress(address)).toBe(false);
  });

  it.each(['2606:4700:4700::1111', '2001:4860:4860::8888', '2a00:1450:4001::1', '2001:200::1', '2c0f:fb50::1', '3ffe::1',
    '::ffff:8.8.8.8', '64:ff9b::8.8.8.8'])('IPv6 %s is global', (address) => {
    expect(isGlobalAddress(address)).toBe(true);
  });

  it('refuses what is not an address', () => {
    expect(isGlobalAddress('example.com')).toBe(false);
    expect(isGlobalAddress('')).toBe(false);
    expect(isGlobalAddress('[::1]')).toBe(false);
  });

  it('expands IPv6 text to eight groups', () => {
    expect(v6ToSegments('::1')).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(v6ToSegments('2001:db8::')).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0]);
    expect(v6ToSegments('::ffff:127.0.0.1')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
    expect(v6ToSegments('1:2:3:4:5:6:7:8')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
