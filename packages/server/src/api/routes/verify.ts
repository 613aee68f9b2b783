/**
 * The ownership challenge (`POST …/endpoints/:eid/verify`), in Herald's own
 * shape or the endpoint's `verification` shape (delivery/challenge.ts).
 * Success records `verifiedAt` and turns a `pending_verification` endpoint
 * `active`, which makes its parked deliveries due; failure leaves it pending
 * and says why (naming the answer field it read).
 */
import { runChallenge } from '../../delivery/challenge.ts';
import { isHttpUrl } from '../../delivery/destinations/registry.ts';
import type { TestSendDeps } from '../../delivery/test-send.ts';
import { HeraldError } from '../../domain/errors.ts';
import type { EndpointPatch } from '../../store/port.ts';
import type { HeraldApp, RouteDeps } from '../context.ts';
import { errorResponses } from '../schemas/common.ts';
import { EndpointParams } from '../schemas/endpoints.ts';
import { VerifyResultSchema } from '../schemas/tests.ts';
import { requireEndpoint, endpointTags as tags } from './endpoints.ts';

export function registerVerifyRoutes(app: HeraldApp, { store, clock }: RouteDeps, send: TestSendDeps): void {
  app.post(
    '/v1/tenants/:tid/endpoints/:eid/verify',
    {
      config: { access: 'portal' },
      schema: {
        tags,
        summary:
          'Run the ownership challenge; on success the endpoint is verified (and active if it was pending)',
        params: EndpointParams,
        response: { 200: VerifyResultSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tid, eid } = request.params;
      const endpoint = await requireEndpoint(store, tid, eid);
      if (!isHttpUrl(endpoint.url)) {
        throw new HeraldError(
          'conflict',
          `only http(s) endpoints answer an ownership challenge; '${eid}' delivers to a broker or herald listen, which has nothing to verify`,
        );
      }
      const outcome = await runChallenge(send, endpoint);
      await store.insertAttempt(outcome.attempt);
      if (!outcome.verified) {
        return {
          verified: false,
          status: endpoint.status,
          error: outcome.reason ?? 'the challenge failed',
          attemptId: outcome.attempt.id,
        };
      }
      const patch: EndpointPatch = { verifiedAt: clock() };
      if (endpoint.status === 'pending_verification') patch.status = 'active';
      const updated = await store.updateEndpoint(tid, eid, patch, clock());
      if (!updated) throw new HeraldError('not_found', `endpoint '${eid}' was not found in tenant '${tid}'`);
      if (updated.status === 'active' && endpoint.status !== 'active') store.notifyWork();
      return { verified: true, status: updated.status, attemptId: outcome.attempt.id };
    },
  );
}
