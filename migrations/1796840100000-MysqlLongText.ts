import { MigrationInterface, QueryRunner } from 'typeorm';

interface TextColumn { table_name: string; column_name: string; is_nullable: string; column_default: string | null }

/**
 * MySQL and MariaDB only: every TEXT column (at most 64 KB) becomes LONGTEXT, as data-source.ts now creates them, so
 * cipher data, custom fields and password history larger than 64 KB are stored as on PostgreSQL and SQLite. Databases
 * created before that change get their columns converted here; on newer ones nothing is left to convert.
 * Nullability and defaults are kept (a default as an expression, the only form MySQL 8 accepts on LONGTEXT).
 * Nothing to do on PostgreSQL and SQLite, and `down` keeps LONGTEXT (shrinking could truncate data).
 */
export class MysqlLongText1796840100000 implements MigrationInterface {
  name = 'MysqlLongText1796840100000';

  async up(q: QueryRunner): Promise<void> {
    const type = q.connection.driver.options.type;
    if (type !== 'mysql' && type !== 'mariadb') return;
    const columns = (await q.query(
      `SELECT table_name AS table_name, column_name AS column_name, is_nullable AS is_nullable, column_default AS column_default
        FROM information_schema.columns WHERE table_schema = DATABASE() AND data_type = 'text' ORDER BY table_name, ordinal_position`,
    )) as TextColumn[];
    for (const c of columns) {
      // MariaDB reports a literal default quoted ('[]') and no default as NULL or the text NULL.
      const hasDefault = c.column_default !== null && c.column_default.toUpperCase() !== 'NULL';
      const definition = `LONGTEXT ${c.is_nullable === 'YES' ? 'NULL' : 'NOT NULL'}${hasDefault ? ` DEFAULT (${c.column_default})` : ''}`;
      await q.query(`ALTER TABLE \`${c.table_name}\` MODIFY \`${c.column_name}\` ${definition}`);
    }
  }

  async down(): Promise<void> {
    // LONGTEXT stays: converting back could truncate what was stored since.
  }
}
