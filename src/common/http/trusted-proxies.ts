import { BlockList, isIP } from 'node:net';

/**
 * Which socket peers the client IP header is believed from: TRUSTED_PROXIES / IP_HEADER_TRUSTED_PROXIES.
 * Entries are addresses, CIDR ranges, `local` (every address that is not global, Vaultwarden's default: loopback,
 * private, shared, link-local, unique-local, documentation, benchmarking, reserved, …) and `all` (every peer).
 */
export interface ProxyMatcher { (ip: string): boolean }

export const PROXY_KEYWORDS = ['local', 'all'] as const;

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d or ::ffff:xxxx:xxxx) as its IPv4 address, lower case: how peers and hops are compared. */
export function canonicalIp(ip: string): string {
  const lower = ip.toLowerCase();
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1]!;
  const hex = /^(?:0{0,4}:){0,5}:?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex && isIP(lower) === 6) {
    const high = parseInt(hex[1]!, 16);
    const low = parseInt(hex[2]!, 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return lower;
}

/**
 * Ranges by family: Node's BlockList also matches IPv4 addresses against IPv6 rules (as IPv4-mapped), which
 * would make an IPv6 rule trust IPv4 peers; one list per family keeps them apart.
 */
class RangeSet {
  private readonly lists = { ipv4: new BlockList(), ipv6: new BlockList() };
  add(net: string, prefix: number, type: 'ipv4' | 'ipv6'): void {
    this.lists[type].addSubnet(net, prefix, type);
  }
  has(ip: string, type: 'ipv4' | 'ipv6'): boolean {
    return this.lists[type].check(ip, type);
  }
}

/** Ranges that are not globally reachable, as Vaultwarden's is_global decides (its src/util.rs). */
const NON_GLOBAL = new RangeSet();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['240.0.0.0', 4],
] as const) NON_GLOBAL.add(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['::ffff:0:0', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23], ['2001:db8::', 32],
  ['2002::', 16], ['3fff::', 20], ['5f00::', 16], ['fc00::', 7], ['fe80::', 10],
] as const) NON_GLOBAL.add(net, prefix, 'ipv6');
/** Global addresses inside the ranges above. */
const GLOBAL_EXCEPTIONS = new RangeSet();
GLOBAL_EXCEPTIONS.add('192.0.0.9', 32, 'ipv4');
GLOBAL_EXCEPTIONS.add('192.0.0.10', 32, 'ipv4');
for (const [net, prefix] of [['2001:1::1', 128], ['2001:1::2', 128], ['2001:3::', 32], ['2001:4:112::', 48], ['2001:20::', 28], ['2001:30::', 28]] as const) {
  GLOBAL_EXCEPTIONS.add(net, prefix, 'ipv6');
}

const family = (ip: string): 'ipv4' | 'ipv6' | null => {
  const version = isIP(ip);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : null;
};

/** True for an address that is not globally reachable (Vaultwarden's `local`). */
export function isNonGlobal(text: string): boolean {
  const ip = canonicalIp(text);
  const type = family(ip);
  if (type === null) return false;
  return NON_GLOBAL.has(ip, type) && !GLOBAL_EXCEPTIONS.has(ip, type);
}

/** One entry as a range, or null when it is neither an address nor a CIDR range. */
function parseEntry(entry: string): { net: string; prefix: number; type: 'ipv4' | 'ipv6' } | null {
  const match = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(entry.trim());
  if (!match) return null;
  const net = canonicalIp(match[1]!);
  const type = family(net);
  if (type === null) return null;
  const max = type === 'ipv4' ? 32 : 128;
  const prefix = match[2] === undefined ? max : Number(match[2]);
  if (prefix > max) return null;
  return { net, prefix, type };
}

/** The entries that are not understood (for the start-up problem); empty when all are. */
export function invalidProxyEntries(entries: readonly string[]): string[] {
  return entries.filter((entry) => !PROXY_KEYWORDS.includes(entry.trim().toLowerCase() as never) && parseEntry(entry) === null);
}

/** A matcher for the entries; entries that are not understood match nothing (the configuration refuses them). */
export function proxyMatcher(entries: readonly string[]): ProxyMatcher {
  const keywords = new Set(entries.map((entry) => entry.trim().toLowerCase()));
  if (keywords.has('all')) return () => true;
  const local = keywords.has('local');
  const list = new RangeSet();
  for (const entry of entries) {
    const range = parseEntry(entry);
    if (range) list.add(range.net, range.prefix, range.type);
  }
  return (text: string): boolean => {
    const ip = canonicalIp(text);
    const type = family(ip);
    if (type === null) return false;
    return (local && isNonGlobal(ip)) || list.has(ip, type);
  };
}
