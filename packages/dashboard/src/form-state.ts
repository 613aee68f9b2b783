/**
 * The subscription form's state and its mapping to and from the API's
 * endpoint shape (pure: no DOM, no React).
 */
import type { TryTransformInput } from '../../sdk/src/client/transform-types.ts';
import type { Endpoint, EndpointInput, SignatureScheme } from '../../sdk/src/client/types.ts';
import { type DestinationKind, destinationOf, kindOfUrl, optionsFromDestination } from './destinations.ts';

export interface HeaderRow {
  name: string;
  value: string;
}

export const MAX_CUSTOM_HEADERS = 5;

export interface FormState {
  /** The delivery method: follows the URL's scheme, or the choice while the URL has none. */
  kind: DestinationKind;
  name: string;
  url: string;
  /** The broker options as typed, by option name ('' = the default); only the kind's own are sent. */
  destination: Record<string, string>;
  description: string;
  secret: string;
  allEvents: boolean;
  /** Event type name → pinned version ('' = any version). */
  events: Record<string, string>;
  filter: string;
  batchOn: boolean;
  batchMaxSize: string;
  batchMaxWaitMs: string;
  overflow: 'buffer' | 'drop-oldest';
  maxBacklog: string;
  rateOn: boolean;
  ratePerSecond: string;
  rateBurst: string;
  timeoutMs: string;
  maxAttempts: string;
  /** A saved endpoint's own retry schedule, kept as it is (the form does not edit it); null: the default. */
  retrySchedule: number[] | null;
  method: 'POST' | 'PUT' | 'PATCH';
  format: 'json' | 'xml';
  envelope: 'standard' | 'none';
  headers: HeaderRow[];
  scheme: SignatureScheme;
  signatureHeader: string;
  signaturePrefix: string;
  signatureEncoding: 'hex' | 'base64';
  ordered: boolean;
  maxInFlight: string;
  requireVerification: boolean;
  /** The challenge request in a platform's shape, as JSON text; empty: Herald's own shape. */
  verificationRequest: string;
  verificationAnswerField: string;
  /** The transformation's JavaScript source; empty or blank: none. */
  transform: string;
}

/**
 * A new subscription's values: the server's defaults (ENDPOINT_DEFAULTS in
 * packages/server/src/domain/defaults.ts, the endpoint table of
 * docs/configuration.md; form-state-defaults.test.ts holds them together).
 * Batching and rate limit are off; their numbers are what switching them on
 * starts from.
 */
export const EMPTY_FORM: FormState = {
  kind: 'http',
  name: '',
  url: '',
  destination: {},
  description: '',
  secret: '',
  allEvents: true,
  events: {},
  filter: '',
  batchOn: false,
  batchMaxSize: '100',
  batchMaxWaitMs: '1000',
  overflow: 'buffer',
  maxBacklog: '',
  rateOn: false,
  ratePerSecond: '10',
  rateBurst: '',
  timeoutMs: '5000',
  maxAttempts: '8',
  retrySchedule: null,
  method: 'POST',
  format: 'json',
  envelope: 'standard',
  headers: [],
  scheme: 'standard-webhooks',
  signatureHeader: '',
  signaturePrefix: '',
  signatureEncoding: 'hex',
  ordered: false,
  maxInFlight: '50',
  requireVerification: false,
  verificationRequest: '',
  verificationAnswerField: '',
  transform: '',
};

