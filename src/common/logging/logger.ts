import { LoggerService } from '@nestjs/common';
import pino, { DestinationStream, Logger } from 'pino';
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** Correlation id of the current request or socket. */
export const correlation = new AsyncLocalStorage<{ id: string }>();

/** Keys whose values never reach a log line, wherever they appear. */
const REDACT = [
  'authorization', 'cookie', 'access_token', 'refresh_token', 'password', 'masterPasswordHash', 'key', 'privateKey',
  'token', 'pushToken', 'installationKey', 'clientSecret', 'client_secret',
  '*.authorization', '*.cookie', '*.access_token', '*.refresh_token', '*.password', '*.masterPasswordHash', '*.key',
  '*.privateKey', '*.token', '*.pushToken', '*.client_secret',
];

export interface LogOptions { level: string; file: string | null; format: 'json' | 'pretty' }

let root: Logger = pino({ level: 'info', redact: REDACT });

/** Extra sinks tests can attach to capture every line. */
const extraStreams: DestinationStream[] = [];
export function addLogSink(stream: DestinationStream): void {
  extraStreams.push(stream);
}

function prettyStream(): DestinationStream {
  const levels: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
  return {
    write(line: string): void {
      try {
        const { time, level, context, msg, pid: _pid, hostname: _host, ...rest } = JSON.parse(line) as Record<string, unknown>;
        const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
        process.stdout.write(`${new Date(Number(time)).toISOString()} ${levels[Number(level)] ?? level} [${String(context ?? 'app')}] ${String(msg ?? '')}${extra}\n`);
      } catch {
        process.stdout.write(line);
      }
    },
  };
}

export function configureLogging(options: LogOptions, sinks: { stdout: boolean } = { stdout: true }): Logger {
  const streams: pino.StreamEntry[] = [];
  if (sinks.stdout) streams.push({ stream: options.format === 'pretty' ? prettyStream() : process.stdout, level: options.level as pino.Level });
  if (options.file) {
    mkdirSync(dirname(options.file), { recursive: true });
    streams.push({ stream: pino.destination({ dest: options.file, sync: true, mkdir: true }), level: options.level as pino.Level });
  }
  for (const stream of extraStreams) streams.push({ stream, level: options.level as pino.Level });
  root = pino(
    {
      level: options.level,
      redact: REDACT,
      base: undefined,
      mixin: () => {
        const store = correlation.getStore();
        return store ? { cid: store.id } : {};
      },
    },
    pino.multistream(streams),
  );
  return root;
}

type LogFn = (objOrMsg: object | string, msg?: string) => void;
export interface AppLogger { trace: LogFn; debug: LogFn; info: LogFn; warn: LogFn; error: LogFn; isDebug(): boolean }

/** A logger with a context (class name); follows the root logger when logging is (re)configured. */
export function getLogger(context: string): AppLogger {
  let owner: Logger | null = null;
  let child: Logger = root;
  const current = (): Logger => {
    if (owner !== root) {
      owner = root;
      child = root.child({ context });
    }
    return child;
  };
  const fn = (level: 'trace' | 'debug' | 'info' | 'warn' | 'error'): LogFn => (objOrMsg, msg) => {
    const logger = current();
    if (typeof objOrMsg === 'string') logger[level](objOrMsg);
    else logger[level](objOrMsg, msg);
  };
  return { trace: fn('trace'), debug: fn('debug'), info: fn('info'), warn: fn('warn'), error: fn('error'), isDebug: () => current().isLevelEnabled('debug') };
}

/** Adapts pino to Nest's LoggerService so framework messages share the sink. */
export class NestPinoLogger implements LoggerService {
  log(message: unknown, context?: string): void {
    getLogger(context ?? 'Nest').info(String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    getLogger(context ?? 'Nest').error({ trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    getLogger(context ?? 'Nest').warn(String(message));
  }
  debug(message: unknown, context?: string): void {
    getLogger(context ?? 'Nest').debug(String(message));
  }
  verbose(message: unknown, context?: string): void {
    getLogger(context ?? 'Nest').trace(String(message));
  }
}
