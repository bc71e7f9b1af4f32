import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * users.password_salt holds 128 characters: accounts imported from Vaultwarden keep its 64-byte salts (88 characters
 * of base64; this server's own salts are 32 bytes, 44 characters). PostgreSQL and MySQL enforce the length.
 *
 * On SQLite the change rebuilds `users`, and dropping the old table would run the ON DELETE CASCADE of every table
 * that references it (emptying the vaults) unless foreign keys are off. TypeORM's runner turns them off before it
 * applies a migration, but not before it reverts one; so `up` refuses to run with foreign keys on, and `down` leaves
 * SQLite alone (SQLite never enforced the length; a wider column loses nothing).
 * test/integration/migrations.int-spec.ts proves the rows of the referencing tables stay.
 */
export class WidenPasswordSalt1796868000000 implements MigrationInterface {
  name = 'WidenPasswordSalt1796868000000';

  async up(q: QueryRunner): Promise<void> {
    if (isSqlite(q)) {
      const [pragma] = (await q.query('PRAGMA foreign_keys')) as Array<{ foreign_keys: number }>;
      if (pragma?.foreign_keys !== 0) throw new Error('WidenPasswordSalt: rebuilding users on SQLite needs foreign keys off, or the cascades would delete every vault');
    }
    await q.changeColumn('users', 'password_salt', new TableColumn({ name: 'password_salt', type: 'varchar', length: '128' }));
  }

  async down(q: QueryRunner): Promise<void> {
    if (isSqlite(q)) return;
    await q.changeColumn('users', 'password_salt', new TableColumn({ name: 'password_salt', type: 'varchar', length: '64' }));
  }
}

function isSqlite(q: QueryRunner): boolean {
  return q.connection.driver.options.type === 'better-sqlite3';
}
