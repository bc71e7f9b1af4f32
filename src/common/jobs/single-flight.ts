/**
 * One run at a time of a periodic job: `run` starts `work` unless a run is in progress, whose promise it
 * returns instead (so a timer tick and a test, or two ticks, share the pass in progress).
 */
export class SingleFlight<T> {
  private current: Promise<T> | null = null;

  run(work: () => Promise<T>): Promise<T> {
    if (!this.current) {
      this.current = work().finally(() => {
        this.current = null;
      });
    }
    return this.current;
  }

  /** Waits for the run in progress, if any, ignoring its outcome (shutdown). */
  async settled(): Promise<void> {
    await this.current?.catch(() => undefined);
  }
}
