/**
 * Applying an endpoint's transform to one request (DESIGN.md,
 * "Transformations"), for deliveries, batches and test sends alike. The
 * transform sees the body as JSON before rendering, the endpoint's method,
 * URL (with `{VerificationKey}` still unsubstituted) and custom headers;
 * what it returns passes the same URL and header rules as the endpoint's
 * own configuration, and is then rendered and signed, so the signature
 * covers the bytes actually sent. An endpoint without a transform never
 * comes here: its body is rendered straight from the stored payload.
 */
import { signatureHeaderNames } from '../domain/endpoint-url.ts';
import { type EnvelopeKind, renderBatchValue, renderValue } from '../domain/envelope.ts';
import { validateCustomHeaders } from '../domain/headers.ts';
import type { Endpoint, HttpMethod } from '../domain/types.ts';
import { destinationTargetProblem } from './destinations/registry.ts';
import type { Transformer, TransformInput } from './transform/transformer.ts';

export interface TransformDeps {
  transformer: Transformer;
  /** HERALD_MAX_CUSTOM_HEADERS: the headers a transform returns obey it as configured ones do. */
  maxCustomHeaders: number;
}

export interface TransformRequest {
  eventType: string;
  /** The `webhook-id`: the event id, or the batch id. */
  eventId: string;
  /** The body as JSON (envelope applied); an array of them for a batch. */
  payload: unknown;
  batch: boolean;
  /**
   * Compiled-cache key: `${endpoint.id}:${endpoint.updatedAt}` for a saved endpoint, so a change
   * compiles afresh; null compiles, runs once and frees (unsaved configurations, one-off tests).
   */
  cacheKey: string | null;
}

export type TransformResult =
  | {
      kind: 'send';
      /** The endpoint with the transform's method, URL and headers, to build and sign the request with. */
      endpoint: Endpoint;
      body: string;
      contentType: string;
      durationUs: number;
    }
  | { kind: 'failed'; message: string; durationUs: number }
  | { kind: 'cancelled'; durationUs: number };

/** The compiled-cache key of a saved endpoint's transform. */
export const transformKey = (endpoint: Endpoint): string => `${endpoint.id}:${endpoint.updatedAt}`;

export function applyTransform(
  deps: TransformDeps,
  endpoint: Endpoint & { transform: string },
  request: TransformRequest,
): TransformResult {
  const input: TransformInput = {
    eventType: request.eventType,
    eventId: request.eventId,
    endpointId: request.cacheKey === null ? null : endpoint.id,
    method: endpoint.method,
    url: endpoint.url,
    headers: { ...endpoint.headers },
    payload: request.payload,
  };
  const outcome =
    request.cacheKey === null
      ? deps.transformer.runOnce(endpoint.transform, input)
      : deps.transformer.run(request.cacheKey, endpoint.transform, input);
  const { durationUs } = outcome;
  if (!outcome.ok) return { kind: 'failed', message: outcome.message, durationUs };
  if (outcome.cancel) return { kind: 'cancelled', durationUs };
  const out = outcome.webhook;
  const urlError = destinationTargetProblem(out.url, endpoint.destination, endpoint.signature.scheme);
  if (urlError !== null) {
    const what =
      urlError.path === 'url'
        ? "the transform's webhook.url"
        : `with the transform's webhook.url, the endpoint's ${urlError.path}`;
    const message = `${what}${urlError.sentence ? ': ' : ' '}${urlError.message}`;
    return { kind: 'failed', message, durationUs };
  }
  const headerError = validateCustomHeaders(out.headers, {
    maxCount: deps.maxCustomHeaders,
    reserved: signatureHeaderNames(endpoint.signature),
  });
  if (headerError !== null) {
    return { kind: 'failed', message: `the transform's webhook.headers: ${headerError}`, durationUs };
  }
  const envelope: EnvelopeKind = endpoint.envelope;
  const rendered = request.batch
    ? renderBatchValue(out.payload, envelope, endpoint.format)
    : renderValue(out.payload, envelope, endpoint.format);
  return {
    kind: 'send',
    endpoint: { ...endpoint, method: out.method as HttpMethod, url: out.url, headers: out.headers },
    body: rendered.body,
    contentType: rendered.contentType,
    durationUs,
  };
}
