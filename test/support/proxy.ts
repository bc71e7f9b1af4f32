// TEST CODE ONLY: real reverse proxies (Debian packages) started by the tests on loopback, with the configs
// of docs/proxy/ rendered for a temporary directory, a random port and the throwaway test certificate.
import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TLS_CERT, TLS_KEY } from './app';

export type ProxyKind = 'nginx' | 'apache' | 'caddy' | 'haproxy';

export const PROXY_DOCS = resolve(__dirname, '../../docs/proxy');
export const REPO_ROOT = resolve(__dirname, '../..');

const PACKAGE: Record<ProxyKind, string> = { nginx: 'nginx', apache: 'apache2', caddy: 'caddy', haproxy: 'haproxy' };
const BINARY_NAMES: Record<ProxyKind, string[]> = { nginx: ['nginx'], apache: ['apache2', 'httpd'], caddy: ['caddy'], haproxy: ['haproxy'] };

/** The proxy's executable, looked up in PATH and the sbin directories (which a non-root PATH may lack). */
export function findProxyBinary(kind: ProxyKind): string | null {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/bin', '/sbin', '/usr/local/sbin', '/usr/local/bin'].filter(Boolean);
  for (const name of BINARY_NAMES[kind]) {
    for (const dir of dirs) {
      const path = join(dir, name);
      if (existsSync(path)) return path;
    }
  }
  return null;
}

/**
 * describe() when the proxy is installed. When it is missing: skipped with the reason in the title on a
 * developer machine, but a failing test in CI (CI=true), where .ci/run installs every proxy.
 */
