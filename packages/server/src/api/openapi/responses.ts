/**
 * Which error answers each operation documents, and the shared response
 * objects they point to. They are added to the document only: the routes'
 * own response schemas (which Fastify uses to serialize, dropping unknown
 * properties) stay as they are. Statuses follow from the route's shape, the
 * same rules `auth.ts`, `errors.ts` and the content-type parser apply, so a
 * new route documents its errors without anyone listing them.
 */
import type { FastifySchema } from 'fastify';
import type { Access } from '../auth.ts';
import { ErrorResponse } from '../schemas/common.ts';

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 500 | 503;

interface ErrorDoc {
  /** The key under `components.responses`. */
  name: string;
  description: string;
  example: { code: string; message: string };
}

export const ERROR_DOCS: Record<ErrorStatus, ErrorDoc> = {
  400: {
    name: 'BadRequest',
    description: 'The body is not valid JSON (`invalid_json`), or a cursor is not one Herald gave',
    example: { code: 'invalid_json', message: 'request body is not valid JSON' },
  },
  401: {
    name: 'Unauthorized',
    description: 'The API key is missing, unknown, revoked or expired',
    example: { code: 'unauthorized', message: 'the API key is not valid (unknown or revoked)' },
  },
  403: {
    name: 'Forbidden',
    description: 'The route needs an admin API key and a tenant token was sent',
    example: { code: 'forbidden', message: 'this route needs an admin API key; tenant tokens cannot use it' },
  },
  404: {
    name: 'NotFound',
    description:
      "What the path names does not exist (a tenant token naming another tenant's path gets this too)",
    example: { code: 'not_found', message: "tenant 'acme' was not found" },
  },
  409: {
    name: 'Conflict',
    description: 'The request clashes with what exists: an id or a version is taken, or work is in flight',
    example: { code: 'conflict', message: "tenant 'acme' exists already" },
  },
  413: {
    name: 'PayloadTooLarge',
    description: 'The body is larger than the configured limit (HERALD_BODY_LIMIT)',
    example: { code: 'payload_too_large', message: 'request body is larger than the limit of 262144 bytes' },
  },
  415: {
    name: 'UnsupportedMediaType',
    description: 'The body is not sent as `Content-Type: application/json`',
    example: { code: 'unsupported_media_type', message: 'this content type is not supported' },
  },
  422: {
    name: 'ValidationFailed',
    description: 'A field is missing or not valid; `details` lists each problem as `{path, message}`',
    example: { code: 'validation_failed', message: 'url is required' },
  },
  500: {
    name: 'InternalError',
    description: 'Herald could not complete the request; the error is logged, not shown',
    example: { code: 'internal', message: 'Herald could not complete the request; the error is logged' },
  },
  503: {
    name: 'Unavailable',
    description: 'The database is not reachable right now; try again shortly',
    example: { code: 'unavailable', message: 'the database is not reachable right now; try again shortly' },
  },
};

/** What the rules need to know about a route. */
export interface RouteShape {
  url: string;
  access: Access;
  schema: FastifySchema | undefined;
}

const hasProperty = (schema: unknown, name: string): boolean =>
  typeof schema === 'object' &&
  schema !== null &&
  Object.hasOwn((schema as { properties?: object }).properties ?? {}, name);

export function errorStatuses({ url, access, schema }: RouteShape, extra: readonly ErrorStatus[] = []) {
  const statuses = new Set<ErrorStatus>([...extra, 500]);
  const pathParams: string[] = url.match(/:\w+/g) ?? [];
  if (access !== 'public') {
    // The key is looked up in the database, so any authenticated route can find it unreachable.
    statuses.add(401).add(503);
    // `tenant` routes refuse portal sessions; tenant-scoped routes without `:tid` refuse every tenant key.
    if (access === 'admin' || access === 'tenant' || (access === 'portal' && !pathParams.includes(':tid'))) {
      statuses.add(403);
    }
  }
  if (pathParams.length > 0) statuses.add(404);
  if (schema?.body !== undefined) for (const s of [400, 413, 415, 422] as const) statuses.add(s);
  const query = schema?.querystring;
  if (query !== undefined || schema?.headers !== undefined) statuses.add(422);
  if (hasProperty(query, 'cursor')) statuses.add(400);
  return [...statuses].sort((a, b) => a - b);
}

/** The `components` entries the document's error responses refer to: `schemas.Error` and one response per status. */
export function errorComponents(used: Iterable<ErrorStatus>) {
  // A plain JSON copy: the TypeBox object carries symbol keys the document must not see.
  const schemas = { Error: JSON.parse(JSON.stringify(ErrorResponse)) as object };
  const responses: Record<string, object> = {};
  for (const status of [...new Set(used)].sort((a, b) => a - b)) {
    const { name, description, example } = ERROR_DOCS[status];
    responses[name] = {
      description,
      content: {
        'application/json': { schema: { $ref: '#/components/schemas/Error' }, example: { error: example } },
      },
    };
  }
  return { schemas, responses };
}

export const errorRef = (status: ErrorStatus) => ({
  $ref: `#/components/responses/${ERROR_DOCS[status].name}`,
});
