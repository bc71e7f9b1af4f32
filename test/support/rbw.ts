// TEST CODE ONLY: drives rbw (the unofficial Rust Bitwarden CLI) with one isolated profile per instance:
// own RBW_PROFILE, HOME and XDG directories, a scripted pinentry, and trust in exactly one CA file.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

/** The pinned version (.ci/run installs it with `cargo install rbw --version … --locked --no-default-features`). */
export const RBW_VERSION = '1.15.0';

export interface RbwBinaries { rbw: string; agent: string }
export interface RbwResult { code: number; stdout: string; stderr: string }

function executable(path: string | undefined): path is string {
  if (!path) return false;
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  return (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, name)).find(executable);
}

/**
 * `RBW_BIN`, else ~/.cargo/bin/rbw, else `rbw` on PATH; the agent is `RBW_AGENT`, else `rbw-agent` next to rbw,
 * else on PATH. Undefined when either is missing.
 */
export function findRbw(): RbwBinaries | undefined {
  const rbw = [process.env.RBW_BIN, join(homedir(), '.cargo', 'bin', 'rbw'), onPath('rbw')].find(executable);
  if (!rbw) return undefined;
  const agent = [process.env.RBW_AGENT, join(dirname(rbw), 'rbw-agent'), onPath('rbw-agent')].find(executable);
  return agent ? { rbw, agent } : undefined;
}

/**
 * `describe` with the rbw binaries when they are installed; otherwise `describe.skip` locally (the reason in the
 * title), and in CI (CI=true) a suite with one failing test, so a CI without rbw can never pass silently.
 */
export function describeWithRbw(name: string, body: (binaries: RbwBinaries) => void): void {
  const binaries = findRbw();
  if (binaries) {
    describe(name, () => body(binaries));
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it(`needs rbw ${RBW_VERSION} and rbw-agent (RBW_BIN, ~/.cargo/bin or PATH)`, () => {
        throw new Error(`rbw not found in CI: .ci/run must install it (cargo install rbw --version ${RBW_VERSION} --locked --no-default-features)`);
      });
    });
  } else {
    describe.skip(`${name} (skipped: rbw not found; set RBW_BIN or run cargo install rbw --version ${RBW_VERSION} --locked --no-default-features)`, () => body({ rbw: 'rbw', agent: 'rbw-agent' }));
  }
}

