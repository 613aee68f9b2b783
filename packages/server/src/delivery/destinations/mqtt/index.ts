/**
 * `mqtt://` and `mqtts://` endpoints (MQTT 5). Each message is published to
 * the rendered `topic` with `qos` (1 by default). Success is the broker's
 * PUBACK (QoS 1) or PUBCOMP (QoS 2) with a reason code below 0x80 — the
 * broker has taken the message (0x10 says nobody subscribes); with QoS 0 it
 * is the write to the socket, since QoS 0 is never acknowledged. A reason of
 * 0x80 or more is retried, except the few that say this message can never be
 * taken (a topic name or payload format the broker refuses), which are permanent.
 *
 * Headers (signature, `webhook-id`, `content-type`, custom) travel as MQTT 5
 * user properties; the content type also as the `contentType` property.
 */
import { defineKind } from '../define-kind.ts';
import { MQTT_ENDPOINT } from './check.ts';
import { describeMqttError, openMqtt, publishMqtt } from './connection.ts';

export const createMqttKind = defineKind({
  endpoint: MQTT_ENDPOINT,
  connect: openMqtt,
  publish: publishMqtt,
  describe: describeMqttError,
});
