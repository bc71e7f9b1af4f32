import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What kind of client a device type is, for labels (never a user or device identifier). */
export function clientKind(deviceType: number | null | undefined): string {
  if (deviceType === null || deviceType === undefined) return 'anonymous';
  if ([0, 1, 15].includes(deviceType)) return 'mobile';
  if ([2, 3, 4, 5, 19, 20].includes(deviceType)) return 'browser-extension';
  if ([6, 7, 8, 16].includes(deviceType)) return 'desktop';
  if ([23, 24, 25].includes(deviceType)) return 'cli';
  if ([9, 10, 11, 12, 13, 14, 17, 18, 26].includes(deviceType)) return 'web';
  return 'other';
}

/**
 * The server's Prometheus metrics (served at /metrics when METRICS_ENABLED). One registry per app instance; the
 * modules that count hold it through Nest. Labels carry kinds and results, never a user, device, email or token.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly hubSockets = new Gauge({ name: 'vaultwave_hub_sockets', help: 'Open hub sockets on this instance, by hub and client kind.', labelNames: ['hub', 'client'] as const, registers: [this.registry] });
  readonly hubMessages = new Counter({ name: 'vaultwave_hub_messages_total', help: 'Hub messages by result: queued for a socket, dropped (socket not ready), collapsed into a SyncVault.', labelNames: ['result'] as const, registers: [this.registry] });
  readonly hubDeliverySeconds = new Histogram({
    name: 'vaultwave_hub_delivery_seconds', help: 'From the change being committed to the message being queued on the socket.',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry],
  });
  readonly relaySends = new Counter({ name: 'vaultwave_push_relay_sends_total', help: 'Sends to the push relay by result.', labelNames: ['result'] as const, registers: [this.registry] });
  readonly outboxDepth = new Gauge({ name: 'vaultwave_push_outbox_depth', help: 'Push outbox rows waiting to be sent (sampled when scraped).', registers: [this.registry] });
  readonly logins = new Counter({ name: 'vaultwave_logins_total', help: 'Token grants by grant type and result.', labelNames: ['grant', 'result'] as const, registers: [this.registry] });
  readonly httpSeconds = new Histogram({
    name: 'vaultwave_http_request_duration_seconds', help: 'HTTP request duration by method, route pattern and status class.', labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'vaultwave_' });
  }
}

/** The push outbox's depth, for the gauge (provided by the push module when push is on). */
export abstract class OutboxDepth {
  abstract pendingCount(): Promise<number>;
}
