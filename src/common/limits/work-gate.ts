/** libuv's thread pool size (UV_THREADPOOL_SIZE, default 4): where node's async crypto runs. */
export function threadPoolSize(env: Record<string, string | undefined>): number {
  const size = Number(env.UV_THREADPOOL_SIZE);
  return Number.isInteger(size) && size > 0 ? size : 4;
}

/** Thrown when the gate's queue is full: the caller answers 503 with Retry-After instead of waiting. */
export class GateFullError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('work gate full');
  }
}

export interface GateOptions {
  /**
   * Served before every ordinary job, with a queue of its own: work for callers the server already trusts
   * (a device the account knows, a signed-in user), so a flood of strangers cannot starve them.
   */
  priority?: boolean;
}

/**
 * At most `concurrency` jobs run at once; up to `maxQueue` more wait in each of two FIFO lanes (priority
 * first); beyond that `run` fails at once with GateFullError. Used for server-side password hashing, so a
 * flood of guesses can neither fill libuv's thread pool and the CPU for everyone nor queue without bound.
 */
export class WorkGate {
  private running = 0;
  private readonly lanes: { priority: Array<() => void>; ordinary: Array<() => void> } = { priority: [], ordinary: [] };

  constructor(private readonly concurrency: number, private readonly maxQueue: number) {}

  async run<T>(job: () => Promise<T>, options: GateOptions = {}): Promise<T> {
    if (this.running >= this.concurrency) {
      const lane = options.priority ? this.lanes.priority : this.lanes.ordinary;
      if (lane.length >= this.maxQueue) throw new GateFullError(1);
      await new Promise<void>((resolve) => lane.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await job();
    } finally {
      const next = this.lanes.priority.shift() ?? this.lanes.ordinary.shift();
      if (next) next(); // the slot passes straight to the next job
      else this.running -= 1;
    }
  }

  get stats(): { running: number; queued: number } {
    return { running: this.running, queued: this.lanes.priority.length + this.lanes.ordinary.length };
  }
}
