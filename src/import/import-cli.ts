/* npm run import:vaultwarden -- <Vaultwarden DATA_FOLDER> [--database-url URL] [--data-folder DIR] [--dry-run] [--force] */
import { parseArgs } from 'node:util';
import { loadConfig, readEnvironment } from '../config/app-config';
import { configureLogging } from '../common/logging/logger';
import { formatReport, runImport } from './run-import';

const USAGE = 'usage: npm run import:vaultwarden -- <Vaultwarden DATA_FOLDER> [--database-url <postgresql://… | mysql://…>] [--data-folder <dir>] [--dry-run] [--force]\n'
  + '  Imports into the database and DATA_FOLDER Vaultwave is configured with (.env / environment). Stop Vaultwarden first.';

export interface CliArguments { vaultwardenFolder: string; databaseUrl?: string; dryRun: boolean; force: boolean }

/** The command line: the Vaultwarden DATA_FOLDER as the argument or --data-folder (with --database-url, for its files). */
export function parseCliArguments(argv: string[]): CliArguments {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'database-url': { type: 'string' }, 'data-folder': { type: 'string' }, 'dry-run': { type: 'boolean' }, force: { type: 'boolean' }, help: { type: 'boolean' },
    },
  });
  if (values.help) throw new Error(USAGE);
  const folder = values['data-folder'] ?? positionals[0];
  if (!folder || positionals.length > 1) throw new Error(USAGE);
  return { vaultwardenFolder: folder, databaseUrl: values['database-url'], dryRun: values['dry-run'] === true, force: values.force === true };
}

async function main(): Promise<void> {
  const args = parseCliArguments(process.argv.slice(2));
  const { config } = loadConfig(readEnvironment());
  configureLogging({ ...config.log, level: 'warn' });
  const summary = await runImport(config, { ...args, progress: (line) => process.stdout.write(`${line}\n`) });
  process.stdout.write(`\n${formatReport(summary)}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
