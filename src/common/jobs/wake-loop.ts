/**
 * The drive of an outbox worker: `drain` runs one at a time; a wake() while it runs asks for one more run right
 * after it; schedule(at) wakes it at `at` (no sooner than 20 ms, no later than `pollMs` from now: the safety
 * poll). A run that throws is handed to `failed` (which usually logs and schedules a retry). stop() ends the
 * waking and waits for the run in progress; `signal` aborts then.
 */
export class WakeLoop {
  private readonly stopping = new AbortController();
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly drain: () => Promise<void>, private readonly failed: (error: unknown) => void, private readonly pollMs: number) {}

  /** Aborted once stop() was called. */
  get signal(): AbortSignal {
    return this.stopping.signal;
  }

  get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  /** Asks for a run soon (after a commit, a timer, start-up). Never blocks and never throws. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.again = false;
    this.running = this.drain()
      .catch((error: unknown) => this.failed(error))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  schedule(at: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    const delay = Math.min(Math.max(at - Date.now(), 20), this.pollMs);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.wake();
    }, delay);
    this.timer.unref();
  }

  /** Stops waking (at once) and waits for the run in progress to settle. */
  async stop(): Promise<void> {
    this.stopping.abort();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}
