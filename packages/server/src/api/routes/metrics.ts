/** Prometheus exposition of the process's metrics and the database's queue gauges. */
import type { PrometheusMetrics } from '../../ops/metrics.ts';
import type { HeraldApp } from '../context.ts';

export function registerMetricsRoutes(
  app: HeraldApp,
  metrics: PrometheusMetrics,
  opts: { public: boolean },
): void {
  app.get(
    '/metrics',
    {
      // Public only when configured so (default: when Herald listens on loopback); otherwise an admin key.
      config: { access: opts.public ? 'public' : 'admin' },
      schema: { tags: ['operations'], summary: 'Prometheus metrics (text exposition format)', hide: false },
    },
    async (_request, reply) => {
      const { contentType, body } = await metrics.scrape();
      return reply.header('content-type', contentType).send(body);
    },
  );
}
