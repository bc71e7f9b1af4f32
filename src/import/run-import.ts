import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { OWNER_ONLY_FOLDER } from '../common/fs/owner-only';
import { createDataSource } from '../db/data-source';
import { runMigrations } from '../db/migrate';
import { overlongValues } from './column-limits';
import { fileSizeOf, StagedFiles } from './file-copier';
import { countsOf, formatReport, ImportSummary } from './import-report';
import { countUsers, TargetNotEmptyError, writeAll } from './import-writer';
import { mapSnapshot } from './map-snapshot';
import { TargetTable } from './mapped-data';
import { checkSchemaVersion } from './schema-version';
import { readSnapshot } from './vaultwarden-reader';

export interface ImportOptions {
  /** Vaultwarden's DATA_FOLDER: db.sqlite3 (unless databaseUrl), rsa_key.pem, attachments/, sends/. */
  vaultwardenFolder: string;
  /** Vaultwarden's DATABASE_URL when it ran on PostgreSQL or MySQL. */
  databaseUrl?: string;
  dryRun?: boolean;
  force?: boolean;
  /** Progress lines (the terminal). */
  progress?: (line: string) => void;
  /** Inside the transaction, after each table (tests make it throw to prove nothing is left). */
  afterTable?: (table: TargetTable) => void;
  now?: Date;
}

/**
 * The whole import: read and check the Vaultwarden database, map it, and (unless a dry run) migrate the Vaultwave
 * database, refuse a non-empty one without `force`, stage the files, write every row in one transaction, and
 * only then move the files and the signing key into place. Returns the report's data.
 */
export async function runImport(config: AppConfig, options: ImportOptions): Promise<ImportSummary> {
  const progress = options.progress ?? (() => undefined);
  const now = options.now ?? new Date();
  const vw = options.vaultwardenFolder;
  const sqlitePath = join(vw, 'db.sqlite3');
  const location = options.databaseUrl ? { url: options.databaseUrl } : { sqlitePath };
  if (!options.databaseUrl && !existsSync(sqlitePath)) throw new Error(`No Vaultwarden database at ${sqlitePath} (give its DATA_FOLDER, or --database-url)`);
  progress(`Reading Vaultwarden ${options.databaseUrl ? 'database (--database-url)' : sqlitePath}`);
  let schemaVersion = '';
  const snapshot = await readSnapshot(location, (versions) => { schemaVersion = checkSchemaVersion(versions); });
  progress(`Schema version ${schemaVersion}: understood`);
  const { data, files, notes } = mapSnapshot(snapshot, now, { attachments: join(vw, 'attachments'), sends: join(vw, 'sends') }, fileSizeOf);
  const keySource = join(vw, 'rsa_key.pem');
  const hasKey = existsSync(keySource);
  const summary: ImportSummary = {
    schemaVersion,
    dryRun: options.dryRun === true,
    source: Object.fromEntries(Object.entries(snapshot.tables).map(([t, rows]) => [t, rows.length])),
    written: countsOf(data),
    files: { count: files.length, bytes: files.reduce((n, f) => n + f.size, 0) },
    signingKey: hasKey ? (options.dryRun ? 'would copy' : 'copied') : 'missing',
    notes,
  };
  if (options.dryRun) return summary;

  const dataSource = createDataSource(config);
  await dataSource.initialize();
  try {
    const applied = await runMigrations(dataSource);
    if (applied.length) progress(`Applied ${applied.length} Vaultwave migration(s)`);
    await ensureEmpty(dataSource, options.force === true);
    const overlong = overlongValues(dataSource, data);
    if (overlong.length) throw new Error(`Nothing was imported: some values do not fit this database's columns:\n  ${overlong.join('\n  ')}`);
    mkdirSync(config.dataFolder, { recursive: true, mode: OWNER_ONLY_FOLDER });
    const staged = new StagedFiles({ dataFolder: config.dataFolder, attachments: config.attachments.folder, sends: config.sends.folder });
    try {
      progress(`Staging ${files.length} file(s)`);
      staged.stageAll(files);
      if (hasKey) staged.stage(keySource, join(config.dataFolder, 'rsa_key.pem'));
      await writeAll(dataSource, data, (table, rows) => {
        if (rows) progress(`  ${table}: ${rows}`);
        options.afterTable?.(table);
      });
    } catch (error) {
      staged.discard();
      throw error;
    }
    staged.commit();
    progress('Committed; files moved into place');
    return summary;
  } finally {
    await dataSource.destroy();
  }
}

async function ensureEmpty(dataSource: DataSource, force: boolean): Promise<void> {
  const users = await countUsers(dataSource.manager);
  if (users > 0 && !force) throw new TargetNotEmptyError(users);
}

export { formatReport };
