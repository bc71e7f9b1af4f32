import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { bool, cascade, id, str, ts } from './lib/columns';

/**
 * Organization groups (docs/organizations-plan.md §8): the groups of an organization, their members (by member
 * id) and their access to collections. The table is `org_groups`, not `groups`: GROUPS is a reserved word of
 * MySQL 8, and the hand-written SQL that reads these tables stays unquoted. Portable: schema API only.
 */
export class Groups1796832000000 implements MigrationInterface {
  name = 'Groups1796832000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(new Table({
      name: 'org_groups',
      columns: [id('id', true), id('organization_id'), str('name', 100), str('external_id', 300, true), ts('creation_date'), ts('revision_date')],
      foreignKeys: [cascade('organization_id', 'organizations')],
    }));
    await q.createIndex('org_groups', new TableIndex({ name: 'ix_org_groups_organization', columnNames: ['organization_id'] }));
    await q.createTable(new Table({
      name: 'group_members',
      columns: [id('group_id', true), id('membership_id', true)],
      foreignKeys: [cascade('group_id', 'org_groups'), cascade('membership_id', 'memberships')],
    }));
    await q.createIndex('group_members', new TableIndex({ name: 'ix_group_members_membership', columnNames: ['membership_id'] }));
    await q.createTable(new Table({
      name: 'collection_groups',
      columns: [id('collection_id', true), id('group_id', true), bool(q, 'read_only', false), bool(q, 'hide_passwords', false), bool(q, 'manage', false)],
      foreignKeys: [cascade('collection_id', 'collections'), cascade('group_id', 'org_groups')],
    }));
    await q.createIndex('collection_groups', new TableIndex({ name: 'ix_collection_groups_group', columnNames: ['group_id'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['collection_groups', 'group_members', 'org_groups']) await q.dropTable(table);
  }
}
