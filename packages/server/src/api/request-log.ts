/**
 * One log line per request, written by Herald instead of Fastify, so that
 * what it holds is chosen here: the method, the path WITHOUT its query string
 * (a key passed as `?api_key=` or a portal token must never reach a log), the
 * status and the time taken. Authorization headers are never logged.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** `/v1/x?token=abc` → `/v1/x?[redacted]`: that there was a query is kept, not what it said. */
export function redactedUrl(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? url : `${url.slice(0, at)}?[redacted]`;
}

const requestFields = (request: FastifyRequest) => ({
  method: request.method,
  url: redactedUrl(request.url),
  remoteAddress: request.ip,
});

export function registerRequestLog(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      { req: requestFields(request), res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime },
      'request completed',
    );
  });
}
