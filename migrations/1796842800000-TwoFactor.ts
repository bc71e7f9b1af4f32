import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';
import { bool, cascade, id, ts } from './lib/columns';

/**
 * Two-step login: each user's providers (one row per user and provider type: enabled, JSON data such as the TOTP
 * secret, the WebAuthn credentials or the email address, and the last TOTP step used), the recovery code on the
 * user, "remember this device" tokens (stored hashed, one per device), and logins that passed the password but not
 * yet the second factor. Portable: schema API only, timestamps as RFC 3339 text.
 */
export class TwoFactor1796842800000 implements MigrationInterface {
  name = 'TwoFactor1796842800000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('users', new TableColumn({ name: 'two_factor_recovery_code', type: 'varchar', length: '64', isNullable: true }));
    await q.createTable(new Table({
      name: 'two_factor',
      columns: [
        id('user_id', true), { name: 'type', type: 'integer', isPrimary: true }, bool(q, 'enabled', false),
        { name: 'data', type: 'text' }, { name: 'last_used_step', type: 'integer', default: 0 }, ts('creation_date'), ts('revision_date'),
      ],
      foreignKeys: [cascade('user_id', 'users')],
    }));
    await q.createTable(new Table({
      name: 'two_factor_remember',
      columns: [
        id('device_id', true), id('user_id'), { name: 'token_hash', type: 'varchar', length: '64' },
        id('security_stamp'), ts('expires_at'), ts('creation_date'),
      ],
      foreignKeys: [cascade('device_id', 'devices'), cascade('user_id', 'users')],
    }));
    await q.createIndex('two_factor_remember', new TableIndex({ name: 'ix_two_factor_remember_user', columnNames: ['user_id'] }));
    await q.createTable(new Table({
      name: 'two_factor_incomplete',
      columns: [
        id('user_id', true), { name: 'device_identifier', type: 'varchar', length: '64', isPrimary: true },
        { name: 'device_name', type: 'varchar', length: '255' }, { name: 'device_type', type: 'integer' },
        { name: 'ip_address', type: 'varchar', length: '64' }, ts('login_time'),
      ],
      foreignKeys: [cascade('user_id', 'users')],
    }));
    await q.createIndex('two_factor_incomplete', new TableIndex({ name: 'ix_two_factor_incomplete_login_time', columnNames: ['login_time'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['two_factor_incomplete', 'two_factor_remember', 'two_factor']) await q.dropTable(table);
    await q.dropColumn('users', 'two_factor_recovery_code');
  }
}
