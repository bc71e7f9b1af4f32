import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * Admin-approval login requests (auth request type 2): each names the organization whose admins answer it. Null
 * for login-with-device requests. No foreign key (the queries join the membership, and the purge deletes old rows).
 */
export class AuthRequestOrganization1796864400000 implements MigrationInterface {
  name = 'AuthRequestOrganization1796864400000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('auth_requests', new TableColumn({ name: 'organization_id', type: 'varchar', length: '36', isNullable: true }));
    await q.createIndex('auth_requests', new TableIndex({ name: 'ix_auth_requests_organization', columnNames: ['organization_id'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('auth_requests', 'ix_auth_requests_organization');
    await q.dropColumn('auth_requests', 'organization_id');
  }
}
