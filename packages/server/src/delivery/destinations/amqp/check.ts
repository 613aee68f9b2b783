/** What an `amqp://` endpoint may hold. */
import { type CheckProblem, endpointSpec, type OptionValues, optionProblem, urlProblem } from '../options.ts';

// AMQP 0-9-1 `shortstr`: exchange names and routing keys are at most 255 bytes.
const SHORTSTR_BYTES = 255;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why a (rendered) routing key cannot be published with, or null. */
export function routingKeyProblem(key: string): string | null {
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > SHORTSTR_BYTES) return `is ${bytes} bytes long; AMQP allows at most ${SHORTSTR_BYTES}`;
  if (CONTROL.test(key)) return 'contains a control character';
  return null;
}

/** The vhost the URL names ('' for the broker's default, "/"), still percent-encoded as amqplib expects. */
export function vhostOf(url: URL): string {
  return url.pathname.replace(/^\//, '');
}

/** The exchange is sent as written: no template, and a valid `shortstr`. */
function exchangeProblem(options: Record<string, unknown>): CheckProblem {
  const exchange = typeof options.exchange === 'string' ? options.exchange : '';
  const bytes = Buffer.byteLength(exchange, 'utf8');
  if (bytes > SHORTSTR_BYTES) {
    return optionProblem('exchange', `is ${bytes} bytes long; AMQP allows at most 255`);
  }
  if (CONTROL.test(exchange)) return optionProblem('exchange', 'contains a control character');
  if (exchange.includes('{{')) {
    return optionProblem(
      'exchange',
      'is not a template; put {{type}}, {{tenantId}} or {{resource}} in destination.routingKey',
    );
  }
  return null;
}

export const AMQP_ENDPOINT = endpointSpec({
  kind: 'AMQP',
  schemes: { amqp: { port: 5672, tls: false }, amqps: { port: 5671, tls: true } },
  example: 'amqp://user:password@rabbit.example.com:5672/vhost',
  schemeHint: 'an AMQP URL starts with amqp:// or amqps://',
  allowPath: true,
  url: (url) =>
    vhostOf(url).includes('/')
      ? urlProblem(
          `an AMQP URL's path is one vhost name; write a "/" inside it as %2F (e.g. amqp://host/%2F for the vhost "/")`,
        )
      : null,
  options: {
    exchange: { type: 'string', default: '' },
    routingKey: { type: 'string', default: '{{type}}' },
  },
  more: exchangeProblem,
  name: { option: 'routingKey', problem: routingKeyProblem, label: (key) => `routing key "${key}"` },
});

export type AmqpOptions = OptionValues<typeof AMQP_ENDPOINT.options>;
