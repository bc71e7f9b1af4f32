import { ImportNotes } from './import-notes';
import { MappedData, TARGET_TABLES } from './mapped-data';

export interface ImportSummary {
  schemaVersion: string;
  dryRun: boolean;
  /** Rows read per Vaultwarden table. */
  source: Record<string, number>;
  /** Rows written (or, in a dry run, that would be) per Vaultwave table. */
  written: Record<string, number>;
  files: { count: number; bytes: number };
  signingKey: 'copied' | 'missing' | 'would copy';
  notes: ImportNotes;
}

export function countsOf(data: MappedData): Record<string, number> {
  return Object.fromEntries(TARGET_TABLES.map((t) => [t, data[t].length]));
}

/** The final report: counts, files, and everything not carried over. Counts and names only, never a value. */
export function formatReport(summary: ImportSummary): string {
  const lines: string[] = [];
  const pad = (name: string): string => `${name.padEnd(34)} `;
  lines.push(summary.dryRun ? 'Dry run: nothing was written.' : 'Import complete.');
  lines.push(`Vaultwarden schema version ${summary.schemaVersion}`);
  lines.push('', 'Read from Vaultwarden (rows):');
  for (const [table, n] of Object.entries(summary.source)) if (n > 0) lines.push(`  ${pad(table)}${n}`);
  lines.push('', summary.dryRun ? 'Would write to Vaultwave (rows):' : 'Written to Vaultwave (rows):');
  for (const [table, n] of Object.entries(summary.written)) lines.push(`  ${pad(table)}${n}`);
  lines.push('', `Files ${summary.dryRun ? 'to copy' : 'copied'}: ${summary.files.count} (${summary.files.bytes} bytes)`);
  lines.push(`Signing key rsa_key.pem: ${summary.signingKey}${summary.signingKey === 'missing' ? ' (tokens Vaultwarden issued will not be accepted; every client logs in again)' : ''}`);
  const unmapped = summary.notes.unmapped;
  lines.push('', unmapped.length ? 'Not imported (no counterpart in Vaultwave, or nothing left to carry):' : 'Not imported: nothing.');
  for (const e of unmapped) lines.push(`  ${pad(e.what)}${e.count}  ${e.why}`);
  const adjusted = summary.notes.adjustments;
  if (adjusted.length) lines.push('', 'Imported with a change:');
  for (const e of adjusted) lines.push(`  ${pad(e.what)}${e.count}  ${e.why}`);
  return `${lines.join('\n')}\n`;
}
