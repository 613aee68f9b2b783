/**
 * "Test connection" and mock events: a synchronous, signed send of an
 * example payload to a saved endpoint (whatever its status) or to an unsaved
 * configuration, answered with what came back. Recorded as `test` attempts.
 */
import type { Static } from '@sinclair/typebox';
import {
  GENERIC_TEST_EVENT_TYPE,
  GENERIC_TEST_PAYLOAD,
  sendTestMessage,
  type TestMessage,
  type TestSendDeps,
} from '../../delivery/test-send.ts';
import { transformKey } from '../../delivery/transform-step.ts';
import { HeraldError } from '../../domain/errors.ts';
import type { Endpoint } from '../../domain/types.ts';
import type { Store } from '../../store/port.ts';
import { type HeraldApp, type RouteDeps, requireTenant } from '../context.ts';
import { buildEndpoint } from '../endpoint-config.ts';
import { errorResponses, TenantParams } from '../schemas/common.ts';
import { EndpointParams } from '../schemas/endpoints.ts';
import { TestResultSchema, TestSavedEndpointBody, TestUnsavedEndpointBody } from '../schemas/tests.ts';
import { requireEndpoint, endpointTags as tags } from './endpoints.ts';

interface TestRequest {
  eventType?: string | undefined;
  version?: number | undefined;
  payload?: unknown;
}

function unprocessable(path: string, message: string): HeraldError {
  return new HeraldError('validation_failed', `${path} ${message}`, [{ path, message }]);
}

/**
 * What a test sends: the given payload, else the example of the event type's
 * version (latest by default), else `{"test": true}`.
 */
export async function resolveTestMessage(store: Store, req: TestRequest): Promise<TestMessage> {
  if (req.eventType === undefined) {
    return {
      eventType: GENERIC_TEST_EVENT_TYPE,
      version: req.version ?? 1,
      payload: req.payload === undefined ? GENERIC_TEST_PAYLOAD : req.payload,
    };
  }
  const type = await store.getEventType(req.eventType);
  if (!type) {
    if (req.payload !== undefined)
      return { eventType: req.eventType, version: req.version ?? 1, payload: req.payload };
    throw unprocessable(
      'eventType',
      `'${req.eventType}' is not in the event catalog; create it (POST /v1/event-types) or send a "payload"`,
    );
  }
  const version =
    req.version === undefined
      ? type.versions[type.versions.length - 1]
      : type.versions.find((v) => v.version === req.version);
  if (!version) {
    const known = type.versions.map((v) => v.version).join(', ');
    throw unprocessable('version', `${req.version} is not a version of '${type.name}' (it has ${known})`);
  }
  let payload = req.payload;
  if (payload === undefined) payload = version.example ?? GENERIC_TEST_PAYLOAD;
  return { eventType: type.name, version: version.version, payload };
}

async function runTest(
  store: Store,
  send: TestSendDeps,
  endpoint: Endpoint,
  req: TestRequest,
  saved: boolean,
): Promise<Static<typeof TestResultSchema>> {
  const message = await resolveTestMessage(store, req);
  const result = await sendTestMessage(send, endpoint, message, saved ? transformKey(endpoint) : null);
  // An unsaved configuration's id was never stored: the log must not point at it.
  if (!saved) result.attempt.endpointId = null;
  await store.insertAttempt(result.attempt);
  return {
    status: result.status,
    latencyMs: result.latencyMs,
    responseBody: result.responseBody,
    responseHeaders: result.responseHeaders,
    error: result.error,
    requestId: result.requestId,
    request: result.request,
    attemptId: result.attempt.id,
  };
}

export function registerEndpointTestRoutes(
  app: HeraldApp,
  { store, clock, options, transformer }: RouteDeps,
  send: TestSendDeps,
): void {
  const rules = {
    maxCustomHeaders: options.maxCustomHeaders,
    checkTransform: (source: string) => transformer.check(source),
  };

  app.post(
    '/v1/tenants/:tid/endpoints/test',
    {
      config: { access: 'portal' },
      schema: {
        tags,
        summary:
          'Test an unsaved endpoint configuration ("Test connection"): one signed send, answered at once',
        params: TenantParams,
        body: TestUnsavedEndpointBody,
        response: { 200: TestResultSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { eventType, version, payload, ...config } = request.body;
      await requireTenant(store, request.params.tid);
      const endpoint = buildEndpoint(request.params.tid, config, clock(), rules);
      return runTest(store, send, endpoint, { eventType, version, payload }, false);
    },
  );

  app.post(
    '/v1/tenants/:tid/endpoints/:eid/test',
    {
      config: { access: 'portal' },
      schema: {
        tags,
        summary: 'Send a test (mock) event to an endpoint now, whatever its status; not counted in summaries',
        params: EndpointParams,
        body: TestSavedEndpointBody,
        response: { 200: TestResultSchema, ...errorResponses },
      },
    },
    async (request) => {
      const endpoint = await requireEndpoint(store, request.params.tid, request.params.eid);
      return runTest(store, send, endpoint, request.body, true);
    },
  );
}
