/**
 * The one place errors become HTTP answers. Every answer is
 * `{"error":{"code","message","details"?}}`: HeraldErrors keep their code,
 * Fastify's own errors (bad JSON, wrong content type, too large, schema
 * validation, unknown route) get a code and a message that says how to fix
 * the request, and anything unexpected is logged and answered generically,
 * never with a stack trace.
 */
import type { ErrorObject } from 'ajv';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { HeraldError, type HeraldErrorCode } from '../domain/errors.ts';

export const STATUS_BY_CODE: Record<HeraldErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  idempotency_conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  rate_limited: 429,
  unavailable: 503,
  config_invalid: 500,
  internal: 500,
};

const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'bad_request',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'validation_failed',
  429: 'rate_limited',
  503: 'unavailable',
};

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export interface ErrorAnswer {
  status: number;
  body: ErrorBody;
  /** Unexpected: log it with its stack (the client never sees it). */
  unexpected: boolean;
}

export interface FieldError {
  path: string;
  message: string;
}

const answer = (status: number, code: string, message: string, details?: unknown): ErrorAnswer => ({
  status,
  body: { error: details === undefined ? { code, message } : { code, message, details } },
  unexpected: false,
});

/** `/retry/maxAttempts` → `retry.maxAttempts`, `/events/3/type` → `events[3].type`. */
export function pointerToPath(root: string, pointer: string): string {
  let path = root;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(segment)) path += `[${segment}]`;
    else path += path === '' ? segment : `.${segment}`;
  }
  return path;
}

const RANGE_KEYWORDS = new Set(['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum']);

/**
 * Both bounds of a failed range check, when the validator kept the schema
 * (`verbose`): "must be <= 30000" alone does not say that 999 is too small too.
 */
function allowedRange(schema: unknown): string | null {
  if (typeof schema !== 'object' || schema === null) return null;
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum, type } = schema as Record<string, unknown>;
  const low =
    typeof minimum === 'number'
      ? `at least ${minimum}`
      : typeof exclusiveMinimum === 'number'
        ? `greater than ${exclusiveMinimum}`
        : null;
  const high =
    typeof maximum === 'number'
      ? `at most ${maximum}`
      : typeof exclusiveMaximum === 'number'
        ? `less than ${exclusiveMaximum}`
        : null;
  const kind = type === 'integer' ? 'an integer' : 'a number';
  if (typeof minimum === 'number' && typeof maximum === 'number')
    return `${kind} from ${minimum} to ${maximum}`;
  const parts = [low, high].filter((p) => p !== null);
  return parts.length > 0 ? `${kind} ${parts.join(' and ')}` : null;
}

/**
 * A union (`anyOf`, e.g. a nullable integer or object) whose value had the
 * right type but failed inside it (a range, a property) also reports that the
 * value is not of the other branches' types ("must be null"); those errors
 * hide the one that says what to change.
 */
function withoutShadowedTypeErrors(errors: ErrorObject[]): ErrorObject[] {
  const unions = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  if (unions.size === 0) return errors;
  const failedInside = (union: string) =>
    errors.some(
      (e) =>
        (e.instancePath === union && !['type', 'anyOf', 'const'].includes(e.keyword)) ||
        e.instancePath.startsWith(`${union}/`),
    );
  const shadowed = new Set([...unions].filter(failedInside));
  return errors.filter((e) => !(e.keyword === 'type' && shadowed.has(e.instancePath)));
}

/** Ajv errors as `{path, message}` pairs, the path naming the failing property. */
export function describeAjvErrors(root: string, all: ErrorObject[]): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  const errors = withoutShadowedTypeErrors(all);
  for (const e of errors) {
    let path = pointerToPath(root, e.instancePath);
    let message = e.message ?? 'is not valid';
    const params = e.params as Record<string, unknown>;
    if (e.keyword === 'required') {
      path = pointerToPath(root, `${e.instancePath}/${String(params.missingProperty)}`);
      message = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      path = pointerToPath(root, `${e.instancePath}/${String(params.additionalProperty)}`);
      message = 'is not a known property; remove it (check the spelling)';
    } else if (e.keyword === 'enum') {
      message = `must be one of: ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    } else if (e.keyword === 'anyOf') {
      // The branches' own errors say more; this one only repeats them.
      if (errors.length > 1) continue;
    } else if (RANGE_KEYWORDS.has(e.keyword)) {
      const range = allowedRange(e.parentSchema);
      // String, not JSON: a coerced query value may be Infinity, which JSON shows as null.
      if (range !== null) message = `${message} (${range}), not ${String(e.data)}`;
    }
    const key = `${path}\n${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path: path === '' ? root : path, message });
  }
  return out;
}

