import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/** Login with device: auth requests. */
export class AuthRequests1764291600000 implements MigrationInterface {
  name = 'AuthRequests1764291600000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(new Table({
      name: 'auth_requests',
      columns: [
        { name: 'id', type: 'varchar', length: '36', isPrimary: true },
        { name: 'user_id', type: 'varchar', length: '36' },
        { name: 'type', type: 'integer' },
        { name: 'request_device_identifier', type: 'varchar', length: '64' },
        { name: 'request_device_type', type: 'integer' },
        { name: 'request_ip', type: 'varchar', length: '64' },
        { name: 'access_code_hash', type: 'varchar', length: '64' },
        { name: 'public_key', type: 'text' },
        { name: 'enc_key', type: 'text', isNullable: true },
        { name: 'master_password_hash', type: 'text', isNullable: true },
        { name: 'approved', type: 'boolean', isNullable: true },
        { name: 'response_device_id', type: 'varchar', length: '36', isNullable: true },
        { name: 'creation_date', type: 'varchar', length: '32' },
        { name: 'response_date', type: 'varchar', length: '32', isNullable: true },
        { name: 'authentication_date', type: 'varchar', length: '32', isNullable: true },
      ],
      foreignKeys: [{ columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' }],
    }));
    await q.createIndex('auth_requests', new TableIndex({ name: 'ix_auth_requests_user', columnNames: ['user_id'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('auth_requests');
  }
}
