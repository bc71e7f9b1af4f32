import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { clientIp } from '../http/client-ip';
import { correlation, getLogger } from './logger';

const log = getLogger('HTTP');

/**
 * One line per request: method, path WITHOUT the query string, status, duration, client IP.
 * Never headers, never bodies, never query strings (browsers put access_token there).
 */
export function requestLogger(config: AppConfig) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    const id = randomUUID();
    // Read now: once the response has finished, a proxy may already have closed the socket.
    const ip = clientIp(req, config);
    res.setHeader('X-Request-Id', id);
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const path = (req.originalUrl ?? req.url).split('?')[0];
      log.info({ cid: id, method: req.method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10, ip }, 'http.request');
    });
    correlation.run({ id }, next);
  };
}
