import { DataSource, EntityManager } from 'typeorm';
import { UserEntity } from '../db/entities';
import { ENTITY_OF, MappedData, TARGET_TABLES, TargetTable } from './mapped-data';

/** Rows per INSERT: well under every driver's limit on bound parameters. */
const CHUNK = 100;

export class TargetNotEmptyError extends Error {
  constructor(readonly users: number) {
    super(`The Vaultwave database already has ${users} account(s). Import into an empty database, or pass --force to import anyway (any id that exists already makes the whole import fail, and nothing is written).`);
  }
}

/** How many accounts the target holds (the "empty target" check). */
export function countUsers(db: EntityManager): Promise<number> {
  return db.getRepository(UserEntity).count();
}

/**
 * Writes every mapped row in one transaction, parents first (the order of MappedData), through the entities'
 * repositories. `afterTable` is called inside the transaction after each table (progress; tests make it throw).
 * Throws (having rolled everything back) on any error.
 */
export async function writeAll(dataSource: DataSource, data: MappedData, afterTable: (table: TargetTable, rows: number) => void): Promise<void> {
  await dataSource.transaction(async (tx) => {
    for (const table of TARGET_TABLES) {
      const rows = data[table] as object[];
      const repo = tx.getRepository(ENTITY_OF[table]);
      for (let i = 0; i < rows.length; i += CHUNK) await repo.insert(rows.slice(i, i + CHUNK));
      afterTable(table, rows.length);
    }
  });
}
