import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * Sliding expiry of refresh tokens (REFRESH_TOKEN_IDLE_DAYS): when each device's refresh token was last issued or
 * used. Schema API only; the timestamp is RFC 3339 text like every other. Devices that already hold a refresh
 * token start their window now, so an upgrade never ends a session on its own.
 */
export class RefreshTokenLastUsed1796659200000 implements MigrationInterface {
  name = 'RefreshTokenLastUsed1796659200000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('devices', new TableColumn({ name: 'refresh_token_last_used_at', type: 'varchar', length: '32', isNullable: true }));
    const now = `${new Date().toISOString().slice(0, 23)}000Z`;
    const [text, values] = q.connection.driver.escapeQueryWithParameters('UPDATE devices SET refresh_token_last_used_at = :now WHERE refresh_token_hash IS NOT NULL', { now });
    await q.query(text, values);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('devices', 'refresh_token_last_used_at');
  }
}
