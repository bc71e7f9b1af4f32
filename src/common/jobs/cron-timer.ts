import { Clock } from '../time/clock';

/** Longest delay setTimeout accepts; a later run is reached in several hops. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Runs `tick` at each time `nextRun` names (from a cron schedule; null: never), the next time chosen once a run
 * has ended, so runs never overlap. A run that throws is handed to `failed`; the schedule goes on.
 */
export class CronTimer {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly nextRun: (now: Date) => Date | null,
    private readonly tick: () => Promise<unknown>,
    private readonly failed: (error: unknown) => void,
  ) {}

  /** Arms the timer for the next run. */
  start(): void {
    const next = this.stopped ? null : this.nextRun(this.clock.now());
    if (next === null) return;
    const at = next.getTime();
    const arm = (): void => {
      const delay = at - this.clock.now().getTime();
      if (delay > 0) {
        this.timer = setTimeout(arm, Math.min(delay, MAX_TIMER_MS));
        this.timer.unref();
        return;
      }
      this.tick()
        .catch((error: unknown) => this.failed(error))
        .finally(() => this.start());
    };
    arm();
  }

  /** No further run starts; one in progress is not waited for here. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
