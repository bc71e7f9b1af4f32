import { LoggerService } from '@nestjs/common';
import pino, { DestinationStream, Logger } from 'pino';
import SonicBoom from 'sonic-boom';
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

export interface LogOptions { level: string; file: string | null; format: 'json' | 'pretty'; bufferBytes?: number }

let root: Logger = pino({ level: 'info', redact: REDACT });

/** Extra sinks tests can attach to capture every line. */
const extraStreams: DestinationStream[] = [];
export function addLogSink(stream: DestinationStream): void {
  extraStreams.push(stream);
}

/**
 * Default of the bytes a log destination buffers while its reader is slow (a stalled stdout pipe, a slow disk;
 * LOG_BUFFER_SIZE). Past it new lines are dropped and counted: logging costs memory up to this bound, never
 * event-loop time.
 */
export const LOG_BUFFER_BYTES = 8 * 1024 * 1024;

/** Lines each destination dropped because its buffer was full. */
const dropped = new Map<string, number>();
/** An asynchronous destination of the current configuration. */
interface Destination { boom: SonicBoom }
/** The asynchronous destinations of the current configuration (flushed on shutdown and on a crash). */
let destinations: Destination[] = [];

/**
 * An asynchronous destination: lines are queued in memory and written by libuv in the background (fs.write on
 * the thread pool), so a write never blocks the event loop; the queue is bounded by LOG_BUFFER_BYTES.
 */
function asyncDestination(name: string, dest: number | string, maxLength: number): SonicBoom {
  const destination = new SonicBoom({ dest, sync: false, maxLength, mkdir: typeof dest === 'string' });
  destination.on('drop', (data: string | Buffer) => {
    const lines = String(data).split('\n').filter(Boolean).length || 1;
    dropped.set(name, (dropped.get(name) ?? 0) + lines);
  });
  destination.on('error', () => undefined); // a closed stdout must not crash the server
  destinations.push({ boom: destination });
  return destination;
}

function prettyStream(out: SonicBoom): DestinationStream {
  const levels: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
  return {
    write(line: string): void {
      try {
        const { time, level, context, msg, pid: _pid, hostname: _host, ...rest } = JSON.parse(line) as Record<string, unknown>;
        const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
        out.write(`${new Date(Number(time)).toISOString()} ${levels[Number(level)] ?? level} [${String(context ?? 'app')}] ${String(msg ?? '')}${extra}\n`);
      } catch {
        out.write(line);
      }
    },
  };
}

export function configureLogging(options: LogOptions, sinks: { stdout: boolean } = { stdout: true }): Logger {
  flushLogs();
  destinations = [];
  const streams: pino.StreamEntry[] = [];
  if (sinks.stdout) {
    const stdout = asyncDestination('stdout', 1, options.bufferBytes ?? LOG_BUFFER_BYTES);
    streams.push({ stream: options.format === 'pretty' ? prettyStream(stdout) : stdout, level: options.level as pino.Level });
  }
  if (options.file) {
    mkdirSync(dirname(options.file), { recursive: true });
    streams.push({ stream: asyncDestination('file', options.file, options.bufferBytes ?? LOG_BUFFER_BYTES), level: options.level as pino.Level });
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

/** Lines dropped so far, per destination (stdout, file), because a reader was too slow. */
export function droppedLogLines(): Record<string, number> {
  return Object.fromEntries(dropped);
}

/**
 * Writes out whatever the destinations still hold, synchronously: on shutdown and on a crash, so the last lines
 * are not lost. A destination that cannot take them (a stalled pipe) is skipped, never waited for.
 */
export function flushLogs(): void {
  for (const { boom } of destinations) {
    // SonicBoom's own state: bytes still queued, and whether a background write is in flight.
    const state = boom as unknown as { _len: number; _writing: boolean };
    if (state._len === 0) continue;
    // A background write in flight may be stuck on a reader that stopped (a full pipe): a synchronous write to
    // the same descriptor would then block for good, however recent its last progress. drainLogs() gives a
    // live reader time to take the rest first.
    if (state._writing) continue;
    try {
      boom.flushSync();
    } catch {
      /* EAGAIN on a full pipe, or a closed descriptor: what is left is dropped */
    }
  }
}

/** Waits, at most `timeoutMs`, until every destination has written what it holds (graceful shutdown). */
export async function drainLogs(timeoutMs = 1_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const busy = (): boolean => destinations.some(({ boom }) => {
    const state = boom as unknown as { _len: number; _writing: boolean };
    return state._len > 0 || state._writing;
  });
  while (busy() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
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
