import { isIPv4, isIPv6 } from 'node:net';

/** A site host an icon is asked for: a lower-case domain name or an IP literal (IPv6 in brackets, as in a URL). */
export interface IconHost {
  /** As it goes in a URL and in the cache file name: `example.com`, `192.0.2.7`, `[2001:db8::1]`. */
  name: string;
  /** The bare address when the host is an IP literal, else null. */
  ip: string | null;
}

/** Longest host name (RFC 1035) and label. */
const MAX_NAME = 253;
const MAX_LABEL = 63;
const LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
/** Characters that would make the text more than a host once put after `http://` (path, port, user, query, …). */
const NOT_IN_HOST = /[\s/\\?#@:%[\]<>"'`^{}|]/u;
// Control characters are not part of a host either.
const CONTROL = /[\u0000-\u001f\u007f]/u;

/**
 * Checks and normalises the `{host}` of `/icons/{host}/icon.png`, as the URL standard parses a host (lower case,
 * punycode for international names, numeric IPv4 forms such as `2130706433` turned into dotted form), then holds
 * domain names to DNS rules: labels of 1-63 characters of a-z, 0-9 and '-', not starting or ending with '-',
 * 253 characters at most. Anything else (ports, paths, empty labels, '..') is refused with null.
 */
export function parseIconHost(raw: string): IconHost | null {
  if (raw.length === 0 || raw.length > MAX_NAME + 2 || CONTROL.test(raw)) return null;
  if (raw.startsWith('[') && raw.endsWith(']')) {
    const inner = raw.slice(1, -1);
    if (!isIPv6(inner)) return null;
    const name = hostnameOf(raw);
    return name ? { name, ip: name.slice(1, -1) } : null;
  }
  if (NOT_IN_HOST.test(raw)) return null;
  const name = hostnameOf(raw);
  if (!name) return null;
  if (isIPv4(name)) return { name, ip: name };
  if (name.length > MAX_NAME) return null;
  const labels = name.split('.');
  if (!labels.every((label) => label.length <= MAX_LABEL && LABEL.test(label))) return null;
  return { name, ip: null };
}

function hostnameOf(text: string): string | null {
  try {
    const url = new URL(`http://${text}/`);
    return url.hostname || null;
  } catch {
    return null;
  }
}
