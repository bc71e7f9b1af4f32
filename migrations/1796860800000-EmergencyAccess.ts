import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { cascade, id, int, str, text, ts } from './lib/columns';

/**
 * Emergency access: a grantor names a trusted contact (the grantee) who may view or take over the vault after a
 * wait time. Vaultwarden's columns (`atype`, `key_encrypted`, `wait_time_days`, `recovery_initiated_at`,
 * `last_notification_at`), so its rows copy over. `grantee_id` is null until an invited address accepts; `email`
 * is the invited address until then.
 */
export class EmergencyAccess1796860800000 implements MigrationInterface {
  name = 'EmergencyAccess1796860800000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(new Table({
      name: 'emergency_access',
      columns: [
        id('id', true), id('grantor_id'), { ...id('grantee_id'), isNullable: true }, str('email', 255, true), text('key_encrypted', true),
        { name: 'atype', type: 'smallint' }, { name: 'status', type: 'smallint' }, int('wait_time_days'),
        { ...ts('recovery_initiated_at'), isNullable: true }, { ...ts('last_notification_at'), isNullable: true },
        ts('creation_date'), ts('revision_date'),
      ],
      foreignKeys: [cascade('grantor_id', 'users'), cascade('grantee_id', 'users')],
    }));
    await q.createIndex('emergency_access', new TableIndex({ name: 'ix_emergency_access_grantor', columnNames: ['grantor_id'] }));
    await q.createIndex('emergency_access', new TableIndex({ name: 'ix_emergency_access_grantee', columnNames: ['grantee_id'] }));
    await q.createIndex('emergency_access', new TableIndex({ name: 'ix_emergency_access_email', columnNames: ['email'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('emergency_access');
  }
}
