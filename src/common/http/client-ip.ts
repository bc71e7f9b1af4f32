import type { IncomingMessage } from 'node:http';
import { AppConfig } from '../../config/app-config';

const normalize = (ip: string): string => ip.replace(/^::ffff:/, '');

/**
 * The client IP: the socket peer, unless the peer is a trusted proxy, in which case IP_HEADER (or the
 * last untrusted hop of X-Forwarded-For) is believed. Same rule for HTTP and WebSocket upgrades.
 */
export function clientIp(request: IncomingMessage, config: Pick<AppConfig, 'ipHeader' | 'trustedProxies'>): string {
  const peer = normalize(request.socket.remoteAddress ?? 'unknown');
  if (!config.ipHeader || !config.trustedProxies.map(normalize).includes(peer)) return peer;
  const header = request.headers[config.ipHeader];
  const value = Array.isArray(header) ? header[0] : header;
  if (value) {
    const hops = value.split(',').map((hop) => normalize(hop.trim())).filter(Boolean);
    const untrusted = [...hops].reverse().find((hop) => !config.trustedProxies.includes(hop));
    if (untrusted) return untrusted;
  }
  return peer;
}
