import { request as httpRequest, IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';

/** A network-level failure, reduced to what the diagnosis needs. */
export interface NetFailure {
  code: string;
  message: string;
}

export type HttpOutcome =
  | { ok: true; status: number; headers: IncomingHttpHeaders; body: string; ms: number }
  | { ok: false; error: NetFailure };

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Extra trusted CA certificates (PEM), added to Node's defaults. */
  ca?: string[];
  timeoutMs?: number;
}

const MAX_BODY = 256 * 1024;

/** Turns whatever a socket or TLS layer threw into a code and a message. */
export function toNetFailure(error: unknown): NetFailure {
  if (error && typeof error === 'object') {
    const { code, message } = error as { code?: unknown; message?: unknown };
    return { code: typeof code === 'string' ? code : 'UNKNOWN', message: shortMessage(typeof message === 'string' ? message : String(error)) };
  }
  return { code: 'UNKNOWN', message: shortMessage(String(error)) };
}

/** One line; OpenSSL's "…:SSL routines:<function>:<reason>:<file>:<line>:" reduced to its reason. */
export function shortMessage(message: string): string {
  const reason = /SSL routines:[^:]*:([^:]+)/.exec(message)?.[1];
  return (reason ?? message).replace(/\s+/g, ' ').trim();
}

/** One HTTP(S) request with node:http(s): no redirects followed, body read as UTF-8 (capped). */
export function send(url: URL, options: HttpOptions = {}): Promise<HttpOutcome> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 15_000;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: HttpOutcome): void => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    const requestFn = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers: Record<string, string> = { 'User-Agent': 'vaultwave-doctor', Accept: 'application/json', ...options.headers };
    if (options.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(options.body));
    const req = requestFn(url, { method: options.method ?? 'GET', headers, ...(options.ca ? { ca: withDefaultCas(options.ca) } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_BODY) chunks.push(chunk);
      });
      res.on('end', () => finish({ ok: true, status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms: Date.now() - started }));
      res.on('error', (error) => finish({ ok: false, error: toNetFailure(error) }));
    });
    req.setTimeout(timeoutMs, () => {
      req.destroy(Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' }));
    });
    req.on('error', (error) => finish({ ok: false, error: toNetFailure(error) }));
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** Node replaces its CA list when `ca` is given; keep the public roots as well. */
export function withDefaultCas(extra: string[]): string[] {
  return [...rootCertificates, ...extra];
}

/** Parses a JSON body, or returns undefined. */
export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}
