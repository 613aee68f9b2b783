import { WebhookVerificationError } from '../errors.ts';
import type { HeadersLike } from '../headers.ts';
import { verifyWebhook } from '../verify.ts';
import { DEFAULT_SCHEME, parsePayload, type ReceiverOptions } from './payload.ts';
import { statusFor } from './respond.ts';

/** The parts of Fastify's request and reply used here (Fastify's own types fit these). */
export interface FastifyLikeRequest {
  headers: HeadersLike;
  body?: unknown;
  /** Kept by the raw-body parser: the exact bytes received. */
  rawBody?: Buffer;
  /** Set by the preHandler: the verified, parsed payload. */
  webhook?: unknown;
}

export interface FastifyLikeReply {
  code(statusCode: number): { send(payload: unknown): unknown };
}

export interface FastifyLikeInstance {
  addContentTypeParser(
    contentType: string | string[],
    opts: { parseAs: 'buffer' },
    parser: (request: FastifyLikeRequest, body: Buffer) => Promise<unknown>,
  ): unknown;
}

export interface HeraldFastify {
  /**
   * Replaces the JSON (and XML) body parser of `scope` with one that keeps
   * `request.rawBody`. Call it inside an `app.register(...)` scope holding the
   * webhook route, so the rest of the app keeps Fastify's own parser.
   */
  addRawBodyParser(scope: FastifyLikeInstance): void;
  /** Verifies `request.rawBody`; sets `request.webhook`, or answers 401 `{error, code}`. */
  preHandler(request: FastifyLikeRequest, reply: FastifyLikeReply): Promise<unknown>;
}

class BadJsonError extends Error {
  readonly statusCode = 400;
}

async function keepRawJson(request: FastifyLikeRequest, body: Buffer): Promise<unknown> {
  request.rawBody = body;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new BadJsonError('The request body is not valid JSON.');
  }
}

async function keepRawText(request: FastifyLikeRequest, body: Buffer): Promise<unknown> {
  request.rawBody = body;
  return body.toString('utf8');
}

export function heraldFastify(opts: ReceiverOptions): HeraldFastify {
  const scheme = opts.scheme ?? DEFAULT_SCHEME;
  return {
    addRawBodyParser(scope) {
      scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, keepRawJson);
      scope.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'buffer' }, keepRawText);
    },
    async preHandler(request, reply) {
      const raw = request.rawBody;
      if (!raw) {
        throw new Error(
          'heraldFastify: request.rawBody is missing. Call addRawBodyParser(scope) in the scope of the webhook route.',
        );
      }
      try {
        verifyWebhook(scheme, opts.secret, request.headers, raw, opts);
        request.webhook = request.body ?? parsePayload(raw, undefined);
        return undefined;
      } catch (err) {
        if (!(err instanceof WebhookVerificationError)) throw err;
        // Returning the sent reply tells Fastify to stop here instead of running the route's handler.
        return reply.code(statusFor(err)).send({ error: err.message, code: err.code });
      }
    },
  };
}
