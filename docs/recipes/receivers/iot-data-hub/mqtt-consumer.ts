/**
 * A hub subscriber's consumer on its own MQTT broker, for a subscription
 * whose URL is `mqtt://…` instead of an HTTPS endpoint
 * (docs/recipes/iot-data-hub.md, "Delivering to the customer's RabbitMQ or
 * MQTT broker"). Written with mqtt.js and standardwebhooks only:
 *
 * - connects with MQTT 5 (Herald sends the signature headers as MQTT 5 user
 *   properties), a fixed client id and a persistent session, and subscribes
 *   with QoS 1: while it is away the broker keeps the session's messages for
 *   `sessionExpirySec`, and a message it did not acknowledge comes again when
 *   the session resumes. (A message published while no session subscribes is
 *   dropped by the broker, even though it acknowledged it.)
 * - verifies each message's Standard Webhooks signature over the exact bytes;
 * - acknowledges (PUBACK) a message once `onMessage` has handled it, one
 *   message at a time; a handler that throws leaves it unacknowledged, for the
 *   broker to send again on the next connection. A bad signature is
 *   acknowledged, to drop it, and never reaches the handler.
 *
 * Run: MQTT_URL=mqtt://user:password@broker.example.com:1883 WEBHOOK_SECRET=whsec_… \
 *      npx tsx docs/recipes/receivers/iot-data-hub/mqtt-consumer.ts
 */
import mqtt, { type IPublishPacket } from 'mqtt';
import { verifyQueued } from './queued-signature.ts';

export interface MqttMessage {
  /** `webhook-id`: the same on every retry and redelivery; dedupe on it. */
  id: string;
  topic: string;
  /** The verified JSON body: Herald's event envelope. */
  payload: unknown;
}

export interface MqttConsumerOptions {
  /** The broker, e.g. mqtt://user:password@broker.example.com:1883 */
  url: string;
  /** The subscription's secret (whsec_…). */
  secret: string;
  /** The same on every start: the broker keeps the session (and its messages) under it. */
  clientId: string;
  /** What to subscribe to, e.g. "plant-1/#". */
  topicFilter: string;
  /** How long the broker keeps the session while the consumer is away; default one day. */
  sessionExpirySec?: number;
  onMessage(message: MqttMessage): void | Promise<void>;
  /** A message refused for its signature. */
  onRejected?(reason: string, packet: IPublishPacket): void;
  /** How old a message may be (it may have waited in the session); default one day. */
  maxAgeSec?: number;
  /** A connection error after the first connection (mqtt.js then reconnects). */
  onError?(err: Error): void;
}

/** The MQTT 5 user properties as headers (Herald sends each name once). */
function headersOf(packet: IPublishPacket): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(packet.properties?.userProperties ?? {})) {
    headers[name] = Array.isArray(value) ? value.join(' ') : value;
  }
  return headers;
}

export async function startMqttConsumer(opts: MqttConsumerOptions): Promise<{ close(): Promise<void> }> {
  const client = mqtt.connect(opts.url, {
    protocolVersion: 5,
    clientId: opts.clientId,
    clean: false,
    properties: { sessionExpiryInterval: opts.sessionExpirySec ?? 86_400 },
  });

  // Set before the connection opens: a resumed session's messages arrive right after CONNACK.
  // mqtt.js sends the PUBACK when `done` is called without an error, and reads the next message then.
  client.handleMessage = (packet, done) => {
    const body = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const headers = headersOf(packet);
    let payload: unknown;
    try {
      payload = verifyQueued(opts.secret, body, headers, opts.maxAgeSec ?? 86_400);
    } catch (err) {
      opts.onRejected?.(err instanceof Error ? err.message : String(err), packet);
      done();
      return;
    }
    Promise.resolve()
      .then(() => opts.onMessage({ id: headers['webhook-id']!, topic: packet.topic, payload }))
      .then(
        () => done(),
        (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
      );
  };

  let connected = false;
  // mqtt.js reconnects by itself (resuming the session); errors after the first connection are reported.
  client.on('error', (err) => connected && opts.onError?.(err));
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => {
      connected = true;
      resolve();
    });
    client.once('error', (err) => {
      if (connected) return;
      client.end(true);
      reject(err);
    });
  });
  const [granted] = await client.subscribeAsync(opts.topicFilter, { qos: 1 });
  if (granted === undefined || granted.qos === 128) {
    await client.endAsync();
    throw new Error(`the broker refused the subscription to ${opts.topicFilter}`);
  }

  return {
    // The session (its subscription and the messages for it) stays on the broker.
    close: () => client.endAsync(),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await startMqttConsumer({
    url: process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883',
    secret: process.env.WEBHOOK_SECRET ?? '',
    clientId: process.env.MQTT_CLIENT_ID ?? 'iot-hub-consumer-1',
    topicFilter: process.env.MQTT_TOPICS ?? 'plant-1/#',
    onMessage: ({ id, topic, payload }) => console.log(id, topic, JSON.stringify(payload)),
    onRejected: (reason) => console.warn('rejected:', reason),
  });
  console.log('consuming; Ctrl-C to stop');
}
