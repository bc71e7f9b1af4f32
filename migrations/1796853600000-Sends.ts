import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { bool, cascade, id, int, str, text, ts } from './lib/columns';

/**
 * Sends (docs/sends-plan.md §1.3): text or a file shared through a link. Vaultwarden's column names where it has
 * them (`atype`, `akey`, `password_hash`/`_salt`/`_iter` with its PBKDF2 scheme), so its rows copy over; the
 * text and file parts of its `data` JSON get columns of their own. `file_validated` is false between the v2
 * metadata call and a complete upload.
 */
export class Sends1796853600000 implements MigrationInterface {
  name = 'Sends1796853600000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(new Table({
      name: 'sends',
      columns: [
        id('id', true), id('user_id'), { name: 'atype', type: 'smallint' }, text('name'), text('notes', true), text('akey'),
        text('text_value', true), { ...bool(q, 'text_hidden', false), isNullable: true },
        str('file_id', 64, true), text('file_name', true), { name: 'file_size', type: 'bigint', isNullable: true }, bool(q, 'file_validated', true),
        str('password_hash', 128, true), str('password_salt', 128, true), { ...int('password_iter'), isNullable: true },
        { ...int('max_access_count'), isNullable: true }, { ...int('access_count'), default: 0 },
        ts('creation_date'), ts('revision_date'), { ...ts('expiration_date'), isNullable: true }, ts('deletion_date'),
        bool(q, 'disabled', false), bool(q, 'hide_email', false),
      ],
      foreignKeys: [cascade('user_id', 'users')],
    }));
    await q.createIndex('sends', new TableIndex({ name: 'ix_sends_user', columnNames: ['user_id'] }));
    await q.createIndex('sends', new TableIndex({ name: 'ix_sends_deletion_date', columnNames: ['deletion_date'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('sends');
  }
}
