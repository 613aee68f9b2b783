/**
 * The HTTP API as a Fastify instance (not listening: the composition root
 * calls `listen`). One TypeBox schema per route validates the request, types
 * the handler, shapes the response and feeds `/openapi.json`.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyError, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Sender } from '../delivery/attempt-runner.ts';
import type { RelayHub } from '../delivery/destinations/relay/hub.ts';
import { createHttpClient } from '../delivery/http-client.ts';
import { createIngest } from '../delivery/ingest.ts';
import { createPayloadSchemas } from '../delivery/payload-schemas.ts';
import { parseAllowPrivateNetworks } from '../delivery/ssrf.ts';
import { createTransformer, type Transformer } from '../delivery/transform/transformer.ts';
import { PrometheusMetrics } from '../ops/metrics.ts';
import type { OpsStore } from '../store/ops-port.ts';
import type { Store } from '../store/port.ts';
import { makeAjv } from './ajv.ts';
import { createAuthenticator } from './auth.ts';
import { type ApiOptions, DEFAULT_API_OPTIONS, type HeraldApp, type RouteDeps } from './context.ts';
import { makeErrorHandler, notFoundHandler } from './errors.ts';
import {
  clientErrorHandler,
  frameworkErrors,
  MAX_PARAM_LENGTH,
  registerClosingGuard,
} from './framework-errors.ts';
import { jsonDeeperThan, tooDeepError, withStorableText } from './input-limits.ts';
import { registerOpenApi } from './openapi/document.ts';
import { registerRequestLog } from './request-log.ts';
import { registerApiKeyRoutes } from './routes/api-keys.ts';
import { registerAttemptRoutes } from './routes/attempts.ts';
import { registerDashboardRoutes } from './routes/dashboard.ts';
import { registerEndpointHealthRoutes } from './routes/endpoint-health.ts';
import { registerEndpointSecretRoutes } from './routes/endpoint-secrets.ts';
import { registerEndpointTestRoutes } from './routes/endpoint-tests.ts';
import { registerEndpointRoutes } from './routes/endpoints.ts';
import { registerEventTypeRoutes } from './routes/event-types.ts';
import { registerEventRoutes } from './routes/events.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { registerJobRoutes } from './routes/jobs.ts';
import { registerListenRoutes } from './routes/listen.ts';
import { registerMetricsRoutes } from './routes/metrics.ts';
import { DEFAULT_PORTAL_OPTIONS, type PortalOptions, registerPortalRoutes } from './routes/portal.ts';
import { registerQueueRoutes } from './routes/queue.ts';
import { registerRecoveryRoutes } from './routes/recovery.ts';
import { registerResourceRoutes } from './routes/resources.ts';
import { registerStatsRoutes } from './routes/stats.ts';
import { registerTenantRoutes } from './routes/tenants.ts';
import { registerTransformRoutes } from './routes/transforms.ts';
import { registerVerifyRoutes } from './routes/verify.ts';

export { hashKey } from './auth.ts';
export type { ApiOptions } from './context.ts';

export interface ApiDeps {
  store: Store;
  clock?: () => number;
  /** Passed to Fastify as its logger; absent means no request logging. */
  logger?: Logger;
  options?: Partial<ApiOptions>;
  /**
   * Sends test events and ownership challenges: the same HTTP client (and so
   * the same network policy) as delivery. Absent, the API makes its own that
   * refuses private networks, and closes it with the app.
   */
  sender?: Sender;
  /**
   * The process's transform sandbox (shared with its dispatcher). Absent, the API makes
   * its own and closes it with the app.
   */
  transformer?: Transformer;
  /** The customer portal's public URL (or the listen address, once known) and branding. */
  portal?: Partial<PortalOptions>;
  /** Where the built dashboard is; default the workspace's packages/dashboard/dist, else the packaged copy. */
  dashboardDir?: string;
  /** The process's metrics for `/metrics`; absent, only the database gauges are shown. */
  metrics?: PrometheusMetrics;
  /** `/metrics` without a key (default false: admin key). */
  metricsPublic?: boolean;
  /**
   * The process's relay hub, shared with the sender its worker uses, so
   * `herald listen` streams get this process's relay:// deliveries. Absent,
   * the API keeps its own (streams work, nothing is delivered to them).
   */
  relay?: RelayHub;
}

function jsonBodyError(message: string): FastifyError {
  const err = new Error(message) as FastifyError;
  err.code = 'FST_ERR_CTP_INVALID_JSON_BODY';
  err.statusCode = 400;
  return err;
}

