/**
 * What a handler may return, checked on the host after it comes back as
 * JSON text. Only the shape is checked here; the delivery code applies the
 * endpoint's own rules to the result afterwards (origin and SSRF rules to
 * `url`, the custom-header rules to `headers`), exactly as it does to the
 * endpoint's configuration.
 */
import type { HttpMethod } from '../../domain/types.ts';

export interface TransformInput {
  eventType: string;
  eventId: string;
  /** The endpoint being sent to; null for an unsaved configuration ("Test connection", "Try it"). */
  endpointId: string | null;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload: unknown;
}

export type ReadWebhook =
  | { ok: true; cancel: boolean; webhook: TransformInput }
  | { ok: false; message: string };

// A Record over the type, so a method added to Herald's endpoints fails to compile here until listed.
const METHODS: Readonly<Record<HttpMethod, true>> = { POST: true, PUT: true, PATCH: true };
const METHOD_LIST = Object.keys(METHODS).join(', ');
const MAX_URL_LENGTH = 2048;
const MAX_HEADERS = 64;
// RFC 9110 §5.6.2 token.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// What would end or split a header line on the wire.
const BREAKS = /[\r\n\0]/;
// Visible characters only: a URL parser drops tabs and line breaks silently, the string sent would not.
const URL_CHARS = /^[!-~\u00a0-\uffff]*$/;

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Number((bytes / (1024 * 1024)).toFixed(1))} MiB`;
  if (bytes >= 1024) return `${Number((bytes / 1024).toFixed(1))} KiB`;
  return `${bytes} bytes`;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

type Field<T> = { value: T } | { error: string };

function readMethod(value: unknown): Field<string> {
  if (typeof value === 'string' && Object.hasOwn(METHODS, value)) return { value };
  return { error: `webhook.method must be one of ${METHOD_LIST} (got ${JSON.stringify(value)})` };
}

function readUrl(value: unknown): Field<string> {
  if (typeof value !== 'string') return { error: `webhook.url must be a string (got ${typeof value})` };
  if (value.length > MAX_URL_LENGTH)
    return { error: `webhook.url is longer than ${MAX_URL_LENGTH} characters` };
  if (!URL_CHARS.test(value)) return { error: 'webhook.url must not contain spaces or control characters' };
  // Which schemes fit the endpoint (http(s), or its broker's) is checked with its configuration (transform-step.ts).
  if (!URL.canParse(value)) return { error: `webhook.url is not a URL: ${JSON.stringify(value)}` };
  return { value };
}

function readHeaders(value: unknown): Field<Record<string, string>> {
  if (!isObject(value)) return { error: 'webhook.headers must be an object of name → string value' };
  const entries = Object.entries(value);
  if (entries.length > MAX_HEADERS)
    return { error: `webhook.headers has ${entries.length} headers; at most ${MAX_HEADERS}` };
  const headers: Record<string, string> = {};
  for (const [name, v] of entries) {
    // A valid token, but as a plain object key it would set the prototype instead of a header.
    if (!TOKEN.test(name) || name === '__proto__') {
      return { error: `webhook.headers: ${JSON.stringify(name)} is not a valid header name` };
    }
    if (typeof v !== 'string') {
      return {
        error: `webhook.headers[${JSON.stringify(name)}] must be a string (got ${v === null ? 'null' : typeof v})`,
      };
    }
    if (BREAKS.test(v)) {
      return { error: `webhook.headers[${JSON.stringify(name)}] contains a line break or NUL character` };
    }
    headers[name] = v;
  }
  return { value: headers };
}

/**
 * The webhook the handler returned, from its JSON text (at most `maxBytes`
 * of UTF-8). `eventType`, `eventId` and `endpointId` describe the event
 * and stay the input's; an absent method, url or headers keeps the input's, an absent
 * payload is an error (sending the untransformed body instead would hide
 * the bug from the receiver that expects the new shape).
 */
export function readWebhook(text: string, input: TransformInput, maxBytes: number): ReadWebhook {
  // A UTF-16 code unit is at most 3 bytes of UTF-8: most answers need no exact count.
  const bytes = text.length * 3 <= maxBytes ? text.length : Buffer.byteLength(text);
  if (bytes > maxBytes) {
    return {
      ok: false,
      message: `the transform returned ${formatBytes(bytes)} of JSON; at most ${formatBytes(maxBytes)} may be sent`,
    };
  }
  const out = JSON.parse(text) as Record<string, unknown>;
  if (out.cancel !== undefined && typeof out.cancel !== 'boolean') {
    return { ok: false, message: `webhook.cancel must be true or false (got ${JSON.stringify(out.cancel)})` };
  }
  const cancel = out.cancel === true;
  if (cancel) return { ok: true, cancel, webhook: input };
  if (!('payload' in out)) {
    return {
      ok: false,
      message:
        'the transform returned no payload: set webhook.payload, or webhook.cancel = true to skip the delivery',
    };
  }
  const method = out.method === undefined ? { value: input.method } : readMethod(out.method);
  if ('error' in method) return { ok: false, message: method.error };
  const url = out.url === undefined ? { value: input.url } : readUrl(out.url);
  if ('error' in url) return { ok: false, message: url.error };
  const headers = out.headers === undefined ? { value: input.headers } : readHeaders(out.headers);
  if ('error' in headers) return { ok: false, message: headers.error };
  return {
    ok: true,
    cancel,
    webhook: {
      eventType: input.eventType,
      eventId: input.eventId,
      endpointId: input.endpointId,
      method: method.value,
      url: url.value,
      headers: headers.value,
      payload: out.payload,
    },
  };
}
