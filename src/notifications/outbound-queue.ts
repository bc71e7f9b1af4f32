import { UpdateType } from '../wire/update-type';
import { DecodeMessagesResult, json, messagePack, RECORD_SEPARATOR } from './signalr';

/** One encoded frame waiting for a socket, with what the collapse rule needs to know about it. */
export interface OutboundFrame {
  bytes: Uint8Array;
  /** Update type of a ReceiveMessage frame; null for control frames (Ping, Close, handshake). */
  updateType: UpdateType | null;
}

/** Types that survive a collapse: they change authorisation or ask the user something (notifications.md §7.4). */
const KEPT_ON_COLLAPSE = new Set<UpdateType>([UpdateType.LogOut, UpdateType.AuthRequest, UpdateType.SyncOrgKeys]);

export interface QueueLimits { maxMessages: number; maxBytes: number }

/**
 * The auth request an AuthRequest frame is about (`Payload.Id` of its ReceiveMessage argument), read back from
 * the encoded bytes of either protocol; null when it cannot be read. Frames are shared by every socket they
 * are queued on, so the answer is remembered per frame.
 */
const requestIds = new WeakMap<OutboundFrame, string | null>();
function authRequestIdOf(frame: OutboundFrame): string | null {
  let id = requestIds.get(frame);
  if (id !== undefined) return id;
  const options = { maxFrameBytes: frame.bytes.length };
  let decoded: DecodeMessagesResult = { ok: false, reason: 'not tried' };
  if (frame.bytes[frame.bytes.length - 1] === RECORD_SEPARATOR) decoded = json.decodeMessages(frame.bytes, options);
  if (!decoded.ok) decoded = messagePack.decodeMessages(frame.bytes, options);
  id = null;
  const message = decoded.ok && decoded.messages.length === 1 ? decoded.messages[0] : undefined;
  if (message?.type === 1) {
    const arg = message.arguments[0] as Record<string, unknown> | undefined;
    const payload = (arg?.['Payload'] ?? arg?.['payload']) as Record<string, unknown> | undefined;
    const value = payload?.['Id'] ?? payload?.['id'];
    if (typeof value === 'string') id = value.toLowerCase();
  }
  requestIds.set(frame, id);
  return id;
}

/**
 * Bounded per-socket queue. When a push would exceed the limits the queue collapses: LogOut, AuthRequest and
 * SyncOrgKeys frames are kept in order, every other update is dropped and one SyncVault (built by the
 * caller, for that user) is appended, so the client resynchronises with one request. Of several AuthRequest
 * frames about the same request only the newest is kept (issue 12: a flood must not survive the collapse).
 */
export class OutboundQueue {
  private frames: OutboundFrame[] = [];
  private bytes = 0;
  collapses = 0;

  constructor(private readonly limits: QueueLimits) {}

  get length(): number {
    return this.frames.length;
  }

  get queuedBytes(): number {
    return this.bytes;
  }

  /**
   * Adds `frame`; `bufferedElsewhere` is what the socket already holds unsent. Returns false when the queue
   * collapsed instead (the frame itself was dropped unless it is one of the kept types).
   */
  push(frame: OutboundFrame, bufferedElsewhere: number, syncVault: () => OutboundFrame): boolean {
    const overLength = this.frames.length + 1 > this.limits.maxMessages;
    const overBytes = this.bytes + frame.bytes.length + bufferedElsewhere > this.limits.maxBytes;
    if (!overLength && !overBytes) {
      this.frames.push(frame);
      this.bytes += frame.bytes.length;
      return true;
    }
    this.collapse([...this.frames, frame], syncVault());
    return false;
  }

  shift(): OutboundFrame | undefined {
    const frame = this.frames.shift();
    if (frame) this.bytes -= frame.bytes.length;
    return frame;
  }

  clear(): void {
    this.frames = [];
    this.bytes = 0;
  }

  private collapse(candidates: OutboundFrame[], syncVault: OutboundFrame): void {
    this.collapses += 1;
    const kept = candidates.filter((f) => f.updateType !== null && KEPT_ON_COLLAPSE.has(f.updateType));
    // Newest AuthRequest per request: walk from the end, drop any earlier frame about a request already seen.
    const seen = new Set<string>();
    const newest: OutboundFrame[] = [];
    for (let i = kept.length - 1; i >= 0; i -= 1) {
      const frame = kept[i]!;
      const id = frame.updateType === UpdateType.AuthRequest ? authRequestIdOf(frame) : null;
      if (id !== null && seen.has(id)) continue;
      if (id !== null) seen.add(id);
      newest.push(frame);
    }
    this.frames = [...newest.reverse(), syncVault];
    this.bytes = this.frames.reduce((sum, f) => sum + f.bytes.length, 0);
  }
}
