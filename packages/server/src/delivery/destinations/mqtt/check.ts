/** What an `mqtt://` endpoint may hold, and its options with defaults applied. */
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

export const MQTT_SCHEMES = ['mqtt', 'mqtts'] as const;
const OPTIONS = ['topic', 'qos'] as const;
const EXAMPLE = 'mqtt://user:password@broker.example.com:1883';
// A UTF-8 string in MQTT is prefixed by its 16-bit length.
const MAX_TOPIC_BYTES = 65_535;

export interface MqttOptions {
  topic: string;
  qos: 0 | 1 | 2;
}

export function mqttOptions(options: Record<string, unknown>): MqttOptions {
  const qos = options.qos;
  return {
    // Dots are kept: `device.enrolled` is one topic level, as the event type is one name.
    topic: typeof options.topic === 'string' ? options.topic : '{{type}}',
    qos: qos === 0 || qos === 1 || qos === 2 ? qos : 1,
  };
}

/** Why a (rendered) topic cannot be published to, or null (MQTT 5, §4.7). */
export function topicProblem(topic: string): string | null {
  if (topic === '') return 'is empty; name a topic, e.g. "events/{{type}}"';
  if (/[+#]/.test(topic)) return 'contains a wildcard ("+" or "#"), which is for subscribing, not publishing';
  if (topic.includes('\u0000')) return 'contains a NUL character';
  if (topic.startsWith('$')) return 'starts with "$", which brokers keep for themselves (e.g. $SYS)';
  const bytes = Buffer.byteLength(topic, 'utf8');
  if (bytes > MAX_TOPIC_BYTES) return `is ${bytes} bytes long; MQTT allows at most ${MAX_TOPIC_BYTES}`;
  return null;
}

export function checkMqtt(url: URL, options: Record<string, unknown>): CheckProblem {
  return firstProblem(
    () =>
      (MQTT_SCHEMES as readonly string[]).includes(url.protocol.slice(0, -1))
        ? null
        : urlProblem(`an MQTT URL starts with mqtt:// or mqtts://, e.g. ${EXAMPLE}`),
    () => commonUrlProblem(url, 'MQTT', EXAMPLE, false),
    () => unknownOptions(options, OPTIONS, 'MQTT'),
    () => notAString(options, 'topic'),
    () =>
      options.qos === undefined || options.qos === 0 || options.qos === 1 || options.qos === 2
        ? null
        : destinationProblem(
            `destination.qos must be 0, 1 or 2, not ${JSON.stringify(options.qos)}; ` +
              '1 (the default) means the broker acknowledges each message',
          ),
    () => templateNameProblem('topic', mqttOptions(options).topic, topicProblem),
  );
}
