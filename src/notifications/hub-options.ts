import { AppConfig } from '../config/app-config';
import { HubConnectionOptions } from './hub-connection';

export function hubConnectionOptions(config: AppConfig, maxLifetimeMs: number | null): HubConnectionOptions {
  const hub = config.hub;
  return {
    handshakeTimeoutMs: hub.handshakeTimeoutMs,
    pingIntervalMs: hub.pingIntervalMs,
    idleTimeoutMs: hub.idleTimeoutMs,
    stallTimeoutMs: hub.stallTimeoutMs,
    queueMaxMessages: hub.queueMaxMessages,
    queueMaxBytes: hub.queueMaxBytes,
    maxLifetimeMs,
  };
}

/** Token from `Authorization: Bearer` first (bitwarden/server order), else the `access_token` query parameter. */
export function hubAccessToken(headers: Record<string, string | string[] | undefined>, url: URL): string | null {
  const header = headers.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  const bearer = value ? /^bearer\s+(.+)$/i.exec(value.trim())?.[1] : undefined;
  if (bearer) return bearer.trim();
  const query = url.searchParams.get('access_token');
  return query && query.length > 0 ? query : null;
}
