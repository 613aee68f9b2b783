/**
 * Standard Webhooks verification for a message read from a queue: the
 * `standardwebhooks` library's `verify`, except that a message may be older
 * than the library's 5 minutes. That window guards an HTTP receiver against
 * replays; a message that waited in the customer's own durable queue (or
 * persistent MQTT session) while the consumer was down is simply late, so
 * its signature is checked at its own timestamp, up to `maxAgeSec`.
 *
 * Retries and redeliveries carry the same `webhook-id`: dedupe on it.
 */
import { timingSafeEqual } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

/** The message's JSON body once its signature matches; throws WebhookVerificationError otherwise. */
export function verifyQueued(
  secret: string,
  body: Buffer,
  headers: Record<string, string>,
  maxAgeSec: number,
): unknown {
  const webhook = new Webhook(secret);
  try {
    return webhook.verify(body, headers);
  } catch (err) {
    if (!(err instanceof WebhookVerificationError) || err.message !== 'Message timestamp too old') throw err;
  }
  // Older than 5 minutes: the same check, at the timestamp the message was signed with.
  const id = headers['webhook-id'] ?? '';
  const timestamp = Number(headers['webhook-timestamp']);
  const age = Math.floor(Date.now() / 1000) - timestamp;
  if (age > maxAgeSec) {
    throw new WebhookVerificationError(`the message is ${age} s old, more than the ${maxAgeSec} s allowed`);
  }
  const expected = Buffer.from(webhook.sign(id, new Date(timestamp * 1000), body).split(',')[1] ?? '');
  const matches = (headers['webhook-signature'] ?? '').split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    const given = Buffer.from(signature ?? '');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) throw new WebhookVerificationError('No matching signature found');
  return JSON.parse(body.toString('utf8'));
}
