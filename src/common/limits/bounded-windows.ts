/** One key's fixed window: attempts counted in it, and attempts still running (reserved, not yet settled). */
export interface WindowState {
  start: number;
  count: number;
  inFlight: number;
}

export interface BoundedWindowsOptions {
  /** Window length in milliseconds. */
  windowMs: number;
  /** Most keys held at once; past it the least recently touched key is forgotten. */
  maxKeys: number;
}

/**
 * Fixed-window counters keyed by client-derived strings, with bounded memory: a cap on the number of keys
 * (least recently used dropped first: Map order, refreshed on every touch) and `sweep()` to drop expired
 * windows (called on a timer by the owner). A key whose window has attempts in flight is kept past expiry
 * until they settle, so a reservation is never lost.
 */
export class BoundedWindows {
  private readonly windows = new Map<string, WindowState>();

  constructor(private readonly options: BoundedWindowsOptions) {}

  /**
   * The live window of `key`, moved to the most-recent end. An expired window restarts in place (same object,
   * count 0, in-flight kept), so a caller holding it from a reservation settles the right one.
   */
  touch(key: string, now: number): WindowState {
    let state = this.windows.get(key);
    if (state) this.windows.delete(key);
    if (!state) state = { start: now, count: 0, inFlight: 0 };
    else this.roll(state, now);
    this.windows.set(key, state);
    while (this.windows.size > this.options.maxKeys) {
      const oldest = this.windows.keys().next().value as string;
      this.windows.delete(oldest);
    }
    return state;
  }

  /** The window of `key` without creating one; undefined when none is live. */
  peek(key: string, now: number): WindowState | undefined {
    const state = this.windows.get(key);
    if (!state) return undefined;
    return now - state.start >= this.options.windowMs && state.inFlight === 0 ? undefined : state;
  }

  /** Restarts `state` when its window has ended. */
  roll(state: WindowState, now: number): void {
    if (now - state.start < this.options.windowMs) return;
    state.start = now;
    state.count = 0;
  }

  /** Seconds until the window of `state` ends (at least 1). */
  secondsLeft(state: WindowState, now: number): number {
    return Math.max(1, Math.ceil((state.start + this.options.windowMs - now) / 1000));
  }

  /** Drops every window that has expired and has nothing in flight. */
  sweep(now: number): void {
    for (const [key, state] of this.windows) {
      if (now - state.start >= this.options.windowMs && state.inFlight === 0) this.windows.delete(key);
    }
  }

  get size(): number {
    return this.windows.size;
  }
}
