import { DataSource } from 'typeorm';
import { ENTITY_OF, MappedData, TARGET_TABLES } from './mapped-data';

/**
 * Values longer than their varchar column, per table and column (PostgreSQL and MySQL refuse them; SQLite keeps
 * them as they are, so it is not checked). Found before the transaction starts, so the import stops with the
 * column's name instead of a driver error half-way. Names and lengths only, never a value.
 */
export function overlongValues(dataSource: DataSource, data: MappedData): string[] {
  if (dataSource.options.type === 'better-sqlite3') return [];
  const problems: string[] = [];
  for (const table of TARGET_TABLES) {
    const rows = data[table] as unknown as Array<Record<string, unknown>>;
    if (rows.length === 0) continue;
    for (const column of dataSource.getMetadata(ENTITY_OF[table]).columns) {
      const limit = Number(column.length);
      if (column.type !== 'varchar' || !limit || column.transformer) continue;
      let longest = 0;
      for (const row of rows) {
        const value = row[column.propertyName];
        if (typeof value === 'string' && value.length > longest) longest = value.length;
      }
      if (longest > limit) problems.push(`${table}.${column.databaseName}: values of up to ${longest} characters, the column holds ${limit}`);
    }
  }
  return problems;
}