/** Assuan data lines escape %, CR and LF. */
function assuanEscape(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** One rbw installation: its own config, cache, data and runtime directories, and its own agent. */
export class RbwProfile {
  readonly root = mkdtempSync(join(tmpdir(), 'rbw-'));
  /** Unique per instance: rbw keeps everything (socket, pidfile, local database) under `rbw-<profile>`. */
  readonly profile = `vaultwave-${randomBytes(4).toString('hex')}`;
  private readonly env: NodeJS.ProcessEnv;
  private readonly pinentry = join(this.root, 'pinentry.sh');
  private readonly pinentryPassword = join(this.root, 'pinentry-password');
  private readonly pinentryLog = join(this.root, 'pinentry.log');

  /** caFile: the only certificate rbw trusts (rustls-native-certs reads SSL_CERT_FILE instead of the system store). */
  constructor(private readonly binaries: RbwBinaries, caFile: string) {
    const dir = (name: string): string => {
      const path = join(this.root, name);
      mkdirSync(path, { mode: 0o700 });
      return path;
    };
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: dir('home'),
      XDG_CONFIG_HOME: dir('config'),
      XDG_CACHE_HOME: dir('cache'),
      XDG_DATA_HOME: dir('data'),
      XDG_RUNTIME_DIR: dir('run'),
      RBW_PROFILE: this.profile,
      RBW_AGENT: binaries.agent,
      SSL_CERT_FILE: caFile,
      // rbw reads the password and notes of `add`/`edit` from stdin when stdin is not a terminal (it always is a
      // pipe here) and only runs $VISUAL/$EDITOR otherwise: an editor that fails makes any other path visible.
      VISUAL: '/bin/false',
      EDITOR: '/bin/false',
      RUST_LOG: 'info',
    };
    for (const name of ['SSL_CERT_DIR', 'http_proxy', 'https_proxy', 'all_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'no_proxy', 'NO_PROXY', 'DISPLAY', 'WAYLAND_DISPLAY', 'DBUS_SESSION_BUS_ADDRESS', 'SSH_AUTH_SOCK']) {
      delete env[name];
    }
    this.env = env;
    // Scripted pinentry (Assuan): OK to the greeting and every command, GETPIN answered with the password file.
    // rbw writes all its commands at once (SETTITLE, SETPROMPT, SETDESC, [SETERROR], GETPIN) and then closes stdin.
    writeFileSync(this.pinentry, [
      '#!/bin/sh',
      '# TEST ONLY: scripted pinentry for rbw (written by test/support/rbw.ts).',
      'echo "OK Pleased to meet you"',
      'while IFS= read -r line; do',
      `  printf '%s\\n' "$line" >> '${this.pinentryLog}'`,
      '  case "$line" in',
      `    GETPIN*) printf 'D %s\\nOK\\n' "$(cat '${this.pinentryPassword}')" ;;`,
      '    BYE*) echo OK; exit 0 ;;',
      '    *) echo OK ;;',
      '  esac',
      'done',
      '',
    ].join('\n'), { mode: 0o700 });
    writeFileSync(this.pinentryLog, '');
    this.setPinentryPassword('');
  }

  /** What the scripted pinentry answers to GETPIN from now on. */
  setPinentryPassword(password: string): void {
    writeFileSync(this.pinentryPassword, assuanEscape(password), { mode: 0o600 });
  }

  /** Every Assuan command the pinentry received so far (SETPROMPT Master Password, GETPIN, …). */
  pinentryCommands(): string[] {
    return readFileSync(this.pinentryLog, 'utf8').split('\n').filter(Boolean);
  }

  /** How many times a password was asked for. */
  pinentryPrompts(): number {
    return this.pinentryCommands().filter((line) => line === 'GETPIN').length;
  }

  /** Runs `rbw …` asynchronously (never execFileSync: it would freeze the in-process server); `input` goes to stdin. */
  run(args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<RbwResult> {
    return new Promise((resolve) => {
      const child = execFile(this.binaries.rbw, args,
        { env: this.env, cwd: this.root, timeout: options.timeoutMs ?? 30_000, killSignal: 'SIGKILL', encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          const killed = error?.killed ? `\n(killed after ${options.timeoutMs ?? 30_000} ms)` : '';
          resolve({ code, stdout, stderr: `${stderr}${killed}` });
        });
      child.stdin?.on('error', () => undefined); // rbw may exit without reading stdin
      child.stdin?.end(options.input ?? '');
    });
  }

  /**
   * `run`, then throws (with stderr and the agent's log) unless rbw exited with 0; returns stdout.
   * rbw-agent rewrites its local database file in place (truncate, then write: not atomic in rbw 1.15.0), so a
   * read-only command that runs while the agent saves a sync can see a half-written file ("failed to load db
   * from …"): those commands are retried a few times. Commands that change the vault are never retried; after
   * them, `ok` waits until the agent has saved the sync that the server's hub message about that very change
   * triggers (rbw sends no device identifier with API calls, so its own changes come back over the hub).
   */
  async ok(args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<string> {
    const readOnly = ['list', 'ls', 'get', 'history', 'search', 'unlocked', '--version'].includes(args[0] ?? '');
    const changesVault = ['add', 'edit', 'remove', 'rm', 'generate', 'gen'].includes(args[0] ?? '');
    for (let attempt = 1; ; attempt++) {
      const result = await this.run(args, options);
      if (result.code === 0) {
        if (changesVault) await this.settle();
        return result.stdout;
      }
      if (readOnly && attempt < 5 && result.stderr.includes('failed to load db from')) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      throw new Error(`rbw ${args.join(' ')} failed (${result.code}): ${result.stderr.trim() || result.stdout.trim()}${this.agentLogTail()}`);
    }
  }

  /** Waits until rbw's local database files have not changed for `quietMs` (at most `maxMs`). */
  async settle(quietMs = 300, maxMs = 5_000): Promise<void> {
    const dir = join(this.env.XDG_CACHE_HOME!, `rbw-${this.profile}`);
    const stamp = (): string => (existsSync(dir) ? readdirSync(dir).map((f) => `${f}:${statSync(join(dir, f)).mtimeMs}`).join(',') : '');
    const deadline = Date.now() + maxMs;
    let last = stamp();
    let since = Date.now();
    while (Date.now() - since < quietMs && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      const now = stamp();
      if (now !== last) {
        last = now;
        since = Date.now();
      }
    }
  }

  /** Writes the configuration (`rbw config set …`) and the pinentry password. */
  async configure(options: { baseUrl: string; email: string; password: string; settings?: Record<string, string> }): Promise<void> {
    const settings: Record<string, string> = {
      email: options.email,
      base_url: options.baseUrl,
      pinentry: this.pinentry,
      ...options.settings,
    };
    for (const [key, value] of Object.entries(settings)) await this.ok(['config', 'set', key, value]);
    this.setPinentryPassword(options.password);
  }

  private get dataDir(): string { return join(this.env.XDG_DATA_HOME!, `rbw-${this.profile}`); }
  private get runtimeDir(): string { return join(this.env.XDG_RUNTIME_DIR!, `rbw-${this.profile}`); }

  /** The agent's stderr (its own log: failed syncs, websocket errors, …). */
  agentLog(): string {
    const file = join(this.dataDir, 'agent.err');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  private agentLogTail(): string {
    const log = this.agentLog().trim();
    return log ? `\n--- rbw-agent stderr (tail) ---\n${log.split('\n').slice(-15).join('\n')}` : '';
  }

  /** The agent's pid from its pidfile, if that process is still an rbw-agent. */
  agentPid(): number | undefined {
    const pidfile = join(this.runtimeDir, 'pidfile');
    if (!existsSync(pidfile)) return undefined;
    const pid = Number.parseInt(readFileSync(pidfile, 'utf8').trim(), 10);
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return cmdline.includes('rbw-agent') ? pid : undefined;
    } catch {
      return undefined; // gone
    }
  }

  /** `rbw stop-agent`, then SIGTERM/SIGKILL by the pidfile if the agent is still there; removes every directory. */
  async stop(): Promise<void> {
    await this.run(['stop-agent'], { timeoutMs: 10_000 });
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      const pid = this.agentPid();
      if (pid === undefined) break;
      try {
        process.kill(pid, signal);
      } catch {
        break;
      }
      for (let i = 0; i < 20 && this.agentPid() !== undefined; i++) await new Promise((r) => setTimeout(r, 100));
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}

/**
 * Runs `fn` with `globalThis.fetch` trusting `caFile` for https URLs (the jest worker's own fetch trusts only
 * test/fixtures/tls/cert.pem, through NODE_EXTRA_CA_CERTS). Lets the test helpers that use fetch
 * (createPbkdf2User, passwordLogin) talk to a server whose certificate is signed by another CA.
 * Supports what those helpers send: string or URL input, string body.
 */
export async function withCaFetch<T>(caFile: string, fn: () => Promise<T>): Promise<T> {
  const ca = readFileSync(caFile);
  const original = globalThis.fetch;
  const caFetch = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    if (input instanceof Request) throw new Error('withCaFetch: Request objects are not supported');
    const url = new URL(input);
    if (url.protocol !== 'https:') return original(input, init);
    if (init.body !== undefined && init.body !== null && typeof init.body !== 'string') throw new Error('withCaFetch: only string bodies');
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => { headers[key] = value; });
    return new Promise((resolve, reject) => {
      const req = request(url, { method: init.method ?? 'GET', headers, ca }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const responseHeaders = new Headers();
          for (const [key, value] of Object.entries(res.headers)) {
            for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) responseHeaders.append(key, v);
          }
          const status = res.statusCode ?? 0;
          const body = [101, 204, 205, 304].includes(status) ? null : Buffer.concat(chunks);
          resolve(new Response(body, { status, statusText: res.statusMessage, headers: responseHeaders }));
        });
      });
      req.on('error', reject);
      req.end(init.body ?? undefined);
    });
  };
  globalThis.fetch = caFetch as typeof fetch;
  try {
    return await fn();
  } finally {
    globalThis.fetch = original;
  }
}
