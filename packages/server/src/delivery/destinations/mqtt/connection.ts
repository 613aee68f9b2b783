/**
 * One MQTT 5 client as the pool holds it. mqtt.js's reconnecting is off
 * (reconnectPeriod 0) and each connection starts a clean session, so
 * nothing is queued to be replayed behind the endpoint's retry schedule; a
 * closed client is replaced by the pool on the next send.
 */
import { randomBytes } from 'node:crypto';
import type { MqttClient, Packet } from 'mqtt';
import type { AttemptError } from '../../../domain/types.ts';
import type { BrokerAddress, PublishRequest } from '../define-kind.ts';
import { AttemptFailure, CONNECT_BUDGET_MS, withDeadline } from '../outcome.ts';
import type { PooledConnection } from '../pool.ts';
import type { MqttOptions } from './check.ts';

export interface MqttConnection extends PooledConnection {
  client: MqttClient;
  /** The reason code of the last PUBACK/PUBCOMP per message id, read when its publish completes. */
  acks: Map<number, number>;
}

// The PUBACK/PUBREC reason codes (MQTT 5, §3.4.2.1) that say this message can never be taken as it
// is; the others (not authorized, quota exceeded, unspecified) may pass once the broker's side changes.
const PERMANENT_REASONS = new Map([
  [0x90, 'the broker refuses the topic name'],
  [0x99, 'the broker refuses the payload format'],
]);

export async function openMqtt(to: BrokerAddress, lost: (reason: unknown) => void): Promise<MqttConnection> {
  const { host, username, password, tls } = to;
  // The client library loads with the first connection: an installation that sends
  // only HTTP never holds it in memory (together the four broker clients are ~50 MB of RSS).
  const { default: mqtt } = await import('mqtt');
  const client = mqtt.connect({
    host: host.address,
    port: to.port,
    protocol: tls ? 'mqtts' : 'mqtt',
    ...(tls && host.servername !== undefined ? { servername: host.servername } : {}),
    protocolVersion: 5,
    clientId: `herald_${randomBytes(8).toString('hex')}`,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: CONNECT_BUDGET_MS,
    keepalive: 30,
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
  });
  let lastError: unknown;
  client.on('error', (err) => {
    lastError = err;
  });
  const conn: MqttConnection = {
    client,
    acks: new Map(),
    close: async () => {
      try {
        await withDeadline(client.endAsync(), 2000, () => new Error('end timed out'));
      } catch {
        client.end(true);
      }
    },
  };
  client.on('packetreceive', (packet: Packet) => {
    if ((packet.cmd === 'puback' || packet.cmd === 'pubcomp') && packet.messageId !== undefined) {
      conn.acks.set(packet.messageId, packet.reasonCode ?? 0);
    }
  });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('close', () => reject(lastError ?? new Error('the broker closed the connection')));
    });
  } catch (err) {
    client.end(true);
    throw err;
  }
  client.on('close', () => lost(lastError ?? new Error('connection closed')));
  return conn;
}

/** Publishes and resolves on PUBACK (QoS 1), PUBCOMP (QoS 2) or, for QoS 0, once written. */
export function publishMqtt(
  conn: MqttConnection,
  { name: topic, options: { qos }, message, where }: PublishRequest<MqttOptions>,
): Promise<{ body: string }> {
  const contentType = message.headers['content-type'];
  return new Promise((resolve, reject) => {
    conn.client.publish(
      topic,
      Buffer.from(message.body, 'utf8'),
      {
        qos,
        properties: {
          userProperties: { ...message.headers },
          ...(contentType !== undefined ? { contentType } : {}),
        },
      },
      (err, packet) => {
        if (err) {
          reject(refusal(err, topic, where) ?? err);
          return;
        }
        if (qos === 0) {
          resolve({ body: `written with QoS 0 on topic "${topic}" (QoS 0 has no acknowledgement)` });
          return;
        }
        const id = packet?.messageId;
        const reason = id === undefined ? 0 : (conn.acks.get(id) ?? 0);
        if (id !== undefined) conn.acks.delete(id);
        const name = qos === 1 ? 'PUBACK' : 'PUBCOMP';
        const note = reason === 0x10 ? ' (no matching subscribers)' : '';
        resolve({ body: `${name} reason ${reason}${note} on topic "${topic}"` });
      },
    );
  });
}

/** A PUBACK/PUBREC reason code of 0x80 or more: the broker did not take the message. */
function refusal(err: unknown, topic: string, where: string): AttemptFailure | null {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'number' || code < 0x80) return null;
  const text = err instanceof Error ? err.message : String(err);
  const permanent = PERMANENT_REASONS.get(code);
  const error = {
    kind: 'network' as const,
    message: `${where} refused the message on topic "${topic}": reason ${code} (${permanent ?? text})`,
  };
  return new AttemptFailure(error, permanent !== undefined ? 'permanent' : 'retryable');
}

/** mqtt.js's connection errors in words an endpoint owner can act on. */
export function describeMqttError(err: unknown, where: string): AttemptError | null {
  const inner = (err as { reason?: unknown }).reason ?? err;
  const code = (inner as { code?: unknown } | null)?.code;
  const text = inner instanceof Error ? inner.message : String(inner);
  if (code === 134 || code === 135 || code === 4 || code === 5) {
    return {
      kind: 'network',
      message: `${where} refused the connection: ${text}; check the URL's user and password`,
    };
  }
  if (typeof code === 'number')
    return { kind: 'network', message: `${where} refused the connection: ${text}` };
  if (/connack timeout/i.test(text))
    return { kind: 'timeout', message: `${where} did not answer CONNECT in time` };
  if (/client disconnecting/i.test(text)) {
    return { kind: 'connection_reset', message: `${where} closed the connection (${text})` };
  }
  return null;
}
