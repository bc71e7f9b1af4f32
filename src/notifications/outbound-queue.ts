import { UpdateType } from '../common/wire/update-type';

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
 * Bounded per-socket queue. When a push would exceed the limits the queue collapses: LogOut, AuthRequest and
 * SyncOrgKeys frames are kept in order, every other update is dropped and one SyncVault (built by the
 * caller, for that user) is appended, so the client resynchronises with one request.
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
    this.frames = [...kept, syncVault];
    this.bytes = this.frames.reduce((sum, f) => sum + f.bytes.length, 0);
  }
}
