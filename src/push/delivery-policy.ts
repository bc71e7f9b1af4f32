import { UpdateType } from '../wire/update-type';
import { PushOutboxKind, PushOutboxStatus } from '../db/entities/push-outbox.entity';

/**
 * Which outbox row goes to the relay next, and which sends a SyncVault may replace. Pure rules; the SQL in
 * `OutboxRepository` (findNextDue, heads) implements exactly these, and a test checks the two agree.
 *
 * Fairness: the outbox is shared by every user behind one token bucket, so the next row is chosen
 *   1. rows past their lifetime first (they are dropped, not sent: no relay call, no token), and `fanout` rows
 *      (expanded into per-user sends in the database: no relay call either; expanding them before any send
 *      lets a member's sends of a burst coalesce),
 *   2. then LogOut (11): a signed-out device must not wait behind anyone's backlog,
 *   3. then the user served longest ago (latest completed relay call of the user; never served = first),
 *      which is round-robin across users: one user's backlog costs everyone else at most one row each turn,
 *   4. then the oldest row.
 * Order per user: a row waits for every earlier pending row of its user (leased or not), except that a LogOut
 * only waits for earlier register/delete rows and earlier LogOuts: it may pass the user's own queued sends
 * (the victim of a login-request flood still gets its LogOut at once).
 */

/**
 * Send types a SyncVault makes redundant: on SyncVault the client refetches the whole vault (ciphers,
 * folders, sends, settings). LogOut (11), AuthRequest (15), AuthRequestResponse (16) and SyncOrgKeys (6) say
 * something a SyncVault does not, and are never folded.
 */
export const FOLDABLE_PUSH_TYPES: readonly number[] = [
  UpdateType.SyncCipherUpdate, UpdateType.SyncCipherCreate, UpdateType.SyncLoginDelete, UpdateType.SyncFolderDelete,
  UpdateType.SyncCiphers, UpdateType.SyncVault, UpdateType.SyncFolderCreate, UpdateType.SyncFolderUpdate,
  UpdateType.SyncCipherDelete, UpdateType.SyncSettings, UpdateType.SyncSendCreate, UpdateType.SyncSendUpdate,
  UpdateType.SyncSendDelete,
];

export function isFoldable(type: number | null): boolean {
  return type !== null && FOLDABLE_PUSH_TYPES.includes(type);
}

/** The fields of an outbox row the order depends on. */
export interface QueuedRow {
  id: number;
  userId: string;
  kind: PushOutboxKind;
  pushType: number | null;
  status: PushOutboxStatus;
  nextAttemptAt: Date;
  claimedUntil: Date | null;
  expiresAt: Date;
}

const isLogOut = (row: Pick<QueuedRow, 'kind' | 'pushType'>): boolean => row.kind === 'send' && row.pushType === UpdateType.LogOut;

/** Pending and not leased by a live worker. */
export function isFree(row: QueuedRow, now: Date): boolean {
  return row.status === 'pending' && (row.claimedUntil === null || row.claimedUntil.getTime() < now.getTime());
}

/** Whether `row` must wait for `earlier`, an earlier pending row of the same user. */
export function waitsFor(row: Pick<QueuedRow, 'kind' | 'pushType'>, earlier: Pick<QueuedRow, 'kind' | 'pushType'>): boolean {
  if (!isLogOut(row)) return true;
  return earlier.kind !== 'send' || isLogOut(earlier);
}

/** 0: past its lifetime (dropped without a relay call) or a fanout (expanded without one), 1: LogOut, 2: everything else. */
export function deliveryRank(row: QueuedRow, now: Date): number {
  if (row.expiresAt.getTime() < now.getTime() || row.kind === 'fanout') return 0;
  return isLogOut(row) ? 1 : 2;
}

/**
 * The row the worker takes next among `rows` (the whole outbox), or null. `lastServed` holds, per user, the
 * completion time of the user's latest relay call (done or failed); users missing from it were never served.
 */
export function pickNext(rows: readonly QueuedRow[], lastServed: ReadonlyMap<string, Date>, now: Date): QueuedRow | null {
  const pending = rows.filter((r) => r.status === 'pending');
  const candidates = pending.filter((row) => isFree(row, now)
    && row.nextAttemptAt.getTime() <= now.getTime()
    && !pending.some((p) => p.userId === row.userId && p.id < row.id && waitsFor(row, p)));
  const served = (row: QueuedRow): number => lastServed.get(row.userId)?.getTime() ?? -1;
  candidates.sort((a, b) => deliveryRank(a, now) - deliveryRank(b, now) || served(a) - served(b) || a.id - b.id);
  return candidates[0] ?? null;
}
