/**
 * What the import could not carry over, by kind, with a count and the reason: printed in the report, never
 * silently dropped. Never holds row contents (only counts), so it is safe to print.
 */
export interface UnmappedEntry { what: string; count: number; why: string }

export class ImportNotes {
  private readonly entries = new Map<string, UnmappedEntry>();
  /** Adjustments that kept a row but changed something about it (also counted, also printed). */
  private readonly adjusted = new Map<string, UnmappedEntry>();

  skip(what: string, why: string, count = 1): void {
    if (count <= 0) return;
    const entry = this.entries.get(what) ?? { what, count: 0, why };
    entry.count += count;
    this.entries.set(what, entry);
  }

  adjust(what: string, why: string, count = 1): void {
    if (count <= 0) return;
    const entry = this.adjusted.get(what) ?? { what, count: 0, why };
    entry.count += count;
    this.adjusted.set(what, entry);
  }

  get unmapped(): UnmappedEntry[] {
    return [...this.entries.values()];
  }

  get adjustments(): UnmappedEntry[] {
    return [...this.adjusted.values()];
  }
}
