import { PushOutboxKind } from '../db/entities/push-outbox.entity';
import { deliveryRank, FOLDABLE_PUSH_TYPES, isFoldable, pickNext, QueuedRow, waitsFor } from './delivery-policy';

const NOW = new Date('2026-11-27T12:00:00.000Z');
const at = (offsetMs: number): Date => new Date(NOW.getTime() + offsetMs);

let nextId = 1;
function row(userId: string, pushType: number | null, extra: Partial<QueuedRow> & { kind?: PushOutboxKind } = {}): QueuedRow {
  return {
    id: nextId++, userId, kind: pushType === null ? 'register' : 'send', pushType, status: 'pending',
    nextAttemptAt: at(-1000), claimedUntil: null, expiresAt: at(3600_000), ...extra,
  };
}

/**
 * Runs the worker's loop on `rows`: pick, "send" (done, the user served at a later instant), repeat.
 * Returns the rows in the order they were sent.
 */
function drain(rows: QueuedRow[], lastServed = new Map<string, Date>(), limit = 10_000): QueuedRow[] {
  const sent: QueuedRow[] = [];
  let clock = 0;
  for (let next = pickNext(rows, lastServed, NOW); next && sent.length < limit; next = pickNext(rows, lastServed, NOW)) {
    next.status = 'done';
    clock += 1;
    lastServed.set(next.userId, at(-100_000 + clock));
    sent.push(next);
  }
  return sent;
}

const label = (r: QueuedRow): string => `${r.userId}:${r.pushType ?? r.kind}`;

describe('delivery order (pickNext)', () => {
  beforeEach(() => {
    nextId = 1;
  });

  it('one user\'s 500-row backlog: another user\'s LogOut goes next, a third user\'s change right after, then round-robin', () => {
    const flood = Array.from({ length: 500 }, () => row('a', 15));
    const logOut = row('b', 11);
    const folder = row('c', 7);
    const other = [row('d', 8), row('d', 3), row('d', 10)];
    const sent = drain([...flood, logOut, folder, ...other]);
    expect(sent).toHaveLength(505);
    expect(sent[0]).toBe(logOut);
    expect(sent.slice(0, 8).map(label)).toEqual(['b:11', 'a:15', 'c:7', 'd:8', 'a:15', 'd:3', 'a:15', 'd:10']);
    // The flood goes out complete and in its own order.
    expect(sent.filter((r) => r.userId === 'a')).toEqual(flood);
  });

  it('several flooding users are served in turn: every window of three sends has one of each', () => {
    const rows = ['x', 'y', 'z'].flatMap((u) => Array.from({ length: 100 }, () => row(u, 7)));
    const sent = drain(rows);
    expect(sent).toHaveLength(300);
    for (let i = 0; i + 3 <= sent.length; i += 3) expect(new Set(sent.slice(i, i + 3).map((r) => r.userId)).size).toBe(3);
  });

  it('the user served longest ago goes first; a user never served before anyone served', () => {
    const served = new Map([['a', at(-10_000)], ['b', at(-20_000)]]);
    const [a, b, c] = [row('a', 7), row('b', 7), row('c', 7)];
    expect(pickNext([a, b, c], served, NOW)).toBe(c);
    expect(pickNext([a, b], served, NOW)).toBe(b);
    expect(pickNext([a, b], new Map(), NOW)).toBe(a);
  });

  it('per user, rows go out in order; a leased or backed-off row holds its user\'s later rows, not other users\'', () => {
    const first = row('a', 7, { claimedUntil: at(30_000) });
    const second = row('a', 8);
    const other = row('b', 7);
    expect(pickNext([first, second, other], new Map(), NOW)).toBe(other);
    first.claimedUntil = at(-1); // the lease ran out: the row is free again
    expect(pickNext([first, second], new Map(), NOW)).toBe(first);
    first.nextAttemptAt = at(5_000); // waiting for a retry
    expect(pickNext([first, second], new Map(), NOW)).toBeNull();
  });

  it('LogOut passes its own user\'s queued sends, but not an earlier register, delete or LogOut', () => {
    const sends = [row('a', 15), row('a', 7)];
    const logOut = row('a', 11);
    expect(pickNext([...sends, logOut], new Map(), NOW)).toBe(logOut);
    const register = row('a', null, { kind: 'register' });
    const late = row('a', 11);
    expect(pickNext([register, late], new Map(), NOW)).toBe(register);
    const del = row('a', null, { kind: 'delete' });
    expect(pickNext([del, row('a', 11)], new Map(), NOW)).toBe(del);
    // A delete queued after a LogOut (security-stamp reset) waits for it.
    const stamp = [row('e', 11), row('e', null, { kind: 'delete' }), row('e', null, { kind: 'delete' })];
    expect(drain(stamp).map(label)).toEqual(['e:11', 'e:delete', 'e:delete']);
    expect(waitsFor({ kind: 'send', pushType: 11 }, { kind: 'send', pushType: 11 })).toBe(true);
    expect(waitsFor({ kind: 'send', pushType: 7 }, { kind: 'send', pushType: 11 })).toBe(true);
    expect(waitsFor({ kind: 'send', pushType: 11 }, { kind: 'send', pushType: 16 })).toBe(false);
  });

  it('rows past their lifetime come first (they are dropped without a relay call), then LogOut', () => {
    const expired = row('a', 7, { expiresAt: at(-1) });
    const logOut = row('b', 11);
    expect(pickNext([logOut, expired], new Map([['a', at(0)]]), NOW)).toBe(expired);
    expect([deliveryRank(expired, NOW), deliveryRank(logOut, NOW), deliveryRank(row('c', 5), NOW)]).toEqual([0, 1, 2]);
  });

  it('fanout rows (an organization change, expanded in the database) come before any send, one after another in their own queue', () => {
    const send = row('a', 0);
    const logOut = row('b', 11);
    const first = row('fanout', null, { kind: 'fanout' });
    const second = row('fanout', null, { kind: 'fanout' });
    expect(deliveryRank(first, NOW)).toBe(0);
    expect(drain([send, logOut, first, second]).map(label)).toEqual(['fanout:fanout', 'fanout:fanout', 'b:11', 'a:0']);
    const later = row('c', 0);
    expect(pickNext([row('fanout', null, { kind: 'fanout', nextAttemptAt: at(1000) }), later], new Map(), NOW)).toBe(later);
  });
});

describe('foldable push types', () => {
  it('a SyncVault covers vault, folder, send and settings changes, never LogOut, login requests or org keys', () => {
    expect([...FOLDABLE_PUSH_TYPES].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 14]);
    for (const type of [6, 11, 15, 16]) expect(isFoldable(type)).toBe(false);
    expect(isFoldable(null)).toBe(false);
  });
});
