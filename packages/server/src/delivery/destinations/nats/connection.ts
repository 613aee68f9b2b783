/**
 * One nats.js connection as the pool holds it. nats.js's reconnecting is
 * off and cluster updates are ignored: the client only ever talks to the
 * address that passed the network policy, and a closed connection is
 * replaced by the pool on the next send.
 */
import type { JetStreamClient, NatsConnection, TlsOptions } from 'nats';
import type { AttemptError } from '../../../domain/types.ts';
import type { BrokerAddress, PublishRequest } from '../define-kind.ts';
import { AttemptFailure, CONNECT_BUDGET_MS, withDeadline } from '../outcome.ts';
import type { PooledConnection } from '../pool.ts';
import type { DestinationMessage } from '../port.ts';
import { hostPort } from '../resolve-host.ts';
import type { NatsOptions } from './check.ts';

export interface NatsPooled extends PooledConnection {
  nc: NatsConnection;
  js: JetStreamClient;
}

/**
 * The client library, loaded with the first connection: an installation that sends
 * only HTTP never holds it in memory (together the four broker clients are ~50 MB of RSS).
 */
let nats: typeof import('nats') | null = null;

export async function openNats(to: BrokerAddress, lost: (reason: unknown) => void): Promise<NatsPooled> {
  const { host, username, password } = to;
  const auth =
    username !== undefined && password === undefined
      ? { token: username }
      : username !== undefined || password !== undefined
        ? { user: username ?? '', pass: password ?? '' }
        : {};
  nats ??= await import('nats');
  const nc = await nats.connect({
    servers: hostPort(host.address, to.port),
    ...auth,
    // tls:// requires TLS; the name as written is what the certificate must show. nats.js passes
    // its `tls` option through to tls.connect, though its type lists only the certificate fields.
    ...(to.tls
      ? { tls: (host.servername !== undefined ? { servername: host.servername } : {}) as TlsOptions }
      : {}),
    name: 'herald',
    noEcho: true,
    reconnect: false,
    ignoreClusterUpdates: true,
    timeout: CONNECT_BUDGET_MS,
  });
  void nc.closed().then((err) => lost(err ?? new Error('connection closed')));
  return {
    nc,
    js: nc.jetstream(),
    close: async () => {
      try {
        await withDeadline(nc.close(), 2000, () => new Error('close timed out'));
      } catch {
        // Already closed: nothing left to release.
      }
    },
  };
}

/** For a message on an open connection, so the library is loaded. */
function headersOf(message: DestinationMessage) {
  const h = nats!.headers();
  for (const [name, value] of Object.entries(message.headers)) h.append(name, value);
  return h;
}

/**
 * A JetStream publish or, with `jetstream: false`, a core one. A message
 * over the server's max_payload can never be sent (nats.js throws before
 * writing it): that is permanent.
 */
export function publishNats(
  conn: NatsPooled,
  { name: subject, options: { jetstream }, message, where }: PublishRequest<NatsOptions>,
): Promise<{ body: string }> {
  const publish = jetstream ? publishJetStream : publishCore;
  return publish(conn, subject, message).catch((err: unknown) => {
    throw tooLarge(err, where) ?? err;
  });
}

/** A JetStream publish, resolved on the stream's PubAck; `Nats-Msg-Id` is the webhook-id, so retries dedupe. */
async function publishJetStream(
  conn: NatsPooled,
  subject: string,
  message: DestinationMessage,
): Promise<{ body: string }> {
  const msgID = message.headers['webhook-id'];
  const ack = await conn.js.publish(subject, new TextEncoder().encode(message.body), {
    headers: headersOf(message),
    timeout: message.timeoutMs,
    ...(msgID !== undefined ? { msgID } : {}),
  });
  const duplicate = ack.duplicate ? ' (duplicate: the stream already had this webhook-id)' : '';
  return { body: `JetStream ack: stream ${ack.stream} seq ${ack.seq}${duplicate}` };
}

/** A core publish, resolved once the server answered the PING after it (core NATS has no per-message ack). */
async function publishCore(
  conn: NatsPooled,
  subject: string,
  message: DestinationMessage,
): Promise<{ body: string }> {
  const h = headersOf(message);
  const msgID = message.headers['webhook-id'];
  if (msgID !== undefined) h.set('Nats-Msg-Id', msgID);
  conn.nc.publish(subject, new TextEncoder().encode(message.body), { headers: h });
  await conn.nc.flush();
  return { body: `published on subject "${subject}" and flushed (core NATS, no acknowledgement)` };
}

/** nats.js's error codes in words an endpoint owner can act on. */
export function describeNatsError(err: unknown, where: string, subject: string): AttemptError | null {
  const inner = (err as { reason?: unknown }).reason ?? err;
  const code = (inner as { code?: unknown } | null)?.code;
  const text = inner instanceof Error ? inner.message : String(inner);
  const api = (inner as { api_error?: { description?: string } }).api_error;
  if (api?.description)
    return { kind: 'network', message: `JetStream on ${where} refused: ${api.description}` };
  switch (code) {
    case '503':
      return {
        kind: 'network',
        message: `no JetStream stream on ${where} takes subject "${subject}"; add it to a stream's subjects, or set destination.jetstream to false`,
      };
    case 'TIMEOUT':
      return { kind: 'timeout', message: `${where} did not acknowledge the message in time` };
    case 'CONNECTION_TIMEOUT':
      return { kind: 'timeout', message: `connecting to ${where} timed out` };
    case 'CONNECTION_CLOSED':
    case 'DISCONNECT':
      return { kind: 'connection_reset', message: `${where} closed the connection (${text})` };
    case 'AUTHORIZATION_VIOLATION':
    case 'AUTHENTICATION_EXPIRED':
      return {
        kind: 'network',
        message: `${where} refused the credentials (${code}); check the URL's user and password or token`,
      };
    case 'PERMISSIONS_VIOLATION':
      return { kind: 'network', message: `${where} does not allow this user to publish to "${subject}"` };
    case 'SERVER_OPT_NA':
      return { kind: 'tls', message: `${where} does not offer TLS; use nats:// instead of tls://` };
    default:
      return null;
  }
}

function tooLarge(err: unknown, where: string): AttemptFailure | null {
  if ((err as { code?: unknown }).code !== 'MAX_PAYLOAD_EXCEEDED') return null;
  return new AttemptFailure(
    { kind: 'network', message: `the message is larger than ${where}'s max_payload` },
    'permanent',
  );
}
