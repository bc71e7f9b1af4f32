/**
 * A UTC instant with nanosecond resolution, used for hub dates (notifications.md §5.1).
 *
 * JavaScript `Date` only carries milliseconds; this type lets the codecs reproduce values with full
 * microsecond precision (e.g. vector (a) of §3.7) and is what the MessagePack decoder returns for
 * timestamp extensions.
 */
export class HubTimestamp {
  constructor(
    /** Whole seconds since the Unix epoch (may be negative). */
    readonly seconds: number,
    /** Nanoseconds within the second, 0 ≤ n < 1e9. */
    readonly nanoseconds: number,
  ) {
    if (!Number.isSafeInteger(seconds)) {
      throw new RangeError(`HubTimestamp seconds must be a safe integer, got ${String(seconds)}`);
    }
    if (!Number.isInteger(nanoseconds) || nanoseconds < 0 || nanoseconds >= 1e9) {
      throw new RangeError(`HubTimestamp nanoseconds must be an integer in [0, 1e9), got ${String(nanoseconds)}`);
    }
  }

  static fromDate(date: Date): HubTimestamp {
    const ms = date.getTime();
    if (!Number.isFinite(ms)) {
      throw new RangeError('Cannot convert an invalid Date to HubTimestamp');
    }
    const seconds = Math.floor(ms / 1000);
    return new HubTimestamp(seconds, (ms - seconds * 1000) * 1_000_000);
  }

  /** Millisecond-precision `Date` (sub-millisecond digits are truncated). */
  toDate(): Date {
    return new Date(this.seconds * 1000 + Math.floor(this.nanoseconds / 1_000_000));
  }

  /** RFC 3339, UTC, exactly six fractional digits and `Z`, e.g. `2024-05-01T12:34:56.789012Z`. */
  toRfc3339(): string {
    const whole = new Date(this.seconds * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
    const micros = Math.floor(this.nanoseconds / 1000);
    return `${whole.slice(0, whole.length - 5)}.${String(micros).padStart(6, '0')}Z`;
  }
}

/** RFC 3339 with six fractional digits for a `Date` or {@link HubTimestamp}. */
export function formatHubDate(value: Date | HubTimestamp): string {
  return (value instanceof HubTimestamp ? value : HubTimestamp.fromDate(value)).toRfc3339();
}
