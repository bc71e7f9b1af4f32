import Database from 'better-sqlite3';
import { createConnection } from 'mysql2/promise';
import { VwRow } from './vaultwarden-values';

/** Every Vaultwarden table the importer reads (mapped or reported). */
export const VW_TABLES = [
  'users', 'devices', 'folders', 'ciphers', 'folders_ciphers', 'favorites', 'archives', 'attachments', 'sends',
  'organizations', 'users_organizations', 'collections', 'users_collections', 'ciphers_collections', 'groups', 'groups_users',
  'collections_groups', 'org_policies', 'twofactor', 'twofactor_incomplete', 'emergency_access', 'auth_requests', 'invitations',
  'sso_users', 'sso_auth', 'twofactor_duo_ctx', 'organization_api_key', 'event',
] as const;
export type VwTable = typeof VW_TABLES[number];

export interface VaultwardenSnapshot {
  /** Versions in __diesel_schema_migrations. */
  versions: string[];
  /** Rows per table; a table the source does not have reads as none. */
  tables: Record<VwTable, VwRow[]>;
}

/** A Vaultwarden database, read only: the one place with SQL of Vaultwarden's schema. */
interface Source {
  tableNames(): Promise<Set<string>>;
  all(table: string): Promise<VwRow[]>;
  close(): Promise<void>;
}

function sqliteSource(path: string): Source {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  return {
    tableNames: () => Promise.resolve(new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name))),
    all: (table) => Promise.resolve(db.prepare(`SELECT * FROM "${table}"`).all() as VwRow[]),
    close: () => Promise.resolve(void db.close()),
  };
}

/** Timestamps (without time zone) and dates come back as their text, read as UTC by vaultwarden-values. */
const PG_RAW_TYPES = new Set([1082, 1114, 1184]);

/** The little of `pg` used here (the package ships no types). */
interface PgModule {
  Client: new (options: { connectionString: string; types: { getTypeParser: (oid: number, format?: string) => unknown } }) => {
    connect(): Promise<void>; query(sql: string): Promise<{ rows: VwRow[] }>; end(): Promise<void>;
  };
  types: { getTypeParser: (oid: number, format?: string) => unknown };
}

async function postgresSource(url: string): Promise<Source> {
  const pg = require('pg') as PgModule;
  const client = new pg.Client({
    connectionString: url,
    types: { getTypeParser: (oid, format) => (PG_RAW_TYPES.has(oid) ? (value: string) => value : pg.types.getTypeParser(oid, format ?? 'text')) },
  });
  await client.connect();
  return {
    tableNames: async () => new Set((await client.query('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()')).rows.map((r) => String(r.name))),
    all: async (table) => (await client.query(`SELECT * FROM "${table}"`)).rows,
    close: () => client.end(),
  };
}

async function mysqlSource(url: string): Promise<Source> {
  const connection = await createConnection({ uri: url, dateStrings: true, supportBigNumbers: true, bigNumberStrings: false });
  return {
    tableNames: async () => {
      const [rows] = await connection.query('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()');
      return new Set((rows as Array<{ name?: string; NAME?: string; TABLE_NAME?: string }>).map((r) => String(r.name ?? r.NAME ?? r.TABLE_NAME)));
    },
    all: async (table) => (await connection.query(`SELECT * FROM \`${table}\``))[0] as VwRow[],
    close: () => connection.end(),
  };
}

export async function openSource(location: { sqlitePath: string } | { url: string }): Promise<Source> {
  if ('sqlitePath' in location) return sqliteSource(location.sqlitePath);
  const scheme = (location.url.split(':')[0] ?? '').toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') return postgresSource(location.url);
  if (scheme === 'mysql' || scheme === 'mariadb') return mysqlSource(location.url.replace(/^mariadb:/i, 'mysql:'));
  throw new Error(`--database-url: unsupported scheme ${scheme}; expected postgresql:// or mysql://`);
}

/** Reads the schema version history and every table into memory (Vaultwarden databases are small). */
export async function readSnapshot(
  location: { sqlitePath: string } | { url: string }, checkVersions: (versions: string[]) => void, onTable: (table: string, rows: number) => void = () => undefined,
): Promise<VaultwardenSnapshot> {
  const source = await openSource(location);
  try {
    const names = await source.tableNames();
    if (!names.has('__diesel_schema_migrations')) throw new Error('This is not a Vaultwarden database: it has no __diesel_schema_migrations table.');
    const versions = (await source.all('__diesel_schema_migrations')).map((row) => String(row.version));
    checkVersions(versions);
    const tables = {} as Record<VwTable, VwRow[]>;
    for (const table of VW_TABLES) {
      tables[table] = names.has(table) ? await source.all(table) : [];
      onTable(table, tables[table].length);
    }
    return { versions, tables };
  } finally {
    await source.close();
  }
}
