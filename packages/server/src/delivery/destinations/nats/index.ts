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
import { defineKind } from '../define-kind.ts';
import { NATS_ENDPOINT } from './check.ts';
import { describeNatsError, openNats, publishNats } from './connection.ts';

export const createNatsKind = defineKind({
  endpoint: NATS_ENDPOINT,
  // `nats://token@host`: a user without a password is a token, as secret as a password.
  userIsSecret: true,
  connect: openNats,
  publish: publishNats,
  describe: describeNatsError,
});
