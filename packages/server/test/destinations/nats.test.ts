/**
 * The NATS kind against the nats-server (JetStream enabled) on
 * 127.0.0.1:4222, each message read back by nats.js's own JetStream consumer
 * on a test stream (or a core subscription), and verified with the
 * standardwebhooks library.
 */
import { connect, type JetStreamManager, type JsMsg, type MsgHdrs, type NatsConnection } from 'nats';
import { Webhook } from 'standardwebhooks';
import { expect, it } from 'vitest';
import { createNatsKind } from '../../src/delivery/destinations/nats/index.ts';
import { describeDestinationKind, type Received } from './kind-conformance.ts';
import { SECRET, signedMessage, uniqueName } from './support.ts';

const prefix = uniqueName('herald_test');
const stream = prefix.toUpperCase();
let nc: NatsConnection;
let jsm: JetStreamManager;

function headerRecord(h: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of h?.keys() ?? []) out[k] = h!.get(k);
  return out;
}

/** Every message in the test stream, read by a fresh ordered JetStream consumer; `Nats-Msg-Id` apart. */
async function streamed(): Promise<Received<JsMsg & { msgId: string }>[]> {
  const { state } = await jsm.streams.info(stream);
  const consumer = await nc.jetstream().consumers.get(stream);
  const out = [];
  for (let i = 0; i < state.messages; i++) {
    const m = await consumer.next({ expires: 2000 });
    if (m === null) break;
    const { 'Nats-Msg-Id': msgId, ...headers } = headerRecord(m.headers);
    out.push({
      name: m.subject,
      body: Buffer.from(m.data),
      headers,
      raw: Object.assign(m, { msgId: msgId! }),
    });
  }
  return out;
}

describeDestinationKind(
  'nats',
  {
    create: createNatsKind,
    broker: 'nats://127.0.0.1:4222',
    nameOption: 'subject',
    name: (suffix) => `${prefix}.${suffix}`,
    // The default subject is the type itself: one the stream takes.
    defaultType: `${prefix}.enrolled`,
    async consume() {
      nc = await connect({ servers: '127.0.0.1:4222' });
      jsm = await nc.jetstreamManager();
      await jsm.streams.add({ name: stream, subjects: [`${prefix}.>`], duplicate_window: 60_000_000_000 });
      return {
        received: streamed,
        close: async () => {
          await jsm.streams.delete(stream);
          await nc.close();
        },
      };
    },
    published(result, got, message) {
      expect(result.body).toBe(`JetStream ack: stream ${stream} seq ${got.raw.seq}`);
      expect(got.raw.msgId).toBe(message.headers['webhook-id']);
    },
    // A user without a password is a token.
    tokens: true,
    check: {
      accepts: [
        ['nats://u:p@nats.example.com:4222', { subject: 'events.{{type}}', jetstream: false }],
        ['tls://nats.example.com', {}],
      ],
      refuses: [
        ['nats://host/path', {}, 'url', /no path/],
        [
          'nats://host',
          { subjct: 'x' },
          'destination',
          /no option "subjct"; the options are "subject", "jetstream"/,
        ],
        ['nats://host', { jetstream: 'yes' }, 'destination', /jetstream must be true or false/],
        ['nats://host', { subject: 'a b.{{type}}' }, 'destination', /white space/],
        ['nats://host', { subject: 'events.*' }, 'destination', /wildcard/],
        ['nats://host', { subject: 'events.>' }, 'destination', /wildcard/],
        ['nats://host', { subject: 'events..{{type}}' }, 'destination', /empty token/],
        ['nats://host', { subject: '{{type}}.' }, 'destination', /empty token/],
        ['nats://host', { subject: '{{kind}}' }, 'destination', /unknown placeholder/],
      ],
    },
  },
  ({ kind, target }) => {
    it('dedupes a retry with the same webhook-id (Nats-Msg-Id)', async () => {
      const k = kind();
      const t = target();
      const message = signedMessage({ type: 'order.placed' });
      const first = await k.send(t, message);
      const again = await k.send(t, message);
      expect(again.verdict).toBe('success');
      expect(again.body).toBe(`${first.body} (duplicate: the stream already had this webhook-id)`);
    });

    it('publishes with core NATS and a flush when jetstream is false', async () => {
      const subject = uniqueName('core');
      const sub = nc.subscribe(subject, { max: 1 });
      await nc.flush();
      const message = signedMessage();
      const result = await kind().send(target({ subject, jetstream: false }), message);
      expect(result.verdict).toBe('success');
      expect(result.body).toBe(
        `published on subject "${subject}" and flushed (core NATS, no acknowledgement)`,
      );
      for await (const m of sub) {
        expect(m.string()).toBe(message.body);
        const { 'Nats-Msg-Id': _id, ...headers } = headerRecord(m.headers);
        expect(new Webhook(SECRET).verify(m.string(), headers)).toEqual(JSON.parse(message.body));
      }
    });

    it('says so when no stream takes the subject', async () => {
      const result = await kind().send(target({ subject: uniqueName('nostream') }), signedMessage());
      expect(result.verdict).toBe('retryable');
      expect(result.error?.message).toMatch(/no JetStream stream .* takes subject/);
    });
  },
);
