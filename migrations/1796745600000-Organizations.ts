import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { bool, cascade, id, int, str, text, ts } from './lib/columns';

/**
 * Organizations (docs/organizations-plan.md §8): organizations, their members (memberships, keyed by member id
 * as in bitwarden/server), collections, who may see each collection, which ciphers are in it, and policies.
 * Groups come with their own migration. Portable: schema API only, timestamps as RFC 3339 text.
 */
export class Organizations1796745600000 implements MigrationInterface {
  name = 'Organizations1796745600000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(new Table({
      name: 'organizations',
      columns: [
        id('id', true), str('name', 255), str('billing_email', 256), text('public_key', true), text('private_key', true),
        bool(q, 'enabled', true), bool(q, 'limit_collection_creation', false), bool(q, 'limit_collection_deletion', false),
        bool(q, 'limit_item_deletion', false), bool(q, 'allow_admin_access_to_all_collection_items', true),
        ts('creation_date'), ts('revision_date'),
      ],
    }));
    await q.createTable(new Table({
      name: 'memberships',
      columns: [
        id('id', true), id('organization_id'), { ...id('user_id'), isNullable: true }, str('email', 256, true), text('org_key', true),
        text('reset_password_key', true), int('status'), int('type'), text('permissions', true), str('external_id', 300, true),
        { ...id('invited_by_user_id'), isNullable: true }, ts('creation_date'), ts('revision_date'),
      ],
      foreignKeys: [cascade('organization_id', 'organizations'), cascade('user_id', 'users')],
    }));
    await q.createIndex('memberships', new TableIndex({ name: 'uq_memberships_org_user', columnNames: ['organization_id', 'user_id'], isUnique: true }));
    await q.createIndex('memberships', new TableIndex({ name: 'uq_memberships_org_email', columnNames: ['organization_id', 'email'], isUnique: true }));
    await q.createIndex('memberships', new TableIndex({ name: 'ix_memberships_user_status', columnNames: ['user_id', 'status'] }));
    await q.createTable(new Table({
      name: 'collections',
      columns: [id('id', true), id('organization_id'), text('name'), str('external_id', 300, true), ts('creation_date'), ts('revision_date')],
      foreignKeys: [cascade('organization_id', 'organizations')],
    }));
    await q.createIndex('collections', new TableIndex({ name: 'ix_collections_organization', columnNames: ['organization_id'] }));
    await q.createTable(new Table({
      name: 'collection_members',
      columns: [id('collection_id', true), id('membership_id', true), bool(q, 'read_only', false), bool(q, 'hide_passwords', false), bool(q, 'manage', false)],
      foreignKeys: [cascade('collection_id', 'collections'), cascade('membership_id', 'memberships')],
    }));
    await q.createIndex('collection_members', new TableIndex({ name: 'ix_collection_members_membership', columnNames: ['membership_id'] }));
    await q.createTable(new Table({
      name: 'collection_ciphers',
      columns: [id('collection_id', true), id('cipher_id', true)],
      foreignKeys: [cascade('collection_id', 'collections'), cascade('cipher_id', 'ciphers')],
    }));
    await q.createIndex('collection_ciphers', new TableIndex({ name: 'ix_collection_ciphers_cipher', columnNames: ['cipher_id'] }));
    await q.createTable(new Table({
      name: 'policies',
      columns: [id('id', true), id('organization_id'), int('type'), bool(q, 'enabled', false), text('data', true), ts('creation_date'), ts('revision_date')],
      foreignKeys: [cascade('organization_id', 'organizations')],
    }));
    await q.createIndex('policies', new TableIndex({ name: 'uq_policies_org_type', columnNames: ['organization_id', 'type'], isUnique: true }));
    await q.createIndex('ciphers', new TableIndex({ name: 'ix_ciphers_organization', columnNames: ['organization_id'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('ciphers', 'ix_ciphers_organization');
    for (const table of ['policies', 'collection_ciphers', 'collection_members', 'collections', 'memberships', 'organizations']) await q.dropTable(table);
  }
}
