import { MigrationInterface, QueryRunner, Table, TableColumnOptions, TableIndex } from 'typeorm';

const id = (name: string, primary = false): TableColumnOptions => ({ name, type: 'varchar', length: '36', isPrimary: primary });
const ts = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: '32', isNullable: nullable });
const text = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'text', isNullable: nullable });
const int = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'integer', isNullable: nullable });
const str = (name: string, length: number, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable });
/** Boolean with a default, written the way each driver reports it back (SQLite stores booleans as 0/1). */
const bool = (q: QueryRunner, name: string, def: boolean): TableColumnOptions => ({
  name,
  type: 'boolean',
  default: q.connection.driver.options.type === 'better-sqlite3' ? Number(def) : def,
});

/**
 * A default on a text column (LONGTEXT on MySQL): MySQL 8 accepts one only written as an expression, `('[]')`;
 * MariaDB accepts both forms; PostgreSQL and SQLite keep the plain literal.
 */
const textDefault = (q: QueryRunner, literal: string): string => (['mysql', 'mariadb'].includes(q.connection.driver.options.type) ? `(${literal})` : literal);

/** Accounts, devices, folders and ciphers. Portable: schema API only, timestamps as RFC 3339 text. */
export class InitialSchema1764288000000 implements MigrationInterface {
  name = 'InitialSchema1764288000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(new Table({
      name: 'users',
      columns: [
        id('id', true), { ...str('email', 255), isUnique: true }, str('name', 255, true), bool(q, 'email_verified', false),
        bool(q, 'enabled', true), str('password_hash', 128), str('password_salt', 64), int('password_iterations'),
        text('password_hint', true), int('kdf_type'), int('kdf_iterations'), int('kdf_memory', true), int('kdf_parallelism', true),
        text('user_key'), text('private_key', true), text('public_key', true), str('user_key_id', 64, true),
        str('security_stamp', 36), str('api_key', 64), { ...str('culture', 16), default: "'en-US'" }, str('avatar_color', 16, true),
        { ...text('equivalent_domains'), default: textDefault(q, "'[]'") }, { ...text('excluded_global_domains'), default: textDefault(q, "'[]'") },
        ts('creation_date'), ts('updated_date'), ts('revision_date'),
      ],
    }));
    await q.createTable(new Table({
      name: 'devices',
      columns: [
        id('id', true), id('user_id'), str('identifier', 64), str('name', 255), int('type'), bool(q, 'active', true),
        str('refresh_token_hash', 64, true), text('push_token', true), ts('hub_disconnected_at', true),
        ts('creation_date'), ts('revision_date'),
      ],
      foreignKeys: [{ columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' }],
    }));
    await q.createIndex('devices', new TableIndex({ name: 'uq_devices_user_identifier', columnNames: ['user_id', 'identifier'], isUnique: true }));
    await q.createIndex('devices', new TableIndex({ name: 'ix_devices_refresh_token_hash', columnNames: ['refresh_token_hash'] }));
    await q.createTable(new Table({
      name: 'folders',
      columns: [id('id', true), id('user_id'), text('name'), ts('creation_date'), ts('revision_date')],
      foreignKeys: [{ columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' }],
    }));
    await q.createIndex('folders', new TableIndex({ name: 'ix_folders_user', columnNames: ['user_id'] }));
    await q.createTable(new Table({
      name: 'ciphers',
      columns: [
        id('id', true), { ...id('user_id'), isNullable: true }, { ...id('organization_id'), isNullable: true }, int('type'),
        text('name'), text('notes', true), text('key', true), { ...int('reprompt'), default: 0 }, text('data'),
        text('fields', true), text('password_history', true),
        ts('creation_date'), ts('revision_date'), ts('deleted_date', true), ts('archived_date', true),
      ],
      foreignKeys: [{ columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' }],
    }));
    await q.createIndex('ciphers', new TableIndex({ name: 'ix_ciphers_user', columnNames: ['user_id'] }));
    await q.createTable(new Table({
      name: 'folder_ciphers',
      columns: [id('cipher_id', true), id('folder_id', true)],
      foreignKeys: [
        { columnNames: ['cipher_id'], referencedTableName: 'ciphers', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        { columnNames: ['folder_id'], referencedTableName: 'folders', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
      ],
    }));
    await q.createIndex('folder_ciphers', new TableIndex({ name: 'ix_folder_ciphers_folder', columnNames: ['folder_id'] }));
    await q.createTable(new Table({
      name: 'favorites',
      columns: [id('user_id', true), id('cipher_id', true)],
      foreignKeys: [
        { columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        { columnNames: ['cipher_id'], referencedTableName: 'ciphers', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
      ],
    }));
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['favorites', 'folder_ciphers', 'ciphers', 'folders', 'devices', 'users']) await q.dropTable(table);
  }
}
