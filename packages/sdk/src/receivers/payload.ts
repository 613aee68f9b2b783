import { WebhookVerificationError } from '../errors.ts';
import type { SignatureScheme } from '../scheme.ts';
import type { VerifyOptions } from '../verify.ts';

/** What every receiver helper needs: the endpoint's secret and scheme (default standard-webhooks). */
export interface ReceiverOptions extends VerifyOptions {
  secret: string;
  scheme?: SignatureScheme;
}

/** A value `JSON.parse` can return. */
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/**
 * What a receiver helper hands the handler: the parsed JSON (an object for one
 * event, an array for a batch; with `envelope: "none"` whatever the event's
 * data is), or the text as is for an XML endpoint. Narrow it before use, or
 * describe your events with your own type and check them at this boundary.
 */
export type WebhookPayload = JsonValue;

export const DEFAULT_SCHEME: SignatureScheme = { scheme: 'standard-webhooks' };

/**
 * The verified body as the handler wants it: the text as is for XML (an
 * endpoint with `format: "xml"`), parsed JSON otherwise. A body sent as JSON
 * must parse; any other type falls back to the text when it does not.
 */
export function parsePayload(raw: Uint8Array | string, contentType: string | undefined): WebhookPayload {
  const text = typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8');
  if (contentType && /xml/i.test(contentType)) return text;
  try {
    return JSON.parse(text);
  } catch {
    if (contentType && !/json/i.test(contentType)) return text;
    throw new WebhookVerificationError('invalid_body', 'The webhook body is signed but is not valid JSON.');
  }
}
