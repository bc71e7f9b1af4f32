import { randomUUID } from 'node:crypto';
import { AuthRequestEntity } from '../db/entities';
import { AUTH_REQUEST_TTL_MS } from './auth-request-limits';
import { DecoyAuthRequests } from './decoy-auth-requests';

const T0 = new Date('2025-03-01T10:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const request = (device: string, creationDate = T0): AuthRequestEntity =>
  Object.assign(new AuthRequestEntity(), { id: randomUUID(), requestDeviceIdentifier: device, creationDate, approved: null });

describe('DecoyAuthRequests (requests to emails without an account)', () => {
  it('counts unexpired decoys per email, other devices only, like the pending SQL', () => {
    const decoys = new DecoyAuthRequests();
    decoys.add('a@example.com', request('d1'));
    decoys.add('a@example.com', request('d2', at(60_000)));
    decoys.add('b@example.com', request('d1'));
    expect(decoys.pendingCount('a@example.com', 'd3', at(60_000))).toBe(2);
    expect(decoys.pendingCount('a@example.com', 'd1', at(60_000))).toBe(1);
    expect(decoys.pendingCount('c@example.com', 'd3', at(60_000))).toBe(0);
    // d1's decoy is past 15 minutes, d2's is not yet.
    expect(decoys.pendingCount('a@example.com', 'd3', at(AUTH_REQUEST_TTL_MS + 1))).toBe(1);
  });

  it("a new decoy from the same device replaces that device's earlier one", () => {
    const decoys = new DecoyAuthRequests();
    const first = request('d1');
    const second = request('d1', at(1_000));
    decoys.add('a@example.com', first);
    decoys.add('a@example.com', second);
    expect(decoys.find(first.id)).toBeNull();
    expect(decoys.find(second.id)).toBe(second);
    expect(decoys.size).toBe(1);
  });

  it('purge drops expired decoys only, so a poll then answers 404 as for a purged row', () => {
    const decoys = new DecoyAuthRequests();
    const old = request('d1');
    const young = request('d2', at(10 * 60_000));
    decoys.add('a@example.com', old);
    decoys.add('a@example.com', young);
    expect(decoys.purge(at(AUTH_REQUEST_TTL_MS + 1))).toBe(1);
    expect(decoys.find(old.id)).toBeNull();
    expect(decoys.find(young.id)).toBe(young);
  });

  it('stays bounded: beyond 10 000 decoys the oldest go', () => {
    const decoys = new DecoyAuthRequests();
    const first = request('d0');
    decoys.add('e0@example.com', first);
    for (let i = 1; i <= 10_000; i += 1) decoys.add(`e${i}@example.com`, request(`d${i}`));
    expect(decoys.size).toBe(10_000);
    expect(decoys.find(first.id)).toBeNull();
  });
});
