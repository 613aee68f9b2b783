/**
 * The part of a broker send every kind shares: take the endpoint's pooled
 * connection (opening it, within the connect budget, on the checked address
 * if there is none), publish, and wait for the broker's answer no longer
 * than the message's timeout or than the connection lives. Whatever
 * happens, the caller gets a result, never an exception.
 */
import type { AttemptError } from '../../domain/types.ts';
import type { NetworkPolicy } from '../ssrf.ts';
import { credentialsOf } from './options.ts';
import {
  AttemptFailure,
  CONNECT_BUDGET_MS,
  ConnectionLostError,
  describeError,
  failed,
  scrubResult,
  succeeded,
  withDeadline,
} from './outcome.ts';
import type { ConnectionPool, PooledConnection } from './pool.ts';
import type { DestinationMessage, DestinationResult, DestinationTarget } from './port.ts';
import { type ResolvedHost, resolveHost } from './resolve-host.ts';

/** What the broker said to a publish that it took: the attempt log's response body. */
export interface Published {
  body: string;
}

export interface SendSpec<C extends PooledConnection> {
  pool: ConnectionPool<C>;
  policy: NetworkPolicy;
  clock: () => number;
  target: DestinationTarget;
  message: DestinationMessage;
  /** The parsed target URL. */
  url: URL;
  /** Values that must never appear in a result (the URL's password, a token). */
  secrets: readonly string[];
  /** Connects to the checked address; `lost` as in pool.ts. */
  open(host: ResolvedHost, lost: (reason: unknown) => void): Promise<C>;
  /** Publishes and resolves with the broker's answer, or rejects (an AttemptFailure when the kind knows the verdict). */
  publish(conn: C): Promise<Published>;
  /** Kind-specific reading of an error, before the shared one; null to fall through. */
  describe?(err: unknown, where: string): AttemptError | null;
}

/** A target's URL, parsed, with its userinfo decoded. */
export interface ParsedTarget {
  url: URL;
  username: string | undefined;
  password: string | undefined;
  /** Values that must never appear in a result. */
  secrets: string[];
}

/**
 * The target's URL, parsed, and the secrets in it (the password as written
 * and decoded; the user too when `userIsSecret`, as for a NATS token).
 */
export function parseTarget(
  target: DestinationTarget,
  userIsSecret = false,
): ParsedTarget | { result: DestinationResult } {
  let url: URL;
  try {
    url = new URL(target.url);
  } catch {
    const error = { kind: 'invalid_url' as const, message: 'the endpoint URL is not a valid URL' };
    return { result: failed(error, 'permanent', 0) };
  }
  const { username, password } = credentialsOf(url);
  const secrets = [url.password, password ?? ''];
  if (userIsSecret) secrets.push(url.username, username ?? '');
  return { url, username, password, secrets };
}

export async function runSend<C extends PooledConnection>(spec: SendSpec<C>): Promise<DestinationResult> {
  const started = spec.clock();
  const elapsed = () => Math.max(0, Math.round(spec.clock() - started));
  const where = spec.url.host;
  const explain = (err: unknown): AttemptError =>
    (err instanceof AttemptFailure ? null : spec.describe?.(err, where)) ?? describeError(err, where);

  let result: DestinationResult;
  try {
    const acquiring = spec.pool.acquire(spec.target.key, async (lost) => {
      const resolved = await resolveHost(spec.url, spec.policy);
      if ('error' in resolved) throw new AttemptFailure(resolved.error);
      return spec.open(resolved.host, lost);
    });
    const lease = await withDeadline(acquiring, CONNECT_BUDGET_MS, () => {
      // The connection may still open after we gave up on it: hand it back so it can idle out.
      acquiring.then(
        (late) => late.release(),
        () => undefined,
      );
      return new AttemptFailure({
        kind: 'timeout',
        message: `no connection to ${where} within ${CONNECT_BUDGET_MS} ms`,
      });
    });
    let stopListening = () => {};
    try {
      const lost = new Promise<never>((_, reject) => {
        stopListening = lease.onLost((reason) => reject(new ConnectionLostError(reason)));
      });
      const published = await withDeadline(
        Promise.race([spec.publish(lease.conn), lost]),
        spec.message.timeoutMs,
        () =>
          new AttemptFailure({
            kind: 'timeout',
            message: `${where} did not acknowledge within ${spec.message.timeoutMs} ms`,
          }),
      );
      result = succeeded(published.body, elapsed());
    } catch (err) {
      // A client can fail a send for a dead socket without ever reporting the connection closed
      // (ioredis after a close it saw while connecting): such a connection is not reused.
      const kind = explain(err).kind;
      if (kind === 'connection_reset' || kind === 'connection_refused') lease.discard(err);
      throw err;
    } finally {
      stopListening();
      lease.release();
    }
  } catch (err) {
    const verdict = err instanceof AttemptFailure ? err.verdict : 'retryable';
    result = failed(explain(err), verdict, elapsed());
  }
  return scrubResult(result, spec.secrets);
}
