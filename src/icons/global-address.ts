import { isIPv4, isIPv6 } from 'node:net';

/**
 * Whether an address is globally reachable, so that the server may connect to it on a user's behalf (icons).
 * Not global: IANA's special-purpose ranges (RFC 6890 and its updates) that are not marked globally reachable:
 * this network, private, shared (CGN), loopback, link-local, documentation, benchmarking, multicast, reserved,
 * broadcast; for IPv6 everything outside global unicast 2000::/3 and the special ranges inside it. IPv4 carried
 * in IPv6 (mapped ::ffff:0:0/96, NAT64 64:ff9b::/96) is judged by the IPv4 address it carries.
 */
export function isGlobalAddress(address: string): boolean {
  if (isIPv4(address)) return isGlobalV4(v4ToNumber(address));
  if (isIPv6(address)) return isGlobalV6(v6ToSegments(address));
  return false;
}

type Cidr4 = [number, number];
const V4_NOT_GLOBAL: Cidr4[] = (
  [
    ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
    ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
    ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
  ] as Array<[string, number]>
).map(([base, bits]) => [v4ToNumber(base), bits]);
/** Inside 192.0.0.0/24 but globally reachable (RFC 7723 PCP anycast, RFC 8155 TURN anycast). */
const V4_GLOBAL_EXCEPTIONS = new Set([v4ToNumber('192.0.0.9'), v4ToNumber('192.0.0.10')]);

function isGlobalV4(value: number): boolean {
  if (V4_GLOBAL_EXCEPTIONS.has(value)) return true;
  return !V4_NOT_GLOBAL.some(([base, bits]) => inV4(value, base, bits));
}

function inV4(value: number, base: number, bits: number): boolean {
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return ((value & mask) >>> 0) === ((base & mask) >>> 0);
}

function v4ToNumber(address: string): number {
  return address.split('.').reduce((acc, part) => ((acc << 8) | Number(part)) >>> 0, 0);
}

type Cidr6 = [number[], number];
/** Special ranges inside 2000::/3 that are not globally reachable. */
const V6_NOT_GLOBAL: Cidr6[] = (
  [
    ['2001::', 23], // IETF protocol assignments (Teredo, ORCHID, benchmarking, …)
    ['2001:db8::', 32], // documentation
    ['2002::', 16], // 6to4: reaches whatever IPv4 address it embeds
    ['3fff::', 20], // documentation (RFC 9637)
  ] as Array<[string, number]>
).map(([base, bits]) => [v6ToSegments(base), bits]);

function isGlobalV6(segments: number[]): boolean {
  const [s0, s1, s2, s3, s4, s5, s6, s7] = segments as [number, number, number, number, number, number, number, number];
  // IPv4-mapped ::ffff:a.b.c.d: the IPv4 address inside.
  if (s0 === 0 && s1 === 0 && s2 === 0 && s3 === 0 && s4 === 0 && s5 === 0xffff) return isGlobalV4(((s6 << 16) | s7) >>> 0);
  // NAT64 well-known prefix 64:ff9b::/96: the IPv4 address it translates to.
  if (s0 === 0x64 && s1 === 0xff9b && s2 === 0 && s3 === 0 && s4 === 0 && s5 === 0) return isGlobalV4(((s6 << 16) | s7) >>> 0);
  // Global unicast is 2000::/3 only (::, ::1, ::a.b.c.d, 64:ff9b:1::/48, 100::/64, fc00::/7, fe80::/10, ff00::/8 are outside).
  if ((s0 & 0xe000) !== 0x2000) return false;
  return !V6_NOT_GLOBAL.some(([base, bits]) => inV6(segments, base, bits));
}

function inV6(segments: number[], base: number[], bits: number): boolean {
  for (let i = 0; i < 8 && bits > 0; i++, bits -= 16) {
    const take = Math.min(bits, 16);
    const mask = (0xffff << (16 - take)) & 0xffff;
    if (((segments[i] ?? 0) & mask) !== ((base[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** Eight 16-bit groups of a valid IPv6 text (zone index dropped, embedded dotted IPv4 converted). */
export function v6ToSegments(address: string): number[] {
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = v4ToNumber(tail);
    text = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const missing = rest === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((group) => parseInt(group, 16));
}
