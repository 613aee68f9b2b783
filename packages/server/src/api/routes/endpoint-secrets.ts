/**
 * Endpoint secrets: read the current one, rotate with a grace period during
 * which the old secret keeps signing next to the new one, so receivers can
 * switch without dropping a single delivery.
 */
import { generateSecret } from '@herald/sdk';
import type { EndpointSecret } from '../../domain/types.ts';
import type { HeraldApp, RouteDeps } from '../context.ts';
import { checkSecret } from '../endpoint-config.ts';
import { isoOrNull } from '../render.ts';
import { errorResponses } from '../schemas/common.ts';
import { EndpointParams, RotatedSecretSchema, RotateSecretBody, SecretSchema } from '../schemas/endpoints.ts';
import { requireEndpoint, endpointTags as tags } from './endpoints.ts';

/** Rotated-out secrets kept at most, besides the current one. */
const MAX_PREVIOUS_SECRETS = 4;

export function registerEndpointSecretRoutes(app: HeraldApp, { store, clock, options }: RouteDeps): void {
  app.get(
    '/v1/tenants/:tid/endpoints/:eid/secret',
    {
      config: { access: 'portal' },
      schema: {
        tags,
        summary: "The endpoint's current secret",
        params: EndpointParams,
        response: { 200: SecretSchema, ...errorResponses },
      },
    },
    async (request) => {
      const endpoint = await requireEndpoint(store, request.params.tid, request.params.eid);
      return { secret: endpoint.secrets[0]?.value ?? '' };
    },
  );

  app.post(
    '/v1/tenants/:tid/endpoints/:eid/secret/rotate',
    {
      config: { access: 'portal' },
      schema: {
        tags,
        summary: 'Rotate the secret; the old one keeps signing for graceMs (default 24 h)',
        params: EndpointParams,
        body: RotateSecretBody,
        response: { 200: RotatedSecretSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tid, eid } = request.params;
      const endpoint = await requireEndpoint(store, tid, eid);
      const secret = request.body.secret ?? generateSecret(endpoint.signature.scheme);
      checkSecret(secret, endpoint.signature.scheme);
      const now = clock();
      const graceMs = request.body.graceMs ?? options.secretGraceMs;
      const [current, ...older] = endpoint.secrets;
      const previousExpiresAt = graceMs > 0 && current ? now + graceMs : null;
      const kept: EndpointSecret[] = older.filter((s) => s.expiresAt !== null && s.expiresAt > now);
      const secrets: EndpointSecret[] = [
        { value: secret, expiresAt: null },
        ...(previousExpiresAt !== null && current
          ? [{ value: current.value, expiresAt: previousExpiresAt }]
          : []),
        ...kept,
      ].slice(0, MAX_PREVIOUS_SECRETS + 1);
      await store.updateEndpoint(tid, eid, { secrets }, now);
      return { secret, previousExpiresAt: isoOrNull(previousExpiresAt) };
    },
  );
}
