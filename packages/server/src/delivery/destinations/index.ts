/**
 * The broker kinds, for the registry (docs/architecture.md, "Destinations:
 * one port, many kinds"): each is made with the same context and serves the
 * URL schemes it lists.
 */
import { createAmqpKind } from './amqp/index.ts';
import { createMqttKind } from './mqtt/index.ts';
import { createNatsKind } from './nats/index.ts';
import type { DestinationContext, DestinationKind } from './port.ts';
import { createRedisKind } from './redis/index.ts';

export { createAmqpKind, createMqttKind, createNatsKind, createRedisKind };

/** RabbitMQ (`amqp`, `amqps`), Redis Streams (`redis`, `rediss`), NATS (`nats`, `tls`), MQTT 5 (`mqtt`, `mqtts`). */
export function createBrokerKinds(ctx: DestinationContext): DestinationKind[] {
  return [createAmqpKind(ctx), createRedisKind(ctx), createNatsKind(ctx), createMqttKind(ctx)];
}