export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const options: ApiOptions = { ...DEFAULT_API_OPTIONS, ...deps.options };
  const clock = deps.clock ?? Date.now;
  const { store } = deps;

  const fastify = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    // Fastify's own request lines hold the full URL; request-log.ts writes them without the query.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimitBytes,
    // Herald's own 503 while closing, and its error shape for what Fastify and Node refuse before any route.
    return503OnClosing: false,
    frameworkErrors,
    clientErrorHandler,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
  });
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>() as unknown as HeraldApp;
  registerClosingGuard(app);

  const bodyAjv = makeAjv(false);
  const textAjv = makeAjv(true);
  // Every validated part (body, params, query, headers) also refuses text no store can keep (input-limits.ts).
  app.setValidatorCompiler(({ schema, httpPart }) =>
    withStorableText((httpPart === 'body' ? bodyAjv : textAjv).compile(schema)),
  );

  // JSON only. An empty body counts as no body (so `POST …/rotate` works
  // without one); prototype poisoning is refused by Fastify's own parser;
  // nesting is checked on the text first, before anything recurses into it.
  const secureParse = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    if (jsonDeeperThan(text)) return done(tooDeepError('body'), undefined);
    try {
      JSON.parse(text);
    } catch (err) {
      return done(jsonBodyError(`request body is not valid JSON: ${(err as Error).message}`), undefined);
    }
    secureParse(request, text, done);
  });

  registerRequestLog(app as unknown as FastifyInstance);
  app.decorateRequest('principal', null);
  app.setErrorHandler(makeErrorHandler(options));
  app.setNotFoundHandler(notFoundHandler);

  const auth = createAuthenticator(store, clock, {
    onUsageError: (err) => app.log.warn({ err }, 'could not record when an API key was last used'),
  });
  // lastUsedAt writes still in flight finish before the caller closes the store.
  app.addHook('onClose', async () => auth.flushUsage());
  app.addHook('onRequest', async (request) => {
    await auth.authorize(request);
  });
  // Routes that take a body validate `{}` when none was sent, so a missing
  // body is reported field by field like any other.
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && ['POST', 'PUT', 'PATCH'].includes(request.method)) request.body = {};
  });

  await registerOpenApi(app, { version: options.version, publicUrl: deps.portal?.publicUrl ?? null });

  const payloadSchemas = createPayloadSchemas();
  let transformer = deps.transformer;
  if (!transformer) {
    const own = await createTransformer();
    app.addHook('onClose', async () => own.close());
    transformer = own;
  }
  const routeDeps: RouteDeps = {
    transformer,
    store,
    clock,
    options,
    auth,
    payloadSchemas,
    ingest: createIngest(store, { clock, schemas: payloadSchemas }),
    ...(deps.relay ? { relay: deps.relay } : {}),
  };
  registerHealthRoutes(app, routeDeps);
  registerEventTypeRoutes(app, routeDeps);
  registerTenantRoutes(app, routeDeps);
  registerApiKeyRoutes(app, routeDeps);
  registerEndpointRoutes(app, routeDeps);
  registerEndpointHealthRoutes(app, routeDeps);
  registerEndpointSecretRoutes(app, routeDeps);
  registerListenRoutes(app, routeDeps);
  let sender = deps.sender;
  if (!sender) {
    const own = createHttpClient({ policy: parseAllowPrivateNetworks(undefined) });
    app.addHook('onClose', async () => own.close());
    sender = own;
  }
  const testSends = {
    sender,
    clock,
    userAgent: `Herald/${options.version}`,
    transform: { transformer, maxCustomHeaders: options.maxCustomHeaders },
  };
  registerEndpointTestRoutes(app, routeDeps, testSends);
  registerVerifyRoutes(app, routeDeps, testSends);
  registerTransformRoutes(app, routeDeps);
  registerResourceRoutes(app, routeDeps);
  registerEventRoutes(app, routeDeps);
  registerAttemptRoutes(app, routeDeps);
  registerPortalRoutes(app, routeDeps, { ...DEFAULT_PORTAL_OPTIONS, ...deps.portal });
  registerStatsRoutes(app, routeDeps);
  registerJobRoutes(app, routeDeps);
  registerRecoveryRoutes(app, routeDeps);
  registerQueueRoutes(app, routeDeps);
  const ops = (store as Store & { ops?: OpsStore }).ops ?? null;
  const metrics = deps.metrics ?? new PrometheusMetrics(ops, { now: clock }, { processMetrics: false });
  registerMetricsRoutes(app, metrics, { public: deps.metricsPublic ?? false });
  registerDashboardRoutes(app, deps.dashboardDir);

  return app as unknown as FastifyInstance;
}
