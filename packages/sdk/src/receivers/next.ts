import { verifyWebhook } from '../verify.ts';
import { DEFAULT_SCHEME, parsePayload, type ReceiverOptions } from './payload.ts';

/**
 * For fetch-style handlers (Next.js route handlers, and any runtime with Web
 * `Request`): reads the raw text, verifies it, returns the parsed payload.
 * Throws WebhookVerificationError; answer 401 on it. Do not call
 * `request.json()` first: the body can be read once, and its bytes are what is signed.
 * Resolves to a WebhookPayload, typed `unknown` for the reason given at verifyNodeRequest.
 */
export async function verifyNextRequest(request: Request, opts: ReceiverOptions): Promise<unknown> {
  const body = await request.text();
  verifyWebhook(opts.scheme ?? DEFAULT_SCHEME, opts.secret, request.headers, body, opts);
  return parsePayload(body, request.headers.get('content-type') ?? undefined);
}
