/**
 * `nats://` and `tls://` endpoints. With `jetstream` (the default) each
 * message is a JetStream publish and success is the stream's PubAck: the
 * message is stored (or was already, when `Nats-Msg-Id` — the webhook-id —
 * repeats within the stream's duplicate window). With `jetstream: false` it
 * is a core publish, and success means the server read it (a flush): there
 * is no subscriber acknowledgement in core NATS.
 *
 * Headers (signature, `webhook-id`, `content-type`, custom) travel as NATS
 * headers with their lower-case names.
 */
import { failed } from '../outcome.ts';
import { ConnectionPool, DEFAULT_IDLE_MS } from '../pool.ts';
import type { DestinationContext, DestinationKind } from '../port.ts';
import { parseTarget, runSend } from '../run-send.ts';
import { renderTemplate } from '../template.ts';
import { checkNats, NATS_SCHEMES, natsOptions, subjectProblem } from './check.ts';
import {
  describeNatsError,
  type NatsPooled,
  openNats,
  publishCore,
  publishJetStream,
  tooLarge,
} from './connection.ts';

export function createNatsKind(ctx: DestinationContext): DestinationKind {
  const pool = new ConnectionPool<NatsPooled>(ctx.idleMs ?? DEFAULT_IDLE_MS);
  const clock = ctx.clock ?? (() => performance.now());

  return {
    schemes: NATS_SCHEMES,
    check: checkNats,
    async send(target, message) {
      // `nats://token@host`: a user without a password is a token, as secret as a password.
      const parsed = parseTarget(target, true);
      if ('result' in parsed) return parsed.result;
      const { url, secrets } = parsed;
      const { subject: template, jetstream } = natsOptions(target.options);
      const subject = renderTemplate(template, message.template);
      const invalid = subjectProblem(subject);
      if (invalid !== null) {
        return failed({ kind: 'invalid_url', message: `subject "${subject}" ${invalid}` }, 'permanent', 0);
      }
      const publish = jetstream ? publishJetStream : publishCore;
      return runSend({
        pool,
        policy: ctx.policy,
        clock,
        target,
        message,
        url,
        secrets,
        open: (host, lost) => openNats(url, host, lost),
        publish: (conn) =>
          publish(conn, subject, message).catch((err: unknown) => {
            throw tooLarge(err, url.host) ?? err;
          }),
        describe: (err, where) => describeNatsError(err, where, subject),
      });
    },
    close: () => pool.close(),
  };
}