export function fromEndpoint(e: Endpoint): FormState {
  const events: Record<string, string> = {};
  for (const pattern of e.eventTypes ?? []) {
    const [name, version] = pattern.split('@');
    if (name) events[name] = version ?? '';
  }
  const kind = kindOfUrl(e.url) ?? 'http';
  return {
    ...EMPTY_FORM,
    kind,
    name: e.name,
    url: e.url,
    destination: optionsFromDestination(kind, e.destination ?? null),
    description: e.description,
    allEvents: e.eventTypes === null,
    events,
    filter: e.filter ? JSON.stringify(e.filter, null, 2) : '',
    batchOn: e.batch !== null,
    batchMaxSize: String(e.batch?.maxSize ?? 100),
    batchMaxWaitMs: String(e.batch?.maxWaitMs ?? 1000),
    overflow: e.overflow === 'drop-oldest' ? 'drop-oldest' : 'buffer',
    maxBacklog: e.maxBacklog === null ? '' : String(e.maxBacklog),
    rateOn: e.rateLimit !== null,
    ratePerSecond: String(e.rateLimit?.perSecond ?? 10),
    rateBurst: e.rateLimit?.burst === undefined ? '' : String(e.rateLimit.burst),
    timeoutMs: String(e.timeoutMs),
    maxAttempts: String(e.retry.maxAttempts),
    retrySchedule: e.retry.schedule ? [...e.retry.schedule] : null,
    method: e.method as FormState['method'],
    format: e.format as FormState['format'],
    envelope: e.envelope as FormState['envelope'],
    headers: Object.entries(e.headers).map(([name, value]) => ({ name, value })),
    scheme: e.signature.scheme,
    signatureHeader: e.signature.header ?? '',
    signaturePrefix: e.signature.prefix ?? '',
    signatureEncoding: e.signature.encoding ?? 'hex',
    ordered: e.ordered,
    maxInFlight: String(e.maxInFlight),
    requireVerification: e.requireVerification,
    verificationRequest: e.verification ? JSON.stringify(e.verification.request, null, 2) : '',
    verificationAnswerField: e.verification?.answerField ?? '',
    transform: e.transform ?? '',
  };
}

/** The endpoint's `verification`: null for Herald's own shape (no request given). */
function verificationOf(f: FormState): EndpointInput['verification'] {
  if (!f.verificationRequest.trim()) return null;
  let request: unknown;
  try {
    request = JSON.parse(f.verificationRequest);
  } catch (err) {
    throw new Error(`Challenge request: not valid JSON (${(err as Error).message})`);
  }
  return { request, answerField: f.verificationAnswerField.trim() || 'challenge' };
}

/** The custom headers, rows without a name left out. */
function headersOf(f: FormState): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const h of f.headers) if (h.name.trim()) headers[h.name.trim()] = h.value;
  return headers;
}

const int = (value: string, field: string): number => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new Error(`${field}: enter a number`);
  return n;
};

/** The API body for the form; throws an Error naming the field when one cannot be read. */
export function toInput(f: FormState, options: { includeSecret: boolean }): EndpointInput {
  let filter: Record<string, unknown> | null = null;
  if (f.filter.trim()) {
    try {
      filter = JSON.parse(f.filter) as Record<string, unknown>;
    } catch (err) {
      throw new Error(`Payload filter: not valid JSON (${(err as Error).message})`);
    }
  }
  const signature: EndpointInput['signature'] = { scheme: f.scheme };
  if (f.scheme !== 'standard-webhooks' && f.signatureHeader.trim())
    signature.header = f.signatureHeader.trim();
  if (f.scheme === 'hmac-sha256') {
    if (f.signaturePrefix) signature.prefix = f.signaturePrefix;
    signature.encoding = f.signatureEncoding;
  }
  // What only an HTTP receiver can use goes as its default to a broker or the relay.
  const http = f.kind === 'http';
  const input: EndpointInput = {
    url: f.url.trim(),
    name: f.name,
    description: f.description,
    eventTypes: f.allEvents
      ? null
      : Object.entries(f.events).map(([name, version]) => (version ? `${name}@${version}` : name)),
    filter,
    signature,
    envelope: f.envelope,
    format: f.format,
    method: http ? f.method : 'POST',
    headers: headersOf(f),
    timeoutMs: int(f.timeoutMs, 'Timeout'),
    retry: {
      maxAttempts: int(f.maxAttempts, 'Attempts'),
      ...(f.retrySchedule ? { schedule: f.retrySchedule } : {}),
    },
    batch: f.batchOn
      ? { maxSize: int(f.batchMaxSize, 'Batch size'), maxWaitMs: int(f.batchMaxWaitMs, 'Batch wait') }
      : null,
    rateLimit: f.rateOn
      ? {
          perSecond: int(f.ratePerSecond, 'Rate limit'),
          ...(f.rateBurst ? { burst: int(f.rateBurst, 'Burst') } : {}),
        }
      : null,
    overflow: f.overflow,
    maxBacklog: f.maxBacklog ? int(f.maxBacklog, 'Max backlog') : null,
    ordered: f.ordered,
    maxInFlight: int(f.maxInFlight, 'Max in flight'),
    requireVerification: http && f.requireVerification,
    verification: http ? verificationOf(f) : null,
    // Untrimmed, so the line numbers in a compile error match the editor's; null also clears a saved one.
    transform: f.transform.trim() ? f.transform : null,
    destination: destinationOf(f.kind, f.destination),
  };
  if (options.includeSecret && f.secret) input.secret = f.secret;
  return input;
}

