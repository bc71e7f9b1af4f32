import { Column, ColumnOptions, ValueTransformer } from 'typeorm';

/**
 * Timestamps are stored as fixed-width RFC 3339 UTC text with microseconds (2024-05-01T12:34:56.789000Z):
 * identical on SQLite, PostgreSQL and MySQL, sortable as text, never shifted by a session time zone.
 */
export const timestampTransformer: ValueTransformer = {
  to: (value: Date | null | undefined) => (value instanceof Date ? `${value.toISOString().slice(0, 23)}000Z` : value ?? null),
  from: (value: string | null) => (value === null || value === undefined ? null : new Date(value)),
};

export function TimestampColumn(options: { name: string; nullable?: boolean }): PropertyDecorator {
  return Column({ type: 'varchar', length: 32, name: options.name, nullable: options.nullable ?? false, transformer: timestampTransformer });
}

/** Stored form of a Date, for use in query-builder parameters. */
export function storedTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 23)}000Z`;
}

export const idColumn: ColumnOptions = { type: 'varchar', length: 36 };
