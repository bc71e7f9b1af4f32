import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { cascade, id, ts } from './lib/columns';

/**
 * Per-user archive of organization ciphers (docs/organizations-plan.md §8, §11 Q11b): archiving a shared item
 * hides it for the user who archived it only. One row per (user, cipher), like favourites; personal ciphers keep
 * `ciphers.archived_date`. Portable: schema API only, the date as RFC 3339 text.
 */
export class CipherArchives1796839200000 implements MigrationInterface {
  name = 'CipherArchives1796839200000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(new Table({
      name: 'cipher_archives',
      columns: [id('user_id', true), id('cipher_id', true), ts('archived_date')],
      foreignKeys: [cascade('user_id', 'users'), cascade('cipher_id', 'ciphers')],
    }));
    await q.createIndex('cipher_archives', new TableIndex({ name: 'ix_cipher_archives_cipher', columnNames: ['cipher_id'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('cipher_archives');
  }
}
