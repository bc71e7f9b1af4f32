// test/support/bw-cli.ts (TEST CODE ONLY): one isolated official-CLI profile per instance.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The two pinned official CLI builds: 2026.6.0 (main) and 2026.9.0 (installed as bitwarden-cli-next). */
export const BW_CLI_VERSIONS = {
  '2026.6.0': require.resolve('@bitwarden/cli/build/bw.js'),
  '2026.9.0': require.resolve('bitwarden-cli-next/build/bw.js'),
} as const;
export type BwCliVersion = keyof typeof BW_CLI_VERSIONS;

export interface BwResult { code: number; stdout: string; stderr: string }

export class BwProfile {
  readonly appDataDir = mkdtempSync(join(tmpdir(), 'bw-profile-'));
  session: string | undefined;

  /** caFile: PEM of the test server's certificate (or of its CA). */
  constructor(private readonly caFile: string, readonly version: BwCliVersion = '2026.6.0') {}

  /** Runs `node bw.js …` asynchronously: never execFileSync, it would freeze hub clients in this process. */
  run(args: string[], timeoutMs = 60_000, extraEnv: Record<string, string> = {}): Promise<BwResult> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...extraEnv,
      BITWARDENCLI_APPDATA_DIR: this.appDataDir,
      NODE_EXTRA_CA_CERTS: this.caFile,
    };
    delete env.http_proxy; // the CLI sends every request through http_proxy/https_proxy and ignores no_proxy
    delete env.https_proxy;
    delete env.BW_SESSION;
    if (this.session) env.BW_SESSION = this.session;
    return new Promise((resolve) => {
      execFile(process.execPath, [BW_CLI_VERSIONS[this.version], ...args, '--nointeraction'],
        { env, timeout: timeoutMs, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, stdout: stdout.trim(), stderr: stderr.trim() });
        });
    });
  }

  /** Runs a command that prints JSON (create, edit, restore, get, list, status) and parses it. */
  async json<T>(args: string[]): Promise<T> {
    const result = await this.run(args);
    if (result.code !== 0) throw new Error(`bw ${args[0] ?? ''} failed (${result.code}): ${result.stderr || result.stdout}`);
    return JSON.parse(result.stdout) as T;
  }

  /** `config server` + `login --raw`; keeps the session key for later commands. */
  async login(baseUrl: string, email: string, password: string): Promise<void> {
    await this.run(['config', 'server', baseUrl]);
    const result = await this.run(['login', email, password, '--raw']);
    if (result.code !== 0 || result.stdout === '') throw new Error(`bw login failed: ${result.stderr}`);
    this.session = result.stdout;
  }

  /** `config server` + `login --apikey` with the account's personal API key (BW_CLIENTID/SECRET for this call only). */
  async loginWithApiKey(baseUrl: string, userId: string, apiKey: string): Promise<BwResult> {
    await this.run(['config', 'server', baseUrl]);
    return this.run(['login', '--apikey'], 60_000, { BW_CLIENTID: `user.${userId}`, BW_CLIENTSECRET: apiKey });
  }

  /** The CLI's device identifier (ContextId of its changes on the hub); exists after the first login. */
  deviceIdentifier(): string {
    const state = JSON.parse(readFileSync(join(this.appDataDir, 'data.json'), 'utf8')) as Record<string, unknown>;
    return String(state.global_applicationId_appId);
  }

  /** `bw create|edit <object> <encodedJson>` take base64 of the JSON. */
  static encode(value: unknown): string {
    return Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
  }
}