/**
 * Only what the form changed from `base` (the saved subscription, or
 * EMPTY_FORM for a new one), and only fields in `allowed` (a portal
 * session's; null: all). A new subscription so gets the server's own
 * defaults for everything left alone (a `maxInFlight` capped by the
 * server's worker slots among them), and an update never rewrites a
 * setting the form did not touch, nor one its reader cannot see.
 */
export function changedInput(
  f: FormState,
  base: FormState,
  options: { includeSecret: boolean; allowed: ReadonlySet<string> | null; always?: readonly string[] },
): Partial<EndpointInput> {
  const next = toInput(f, { includeSecret: options.includeSecret }) as unknown as Record<string, unknown>;
  const before = toInput(base, { includeSecret: options.includeSecret }) as unknown as Record<
    string,
    unknown
  >;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(next)) {
    if (options.allowed && !options.allowed.has(key)) continue;
    if (options.always?.includes(key) || JSON.stringify(value) !== JSON.stringify(before[key]))
      out[key] = value;
  }
  return out as Partial<EndpointInput>;
}

/** A group's box: every type in it on (or every event subscribed), some, or none. */
export type GroupState = 'checked' | 'mixed' | 'unchecked';

export function groupState(f: FormState, names: readonly string[]): GroupState {
  if (f.allEvents) return 'checked';
  const on = names.filter((n) => n in f.events).length;
  if (on === 0) return 'unchecked';
  return on === names.length ? 'checked' : 'mixed';
}

/** Ticks or unticks event types, keeping the version a ticked one had pinned. */
export function setEvents(f: FormState, names: readonly string[], on: boolean): FormState {
  const events = { ...f.events };
  for (const name of names) {
    if (on) events[name] = events[name] ?? '';
    else delete events[name];
  }
  return { ...f, events };
}

/**
 * The "Try it" body for the form's transform: the example event, and the
 * webhook fields the form already knows (those not set or not valid yet are
 * left to the server's example values).
 */
export function tryTransformInput(
  f: FormState,
  example: { eventType: string; version?: number } | null,
): TryTransformInput {
  const webhook: NonNullable<TryTransformInput['webhook']> = { method: f.method };
  const url = f.url.trim();
  if (isHttpUrl(url)) webhook.url = url;
  const headers = headersOf(f);
  if (Object.keys(headers).length > 0) webhook.headers = headers;
  return {
    transform: f.transform,
    ...(example ? { eventType: example.eventType } : {}),
    ...(example?.version ? { version: example.version } : {}),
    envelope: f.envelope,
    webhook,
  };
}

function isHttpUrl(text: string): boolean {
  if (text.length > 2048) return false;
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}
