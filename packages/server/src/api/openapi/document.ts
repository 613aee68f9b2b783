/**
 * `GET /openapi.json`: the OpenAPI 3.1 document @fastify/swagger builds from
 * the routes' TypeBox schemas (the ones that validate requests), finished
 * with what those schemas do not say: operation ids, the error answers, which
 * routes need no key, and where the API is served.
 */
import swagger from '@fastify/swagger';
import type { FastifySchema, HTTPMethods } from 'fastify';
import type { HeraldApp } from '../context.ts';
import { checkOperations, OPERATIONS, type OperationDoc, TAGS } from './operations.ts';
import { type ErrorStatus, errorComponents, errorRef, errorStatuses } from './responses.ts';

export interface OpenApiOptions {
  /** Herald's version, the document's `info.version`. */
  version: string;
  /**
   * Where clients reach Herald (HERALD_PUBLIC_URL). Null: the relative server
   * `/`, which clients resolve against wherever they fetched the document,
   * so it is right behind any proxy, unlike a URL guessed from the Host header.
   */
  publicUrl: string | null;
  /** Default: the API's table. */
  operations?: Readonly<Record<string, OperationDoc>>;
}

/** What the document says about one route beyond its schema. */
interface Plan {
  operationId: string;
  public: boolean;
  errors: ErrorStatus[];
  produces?: string;
}

interface Operation {
  operationId?: string;
  security?: unknown[];
  responses?: Record<string, { description?: string; content?: unknown; $ref?: string }>;
  requestBody?: { required?: boolean; content?: Record<string, { schema?: { required?: unknown[] } }> };
}

interface Document {
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown>; responses?: Record<string, unknown> };
}

const OPERATION_KEYS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
// @fastify/swagger's placeholder when a response schema has no description.
const PLACEHOLDER = 'Default Response';
const SUCCESS: Record<string, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No content' };

const isHidden = (schema: FastifySchema | undefined) => schema?.hide === true;
const fastifyPath = (openapiPath: string) => openapiPath.replace(/\{(\w+)\}/g, ':$1');

export async function registerOpenApi(app: HeraldApp, opts: OpenApiOptions): Promise<void> {
  const operations = opts.operations ?? OPERATIONS;
  checkOperations(operations);
  const tagNames = new Set(TAGS.map((t) => t.name));
  const plans = new Map<string, Plan>();

  // Runs as each route is added, so an undocumented route fails `buildApi` (and every test) at once.
  app.addHook('onRoute', (route) => {
    const methods: HTTPMethods[] = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      // HEAD twins of GET routes are Fastify's own; the document leaves them out.
      if (method === 'HEAD' || isHidden(route.schema)) continue;
      const key = `${method} ${route.url}`;
      const doc = operations[key];
      if (!doc) {
        throw new Error(
          `${key} has no operationId: add it to OPERATIONS in src/api/openapi/operations.ts, or set schema.hide`,
        );
      }
      if (!route.schema?.summary) throw new Error(`${key} has no schema.summary for the OpenAPI document`);
      const tags = route.schema.tags ?? [];
      if (tags.length !== 1 || !tagNames.has(tags[0] ?? '')) {
        throw new Error(`${key} needs exactly one of the tags ${[...tagNames].join(', ')}`);
      }
      const access = route.config?.access ?? 'admin';
      plans.set(key, {
        operationId: doc.operationId,
        public: access === 'public',
        errors: errorStatuses({ url: route.url, access, schema: route.schema }, doc.errors),
        ...(doc.produces ? { produces: doc.produces } : {}),
      });
    }
  });

  // The table is the API's list of operations: an entry whose route is gone would hide that it was removed.
  app.addHook('onReady', async () => {
    const stale = Object.keys(operations).filter((key) => !plans.has(key));
    if (stale.length > 0) throw new Error(`OPERATIONS lists routes that do not exist: ${stale.join(', ')}`);
  });

  await app.register(swagger, {
    // Routes are served at the root of publicUrl, whatever its path.
    stripBasePath: false,
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Herald',
        description:
          'Self-hosted webhook delivery: send events, Herald delivers them signed, retried and logged.',
        version: opts.version,
        license: { name: 'MIT', identifier: 'MIT' },
      },
      servers: [
        opts.publicUrl
          ? { url: opts.publicUrl, description: 'this Herald' }
          : { url: '/', description: 'the Herald that served this document' },
      ],
      tags: [...TAGS],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'an admin key or a tenant token' },
        },
      },
      security: [{ bearerAuth: [] }],
    },
    transformObject: (documents) => {
      if (!('openapiObject' in documents)) return documents.swaggerObject;
      finish(documents.openapiObject as Document, plans);
      return documents.openapiObject;
    },
  });

  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
}

function finish(doc: Document, plans: Map<string, Plan>): void {
  const used = new Set<ErrorStatus>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item)) {
      if (!OPERATION_KEYS.has(method)) continue;
      const key = `${method.toUpperCase()} ${fastifyPath(path)}`;
      const plan = plans.get(key);
      if (!plan) throw new Error(`${key} is in the OpenAPI document but its route was never checked`);
      op.operationId = plan.operationId;
      if (plan.public) op.security = [];
      const responses: NonNullable<Operation['responses']> = {};
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        // The routes' catch-all 4XX/5XX (and inline error schemas) give way to the precise list below.
        if (!/^[123]/.test(status)) continue;
        responses[status] = {
          ...response,
          description:
            response.description === PLACEHOLDER
              ? (SUCCESS[status] ?? 'Success')
              : (response.description ?? ''),
          ...(plan.produces ? { content: { [plan.produces]: { schema: { type: 'string' } } } } : {}),
        };
      }
      for (const status of plan.errors) {
        responses[String(status)] = errorRef(status);
        used.add(status);
      }
      op.responses = responses;
      // Herald reads a missing body as `{}`, so a body is only required when the schema requires a field.
      const body = op.requestBody;
      if (body) body.required = (body.content?.['application/json']?.schema?.required?.length ?? 0) > 0;
    }
  }
  const components = errorComponents(used);
  doc.components = {
    ...doc.components,
    schemas: { ...doc.components?.schemas, ...components.schemas },
    responses: { ...doc.components?.responses, ...components.responses },
  };
}
