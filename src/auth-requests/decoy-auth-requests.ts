import { Injectable } from '@nestjs/common';
import { AuthRequestEntity } from '../db/entities';
import { AUTH_REQUEST_TTL_MS } from './auth-request-limits';

/** Decoys kept at most; the oldest go first (a flood can only make old decoys 404 early). */
const MAX_DECOYS = 10_000;

interface Decoy { emailKey: string; request: AuthRequestEntity }

/**
 * Stand-ins for requests to an email without an (enabled) account, so that `POST /api/auth-requests` and the
 * unauthenticated poll answer exactly as for a real account (issue 12: no enumeration): same status and body,
 * the same per-account cap and per-device replacement, pending until 15 minutes, "expired" until the next
 * purge pass, then 404. Nothing reaches the database, the hubs or the push relay. In memory on this instance
 * and bounded.
 */
@Injectable()
export class DecoyAuthRequests {
  private readonly byId = new Map<string, Decoy>();
  private readonly byEmail = new Map<string, Set<string>>();

  /** Unexpired decoys of `emailKey` from devices other than `exceptDevice`. */
  pendingCount(emailKey: string, exceptDevice: string, now: Date): number {
    let count = 0;
    for (const id of this.byEmail.get(emailKey) ?? []) {
      const decoy = this.byId.get(id);
      if (decoy && decoy.request.requestDeviceIdentifier !== exceptDevice && !isExpired(decoy.request, now)) count += 1;
    }
    return count;
  }

  /** Keeps `request` as the decoy of its device for `emailKey`, replacing that device's earlier one. */
  add(emailKey: string, request: AuthRequestEntity): void {
    for (const id of [...(this.byEmail.get(emailKey) ?? [])]) {
      if (this.byId.get(id)?.request.requestDeviceIdentifier === request.requestDeviceIdentifier) this.remove(id);
    }
    this.byId.set(request.id, { emailKey, request });
    const ids = this.byEmail.get(emailKey) ?? new Set<string>();
    ids.add(request.id);
    this.byEmail.set(emailKey, ids);
    while (this.byId.size > MAX_DECOYS) this.remove(this.byId.keys().next().value as string);
  }

  find(id: string): AuthRequestEntity | null {
    return this.byId.get(id)?.request ?? null;
  }

  /** Drops expired decoys, as the purge job deletes expired rows; returns how many. */
  purge(now: Date): number {
    let removed = 0;
    for (const [id, decoy] of this.byId) {
      if (!isExpired(decoy.request, now)) continue;
      this.remove(id);
      removed += 1;
    }
    return removed;
  }

  get size(): number {
    return this.byId.size;
  }

  private remove(id: string): void {
    const decoy = this.byId.get(id);
    if (!decoy) return;
    this.byId.delete(id);
    const ids = this.byEmail.get(decoy.emailKey);
    ids?.delete(id);
    if (ids?.size === 0) this.byEmail.delete(decoy.emailKey);
  }
}

const isExpired = (request: AuthRequestEntity, now: Date): boolean => now.getTime() - request.creationDate.getTime() > AUTH_REQUEST_TTL_MS;
