// TEST CODE ONLY: the whole server, in process, on a random port over HTTPS (the official CLI refuses http).
import { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { createApp } from '../../src/app.factory';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { addLogSink, configureLogging } from '../../src/common/logging/logger';

/** Resolved from the project root, so compiled copies (bench) find the same files. */
const FIXTURES = resolve(process.cwd(), 'test/fixtures/tls');
export const TLS_CERT = resolve(FIXTURES, 'cert.pem');
export const TLS_KEY = resolve(FIXTURES, 'key.pem');

/** Every log line written by any app in this test process (for the "no secrets in logs" checks). */
export const capturedLogs: string[] = [];
let sinkAdded = false;

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  baseUrl: string;
  dataFolder: string;
  close(): Promise<void>;
}

/**
 * Starts the server: HTTPS with the test certificate on 127.0.0.1, a random port, a fresh SQLite file in a
 * temporary data folder, low server-side PBKDF2 iterations (for speed), signups open.
 * `env` overrides any variable, exactly as the environment would.
 */
export async function createTestApp(env: Record<string, string> = {}, options: { reachableDomain?: boolean; port?: number } = {}): Promise<TestApp> {
  const dataFolder = env.DATA_FOLDER ?? mkdtempSync(join(tmpdir(), 'vault-test-'));
  // Links the server builds from DOMAIN (attachment downloads) must reach it: then the port is chosen first.
  const port = options.port ?? (options.reachableDomain ? await freePort() : 0);
  const { config } = loadConfig({
    DATA_FOLDER: dataFolder,
    DOMAIN: port ? `https://127.0.0.1:${port}` : 'https://127.0.0.1',
    ROCKET_ADDRESS: '127.0.0.1',
    ROCKET_PORT: String(port),
    ROCKET_TLS: `{certs="${TLS_CERT}",key="${TLS_KEY}"}`,
    PASSWORD_ITERATIONS: '100000',
    LOG_LEVEL: 'debug',
    // Every test client comes from 127.0.0.1: the per-address limit on unauthenticated routes is tested on its own.
    UNAUTHENTICATED_RATELIMIT_MAX_BURST: '100000',
    ...env,
  });
  if (!sinkAdded) {
    sinkAdded = true;
    addLogSink(new Writable({ write(chunk: Buffer, _enc, done) { capturedLogs.push(chunk.toString('utf8')); done(); } }));
  }
  configureLogging({ ...config.log, format: 'json' }, { stdout: process.env.TEST_LOG_STDOUT === '1' });
  const app = await createApp(config);
  await app.listen(port, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const origin = `https://127.0.0.1:${address.port}`;
  return {
    app,
    config,
    baseUrl: `${origin}${config.basePath}`,
    dataFolder,
    async close() {
      await app.close();
      if (!env.DATA_FOLDER) rmSync(dataFolder, { recursive: true, force: true });
    },
  };
}

/** A port free on 127.0.0.1 right now (the OS picks it; released before the server binds it). */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolvePort(port));
    });
  });
}
