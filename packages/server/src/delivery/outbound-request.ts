import { signatureHeaders } from '@herald/sdk';
import { redactUrl, substituteUrl } from '../domain/redact.ts';
import type { Endpoint } from '../domain/types.ts';
import { isHttpUrl } from './destinations/registry.ts';
import type { OutboundRequest } from './http-client.ts';

/** One attempt's message: the body is already rendered (envelope, format) and is signed as these exact bytes. */
export interface OutboundMessage {
  /** The `webhook-id`: the same on every retry of a delivery, so receivers can dedupe. */
  webhookId: string;
  body: string;
  contentType: string;
  /** Unique per attempt; sent as `x-request-id`. */
  requestId: string;
  /** This attempt's time, unix seconds. */
  timestampSec: number;
  /** What a broker's name templates may use (`{{type}}`, `{{tenantId}}`, `{{resource}}`). */
  template?: { type: string; tenantId: string; resource: string | null };
}

const MASK = '***';
// Custom headers that carry credentials by convention; the attempt log shows them masked.
const CREDENTIAL_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-api-key',
  'api-key',
]);

/**
 * The request for one attempt of one delivery. Signed with every secret
 * still valid at the attempt's timestamp (the current one first), so that
 * during a rotation receivers holding either secret can verify.
 */
export function buildOutboundRequest(
  endpoint: Endpoint,
  msg: OutboundMessage,
  userAgent: string,
): { request: OutboundRequest; displayUrl: string } {
  const secrets = signingSecrets(endpoint, msg.timestampSec);

  const headers: Record<string, string> = {
    'content-type': msg.contentType,
    'user-agent': userAgent,
  };
  // Custom headers may replace content-type or user-agent, never the request id or signatures (set after).
  for (const [name, value] of Object.entries(endpoint.headers)) headers[name.toLowerCase()] = value;
  headers['x-request-id'] = msg.requestId;
  const signed = signatureHeaders(endpoint.signature, secrets, {
    id: msg.webhookId,
    timestampSec: msg.timestampSec,
    body: msg.body,
  });
  for (const [name, value] of Object.entries(signed)) headers[name.toLowerCase()] = value;

  const key = endpoint.signature.scheme === 'verification-key' ? secrets[0] : undefined;
  const request: OutboundRequest = {
    url: substituteUrl(endpoint.url, key),
    method: endpoint.method,
    headers,
    body: msg.body,
    timeoutMs: endpoint.timeoutMs,
  };
  if (!isHttpUrl(endpoint.url)) {
    request.destination = {
      endpointId: endpoint.id,
      options: endpoint.destination ?? {},
      template: msg.template ?? { type: '', tenantId: endpoint.tenantId, resource: null },
    };
  }
  return { request, displayUrl: redactUrl(endpoint.url) };
}

/** Secret values in force at `timestampSec`: the current one, then rotated-out ones still in their grace period. */
function signingSecrets(endpoint: Endpoint, timestampSec: number): string[] {
  const at = timestampSec * 1000;
  const valid = endpoint.secrets.filter((s) => s.expiresAt === null || s.expiresAt > at).map((s) => s.value);
  // The first entry is the current secret; if clocks disagree about its expiry, signing with it beats not sending.
  const current = endpoint.secrets[0];
  if (valid.length === 0 && current) return [current.value];
  return valid;
}

/**
 * The request headers as the attempt log stores them. The verification key
 * is the secret itself, so its header is masked, as is any header whose value
 * holds one of the endpoint's secrets or that carries credentials by
 * convention. Signatures are safe to show: they cannot be turned back into the key.
 */
export function redactHeaders(headers: Record<string, string>, endpoint: Endpoint): Record<string, string> {
  const keyHeader =
    endpoint.signature.scheme === 'verification-key' ? endpoint.signature.header?.toLowerCase() : undefined;
  const secrets = endpoint.secrets.map((s) => s.value).filter((v) => v.length > 0);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    const sensitive =
      lower === keyHeader ||
      CREDENTIAL_HEADERS.has(lower) ||
      secrets.some((secret) => value.includes(secret));
    out[name] = sensitive ? MASK : value;
  }
  return out;
}
