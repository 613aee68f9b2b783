/**
 * What a process that serves no API (the `worker` role) still answers on
 * HERALD_HOST:HERALD_PORT: `/healthz` (the process is up), `/readyz` (its
 * database answers) and `/metrics` (its delivery metrics), so an orchestrator
 * can probe it and Prometheus can scrape it in a split deployment. Every
 * other path is a 404 in Herald's error shape.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { PrometheusMetrics } from '../ops/metrics.ts';
import type { Store } from '../store/port.ts';
import { createAuthenticator } from './auth.ts';
import { DEFAULT_API_OPTIONS, type HeraldApp } from './context.ts';
import { makeErrorHandler, notFoundHandler } from './errors.ts';
import {
  clientErrorHandler,
  frameworkErrors,
  MAX_PARAM_LENGTH,
  registerClosingGuard,
} from './framework-errors.ts';
import { registerRequestLog } from './request-log.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { registerMetricsRoutes } from './routes/metrics.ts';

export interface ProbeApiDeps {
  store: Store;
  clock: () => number;
  logger?: Logger;
  metrics: PrometheusMetrics;
  /** `/metrics` without a key; otherwise an admin key, as on the API. */
  metricsPublic: boolean;
}

export async function buildProbeApi(deps: ProbeApiDeps): Promise<FastifyInstance> {
  const fastify = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    logController: new LogController({ disableRequestLogging: true }),
    // Probes carry no body; anything larger than this is not a probe.
    bodyLimit: 1024,
    // The same shaped 503 while closing, and the same answers to what Fastify and Node refuse, as the API.
    return503OnClosing: false,
    frameworkErrors,
    clientErrorHandler,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
  });
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>() as unknown as HeraldApp;
  registerClosingGuard(app);
  registerRequestLog(app as unknown as FastifyInstance);
  app.decorateRequest('principal', null);
  app.setErrorHandler(makeErrorHandler(DEFAULT_API_OPTIONS));
  app.setNotFoundHandler(notFoundHandler);

  const auth = createAuthenticator(deps.store, deps.clock);
  // lastUsedAt writes still in flight finish before the caller closes the store.
  app.addHook('onClose', async () => auth.flushUsage());
  app.addHook('onRequest', async (request) => {
    // An unknown path is a 404 whoever asks, not a 401.
    if (request.is404) return;
    await auth.authorize(request);
  });
  registerHealthRoutes(app, { store: deps.store });
  registerMetricsRoutes(app, deps.metrics, { public: deps.metricsPublic });
  return app as unknown as FastifyInstance;
}
