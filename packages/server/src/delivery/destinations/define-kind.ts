/**
 * A broker kind made from the parts only it knows: what its endpoints may
 * hold (an `EndpointSpec`), how to connect to a checked address, how to
 * publish one message, and how to read its client library's errors.
 * Everything else is the same for every broker and is done here once: the
 * pool, the URL's secrets, rendering the name template and refusing a
 * rendered name the protocol does not allow, the send itself (run-send.ts)
 * and closing.
 */
import type { AttemptError } from '../../domain/types.ts';
import {
  type CheckProblem,
  checkEndpoint,
  type EndpointSpec,
  type OptionRules,
  type OptionValues,
  readOptions,
} from './options.ts';
import { failed } from './outcome.ts';
import { ConnectionPool, DEFAULT_IDLE_MS, type PooledConnection } from './pool.ts';
import type { DestinationContext, DestinationKind, DestinationMessage } from './port.ts';
import type { ResolvedHost } from './resolve-host.ts';
import { type Published, parseTarget, runSend } from './run-send.ts';
import { renderTemplate } from './template.ts';

/** Where and as whom a kind connects: the address that passed the network policy, never the name again. */
export interface BrokerAddress {
  /** The endpoint's URL, for what only the kind reads from it (a vhost, a database). */
  url: URL;
  host: ResolvedHost;
  /** The URL's port, or its scheme's default. */
  port: number;
  /** Whether the scheme means TLS (`amqps`, `rediss`, `tls`, `mqtts`). */
  tls: boolean;
  /** The URL's userinfo, decoded; undefined when absent. */
  username: string | undefined;
  password: string | undefined;
}

/** One message to publish, with the endpoint's options (defaults applied) and its rendered, valid name. */
export interface PublishRequest<O> {
  /** The routing key, stream, subject or topic. */
  name: string;
  options: O;
  message: DestinationMessage;
  /** `host:port` of the broker, for messages. */
  where: string;
}

export interface KindParts<C extends PooledConnection, R extends OptionRules> {
  endpoint: EndpointSpec<R>;
  /** Whether a user without a password is a secret too (a NATS token). */
  userIsSecret?: boolean;
  /** Connects; `lost` as in pool.ts. */
  connect(to: BrokerAddress, lost: (reason: unknown) => void): Promise<C>;
  /** Publishes and resolves with the broker's answer, or rejects (an AttemptFailure when the kind knows the verdict). */
  publish(conn: C, request: PublishRequest<OptionValues<R>>): Promise<Published>;
  /** The kind's reading of an error, before the shared one; null to fall through. */
  describe?(err: unknown, where: string, name: string): AttemptError | null;
}

/**
 * A problem as the port's check() says it, at `url` or `destination`: a
 * problem with one option is said at `destination`, naming the option
 * first (`destination.qos must be 0, 1 or 2, not 3; …`).
 */
function kindProblem(problem: CheckProblem): ReturnType<DestinationKind['check']> {
  if (problem === null) return null;
  const { path, message } = problem;
  if (path === 'url' || path === 'destination') return { path, message };
  return { path: 'destination', message: `${path} ${message}` };
}

/** The kind's factory: each call makes a kind with its own pool. */
export function defineKind<C extends PooledConnection, R extends OptionRules>(
  parts: KindParts<C, R>,
): (ctx: DestinationContext) => DestinationKind {
  const { endpoint } = parts;
  const schemes = Object.keys(endpoint.schemes);
  // A URL of another scheme is refused by check(); sent anyway, it is read as the first (plain) scheme.
  const plain = endpoint.schemes[schemes[0]!]!;

  return (ctx) => {
    const pool = new ConnectionPool<C>(ctx.idleMs ?? DEFAULT_IDLE_MS);
    const clock = ctx.clock ?? (() => performance.now());
    return {
      schemes,
      check: (url, options) => kindProblem(checkEndpoint(endpoint, url, options)),
      async send(target, message) {
        const parsed = parseTarget(target, parts.userIsSecret);
        if ('result' in parsed) return parsed.result;
        const { url, username, password, secrets } = parsed;
        const options = readOptions(endpoint.options, target.options);
        const name = renderTemplate(String(options[endpoint.name.option]), message.template);
        const invalid = endpoint.name.problem(name);
        if (invalid !== null) {
          const error = { kind: 'invalid_url' as const, message: `${endpoint.name.label(name)} ${invalid}` };
          return failed(error, 'permanent', 0);
        }
        const scheme = endpoint.schemes[url.protocol.slice(0, -1)] ?? plain;
        const port = url.port === '' ? scheme.port : Number(url.port);
        const where = url.host;
        return runSend({
          pool,
          policy: ctx.policy,
          clock,
          target,
          message,
          url,
          secrets,
          open: (host, lost) => parts.connect({ url, host, port, tls: scheme.tls, username, password }, lost),
          publish: (conn) => parts.publish(conn, { name, options, message, where }),
          describe: (err, at) => parts.describe?.(err, at, name) ?? null,
        });
      },
      close: () => pool.close(),
    };
  };
}
