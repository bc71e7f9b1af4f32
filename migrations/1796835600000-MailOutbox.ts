import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { outboxStateColumns } from './lib/columns';

/**
 * Outgoing mail: the durable queue the mail worker drains (src/mail). A row is written in the transaction of the
 * change that causes the mail, so a mail exists exactly when its change committed; an SMTP outage or a restart
 * leaves it pending. Schema API only; timestamps as RFC 3339 text.
 */
export class MailOutbox1796835600000 implements MigrationInterface {
  name = 'MailOutbox1796835600000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(new Table({
      name: 'mail_outbox',
      columns: [
        { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
        { name: 'template', type: 'varchar', length: '64' },
        { name: 'recipients', type: 'text' },
        { name: 'subject', type: 'text' },
        { name: 'text_body', type: 'text' },
        { name: 'html_body', type: 'text' },
        { name: 'message_id', type: 'varchar', length: '255' },
        ...outboxStateColumns(),
      ],
    }));
    await q.createIndex('mail_outbox', new TableIndex({ name: 'ix_mail_outbox_status_next', columnNames: ['status', 'next_attempt_at'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('mail_outbox');
  }
}
