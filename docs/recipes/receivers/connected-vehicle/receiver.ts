/// <reference path="./smartcar.d.ts" />
/**
 * A connected-car platform customer's callback, written the way that
 * platform's docs tell its customers, with the platform's own SDK
 * (`smartcar`) and no Herald code: every request carries `SC-Signature`, the
 * hex HMAC-SHA256 of the body keyed by the application management token,
 * checked with `verifyPayload`; the one-time `verify` event is answered with
 * `{"challenge": hashChallenge(token, payload.challenge)}`. The token is all
 * it shares with Herald (it is the endpoint's secret there).
 *
 * Run: APPLICATION_MANAGEMENT_TOKEN=… PORT=4200 npx tsx docs/recipes/receivers/connected-vehicle/receiver.ts
 */
import Fastify, { type FastifyInstance } from 'fastify';
import smartcar from 'smartcar';

/** A webhook body as the platform documents it (version 2.0). */
export interface VehicleWebhook {
  version?: string;
  webhookId?: string;
  /** `verify` for the challenge; `eventBased`, `schedule`, … for vehicle data. */
  eventName: string;
  mode?: string;
  payload: Record<string, unknown>;
}

export async function createVehicleReceiver(opts: {
  managementToken: string;
  onEvent: (e: VehicleWebhook) => void;
}): Promise<FastifyInstance> {
  const app = Fastify();
  app.post('/vehicle-events', async (request, reply) => {
    const body = request.body as VehicleWebhook;
    // The SDK hashes JSON.stringify of the parsed body, which is the bytes sent for compact JSON.
    const signature = request.headers['sc-signature'];
    if (typeof signature !== 'string' || !smartcar.verifyPayload(opts.managementToken, signature, body)) {
      return reply.code(401).send({ error: 'SC-Signature does not match this application management token' });
    }
    if (body.eventName === 'verify') {
      return { challenge: smartcar.hashChallenge(opts.managementToken, String(body.payload.challenge)) };
    }
    opts.onEvent(body);
    return { received: true };
  });
  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const app = await createVehicleReceiver({
    managementToken: process.env.APPLICATION_MANAGEMENT_TOKEN ?? '',
    onEvent: (e) => console.log(e.eventName, JSON.stringify(e.payload)),
  });
  await app.listen({ port: Number(process.env.PORT ?? 4200) });
}
