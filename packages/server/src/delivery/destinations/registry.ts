/**
 * Scheme → kind (docs/architecture.md, "Destinations: one port, many
 * kinds"): the only place that lists the kinds. The API checks an endpoint's
 * `url` and `destination` here, whatever its kind; the worker sends through
 * `routeByScheme`, which hands http(s) requests to the HTTP client and every
 * other scheme to its kind, so nothing above it branches on the kind.
 */
import { urlProblem as httpUrlProblem } from '../../domain/endpoint-url.ts';
import type { SignatureConfig } from '../../domain/types.ts';
import type { HttpClient } from '../http-client.ts';
import type { OutboundRequest, OutboundResult } from '../outbound-types.ts';
import { AMQP_ENDPOINT } from './amqp/check.ts';
import { MQTT_ENDPOINT } from './mqtt/check.ts';
import { NATS_ENDPOINT } from './nats/check.ts';
import {
  type CheckProblem,
  checkEndpoint,
  destinationProblem,
  type EndpointSpec,
  type OptionRules,
  urlProblem,
} from './options.ts';
import type { DestinationKind, DestinationMessage } from './port.ts';
import { REDIS_ENDPOINT } from './redis/check.ts';
import { RELAY_SCHEME, relayUrlProblem } from './relay/check.ts';

interface BrokerCheck {
  schemes: readonly string[];
  check(url: URL, options: Record<string, unknown>): CheckProblem;
}

function brokerCheck<R extends OptionRules>(spec: EndpointSpec<R>): BrokerCheck {
  return { schemes: Object.keys(spec.schemes), check: (url, options) => checkEndpoint(spec, url, options) };
}

const BROKERS: readonly BrokerCheck[] = [
  brokerCheck(AMQP_ENDPOINT),
  brokerCheck(REDIS_ENDPOINT),
  brokerCheck(NATS_ENDPOINT),
  brokerCheck(MQTT_ENDPOINT),
];

const SCHEME_LIST = 'http, https, amqp, amqps, nats, tls, mqtt, mqtts, redis, rediss or relay';

/** `amqp` for `amqp://…` (lower-case), null when the text has no scheme. */
export function schemeOf(url: string): string | null {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url);
  return match ? match[1]!.toLowerCase() : null;
}

/** Whether the URL's scheme is a broker's or the relay's (not http(s), and not unknown). */
export function isDestinationUrl(url: string): boolean {
  const scheme = schemeOf(url);
  return scheme !== null && (scheme === RELAY_SCHEME || BROKERS.some((b) => b.schemes.includes(scheme)));
}

/** Whether the URL goes to an HTTP receiver (rather than a broker or `herald listen`). */
export function isHttpUrl(url: string): boolean {
  const scheme = schemeOf(url);
  return scheme === 'http' || scheme === 'https';
}

/**
 * null when an endpoint may send to `url` with these `destination` options,
 * else the field that is wrong (`url`, `destination` or one option, e.g.
 * `destination.qos`) and what to write instead (the API's 422, options.ts).
 * http(s) follows domain/endpoint-url.ts and takes no options; every other
 * scheme is checked by its kind.
 */
export function destinationTargetProblem(
  url: string,
  destination: Record<string, unknown> | null,
  signature: SignatureConfig['scheme'],
): CheckProblem {
  const scheme = schemeOf(url);
  if (scheme === null || scheme === 'http' || scheme === 'https') {
    const problem = httpUrlProblem(url, signature);
    if (problem !== null) return { path: 'url', message: problem };
    if (destination !== null) {
      return {
        path: 'destination',
        message:
          'holds options for broker URLs (amqp://, nats://, mqtt://, redis://); an http(s) endpoint takes none: set it to null or leave it out',
      };
    }
    return null;
  }
  if (/\{VerificationKey\}|%7BVerificationKey%7D/i.test(url)) {
    return {
      path: 'url',
      message: `holds {VerificationKey}, which is only substituted in http(s) URLs; a ${scheme}:// endpoint gets the key in its header`,
    };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { path: 'url', message: `'${url}' is not a valid URL; e.g. ${AMQP_ENDPOINT.example}` };
  }
  if (scheme === RELAY_SCHEME) {
    const problem = relayUrlProblem(parsed);
    if (problem !== null) return urlProblem(problem);
    return destination === null
      ? null
      : destinationProblem('a relay:// endpoint takes no options: set it to null or leave it out');
  }
  const broker = BROKERS.find((b) => b.schemes.includes(scheme));
  if (!broker) return { path: 'url', message: `must use ${SCHEME_LIST}, not '${scheme}'` };
  return broker.check(parsed, destination ?? {});
}

/** What a non-HTTP request carries besides the HTTP fields: its endpoint, options and template values. */
export type DestinationFields = NonNullable<OutboundRequest['destination']>;

const NO_TEMPLATE: DestinationMessage['template'] = { type: '', tenantId: '', resource: null };

/**
 * The pool key last built for each options object. A worker sends with the
 * endpoint's options object as its endpoint cache holds it, so a stream of
 * sends to one endpoint builds its key once per object rather than once per
 * send; another endpoint or URL with the same object builds (and keeps) its
 * own. Options are read, never changed, so a key stays right for its object.
 */
const poolKeys = new WeakMap<object, { owner: string; url: string; key: string }>();

/** The pool key: one per endpoint, URL and set of options. */
function poolKey(owner: string, url: string, options: Record<string, unknown>): string {
  const cached = poolKeys.get(options);
  if (cached !== undefined && cached.owner === owner && cached.url === url) return cached.key;
  const target = `${owner}\n${url}`;
  if (typeof options !== 'object' || options === null) return `${target}\n${JSON.stringify(options)}`;
  // An endpoint without options sends a new `{}` each time: nothing to keep.
  if (!Array.isArray(options) && Object.keys(options).length === 0) return `${target}\n{}`;
  const key = `${target}\n${JSON.stringify(options)}`;
  poolKeys.set(options, { owner, url, key });
  return key;
}

/**
 * One client for every kind: http(s) requests go to `http` as before; a
 * request for another scheme goes to the kind serving it, with the same
 * headers and body, pooled by the endpoint and its URL and options (a
 * changed URL connects afresh; the old connection closes when idle).
 */
export function routeByScheme(http: HttpClient, kinds: readonly DestinationKind[]): HttpClient {
  const byScheme = new Map<string, DestinationKind>();
  for (const kind of kinds) for (const scheme of kind.schemes) byScheme.set(scheme, kind);

  function send(req: OutboundRequest): Promise<OutboundResult> {
    const scheme = schemeOf(req.url);
    const kind = scheme === null ? undefined : byScheme.get(scheme);
    if (!kind) return http.send(req);
    const fields = req.destination;
    const options = fields?.options ?? {};
    const owner = fields?.endpointId ?? req.pool?.key ?? '*';
    return kind.send(
      { key: poolKey(owner, req.url, options), url: req.url, options, endpointId: owner },
      {
        headers: req.headers,
        body: req.body,
        template: fields?.template ?? NO_TEMPLATE,
        timeoutMs: req.timeoutMs,
      },
    );
  }

  async function close(): Promise<void> {
    await Promise.all([http.close(), ...kinds.map((k) => k.close())]);
  }

  return { send, close };
}
