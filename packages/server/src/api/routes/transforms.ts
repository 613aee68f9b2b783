/**
 * "Try it" for transformations: runs a transform on an example webhook and
 * answers what it returned, sending nothing and recording nothing. A
 * transform that fails is a result, not a bad request: 200 with `ok: false`
 * and the message, as a delivery attempt would record it. Portal sessions
 * may use it, since they edit their endpoints' transforms.
 */
import type { Static } from '@sinclair/typebox';
import type { TransformInput } from '../../delivery/transform/transformer.ts';
import { renderBody } from '../../domain/envelope.ts';
import { newId } from '../../domain/ids.ts';
import { type HeraldApp, type RouteDeps, requireTenant } from '../context.ts';
import { errorResponses, TenantParams } from '../schemas/common.ts';
import { TryTransformBody, TryTransformResult } from '../schemas/transforms.ts';
import { resolveTestMessage } from './endpoint-tests.ts';
import { endpointTags as tags } from './endpoints.ts';

/** Where the example is addressed when the request names no URL (example.com is reserved for examples). */
export const TRY_URL = 'https://example.com/webhook';

/** The body the delivery code would hand the transform: the event rendered with the endpoint's envelope, as JSON. */
function examplePayload(
  message: { eventType: string; version: number; payload: unknown },
  eventId: string,
  envelope: 'standard' | 'none',
  now: number,
): unknown {
  const source = {
    id: eventId,
    type: message.eventType,
    version: message.version,
    resource: null,
    payload: JSON.stringify(message.payload ?? null),
    createdAt: now,
  };
  return JSON.parse(renderBody(source, envelope, 'json').body);
}

export function registerTransformRoutes(app: HeraldApp, { store, clock, transformer: run }: RouteDeps): void {
  app.post(
    '/v1/tenants/:tid/transforms/try',
    {
      config: { access: 'portal' },
      schema: {
        tags,
        summary: 'Try a transform on an example webhook; nothing is sent',
        params: TenantParams,
        body: TryTransformBody,
        response: { 200: TryTransformResult, ...errorResponses },
      },
    },
    async (request): Promise<Static<typeof TryTransformResult>> => {
      const body = request.body;
      await requireTenant(store, request.params.tid);
      const given = body.webhook ?? {};
      const message = await resolveTestMessage(store, {
        eventType: body.eventType,
        version: body.version,
        // A whole body given needs no example, so an event type outside the catalog is fine then.
        payload: body.payload ?? ('payload' in given ? given.payload : undefined),
      });
      const now = clock();
      const eventId = given.eventId ?? newId('msg', now);
      const input: TransformInput = {
        eventType: given.eventType ?? message.eventType,
        eventId,
        endpointId: given.endpointId ?? null,
        method: given.method ?? 'POST',
        url: given.url ?? TRY_URL,
        headers: given.headers ?? {},
        payload:
          'payload' in given
            ? given.payload
            : examplePayload(message, eventId, body.envelope ?? 'standard', now),
      };
      // Compiled afresh and freed: a try is one run, and nothing of it may linger for the next one.
      const outcome = run.runOnce(body.transform, input);
      if (!outcome.ok) return { ok: false, message: outcome.message, durationUs: outcome.durationUs };
      return { ok: true, cancel: outcome.cancel, webhook: outcome.webhook, durationUs: outcome.durationUs };
    },
  );
}
