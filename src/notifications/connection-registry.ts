import { LiveSockets } from '../common/live-sockets';
import { Injectable, Optional } from '@nestjs/common';
import { clientKind, Metrics } from '../common/metrics/metrics';
import { HubConnection } from './hub-connection';

/** Every open hub socket of this instance, by user, by device and by anonymous token. */
@Injectable()
export class ConnectionRegistry implements LiveSockets {
  private readonly byUser = new Map<string, Set<HubConnection>>();
  private readonly byDevice = new Map<string, Set<HubConnection>>();
  private readonly byToken = new Map<string, Set<HubConnection>>();
  private readonly byIp = new Map<string, number>();

  constructor(@Optional() private readonly metrics?: Metrics) {}

  add(connection: HubConnection): void {
    const id = connection.identity;
    if (id.kind === 'user') {
      addTo(this.byUser, id.userId, connection);
      addTo(this.byDevice, id.deviceId, connection);
    } else {
      addTo(this.byToken, id.token, connection);
      this.byIp.set(id.ip, (this.byIp.get(id.ip) ?? 0) + 1);
    }
    this.metrics?.hubSockets.inc(socketLabels(connection));
  }

  remove(connection: HubConnection): void {
    const id = connection.identity;
    let removed: boolean;
    if (id.kind === 'user') {
      removed = removeFrom(this.byUser, id.userId, connection);
      removeFrom(this.byDevice, id.deviceId, connection);
    } else {
      removed = removeFrom(this.byToken, id.token, connection);
      if (removed) {
        const left = (this.byIp.get(id.ip) ?? 1) - 1;
        if (left <= 0) this.byIp.delete(id.ip);
        else this.byIp.set(id.ip, left);
      }
    }
    if (removed) this.metrics?.hubSockets.dec(socketLabels(connection));
  }

  forUser(userId: string): HubConnection[] {
    return [...(this.byUser.get(userId) ?? [])];
  }

  /** LiveSockets: open sockets per device on this instance. */
  countByDevice(deviceIds: string[]): Map<string, number> {
    const counts = new Map<string, number>();
    for (const id of deviceIds) {
      const size = this.byDevice.get(id)?.size ?? 0;
      if (size > 0) counts.set(id, size);
    }
    return counts;
  }

  forDevice(deviceId: string): HubConnection[] {
    return [...(this.byDevice.get(deviceId) ?? [])];
  }

  forToken(token: string): HubConnection[] {
    return [...(this.byToken.get(token) ?? [])];
  }

  countForUser(userId: string): number {
    return this.byUser.get(userId)?.size ?? 0;
  }

  countForIp(ip: string): number {
    return this.byIp.get(ip) ?? 0;
  }

  all(): HubConnection[] {
    const out = new Set<HubConnection>();
    for (const set of [...this.byUser.values(), ...this.byToken.values()]) for (const c of set) out.add(c);
    return [...out];
  }

  get size(): number {
    return this.all().length;
  }
}

function addTo(map: Map<string, Set<HubConnection>>, key: string, connection: HubConnection): void {
  const set = map.get(key) ?? new Set<HubConnection>();
  set.add(connection);
  map.set(key, set);
}

function removeFrom(map: Map<string, Set<HubConnection>>, key: string, connection: HubConnection): boolean {
  const set = map.get(key);
  if (!set?.delete(connection)) return false;
  if (set.size === 0) map.delete(key);
  return true;
}

/** The hub and the kind of client of a socket, for the socket gauge (no identifiers). */
function socketLabels(connection: HubConnection): { hub: string; client: string } {
  const id = connection.identity;
  return id.kind === 'user' ? { hub: 'hub', client: clientKind(id.deviceType) } : { hub: 'anonymous', client: 'anonymous' };
}
