/**
 * The subscription form's delivery methods (DESIGN.md, "Destinations beyond
 * HTTP"): the URL's scheme chooses the kind, and a broker's options go in
 * the endpoint's `destination`. For each kind: what its URL field says, the
 * options it takes with their defaults (shown as placeholders), and the
 * mapping between the form's text and the API's values (pure: no DOM, no
 * React). The server checks everything again; its 422s name the option in
 * their message, and `destinationErrors` puts each next to its field.
 */
import { HeraldApiError } from '../../sdk/src/client/errors.ts';
import type { DestinationOptions } from '../../sdk/src/client/types.ts';
import { type FieldError, readableFieldError } from './error-messages.ts';

export type DestinationKind = 'http' | 'amqp' | 'nats' | 'mqtt' | 'redis' | 'relay';

/** The API's `destination`: a broker's options, null for http(s) and relay:// endpoints. */
export type Destination = DestinationOptions | null;

export interface DestinationOption {
  /** Its name in `destination`. */
  name: string;
  label: string;
  /** `text` is sent as written; `integer` as a number; `choice` as the value's type. */
  type: 'text' | 'integer' | 'choice';
  /** What the server uses when the field is left empty (or an example, for a required one). */
  placeholder?: string;
  hint?: string;
  required?: boolean;
  /** `choice`: the offered values, the default one first with the value '' (not sent). */
  choices?: readonly { value: string; label: string }[];
  /** `choice`: the default's own value, read back from a saved endpoint as ''. */
  defaultValue?: string;
}

export interface KindSpec {
  /** What the Delivery method choice says. */
  label: string;
  /** The URL schemes of this kind, the plain one first. */
  schemes: readonly string[];
  urlLabel: string;
  placeholder: string;
  help: string;
  options: readonly DestinationOption[];
}

const TEMPLATE = 'May use {{type}}, {{tenantId}} and {{resource}}.';

export const KINDS: Record<DestinationKind, KindSpec> = {
  http: {
    label: 'Webhook (HTTPS)',
    schemes: ['https', 'http'],
    urlLabel: 'URL',
    placeholder: 'https://example.com/webhooks',
    help: 'Each event is sent to this address as an HTTP request; a 2xx answer means delivered.',
    options: [],
  },
  amqp: {
    label: 'RabbitMQ (AMQP)',
    schemes: ['amqp', 'amqps'],
    urlLabel: 'Broker URL',
    placeholder: 'amqp://user:password@rabbit.example.com:5672/vhost',
    help: 'amqp:// or amqps:// (TLS); the path is the vhost (%2F for "/"). Delivered once the broker confirms the message.',
    options: [
      {
        name: 'exchange',
        label: 'Exchange',
        type: 'text',
        placeholder: '(the default exchange)',
        hint: 'Empty: the default exchange, which routes to the queue named by the routing key.',
      },
      { name: 'routingKey', label: 'Routing key', type: 'text', placeholder: '{{type}}', hint: TEMPLATE },
    ],
  },
  nats: {
    label: 'NATS JetStream',
    schemes: ['nats', 'tls'],
    urlLabel: 'Broker URL',
    placeholder: 'nats://user:password@nats.example.com:4222',
    help: 'nats:// or tls:// (TLS required). Delivered once JetStream acknowledges the message.',
    options: [
      { name: 'subject', label: 'Subject', type: 'text', placeholder: '{{type}}', hint: TEMPLATE },
      {
        name: 'jetstream',
        label: 'Publish with',
        type: 'choice',
        defaultValue: 'true',
        choices: [
          { value: '', label: "JetStream: wait for the stream's ack (default)" },
          { value: 'false', label: 'Core NATS: no ack, only a flush' },
        ],
      },
    ],
  },
  mqtt: {
    label: 'MQTT',
    schemes: ['mqtt', 'mqtts'],
    urlLabel: 'Broker URL',
    placeholder: 'mqtt://user:password@broker.example.com:1883',
    help: 'mqtt:// or mqtts:// (TLS), MQTT 5. Delivered once the broker acknowledges (PUBACK or PUBCOMP).',
    options: [
      { name: 'topic', label: 'Topic', type: 'text', placeholder: '{{type}}', hint: TEMPLATE },
      {
        name: 'qos',
        label: 'QoS',
        type: 'choice',
        defaultValue: '1',
        choices: [
          { value: '', label: '1: at least once, acknowledged (default)' },
          { value: '0', label: '0: at most once, no acknowledgement' },
          { value: '2', label: '2: exactly once' },
        ],
      },
    ],
  },
  redis: {
    label: 'Redis Streams',
    schemes: ['redis', 'rediss'],
    urlLabel: 'Broker URL',
    placeholder: 'redis://user:password@redis.example.com:6379/0',
    help: 'redis:// or rediss:// (TLS); the path is the database number. Each event is one XADD entry.',
    options: [
      {
        name: 'stream',
        label: 'Stream',
        type: 'text',
        required: true,
        placeholder: '{{tenantId}}.events',
        hint: `The stream to add entries to (required). ${TEMPLATE}`,
      },
      {
        name: 'maxLen',
        label: 'Max length',
        type: 'integer',
        placeholder: 'no limit',
        hint: 'Trims the stream to about this many entries (MAXLEN ~).',
      },
    ],
  },
  relay: {
    label: 'Local relay (herald listen)',
    schemes: ['relay'],
    urlLabel: 'Relay URL',
    placeholder: 'relay://',
    help: 'relay:// (or relay://<label>): deliveries go to a developer running herald listen, which forwards them to a local server.',
    options: [],
  },
};

