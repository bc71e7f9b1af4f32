import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { ts } from './lib/columns';

/** Addresses the admin panel invited: they may register while signups are closed (Vaultwarden's invited users). */
export class UserInvitations1796857200000 implements MigrationInterface {
  name = 'UserInvitations1796857200000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(new Table({ name: 'user_invitations', columns: [{ name: 'email', type: 'varchar', length: '255', isPrimary: true }, ts('invited_at')] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('user_invitations');
  }
}