export function validationMessage(fields: FieldError[]): string {
  const first = fields[0];
  if (!first) return 'the request is not valid';
  const more =
    fields.length > 1
      ? ` (and ${fields.length - 1} more problem${fields.length > 2 ? 's' : ''}, see details)`
      : '';
  return `${first.path} ${first.message}${more}`;
}

const UNAVAILABLE_SQLITE = /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL|READONLY|NOTADB|CORRUPT|PROTOCOL)/;
const UNAVAILABLE_NET = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EPIPE',
  '57P01',
  '57P03',
]);

/**
 * PostgreSQL SQLSTATEs for "not now": connection exceptions (08…), too many
 * connections (53300), shutdown / crash / cannot connect now (57P01–57P03),
 * and transient conflicts a retry resolves (40001 serialization, 40P01 deadlock).
 */
const UNAVAILABLE_PG = /^(08[0-9A-Z]{3}|53300|57P0[1-3]|40001|40P01)$/;
/** node-postgres reports a dropped socket or a pool wait that timed out by message only. */
const UNAVAILABLE_MESSAGE =
  /database connection is not open|database is closed|Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable|Cannot use a pool after calling end/i;

/** Errors that mean the database cannot answer right now (not that the request was wrong). */
export function isStoreUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (
    typeof code === 'string' &&
    (UNAVAILABLE_SQLITE.test(code) || UNAVAILABLE_NET.has(code) || UNAVAILABLE_PG.test(code))
  )
    return true;
  return typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message);
}

export function payloadTooLargeMessage(limitBytes: number): string {
  const kib = Math.round(limitBytes / 1024);
  return `request body is larger than the limit of ${limitBytes} bytes (${kib} KiB): send fewer events per request or smaller payloads`;
}

export function errorAnswer(err: unknown, opts: { bodyLimitBytes: number }): ErrorAnswer {
  if (err instanceof HeraldError) {
    const status = STATUS_BY_CODE[err.code] ?? 500;
    if (status >= 500 && err.code !== 'unavailable') {
      return {
        ...answer(500, 'internal', 'Herald could not complete the request; the error is logged'),
        unexpected: true,
      };
    }
    return answer(status, err.code, err.message, err.details);
  }
  const fe = err as Partial<FastifyError> & { validation?: ErrorObject[]; validationContext?: string };
  if (Array.isArray(fe.validation)) {
    const root = fe.validationContext === 'querystring' ? 'query' : (fe.validationContext ?? 'body');
    const details = describeAjvErrors(root, fe.validation);
    return answer(422, 'validation_failed', validationMessage(details), details);
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return answer(
        400,
        'invalid_json',
        fe.message?.startsWith('request body') ? fe.message : 'request body is not valid JSON',
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return answer(
        415,
        'unsupported_media_type',
        'this content type is not supported: send Content-Type: application/json with a JSON body',
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return answer(413, 'payload_too_large', payloadTooLargeMessage(opts.bodyLimitBytes));
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return answer(400, 'bad_request', 'request body size did not match its Content-Length header');
  }
  if (isStoreUnavailable(err)) {
    return {
      ...answer(503, 'unavailable', 'the database is not reachable right now; try again shortly'),
      unexpected: true,
    };
  }
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500) {
    return answer(status, CODE_BY_STATUS[status] ?? 'bad_request', fe.message ?? 'the request is not valid');
  }
  return {
    ...answer(500, 'internal', 'Herald could not complete the request; the error is logged'),
    unexpected: true,
  };
}

export function makeErrorHandler(opts: { bodyLimitBytes: number }) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply): void => {
    // A route with its own body limit (the batch route) names that one in its 413.
    const bodyLimitBytes = request.routeOptions?.bodyLimit ?? opts.bodyLimitBytes;
    const result = errorAnswer(err, { bodyLimitBytes });
    if (result.unexpected) request.log.error({ err }, 'request failed');
    void reply.code(result.status).type('application/json; charset=utf-8').send(result.body);
  };
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  const path = request.url.split('?')[0] ?? request.url;
  void reply
    .code(404)
    .send(
      answer(
        404,
        'not_found',
        `no route for ${request.method} ${path}; the API is described at /openapi.json`,
      ).body,
    );
}
