import type { IncomingMessage } from 'node:http';
import { WebhookVerificationError } from '../errors.ts';
import { getHeader } from '../headers.ts';
import { verifyWebhook } from '../verify.ts';
import { DEFAULT_SCHEME, parsePayload, type ReceiverOptions } from './payload.ts';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/**
 * Reads the request body as the exact bytes sent. Signatures cover these
 * bytes, so verify them before any JSON parsing (parse + stringify need not
 * give the same bytes back).
 */
export function readRawBody(req: IncomingMessage, limit = DEFAULT_BODY_LIMIT): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const fail = (err: Error) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      // Keep draining, so the client gets our answer instead of a reset connection.
      req.resume();
      reject(err);
    };
    const onData = (chunk: Buffer | string) => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buf.length;
      if (size > limit) {
        fail(
          new WebhookVerificationError('body_too_large', `The webhook body is larger than ${limit} bytes.`),
        );
        return;
      }
      chunks.push(buf);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks));
    });
    req.once('error', fail);
  });
}

/**
 * Verifies a Node request whose raw body was read already; returns the parsed
 * payload (a WebhookPayload) or throws. Typed `unknown`, not WebhookPayload, so
 * that `as YourEvent` compiles: TypeScript refuses that cast from a JSON type.
 */
export function verifyNodeRequest(req: IncomingMessage, rawBody: Uint8Array, opts: ReceiverOptions): unknown {
  verifyWebhook(opts.scheme ?? DEFAULT_SCHEME, opts.secret, req.headers, rawBody, opts);
  return parsePayload(rawBody, getHeader(req.headers, 'content-type'));
}
