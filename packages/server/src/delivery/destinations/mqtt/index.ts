/**
 * `mqtt://` and `mqtts://` endpoints (MQTT 5). Each message is published to
 * the rendered `topic` with `qos` (1 by default). Success is the broker's
 * PUBACK (QoS 1) or PUBCOMP (QoS 2) with a reason code below 0x80 — the
 * broker has taken the message (0x10 says nobody subscribes); with QoS 0 it
 * is the write to the socket, since QoS 0 is never acknowledged. A reason of
 * 0x80 or more is retried, except the few that say this message can never be
 * taken (an invalid topic, a packet too large), which are permanent.
 *
 * Headers (signature, `webhook-id`, `content-type`, custom) travel as MQTT 5
 * user properties; the content type also as the `contentType` property.
 */
import { failed } from '../outcome.ts';
import { ConnectionPool, DEFAULT_IDLE_MS } from '../pool.ts';
import type { DestinationContext, DestinationKind } from '../port.ts';
import { parseTarget, runSend } from '../run-send.ts';
import { renderTemplate } from '../template.ts';
import { checkMqtt, MQTT_SCHEMES, mqttOptions, topicProblem } from './check.ts';
import { describeMqttError, type MqttConnection, openMqtt, publishMqtt } from './connection.ts';

export function createMqttKind(ctx: DestinationContext): DestinationKind {
  const pool = new ConnectionPool<MqttConnection>(ctx.idleMs ?? DEFAULT_IDLE_MS);
  const clock = ctx.clock ?? (() => performance.now());

  return {
    schemes: MQTT_SCHEMES,
    check: checkMqtt,
    async send(target, message) {
      const parsed = parseTarget(target);
      if ('result' in parsed) return parsed.result;
      const { url, secrets } = parsed;
      const { topic: template, qos } = mqttOptions(target.options);
      const topic = renderTemplate(template, message.template);
      const invalid = topicProblem(topic);
      if (invalid !== null) {
        return failed({ kind: 'invalid_url', message: `topic "${topic}" ${invalid}` }, 'permanent', 0);
      }
      return runSend({
        pool,
        policy: ctx.policy,
        clock,
        target,
        message,
        url,
        secrets,
        open: (host, lost) => openMqtt(url, host, lost),
        publish: (conn) => publishMqtt(conn, topic, qos, message, url.host),
        describe: describeMqttError,
      });
    },
    close: () => pool.close(),
  };
}
