import { Controller, Get, Inject, Optional, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { Metrics, OutboxDepth } from '../common/metrics/metrics';
import { sameText } from '../common/security/same-text';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';

/** GET /metrics: Prometheus text format, only with METRICS_ENABLED; with METRICS_TOKEN set, only for that bearer token. */
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig, private readonly metrics: Metrics, @Optional() private readonly outbox?: OutboxDepth) {}

  @Get()
  async scrape(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (!this.config.metrics.enabled) throw new VaultError(ErrorCode.NotFound);
    const token = this.config.metrics.token;
    if (token !== null) {
      const given = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
      if (!sameText(given, token)) throw new VaultError(ErrorCode.InvalidToken);
    }
    if (this.outbox) this.metrics.outboxDepth.set(await this.outbox.pendingCount());
    res.setHeader('Content-Type', this.metrics.registry.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.send(await this.metrics.registry.metrics());
  }
}
