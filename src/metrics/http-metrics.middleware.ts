import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Metrics } from '../common/metrics/metrics';

/** Times every HTTP request by method, matched route pattern (ids stay out of labels) and status class. */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: Metrics) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.metrics.httpSeconds.observe({ method: req.method, route: route ? `${req.baseUrl}${route}` : 'unmatched', status: `${Math.floor(res.statusCode / 100)}xx` }, seconds);
    });
    next();
  }
}
