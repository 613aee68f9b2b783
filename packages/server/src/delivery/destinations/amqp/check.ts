/** What an `amqp://` endpoint may hold, and its options with defaults applied. */
import {
  type CheckProblem,
  commonUrlProblem,
  destinationProblem,
  firstProblem,
  notAString,
  templateNameProblem,
  unknownOptions,
  urlProblem,
} from '../options.ts';

export const AMQP_SCHEMES = ['amqp', 'amqps'] as const;
const OPTIONS = ['exchange', 'routingKey'] as const;
const EXAMPLE = 'amqp://user:password@rabbit.example.com:5672/vhost';
// AMQP 0-9-1 `shortstr`: exchange names and routing keys are at most 255 bytes.
const SHORTSTR_BYTES = 255;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused.
const CONTROL = /[\u0000-\u001f\u007f]/;

export interface AmqpOptions {
  exchange: string;
  routingKey: string;
}

export function amqpOptions(options: Record<string, unknown>): AmqpOptions {
  return {
    exchange: typeof options.exchange === 'string' ? options.exchange : '',
    routingKey: typeof options.routingKey === 'string' ? options.routingKey : '{{type}}',
  };
}

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

export function checkAmqp(url: URL, options: Record<string, unknown>): CheckProblem {
  return firstProblem(
    () =>
      (AMQP_SCHEMES as readonly string[]).includes(url.protocol.slice(0, -1))
        ? null
        : urlProblem(`an AMQP URL starts with amqp:// or amqps://, e.g. ${EXAMPLE}`),
    () => commonUrlProblem(url, 'AMQP', EXAMPLE, true),
    () =>
      vhostOf(url).includes('/')
        ? urlProblem(
            `an AMQP URL's path is one vhost name; write a "/" inside it as %2F (e.g. amqp://host/%2F for the vhost "/")`,
          )
        : null,
    () => unknownOptions(options, OPTIONS, 'AMQP'),
    () => notAString(options, 'exchange'),
    () => notAString(options, 'routingKey'),
    () => {
      const { exchange } = amqpOptions(options);
      const bytes = Buffer.byteLength(exchange, 'utf8');
      if (bytes > SHORTSTR_BYTES) {
        return destinationProblem(`destination.exchange is ${bytes} bytes long; AMQP allows at most 255`);
      }
      if (CONTROL.test(exchange))
        return destinationProblem('destination.exchange contains a control character');
      if (exchange.includes('{{')) {
        return destinationProblem(
          'destination.exchange is not a template; put {{type}}, {{tenantId}} or {{resource}} in destination.routingKey',
        );
      }
      return null;
    },
    () => templateNameProblem('routingKey', amqpOptions(options).routingKey, routingKeyProblem),
  );
}
