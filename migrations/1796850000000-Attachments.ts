import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { bool, cascade, id, str, text, ts } from './lib/columns';

/**
 * Files on ciphers (docs/attachments-plan.md §1.3). One row per attachment, keyed by (cipher, attachment id) as the
 * official server keys them; `akey` is Vaultwarden's column name (and avoids MySQL's reserved KEY), so its rows copy
 * over one to one. `validated` is false between the v2 metadata call and a complete upload. The `share_` columns
 * hold a re-encrypted copy staged before a personal cipher moves into an organization.
 */
export class Attachments1796850000000 implements MigrationInterface {
  name = 'Attachments1796850000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(new Table({
      name: 'attachments',
      columns: [
        id('cipher_id', true), { ...str('id', 64), isPrimary: true }, text('file_name'), { name: 'file_size', type: 'bigint' }, text('akey', true),
        bool(q, 'validated', true), ts('created_at'),
        // A re-encrypted copy staged by POST …/attachment/{id}/share, swapped in when the cipher is shared.
        text('share_file_name', true), text('share_akey', true), { name: 'share_file_size', type: 'bigint', isNullable: true },
      ],
      foreignKeys: [cascade('cipher_id', 'ciphers')],
    }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('attachments');
  }
}