export function describeWithProxy(kind: ProxyKind, title: string, body: (binary: string) => void): void {
  const binary = findProxyBinary(kind);
  if (binary) {
    describe(title, () => body(binary));
  } else if (process.env.CI === 'true') {
    describe(title, () => {
      it(`needs the ${kind} binary`, () => {
        throw new Error(`${kind} is not installed, but CI must test it: .ci/run installs the Debian package "${PACKAGE[kind]}"`);
      });
    });
  } else {
    describe.skip(`${title} [SKIPPED: ${kind} is not installed; apt-get install ${PACKAGE[kind]}]`, () => body(''));
  }
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Replaces each example value of a documented config with the test's value. Every example value must
 * still be in the template, so that the docs and the tests cannot drift apart silently.
 */
export function renderTemplate(name: string, text: string, replacements: ReadonlyArray<readonly [string, string]>): string {
  let out = text;
  for (const [from, to] of replacements) {
    if (!out.includes(from)) throw new Error(`docs/proxy/${name} no longer contains "${from}"; update the test harness (test/support/proxy.ts) with the doc`);
    out = out.split(from).join(to);
  }
  return out;
}

export interface ProxyOptions {
  binary: string;
  /** File name under docs/proxy/. */
  template: string;
  /** Port the proxy listens on (TLS), on 127.0.0.1. */
  port: number;
  /** Port of the plain-HTTP server behind it, on 127.0.0.1. */
  upstreamPort: number;
}

interface Layout {
  dir: string;
  port: number;
  upstreamPort: number;
}

interface Recipe {
  replacements(l: Layout): Array<[string, string]>;
  /** Writes the rendered config (and any wrapper) and returns the command line. */
  prepare(l: Layout, rendered: string, binary: string): { args: string[]; env?: Record<string, string> };
}

const upstream = (l: Layout): [string, string] => ['127.0.0.1:8000', `127.0.0.1:${l.upstreamPort}`];
const certs = (): Array<[string, string]> => [['/etc/ssl/vaultwave/fullchain.pem', TLS_CERT], ['/etc/ssl/vaultwave/privkey.pem', TLS_KEY]];

const APACHE_MODULE_DIRS = ['/usr/lib/apache2/modules', '/usr/lib64/httpd/modules', '/usr/lib/httpd/modules', '/usr/libexec/apache2'];

const RECIPES: Record<ProxyKind, Recipe> = {
  nginx: {
    replacements: (l) => [
      ['    listen [::]:443 ssl http2;\n', ''],
      ['listen 443 ssl http2;', `listen 127.0.0.1:${l.port} ssl http2;`],
      ...certs(),
      ['/var/log/nginx/', `${l.dir}/`],
      upstream(l),
    ],
    prepare(l, rendered) {
      writeFileSync(join(l.dir, 'vaultwave.conf'), rendered);
      const temp = (name: string): string => `${name}_temp_path ${join(l.dir, `${name}_temp`)};`;
      writeFileSync(join(l.dir, 'nginx.conf'), [
        `pid ${join(l.dir, 'nginx.pid')};`,
        `error_log ${join(l.dir, 'nginx-main-error.log')};`,
        'daemon off;',
        'worker_processes 1;',
        'events { worker_connections 512; }',
        'http {',
        `  ${temp('client_body')} ${temp('proxy')} ${temp('fastcgi')} ${temp('uwsgi')} ${temp('scgi')}`,
        '  access_log off;',
        `  include ${join(l.dir, 'vaultwave.conf')};`,
        '}',
        '',
      ].join('\n'));
      return { args: ['-p', `${l.dir}/`, '-c', join(l.dir, 'nginx.conf'), '-e', join(l.dir, 'nginx-startup-error.log')] };
    },
  },
  apache: {
    replacements: (l) => [
      ['<VirtualHost *:443>', `<VirtualHost 127.0.0.1:${l.port}>`],
      ...certs(),
      ['/var/log/apache2/', `${l.dir}/`],
      upstream(l),
    ],
    prepare(l, rendered) {
      writeFileSync(join(l.dir, 'vaultwave.conf'), rendered);
      const modules = APACHE_MODULE_DIRS.find((dir) => existsSync(join(dir, 'mod_proxy.so')));
      if (!modules) throw new Error(`no Apache module directory found in ${APACHE_MODULE_DIRS.join(', ')}`);
      const load = (name: string): string => `LoadModule ${name}_module ${join(modules, `mod_${name}.so`)}`;
      // What a Debian apache2.conf + "a2enmod ssl proxy proxy_http headers" provides around the site file.
      writeFileSync(join(l.dir, 'httpd.conf'), [
        `ServerRoot ${l.dir}`,
        `DefaultRuntimeDir ${l.dir}`,
        `PidFile ${join(l.dir, 'httpd.pid')}`,
        'ServerName 127.0.0.1',
        ...(process.getuid?.() === 0 ? ['User #65534', 'Group #65534'] : []),
        `Listen 127.0.0.1:${l.port} https`,
        ...['mpm_event', 'authz_core', 'socache_shmcb', 'ssl', 'headers', 'alias', 'proxy', 'proxy_http'].map(load),
        `ErrorLog ${join(l.dir, 'apache-main-error.log')}`,
        'LogLevel warn',
        `Include ${join(l.dir, 'vaultwave.conf')}`,
        '',
      ].join('\n'));
      return { args: ['-d', l.dir, '-f', join(l.dir, 'httpd.conf'), '-DFOREGROUND'] };
    },
  },
  caddy: {
    replacements: (l) => [
      // Test-only global options: no admin endpoint (tests run in parallel), no :80 listener, loopback only.
      ["{\n\t# Caddy's own log", "{\n\tadmin off\n\tauto_https disable_redirects\n\tdefault_bind 127.0.0.1\n\t# Caddy's own log"],
      ['vault.example.com {', `https://127.0.0.1:${l.port} {`],
      ...certs(),
      ['/var/log/caddy/', `${l.dir}/`],
      upstream(l),
    ],
    prepare(l, rendered) {
      writeFileSync(join(l.dir, 'Caddyfile'), rendered);
      return {
        args: ['run', '--config', join(l.dir, 'Caddyfile'), '--adapter', 'caddyfile'],
        env: { HOME: l.dir, XDG_DATA_HOME: join(l.dir, 'data'), XDG_CONFIG_HOME: join(l.dir, 'config') },
      };
    },
  },
  haproxy: {
    replacements: (l) => [
      // HAProxy's log goes to its standard output, which the harness writes to haproxy.stdout.log.
      ['log /dev/log local0', 'log stdout format raw local0'],
      ['bind :443 ssl', `bind 127.0.0.1:${l.port} ssl`],
      ['/etc/haproxy/certs/vaultwave.pem', join(l.dir, 'vaultwave.pem')],
      upstream(l),
    ],
    prepare(l, rendered) {
      writeFileSync(join(l.dir, 'vaultwave.pem'), `${readFileSync(TLS_CERT, 'utf8')}\n${readFileSync(TLS_KEY, 'utf8')}`);
      writeFileSync(join(l.dir, 'haproxy.cfg'), rendered);
      return { args: ['-db', '-f', join(l.dir, 'haproxy.cfg'), '-p', join(l.dir, 'haproxy.pid')] };
    },
  },
};

/**
 * Runs the proxy ($2…) as a child of this shell. SIGTERM to the shell is passed on to the proxy and the shell
 * exits with it. A watcher ends the proxy if the test process ($1) disappears without cleaning up.
 */
const SUPERVISOR = [
  'owner=$1; shift',
  '"$@" &',
  'proxy=$!',
  "trap 'kill -TERM \"$proxy\" 2>/dev/null' TERM INT HUP",
  '( while kill -0 "$owner"; do sleep 1; done; kill -TERM "$proxy"; sleep 3; kill -KILL "$proxy" ) >/dev/null 2>&1 &',
  'watcher=$!',
  'wait "$proxy"; status=$?',
  'while [ "$status" -gt 128 ] && kill -0 "$proxy" 2>/dev/null; do wait "$proxy"; status=$?; done',
  'kill "$watcher" 2>/dev/null',
  'exit "$status"',
].join('\n');

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // the proxy and its workers: its own process group (detached)
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolveReady, reject) => {
    const attempt = (): void => {
      if (child.exitCode !== null || child.signalCode !== null) {
        reject(new Error(`exited with ${child.exitCode ?? child.signalCode} before listening`));
        return;
      }
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolveReady();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`not listening on ${port} after ${timeoutMs} ms`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/** A proxy process with its own config, pid and log files in a temporary directory. */
export class ProxyProcess {
  private child: ChildProcess | null = null;
  private startCount = 0;
  /** The config as rendered from the documented template (before any test mutation). */
  readonly documented: string;
  readonly dir: string;

  constructor(readonly kind: ProxyKind, private readonly options: ProxyOptions) {
    this.dir = mkdtempSync(join(tmpdir(), `proxy-${kind}-`));
    chmodSync(this.dir, 0o755); // nginx and Apache workers run as nobody when the tests run as root
    const template = readFileSync(join(PROXY_DOCS, options.template), 'utf8');
    this.documented = renderTemplate(options.template, template, RECIPES[kind].replacements(this.layout));
  }

  get port(): number {
    return this.options.port;
  }

  /** https://127.0.0.1:<port> */
  get origin(): string {
    return `https://127.0.0.1:${this.options.port}`;
  }

  private get layout(): Layout {
    return { dir: this.dir, port: this.options.port, upstreamPort: this.options.upstreamPort };
  }

  /** Starts the proxy with the documented config, or with `config` (a mutation of `documented`). */
  async start(config = this.documented): Promise<void> {
    if (this.child) throw new Error(`${this.kind} already running`);
    const { args, env } = RECIPES[this.kind].prepare(this.layout, config, this.options.binary);
    const n = this.startCount++;
    const out = openSync(join(this.dir, `${this.kind}.stdout${n ? `.${n}` : ''}.log`), 'a');
    const err = openSync(join(this.dir, `${this.kind}.stderr${n ? `.${n}` : ''}.log`), 'a');
    // Own process group (detached), led by a small supervisor shell: stop() signals the whole group, and if
    // this test process dies without cleaning up (killed, crashed), the supervisor ends the proxy within 1 s.
    const child = spawn('/bin/sh', ['-c', SUPERVISOR, 'proxy-supervisor', String(process.pid), this.options.binary, ...args], {
      cwd: this.dir, detached: true, stdio: ['ignore', out, err], env: { ...process.env, ...env },
    });
    closeSync(out);
    closeSync(err);
    this.child = child;
    running.add(child);
    child.once('exit', () => running.delete(child));
    try {
      await waitForPort(this.options.port, child, 15_000);
    } catch (error) {
      await this.stop();
      throw new Error(`${this.kind} (${this.options.binary} ${args.join(' ')}) failed to start: ${(error as Error).message}\n${this.logText()}`);
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child) return;
    const exited = new Promise<void>((r) => {
      if (child.exitCode !== null || child.signalCode !== null) r();
      else child.once('exit', () => r());
    });
    try {
      child.kill('SIGTERM'); // the supervisor passes it on and exits once the proxy has exited
    } catch {
      /* already gone */
    }
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    killGroup(child, 'SIGKILL'); // anything left in the group (workers of a killed master)
    running.delete(child);
  }

  /** Stops and starts again on the same port with another config. */
  async restart(config = this.documented): Promise<void> {
    await this.stop();
    await this.start(config);
  }

  /** Every log file of this proxy (access, error, stdout, stderr). */
  logFiles(): string[] {
    return readdirSync(this.dir).filter((f) => f.endsWith('.log')).map((f) => join(this.dir, f));
  }

  logText(): string {
    return this.logFiles().map((f) => `--- ${f}\n${readFileSync(f, 'utf8').slice(-4000)}`).join('\n');
  }

  /** Stops the proxy and removes its directory. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
