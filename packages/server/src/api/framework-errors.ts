/**
 * Answers Fastify and Node give before any route runs, in Herald's error
 * shape (`{"error":{"code","message"}}`) like every other answer: a URL that
 * does not decode, a path segment too long for the router, a request whose
 * headers are too large or that is not HTTP at all, and requests that arrive
 * while the server is closing.
 */
import { maxHeaderSize } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { HeraldApp } from './context.ts';
import type { ErrorBody } from './errors.ts';

/**
 * Longest path segment the router matches. Names and ids are at most 128
 * characters (event type names, resource ids); this leaves room for every one
 * of them percent-encoded. Longer is a 414.
 */
export const MAX_PARAM_LENGTH = 512;

const body = (code: string, message: string): ErrorBody => ({ error: { code, message } });

function routingAnswer(error: FastifyError): { status: number; answer: ErrorBody } {
  if (error.code === 'FST_ERR_BAD_URL') {
    return {
      status: 400,
      answer: body(
        'bad_request',
        'the URL path is not valid: a percent-escape (%XX) is malformed or does not decode to UTF-8 text; encode ids and names with encodeURIComponent',
      ),
    };
  }
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return {
      status: 414,
      answer: body(
        'uri_too_long',
        `a segment of the URL path is longer than ${MAX_PARAM_LENGTH} characters; ids and names are at most 128 characters`,
      ),
    };
  }
  return {
    status: 500,
    answer: body('internal', 'Herald could not complete the request; the error is logged'),
  };
}

/** Fastify's `frameworkErrors`: errors found while routing, before any hook runs. */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const { status, answer } = routingAnswer(error);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  void reply.code(status).type('application/json; charset=utf-8').send(answer);
}

function rawAnswer(status: number, reason: string, answer: ErrorBody): string {
  const text = JSON.stringify(answer);
  return (
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`
  );
}

/**
 * Fastify's `clientErrorHandler`: Node's HTTP parser refused the request
 * before Fastify saw it (headers over Node's limit, a malformed request line,
 * a request that took too long to arrive). Only raw bytes can be written, and
 * the connection is closed after them, as Node itself does.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  let answer: string;
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    answer = rawAnswer(
      431,
      'Request Header Fields Too Large',
      body(
        'headers_too_large',
        `the request line and headers are larger than the ${maxHeaderSize} bytes accepted; shorten the URL (send filters in fewer or shorter parameters) or the headers`,
      ),
    );
  } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    answer = rawAnswer(
      408,
      'Request Timeout',
      body('request_timeout', 'the request did not arrive in time; send it again'),
    );
  } else {
    answer = rawAnswer(
      400,
      'Bad Request',
      body(
        'bad_request',
        'the request is not valid HTTP/1.1 (malformed request line, method or headers); check the client',
      ),
    );
  }
  if (socket.writable) socket.write(answer);
  socket.destroy(err);
}

/**
 * Requests that arrive while the server closes (pipelined, or on a kept-alive
 * connection) are answered 503 in Herald's shape, in place of Fastify's own
 * `return503OnClosing` answer, so a load balancer retries them elsewhere.
 * Register it before every other onRequest hook: nothing else should run.
 */
export function registerClosingGuard(app: HeraldApp): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return;
    return reply
      .code(503)
      .header('connection', 'close')
      .type('application/json; charset=utf-8')
      .send(body('unavailable', 'Herald is shutting down; send the request again (to another instance)'));
  });
}
