import { ipGroup } from '../common/limits/client-key';

export interface HubCaps {
  /** Sockets of both hubs this instance holds at once (HUB_MAX_CONNECTIONS). */
  maxConnections: number;
  /** Sockets one client address (IPv6: its /64) may hold (HUB_MAX_CONNECTIONS_PER_IP). */
  maxConnectionsPerIp: number;
}

export type Admission =
  | { ok: true; ticket: AdmissionTicket }
  | { ok: false; status: 429 | 503; message: string; reason: string };

/** One admitted upgrade: counted from before authorisation until its socket closes (or the upgrade fails). */
export interface AdmissionTicket {
  release(): void;
}

/**
 * Socket caps checked synchronously on every upgrade, before authorisation and before any 101: the count
 * includes upgrades still being authorised, so a burst of parallel upgrades cannot slip past the cap.
 * Pure bookkeeping (no sockets, no clock), tested on its own.
 */
export class HubAdmission {
  private open = 0;
  private readonly perAddress = new Map<string, number>();

  constructor(private readonly caps: HubCaps) {}

  admit(ip: string): Admission {
    const group = ipGroup(ip);
    if (this.open >= this.caps.maxConnections) return { ok: false, status: 503, message: 'The server has too many connections. Try again later.', reason: 'global_connection_cap' };
    const held = this.perAddress.get(group) ?? 0;
    if (held >= this.caps.maxConnectionsPerIp) return { ok: false, status: 429, message: 'Too many connections', reason: 'ip_connection_cap' };
    this.open += 1;
    this.perAddress.set(group, held + 1);
    let released = false;
    return {
      ok: true,
      ticket: {
        release: () => {
          if (released) return;
          released = true;
          this.open -= 1;
          const left = (this.perAddress.get(group) ?? 1) - 1;
          if (left <= 0) this.perAddress.delete(group);
          else this.perAddress.set(group, left);
        },
      },
    };
  }

  get stats(): { open: number; addresses: number } {
    return { open: this.open, addresses: this.perAddress.size };
  }
}
