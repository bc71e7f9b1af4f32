import { EntityManager } from 'typeorm';

/**
 * Hand-written SQL for the few queries on every request's path, where building the query through TypeORM cost
 * more CPU than running it. `$1`…`$n` in `sql` become the driver's placeholders (PostgreSQL keeps `$n`;
 * SQLite and MySQL take `?`, so their parameters are reordered by where each `$n` appears).
 */
export function rawQuery<Row>(manager: EntityManager, sql: string, parameters: unknown[]): Promise<Row[]> {
  if (manager.connection.options.type === 'postgres') return manager.query(sql, parameters) as Promise<Row[]>;
  const ordered: unknown[] = [];
  const text = sql.replace(/\$(\d+)/g, (_match, n: string) => {
    ordered.push(parameters[Number(n) - 1]);
    return '?';
  });
  return manager.query(text, ordered) as Promise<Row[]>;
}

/** A boolean column as each driver returns it (SQLite and MySQL: 0/1; PostgreSQL: boolean). */
export const sqlBoolean = (value: unknown): boolean => value === true || value === 1 || value === '1';
