import { QueryRunner, TableColumnOptions, TableForeignKeyOptions } from 'typeorm';

// The column shapes the migrations share. A migration's schema is fixed once released: change what these return
// only together with a new migration, never in place.

/** A uuid as text. */
export const id = (name: string, primary = false): TableColumnOptions => ({ name, type: 'varchar', length: '36', isPrimary: primary });
/** A timestamp as fixed-width RFC 3339 text. */
export const ts = (name: string): TableColumnOptions => ({ name, type: 'varchar', length: '32' });
export const text = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'text', isNullable: nullable });
export const int = (name: string): TableColumnOptions => ({ name, type: 'integer' });
export const str = (name: string, length: number, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable });
/** Boolean with a default, written the way each driver reports it back (SQLite stores booleans as 0/1). */
export const bool = (q: QueryRunner, name: string, def: boolean): TableColumnOptions => ({
  name,
  type: 'boolean',
  default: q.connection.driver.options.type === 'better-sqlite3' ? Number(def) : def,
});
/** `column` references `table`.id, deleted with it. */
export const cascade = (column: string, table: string): TableForeignKeyOptions => ({ columnNames: [column], referencedTableName: table, referencedColumnNames: ['id'], onDelete: 'CASCADE' });

/** The delivery state of a durable outbox row (push_outbox, mail_outbox): what the lease-claiming workers read and write. */
export const outboxStateColumns = (): TableColumnOptions[] => [
  { name: 'status', type: 'varchar', length: '16', default: "'pending'" },
  { name: 'attempts', type: 'integer', default: 0 },
  { name: 'next_attempt_at', type: 'varchar', length: '32' },
  { name: 'claimed_until', type: 'varchar', length: '32', isNullable: true },
  { name: 'expires_at', type: 'varchar', length: '32' },
  { name: 'last_error', type: 'text', isNullable: true },
  { name: 'created_at', type: 'varchar', length: '32' },
  { name: 'completed_at', type: 'varchar', length: '32', isNullable: true },
];
