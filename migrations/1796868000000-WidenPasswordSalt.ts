import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * users.password_salt holds 128 characters: accounts imported from Vaultwarden keep its 64-byte salts (88 characters
 * of base64; this server's own salts are 32 bytes, 44 characters). PostgreSQL and MySQL enforce the length.
 *
 * Written as plain ALTERs there: TypeORM's changeColumn drops and re-adds a PostgreSQL column whose length changes,
 * which would throw every salt away. On SQLite the change rebuilds `users`, and dropping the old table would run the
 * ON DELETE CASCADE of every table that references it (emptying the vaults) unless foreign keys are off. TypeORM's
 * runner turns them off before it applies a migration, but not before it reverts one; so `up` refuses to run with
 * foreign keys on, and `down` leaves SQLite alone (SQLite never enforced the length; a wider column loses nothing).
 * test/integration/migrations.int-spec.ts and refresh-token-last-used.int-spec.ts prove the rows stay.
 */
export class WidenPasswordSalt1796868000000 implements MigrationInterface {
  name = 'WidenPasswordSalt1796868000000';

  async up(q: QueryRunner): Promise<void> {
    const type = q.connection.driver.options.type;
    if (type === 'postgres') await q.query('ALTER TABLE "users" ALTER COLUMN "password_salt" TYPE varchar(128)');
    else if (type === 'mysql' || type === 'mariadb') await q.query('ALTER TABLE `users` MODIFY `password_salt` varchar(128) NOT NULL');
    else {
      const [pragma] = (await q.query('PRAGMA foreign_keys')) as Array<{ foreign_keys: number }>;
      if (pragma?.foreign_keys !== 0) throw new Error('WidenPasswordSalt: rebuilding users on SQLite needs foreign keys off, or the cascades would delete every vault');
      await q.changeColumn('users', 'password_salt', new TableColumn({ name: 'password_salt', type: 'varchar', length: '128' }));
    }
  }

  /** Refused by PostgreSQL and MySQL while a salt longer than 64 characters is stored (nothing is cut). */
  async down(q: QueryRunner): Promise<void> {
    const type = q.connection.driver.options.type;
    if (type === 'postgres') await q.query('ALTER TABLE "users" ALTER COLUMN "password_salt" TYPE varchar(64)');
    else if (type === 'mysql' || type === 'mariadb') await q.query('ALTER TABLE `users` MODIFY `password_salt` varchar(64) NOT NULL');
  }
}
