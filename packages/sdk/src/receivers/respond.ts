import type { ServerResponse } from 'node:http';
import type { WebhookVerificationError } from '../errors.ts';

/** The HTTP status a receiver answers for a failed check: the sender learns it was refused, not why it broke. */
export function statusFor(err: WebhookVerificationError): number {
  if (err.code === 'body_too_large') return 413;
  if (err.code === 'invalid_body') return 400;
  return 401;
}

/** `{error, code}` as JSON, written with plain Node calls so it works on any ServerResponse. */
export function sendVerificationError(res: ServerResponse, err: WebhookVerificationError): void {
  const body = JSON.stringify({ error: err.message, code: err.code });
  res.statusCode = statusFor(err);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}
