import { EntityManager } from 'typeorm';

/**
 * Hand-written SQL for the few queries on every request's path, where building the query through TypeORM cost
 * more CPU than running it. `$1`…`$n` in `sql` become the driver's placeholders (PostgreSQL keeps `$n`;
 * SQLite and MySQL take `?`, so their parameters are reordered by where each `$n` appears).
 *
 * Identifiers that are reserved words somewhere (`key` on MySQL) are written double-quoted, as standard SQL
 * quotes them (SQLite and PostgreSQL take them as they are); on MySQL, which quotes with backticks, they become
 * `key`. Text in single quotes is left alone. Plain names stay unquoted: they fold to the same column everywhere.
 */
export function rawQuery<Row>(manager: EntityManager, sql: string, parameters: unknown[]): Promise<Row[]> {
  const type = manager.connection.options.type;
  if (type === 'postgres') return manager.query(sql, parameters) as Promise<Row[]>;
  const ordered: unknown[] = [];
  const text = toDriverSql(sql, type === 'mysql' || type === 'mariadb', (n) => {
    ordered.push(parameters[n - 1]);
    return '?';
  });
  return manager.query(text, ordered) as Promise<Row[]>;
}

/**
 * `$n` → `placeholder(n)` and, with `backticks`, `"name"` → `` `name` ``, outside single-quoted literals.
 * Exported for its unit test.
 */
export function toDriverSql(sql: string, backticks: boolean, placeholder: (n: number) => string): string {
  return sql.replace(/'(?:[^']|'')*'|"([^"]*)"|\$(\d+)/g, (match, quoted: string | undefined, n: string | undefined) => {
    if (n !== undefined) return placeholder(Number(n));
    if (quoted !== undefined) return backticks ? `\`${quoted.replace(/`/g, '``')}\`` : match;
    return match;
  });
}

/** A boolean column as each driver returns it (SQLite and MySQL: 0/1; PostgreSQL: boolean). */
export const sqlBoolean = (value: unknown): boolean => value === true || value === 1 || value === '1';
