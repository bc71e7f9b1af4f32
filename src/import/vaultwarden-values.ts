/**
 * Column values as the three Vaultwarden back ends return them (SQLite: text dates, 0/1, Buffer; PostgreSQL with
 * raw timestamps: text dates, booleans, Buffer; MySQL with dateStrings: text dates, 0/1, Buffer), read one way.
 * Vaultwarden keeps naive UTC timestamps (`2026-12-08 02:42:51.494123`).
 */
export type VwRow = Record<string, unknown>;

export function str(row: VwRow, column: string): string {
  const value = row[column];
  if (value === null || value === undefined) throw new Error(`Vaultwarden column ${column} is empty where a value is required`);
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}

export function optStr(row: VwRow, column: string): string | null {
  const value = row[column];
  if (value === null || value === undefined) return null;
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}

export function int(row: VwRow, column: string): number {
  const value = Number(row[column]);
  if (!Number.isFinite(value)) throw new Error(`Vaultwarden column ${column} is not a number`);
  return value;
}

export function optInt(row: VwRow, column: string): number | null {
  const value = row[column];
  return value === null || value === undefined ? null : int(row, column);
}

export function bool(row: VwRow, column: string): boolean {
  const value = row[column];
  return value === true || value === 1 || value === '1' || value === 't' || value === 'true' || value === 1n;
}

export function optBool(row: VwRow, column: string): boolean | null {
  const value = row[column];
  return value === null || value === undefined ? null : bool(row, column);
}

/** A BLOB (Buffer) or, should a driver hand one back as text, its bytes. */
export function bytes(row: VwRow, column: string): Buffer {
  const value = row[column];
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (value === null || value === undefined) return Buffer.alloc(0);
  return Buffer.from(String(value), 'binary');
}

export function date(row: VwRow, column: string): Date {
  const value = optDate(row, column);
  if (!value) throw new Error(`Vaultwarden column ${column} holds no date`);
  return value;
}

/** `YYYY-MM-DD HH:MM:SS[.ffffff]` (or with a T, or a Date) read as UTC. */
export function optDate(row: VwRow, column: string): Date | null {
  const value = row[column];
  if (value === null || value === undefined || value === '') return null;
  if (value instanceof Date) return value;
  const text = String(value).trim();
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  if (!match) throw new Error(`Vaultwarden column ${column} holds an unreadable date`);
  const fraction = (match[3] ?? '.0').slice(0, 4).padEnd(4, '0');
  const zone = match[4] ?? 'Z';
  const parsed = new Date(`${match[1]}T${match[2]}${fraction}${zone}`);
  if (Number.isNaN(parsed.getTime())) throw new Error(`Vaultwarden column ${column} holds an unreadable date`);
  return parsed;
}

/** JSON whose keys start with a capital in rows written by old Vaultwarden versions: first letters lowered, recursively. */
export function lowerFirstKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowerFirstKeys);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[key.charAt(0).toLowerCase() + key.slice(1)] = lowerFirstKeys(inner);
  return out;
}

export function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