export const KIND_ORDER: readonly DestinationKind[] = ['http', 'amqp', 'nats', 'mqtt', 'redis', 'relay'];

/** The kind a URL's scheme names; null while it has no scheme the form knows (being typed, say). */
export function kindOfUrl(url: string): DestinationKind | null {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url.trim())?.[1]?.toLowerCase();
  if (!scheme) return null;
  return KIND_ORDER.find((k) => KINDS[k].schemes.includes(scheme)) ?? null;
}

/** Whether the kind's endpoints take `destination` options (the brokers). */
export const takesOptions = (kind: DestinationKind): boolean => KINDS[kind].options.length > 0;

/** A saved `destination` as the form's text, one entry per option of the kind ('' for absent or the default choice). */
export function optionsFromDestination(
  kind: DestinationKind,
  destination: Destination,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const option of KINDS[kind].options) {
    const value = (destination as Record<string, unknown> | null)?.[option.name];
    const text = value === undefined || value === null ? '' : String(value);
    out[option.name] = option.type === 'choice' && text === option.defaultValue ? '' : text;
  }
  return out;
}

/**
 * The form's option text as `destination`: only the options that are set,
 * `{}` for a broker with none, null for http(s) and relay://. A number that
 * does not read as one is sent as written, for the server to explain.
 */
export function destinationOf(kind: DestinationKind, options: Record<string, string>): Destination {
  if (!takesOptions(kind)) return null;
  const out: Record<string, unknown> = {};
  for (const option of KINDS[kind].options) {
    const text = options[option.name] ?? '';
    if (option.type === 'text') {
      if (text !== '') out[option.name] = text;
      continue;
    }
    const trimmed = text.trim();
    if (trimmed === '') continue;
    if (trimmed === 'true' || trimmed === 'false') out[option.name] = trimmed === 'true';
    else out[option.name] = Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
  }
  return out as DestinationOptions;
}

/**
 * What choosing another delivery method does to the URL: one of another
 * kind no longer fits, so it goes (relay:// is the relay's only sensible
 * start); one of the chosen kind, or a half-typed one, stays.
 */
export function urlForKind(kind: DestinationKind, url: string): string {
  const current = kindOfUrl(url);
  if (current === kind) return url;
  if (kind === 'relay') return 'relay://';
  return current === null ? url : '';
}

/** The form with another delivery method chosen (its URL as `urlForKind` leaves it). */
export function withKind<F extends { kind: DestinationKind; url: string }>(f: F, kind: DestinationKind): F {
  return { ...f, kind, url: urlForKind(kind, f.url) };
}

/** The form with a URL typed: a scheme of another kind switches the delivery method to it. */
export function withUrl<F extends { kind: DestinationKind; url: string }>(f: F, url: string): F {
  return { ...f, url, kind: kindOfUrl(url) ?? f.kind };
}

/** Fields only an HTTP receiver has a use for: hidden for other kinds, and sent as their defaults. */
export const HTTP_ONLY_FIELDS: readonly string[] = ['method', 'requireVerification', 'verification'];

/** Where a validation problem belongs: `url`, `destination.<option>`, or `destination` for the options as a whole. */
export type TargetField = 'url' | 'destination' | `destination.${string}`;

/**
 * The API's 422 details about the URL and the destination options, each as
 * its readable line, by the field it belongs next to. The server puts every
 * option's problem at `destination` and names the option first in its
 * message ("destination.routingKey uses the unknown placeholder …").
 */
export function destinationErrors(err: unknown): Partial<Record<TargetField, string>> {
  if (!(err instanceof HeraldApiError) || err.code !== 'validation_failed' || !Array.isArray(err.details)) {
    return {};
  }
  const out: Partial<Record<TargetField, string>> = {};
  for (const detail of err.details as Partial<FieldError>[]) {
    if (typeof detail.path !== 'string' || typeof detail.message !== 'string') continue;
    const path = detail.path.replace(/^body\./, '');
    let field: TargetField | null = null;
    if (path === 'url') field = 'url';
    else if (path === 'destination' || path.startsWith('destination.')) {
      const named = /^destination\.(\w+)/.exec(path === 'destination' ? detail.message : path);
      field = named ? `destination.${named[1]}` : 'destination';
    }
    if (field && !out[field]) out[field] = readableFieldError({ path: detail.path, message: detail.message });
  }
  return out;
}
