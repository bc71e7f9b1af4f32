import { Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { Metrics } from '../common/metrics/metrics';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { MetricsController } from './metrics.controller';

/** Prometheus metrics: one registry per app, counted wherever Metrics is injected, served by /metrics. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [{ provide: Metrics, useFactory: () => new Metrics() }, HttpMetricsMiddleware],
  exports: [Metrics],
})
export class MetricsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*');
  }
}
