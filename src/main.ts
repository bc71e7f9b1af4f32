import 'reflect-metadata';
import { createApp } from './app.factory';
import { ConfigError, describeConfig, loadConfig, readEnvironment } from './config/app-config';
import { configureLogging, drainLogs, droppedLogLines, flushLogs, getLogger } from './common/logging/logger';

async function main(): Promise<void> {
  let loaded;
  try {
    loaded = loadConfig(readEnvironment());
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) process.stderr.write(`Configuration error: ${problem}\n`);
      process.exit(1);
    }
    throw error;
  }
  const { config, warnings } = loaded;
  configureLogging(config.log);
  const log = getLogger('Main');
  // Logging is asynchronous: a crash writes out what is still buffered before the process ends.
  process.on('uncaughtException', (error) => {
    log.error({ err: error.stack ?? String(error) }, 'server.crashed');
    flushLogs();
    process.exit(1);
  });
  // Lines dropped because a reader (stdout, LOG_FILE) was too slow are reported, once a minute at most.
  let reported = 0;
  setInterval(() => {
    const lost = droppedLogLines();
    const total = Object.values(lost).reduce((a, b) => a + b, 0);
    if (total > reported) log.warn({ dropped: lost }, 'log.lines_dropped');
    reported = total;
  }, 60_000).unref();
  /** Graceful end: live readers get up to a second to take what is buffered; a stalled one never holds the exit. */
  const exit = (code: number): void => {
    const lost = droppedLogLines();
    if (Object.keys(lost).length > 0) log.warn({ dropped: lost }, 'log.lines_dropped');
    void drainLogs(1_000).then(() => {
      flushLogs();
      process.exit(code);
    });
  };
  for (const warning of warnings) log.warn(warning);
  const app = await createApp(config);
  await app.listen(config.port, config.address);
  log.info({ ...describeConfig(config), url: await app.getUrl() }, 'server.listening');

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'server.stopping');
    const force = setTimeout(() => {
      log.error('server.shutdown_timeout');
      exit(1);
    }, 10_000);
    force.unref();
    app.close().then(
      () => {
        log.info('server.stopped');
        exit(0);
      },
      (error: unknown) => {
        log.error({ err: String(error) }, 'server.shutdown_failed');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`Start-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
