import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { AppConfig } from '../../config/app-config';
import { canonicalIp, ProxyMatcher, proxyMatcher } from './trusted-proxies';

/** Longest textual IP address: an IPv4-mapped IPv6 address, ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255. */
const MAX_IP_LENGTH = 45;

const normalize = canonicalIp;

/** The matcher of each configured list, built once (the config is frozen). */
const matchers = new WeakMap<readonly string[], ProxyMatcher>();
function trustedMatcher(entries: readonly string[]): ProxyMatcher {
  let matcher = matchers.get(entries);
  if (!matcher) {
    matcher = proxyMatcher(entries);
    matchers.set(entries, matcher);
  }
  return matcher;
}

/**
 * One hop of IP_HEADER / X-Forwarded-For as an address, or null when it is not one. A port some proxies append
 * (`203.0.113.7:51234`, `[2001:db8::1]:443`) is dropped; zone ids (`fe80::1%eth0`) and anything else are refused.
 */
function parseHop(text: string): string | null {
  let hop = text.trim();
  if (hop.length === 0 || hop.length > MAX_IP_LENGTH + 8) return null;
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(hop);
  if (bracketed) hop = bracketed[1]!;
  else if (/^\d{1,3}(?:\.\d{1,3}){3}:\d{1,5}$/.test(hop)) hop = hop.slice(0, hop.lastIndexOf(':'));
  if (hop.length > MAX_IP_LENGTH || hop.includes('%') || isIP(hop) === 0) return null;
  return normalize(hop);
}

/**
 * The client IP: the socket peer, unless the peer is a trusted proxy, in which case IP_HEADER (or the
 * last untrusted hop of X-Forwarded-For) is believed. Same rule for HTTP and WebSocket upgrades. Trusted proxies are
 * addresses, CIDR ranges, `local` (any address that is not global) or `all` (trusted-proxies.ts); when every hop is
 * trusted, the first (furthest) hop is the client.
 * Whatever the header holds, the answer is a valid IP address of at most 45 characters: a hop that is not an
 * address (garbage, oversized, a zone id) makes the socket peer the answer, never the header text.
 */
export function clientIp(request: IncomingMessage, config: Pick<AppConfig, 'ipHeader' | 'trustedProxies'>): string {
  const peer = normalize(request.socket.remoteAddress ?? 'unknown');
  const trusted = trustedMatcher(config.trustedProxies);
  if (!config.ipHeader || !trusted(peer)) return peer;
  const header = request.headers[config.ipHeader];
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return peer;
  const hops = value.split(',').map((hop) => hop.trim()).filter((hop) => hop !== '');
  // From the nearest hop outwards: skip our own proxies; the first other hop is the client, if it is an address.
  let furthest = peer;
  for (const text of hops.reverse()) {
    const hop = parseHop(text);
    if (hop === null) return peer;
    if (!trusted(hop)) return hop;
    furthest = hop;
  }
  return furthest;
}
