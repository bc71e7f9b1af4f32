import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';
import { outboxStateColumns } from './lib/columns';

/**
 * Mobile push through the relay: the durable outbox of relay calls, and the relay registration state of each
 * device (notifications.md §10.4, §10.10). Schema API only; timestamps as RFC 3339 text.
 */
export class PushOutbox1764298800000 implements MigrationInterface {
  name = 'PushOutbox1764298800000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(new Table({
      name: 'push_outbox',
      columns: [
        // Increasing id: the order of rows per user.
        { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
        { name: 'kind', type: 'varchar', length: '32' },
        // No foreign key: a delete must outlive the account it unregisters.
        { name: 'user_id', type: 'varchar', length: '36' },
        { name: 'device_id', type: 'varchar', length: '36', isNullable: true },
        { name: 'push_type', type: 'integer', isNullable: true },
        { name: 'body', type: 'text' },
        { name: 'dedupe_key', type: 'varchar', length: '128', isNullable: true },
        ...outboxStateColumns(),
      ],
    }));
    await q.createIndex('push_outbox', new TableIndex({ name: 'ix_push_outbox_status_next', columnNames: ['status', 'next_attempt_at'] }));
    await q.createIndex('push_outbox', new TableIndex({ name: 'ix_push_outbox_user_status', columnNames: ['user_id', 'status'] }));

    await q.addColumn('devices', new TableColumn({ name: 'push_registration', type: 'varchar', length: '16', isNullable: true }));
    await q.addColumn('devices', new TableColumn({ name: 'push_registration_error', type: 'text', isNullable: true }));
    await q.addColumn('devices', new TableColumn({ name: 'push_relay_uri', type: 'varchar', length: '255', isNullable: true }));
    await q.addColumn('devices', new TableColumn({ name: 'push_installation_id', type: 'varchar', length: '36', isNullable: true }));
    await q.addColumn('devices', new TableColumn({ name: 'push_last_success_at', type: 'varchar', length: '32', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    for (const column of ['push_last_success_at', 'push_installation_id', 'push_relay_uri', 'push_registration_error', 'push_registration']) {
      await q.dropColumn('devices', column);
    }
    await q.dropTable('push_outbox');
  }
}
