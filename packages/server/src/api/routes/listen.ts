/**
 * What `herald listen` talks to (DESIGN.md, "`herald listen` (local
 * development)"): a Server-Sent Events stream of a `relay://` endpoint's
 * deliveries, and the route the listener posts each local answer to. Tenant
 * tokens and admin keys may listen; portal sessions may not (a listener
 * receives the tenant's signed payloads). Another tenant's endpoint answers 404.
 *
 * The stream sends `event: ready` once (the endpoint), then one
 * `event: delivery` per message (`{id, method, headers, body, eventType,
 * timeoutMs}`), `event: standby` / `event: active` when a newer listener of
 * the same endpoint takes the deliveries or gives them back, and a
 * `: keep-alive` comment every 15 s so proxies keep the connection open.
 */
import { PassThrough } from 'node:stream';
import { Type } from '@sinclair/typebox';
import { schemeOf } from '../../delivery/destinations/registry.ts';
import { RELAY_SCHEME } from '../../delivery/destinations/relay/check.ts';
import { RELAY_ERROR_KINDS, type RelayAnswer, RelayHub } from '../../delivery/destinations/relay/hub.ts';
import { HeraldError } from '../../domain/errors.ts';
import type { HeraldApp, RouteDeps } from '../context.ts';
import { displayUrl } from '../render.ts';
import { errorResponses, NoContent } from '../schemas/common.ts';
import { EndpointParams } from '../schemas/endpoints.ts';
import { requireEndpoint, endpointTags as tags } from './endpoints.ts';

/** How often an idle stream gets a comment line. */
export const KEEP_ALIVE_MS = 15_000;

const ListenAnswerParams = Type.Object({
  tid: Type.String(),
  eid: Type.String(),
  id: Type.String({ description: "the delivery's id, from its `delivery` event" }),
});

export const ListenAnswerBody = Type.Object(
  {
    status: Type.Optional(
      Type.Integer({ minimum: 100, maximum: 599, description: "the local server's HTTP status" }),
    ),
    headers: Type.Optional(
      Type.Record(Type.String({ maxLength: 256 }), Type.String({ maxLength: 8192 }), {
        maxProperties: 100,
        description: "the local server's response headers",
      }),
    ),
    body: Type.Optional(
      Type.String({ maxLength: 65_536, description: "the local server's response body (its first 64 KiB)" }),
    ),
    error: Type.Optional(
      Type.Object(
        {
          kind: Type.Union(
            RELAY_ERROR_KINDS.map((k) => Type.Literal(k)),
            { description: 'how reaching the local server failed' },
          ),
          message: Type.String({ minLength: 1, maxLength: 1000 }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  {
    additionalProperties: false,
    description: 'Either the local answer (`status`, `headers`, `body`) or why there was none (`error`)',
  },
);

function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function invalid(path: string, message: string): HeraldError {
  return new HeraldError('validation_failed', `${path} ${message}`, [{ path, message }]);
}

export function registerListenRoutes(app: HeraldApp, { store, relay }: RouteDeps): void {
  // Without a process hub (an API built on its own) the streams work but nothing delivers to them.
  const hub = relay ?? new RelayHub();
  app.addHook('preClose', async () => hub.close());

  app.get(
    '/v1/tenants/:tid/endpoints/:eid/listen',
    {
      config: { access: 'tenant' },
      schema: {
        tags,
        summary:
          "Receive a relay:// endpoint's deliveries as Server-Sent Events (what `herald listen` connects to)",
        params: EndpointParams,
        response: {
          200: Type.String({
            description:
              'text/event-stream: `ready`, then a `delivery` event per message ({id, method, headers, body, eventType, timeoutMs}); answer each with POST …/listen/{id}',
          }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { tid, eid } = request.params;
      const endpoint = await requireEndpoint(store, tid, eid);
      if (schemeOf(endpoint.url) !== RELAY_SCHEME) {
        throw new HeraldError(
          'conflict',
          `endpoint '${eid}' delivers to ${displayUrl(endpoint.url)}, not to herald listen: set its url to relay:// ` +
            `(PATCH /v1/tenants/${tid}/endpoints/${eid}), or run herald listen without --endpoint to get a session endpoint`,
        );
      }
      const stream = new PassThrough();
      const write = (text: string) => {
        if (!stream.destroyed && !stream.writableEnded) stream.write(text);
      };
      const connection = hub.attach(eid, {
        deliver: (message) => write(sse('delivery', { ...message, method: endpoint.method })),
        setActive: (active) => write(sse(active ? 'active' : 'standby', { endpointId: eid })),
        close: () => {
          if (!stream.destroyed && !stream.writableEnded) stream.end();
        },
      });
      const keepAlive = setInterval(() => write(': keep-alive\n\n'), KEEP_ALIVE_MS);
      keepAlive.unref();
      // Fastify destroys the stream when the client goes away; the hub then fails what it had not answered.
      stream.once('close', () => {
        clearInterval(keepAlive);
        connection.detach();
      });
      write(
        sse('ready', {
          endpointId: eid,
          tenantId: tid,
          url: displayUrl(endpoint.url),
          status: endpoint.status,
          eventTypes: endpoint.eventTypes,
          active: connection.active,
        }),
      );
      // The 200 schema documents the stream as text; Fastify pipes a stream as it is, unserialized.
      return reply
        .header('content-type', 'text/event-stream; charset=utf-8')
        .header('cache-control', 'no-cache, no-transform')
        .header('x-accel-buffering', 'no')
        .send(stream as unknown as string);
    },
  );

  app.post(
    '/v1/tenants/:tid/endpoints/:eid/listen/:id',
    {
      config: { access: 'tenant' },
      schema: {
        tags,
        summary: "Answer one relayed delivery with the local server's response (or why there was none)",
        params: ListenAnswerParams,
        body: ListenAnswerBody,
        response: { 204: NoContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { tid, eid, id } = request.params;
      const { status, headers, body, error } = request.body;
      if (status !== undefined && error !== undefined) {
        throw invalid('error', 'cannot be sent with status: send the local answer or the error, not both');
      }
      if (status === undefined && error === undefined) {
        throw invalid(
          'status',
          'is required (or send error {kind, message} when the local server gave no answer)',
        );
      }
      if (error !== undefined && (headers !== undefined || body !== undefined)) {
        throw invalid(headers !== undefined ? 'headers' : 'body', 'goes with status, not with error');
      }
      await requireEndpoint(store, tid, eid);
      const answer: RelayAnswer =
        error !== undefined ? { error } : { status: status!, headers: headers ?? {}, body: body ?? '' };
      if (!hub.answer(eid, id, answer)) {
        throw new HeraldError(
          'not_found',
          `delivery '${id}' is not waiting for an answer on endpoint '${eid}': it was answered already, ` +
            'Herald stopped waiting after the endpoint timeout, or its listener disconnected (the attempt is then retried)',
        );
      }
      return reply.code(204).send(null);
    },
  );
}
