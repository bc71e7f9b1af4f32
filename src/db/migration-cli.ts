/* npm run migration:run / migration:revert / migration:show: the same DataSource and history as the server. */
import { loadConfig, readEnvironment } from '../config/app-config';
import { configureLogging } from '../common/logging/logger';
import { createDataSource } from './data-source';
import { runMigrations } from './migrate';

async function main(): Promise<void> {
  const command = process.argv[2] ?? 'run';
  const { config } = loadConfig(readEnvironment());
  configureLogging(config.log);
  const dataSource = createDataSource(config);
  await dataSource.initialize();
  try {
    if (command === 'run') {
      const applied = await runMigrations(dataSource);
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'no pending migrations\n');
    } else if (command === 'revert') {
      await dataSource.undoLastMigration({ transaction: 'each' });
      process.stdout.write('reverted the last migration\n');
    } else if (command === 'show') {
      process.stdout.write((await dataSource.showMigrations()) ? 'pending migrations\n' : 'up to date\n');
    } else {
      throw new Error(`unknown command ${command}; expected run, revert or show`);
    }
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
