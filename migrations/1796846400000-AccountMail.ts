import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * The account mails' state on the user (Vaultwarden's columns): when the last email verification mail was sent and
 * how many a refused login re-sent (SIGNUPS_VERIFY_RESEND_TIME / _LIMIT), and a pending email change: the new
 * address, the SHA-256 of the code mailed to it, when it was sent and the wrong entries so far. Portable: schema API
 * only, timestamps as RFC 3339 text.
 */
export class AccountMail1796846400000 implements MigrationInterface {
  name = 'AccountMail1796846400000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('users', [
      new TableColumn({ name: 'last_verifying_at', type: 'varchar', length: '32', isNullable: true }),
      new TableColumn({ name: 'login_verify_count', type: 'integer', default: 0 }),
      new TableColumn({ name: 'email_new', type: 'varchar', length: '255', isNullable: true }),
      new TableColumn({ name: 'email_new_token', type: 'varchar', length: '64', isNullable: true }),
      new TableColumn({ name: 'email_new_sent_at', type: 'varchar', length: '32', isNullable: true }),
      new TableColumn({ name: 'email_new_attempts', type: 'integer', default: 0 }),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const column of ['email_new_attempts', 'email_new_sent_at', 'email_new_token', 'email_new', 'login_verify_count', 'last_verifying_at']) {
      await q.dropColumn('users', column);
    }
  }
}
