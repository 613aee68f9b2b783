/**
 * The HTTP API as a Fastify instance (not listening: the composition root
 * calls `listen`). One TypeBox schema per route validates the request, types
 * the handler, shapes the response and feeds `/openapi.json`.
 */
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ajv } from 'ajv';
import formatsModule from 'ajv-formats';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createIngest } from '../delivery/ingest.ts';
import { createPayloadSchemas } from '../delivery/payload-schemas.ts';
import type { Store } from '../store/port.ts';
import { createAuthenticator } from './auth.ts';
import { type ApiOptions, DEFAULT_API_OPTIONS, type HeraldApp, type RouteDeps } from './context.ts';
import { makeErrorHandler, notFoundHandler } from './errors.ts';
import { registerAttemptRoutes } from './routes/attempts.ts';
import { registerEndpointSecretRoutes } from './routes/endpoint-secrets.ts';
import { registerEndpointRoutes } from './routes/endpoints.ts';
import { registerEventTypeRoutes } from './routes/event-types.ts';
import { registerEventRoutes } from './routes/events.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { registerResourceRoutes } from './routes/resources.ts';
import { registerTenantRoutes } from './routes/tenants.ts';

export { hashKey } from './auth.ts';
export type { ApiOptions } from './context.ts';

export interface ApiDeps {
  store: Store;
  clock?: () => number;
  /** Passed to Fastify as its logger; absent means no request logging. */
  logger?: Logger;
  options?: Partial<ApiOptions>;
}

type AddFormats = (ajv: Ajv) => Ajv;
const addFormats: AddFormats =
  (formatsModule as unknown as { default?: AddFormats }).default ?? (formatsModule as unknown as AddFormats);

/**
 * Two Ajv instances: query strings and path params arrive as text and are
 * coerced to the schema's types; JSON bodies are taken as sent, so `"5"` is
 * not silently accepted where a number is expected. Neither strips unknown
 * properties: schemas refuse them, and the answer names them.
 */
function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    removeAdditional: false,
    useDefaults: true,
    coerceTypes: coerce ? 'array' : false,
    allErrors: true,
    strict: false,
  });
  addFormats(ajv);
  return ajv;
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
    bodyLimit: options.bodyLimitBytes,
    return503OnClosing: true,
  });
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>() as unknown as HeraldApp;

  const bodyAjv = makeAjv(false);
  const textAjv = makeAjv(true);
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodyAjv : textAjv).compile(schema),
  );

  // JSON only. An empty body counts as no body (so `POST …/rotate` works
  // without one); prototype poisoning is refused by Fastify's own parser.
  const secureParse = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    try {
      JSON.parse(text);
    } catch (err) {
      return done(jsonBodyError(`request body is not valid JSON: ${(err as Error).message}`), undefined);
    }
    secureParse(request, text, done);
  });

  app.decorateRequest('principal', null);
  app.setErrorHandler(makeErrorHandler(options));
  app.setNotFoundHandler(notFoundHandler);

  const auth = createAuthenticator(store, clock);
  app.addHook('onRequest', async (request) => {
    await auth.authorize(request);
  });
  // Routes that take a body validate `{}` when none was sent, so a missing
  // body is reported field by field like any other.
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && ['POST', 'PUT', 'PATCH'].includes(request.method)) request.body = {};
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Herald',
        description:
          'Self-hosted webhook delivery: send events, Herald delivers them signed, retried and logged.',
        version: options.version,
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'an admin key or a tenant token' },
        },
      },
      security: [{ bearerAuth: [] }],
    },
  });

  const payloadSchemas = createPayloadSchemas();
  const routeDeps: RouteDeps = {
    store,
    clock,
    options,
    auth,
    payloadSchemas,
    ingest: createIngest(store, { clock, schemas: payloadSchemas }),
  };
  registerHealthRoutes(app, routeDeps);
  registerEventTypeRoutes(app, routeDeps);
  registerTenantRoutes(app, routeDeps);
  registerEndpointRoutes(app, routeDeps);
  registerEndpointSecretRoutes(app, routeDeps);
  registerResourceRoutes(app, routeDeps);
  registerEventRoutes(app, routeDeps);
  registerAttemptRoutes(app, routeDeps);

  return app as unknown as FastifyInstance;
}
