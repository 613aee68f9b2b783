/** What an `mqtt://` endpoint may hold. */
import { endpointSpec, type OptionValues } from '../options.ts';

// A UTF-8 string in MQTT is prefixed by its 16-bit length.
const MAX_TOPIC_BYTES = 65_535;

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

export const MQTT_ENDPOINT = endpointSpec({
  kind: 'MQTT',
  schemes: { mqtt: { port: 1883, tls: false }, mqtts: { port: 8883, tls: true } },
  example: 'mqtt://user:password@broker.example.com:1883',
  schemeHint: 'an MQTT URL starts with mqtt:// or mqtts://',
  allowPath: false,
  options: {
    // Dots are kept: `device.enrolled` is one topic level, as the event type is one name.
    topic: { type: 'string', default: '{{type}}' },
    qos: {
      type: 'choice',
      values: [0, 1, 2],
      default: 1,
      hint: '1 (the default) means the broker acknowledges each message',
    },
  },
  name: { option: 'topic', problem: topicProblem, label: (topic) => `topic "${topic}"` },
});

export type MqttOptions = OptionValues<typeof MQTT_ENDPOINT.options>;
