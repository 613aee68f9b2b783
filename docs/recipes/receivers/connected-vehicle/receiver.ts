/**
 * A connected-vehicle API customer's callback, in Fastify: it answers the
 * ownership challenge (HMAC-SHA256 of the challenge with the webhook's
 * secret, hex) and verifies every event (Standard Webhooks signature) with
 * @herald/sdk's Fastify helper, which keeps the raw body.
 *
 * Run: VEHICLE_WEBHOOK_SECRET=whsec_… PORT=4200 npx tsx docs/recipes/receivers/connected-vehicle/receiver.ts
 */
import { challengeResponse, heraldFastify } from '@herald/sdk';
import Fastify, { type FastifyInstance } from 'fastify';

export interface VehicleMessage {
  id?: string;
  type: string;
  resource?: string | null;
  data: Record<string, unknown>;
}

export async function createVehicleReceiver(opts: {
  secret: string;
  onEvent: (e: VehicleMessage) => void;
}): Promise<FastifyInstance> {
  const app = Fastify();
  const herald = heraldFastify({ secret: opts.secret });
  await app.register(async (scope) => {
    herald.addRawBodyParser(scope);
    scope.post('/vehicle-events', { preHandler: herald.preHandler }, async (request) => {
      const message = (request as unknown as { webhook: VehicleMessage }).webhook;
      if (message.type === 'endpoint.verification') {
        return { challenge: challengeResponse(opts.secret, String(message.data.challenge)) };
      }
      opts.onEvent(message);
      return { ok: true };
    });
  });
  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const app = await createVehicleReceiver({
    secret: process.env.VEHICLE_WEBHOOK_SECRET ?? '',
    onEvent: (e) => console.log(e.type, e.resource),
  });
  await app.listen({ port: Number(process.env.PORT ?? 4200) });
}
