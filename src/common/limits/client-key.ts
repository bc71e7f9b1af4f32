import { createHash } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * The key of a client address for limits: an IPv4 address as it is, an IPv6 address by its /64 (one host
 * usually holds a whole /64, so per-address limits would be trivial to dodge), anything else as given.
 */
export function ipGroup(ip: string): string {
  const bare = ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  if (isIP(bare) !== 6) return bare;
  const [head = '', tail = ''] = bare.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  // A trailing embedded IPv4 (::ffff:1.2.3.4 style) counts as two groups; it only matters past the /64.
  const groups = bare.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => (parseInt(g, 16) || 0).toString(16)).join(':')}::/64`;
}

/**
 * A fixed-size key for in-memory limiter state: client input (an email, a client_id) never becomes a map key
 * as it is, so a 2 MB username costs the same 30 bytes as any other.
 */
export function limitKey(kind: string, value: string): string {
  return `${kind}:${createHash('sha256').update(value).digest('base64url').slice(0, 22)}`;
}
