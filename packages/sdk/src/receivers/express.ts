import type { IncomingMessage, ServerResponse } from 'node:http';
import { WebhookVerificationError } from '../errors.ts';
import { DEFAULT_BODY_LIMIT, readRawBody, verifyNodeRequest } from './node-http.ts';
import type { ReceiverOptions } from './payload.ts';
import { sendVerificationError } from './respond.ts';

/** The parts of Express's request this middleware uses (Express's own types fit these). */
export interface ExpressLikeRequest extends IncomingMessage {
  body?: unknown;
  /** Set by the middleware: the verified, parsed payload. */
  webhook?: unknown;
}

export type ExpressLikeNext = (err?: unknown) => void;

export interface HeraldExpressOptions extends ReceiverOptions {
  /** Largest body read from the stream when no body parser ran. Default 1 MiB. */
  limit?: number;
}

/**
 * Verifies the webhook, then sets `req.webhook` to the parsed payload and
 * calls `next()`; on failure answers 401 `{error, code}`.
 *
 * Signatures cover the raw bytes, so mount `express.raw({ type: '*\/*' })`
 * before it (or no body parser: it then reads the stream itself). After
 * `express.json()` the bytes are gone, and it fails loudly instead of
 * guessing them.
 */
export function heraldExpress(
  opts: HeraldExpressOptions,
): (req: ExpressLikeRequest, res: ServerResponse, next: ExpressLikeNext) => void {
  return (req, res, next) => {
    rawBodyOf(req, opts.limit ?? DEFAULT_BODY_LIMIT)
      .then((raw) => {
        req.webhook = verifyNodeRequest(req, raw, opts);
        next();
      })
      .catch((err: unknown) => {
        if (err instanceof WebhookVerificationError) sendVerificationError(res, err);
        else next(err);
      });
  };
}

async function rawBodyOf(req: ExpressLikeRequest, limit: number): Promise<Buffer> {
  if (Buffer.isBuffer(req.body)) return req.body;
  if (typeof req.body === 'string') return Buffer.from(req.body, 'utf8');
  if (!req.readableEnded) return readRawBody(req, limit);
  throw new Error(
    'heraldExpress: the request body was already parsed, so the signed bytes are lost. ' +
      "Mount express.raw({ type: '*/*' }) on the webhook route instead of express.json().",
  );
}
