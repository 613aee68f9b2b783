/** The event type catalog: names, groups, versions with schemas and examples. */
import { HeraldError } from '../../domain/errors.ts';
import { validateEventTypeName } from '../../domain/names.ts';
import type { EventType } from '../../domain/types.ts';
import { OPERATIONS_GROUP } from '../../ops/operational-events.ts';
import type { HeraldApp, RouteDeps } from '../context.ts';
import { renderEventType } from '../render.ts';
import { errorResponses, NoContent, pageOf } from '../schemas/common.ts';
import {
  CreateEventTypeBody,
  EventCatalogQuery,
  EventCatalogSchema,
  EventTypeParams,
  EventTypeSchema,
  ListEventTypesQuery,
  PatchEventTypeBody,
} from '../schemas/event-types.ts';

const tags = ['event types'];

function invalid(path: string, message: string): HeraldError {
  return new HeraldError('validation_failed', `${path} ${message}`, [{ path, message }]);
}

export function registerEventTypeRoutes(app: HeraldApp, { store, clock, payloadSchemas }: RouteDeps): void {
  app.post(
    '/v1/event-types',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Create an event type, or add a version to one',
        body: CreateEventTypeBody,
        response: { 201: EventTypeSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const nameError = validateEventTypeName(body.name);
      if (nameError !== null) throw invalid('name', nameError);
      const schema = body.schema ?? null;
      if (schema !== null) {
        const schemaError = payloadSchemas.checkSchema(schema);
        if (schemaError !== null) throw invalid('schema', `is not a valid JSON Schema: ${schemaError}`);
        if (body.example !== undefined) {
          const problems = payloadSchemas.validateWith(schema, body.example);
          if (problems.length > 0) {
            const first = problems[0]!;
            const path = first.path.replace(/^data/, 'example');
            throw new HeraldError(
              'validation_failed',
              `example does not match the schema: ${path} ${first.message}`,
              problems.map((p) => ({ path: p.path.replace(/^data/, 'example'), message: p.message })),
            );
          }
        }
      }
      const existing = await store.getEventType(body.name);
      if (existing && body.version === undefined) {
        const next = (existing.versions[existing.versions.length - 1]?.version ?? 0) + 1;
        throw new HeraldError(
          'conflict',
          `event type '${body.name}' exists; to add a version send "version": ${next}, or PATCH /v1/event-types/${body.name} to change it`,
        );
      }
      const created = await store.createEventType({
        name: body.name,
        group: body.group !== undefined ? body.group : (existing?.group ?? null),
        description: body.description ?? existing?.description ?? '',
        version: body.version ?? 1,
        schema,
        example: body.example ?? null,
        now: clock(),
      });
      return reply.code(201).send(renderEventType(created));
    },
  );

  app.get(
    '/v1/event-types',
    {
      config: { access: 'any' },
      schema: {
        tags,
        summary: 'List event types',
        querystring: ListEventTypesQuery,
        response: { 200: pageOf(EventTypeSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { group, limit, cursor } = request.query;
      const page = await store.listEventTypes(group === undefined ? {} : { group }, {
        limit: limit ?? 50,
        cursor: cursor ?? null,
      });
      return { data: page.data.filter(visible(group)).map(renderEventType), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/event-catalog',
    {
      config: { access: 'any' },
      schema: {
        tags,
        summary: 'The whole catalog grouped by group, for UIs (each type with its versions and examples)',
        querystring: EventCatalogQuery,
        response: { 200: EventCatalogSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { group, includeDeprecated } = request.query;
      const types: EventType[] = [];
      let cursor: string | null = null;
      do {
        const page = await store.listEventTypes(group === undefined ? {} : { group }, { limit: 250, cursor });
        types.push(...page.data.filter(visible(group)));
        cursor = page.nextCursor;
      } while (cursor !== null);
      const groups = new Map<string | null, EventType[]>();
      for (const type of types) {
        if (type.deprecated && includeDeprecated === false) continue;
        const list = groups.get(type.group) ?? [];
        list.push(type);
        groups.set(type.group, list);
      }
      const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
      const keys = [...groups.keys()].sort((a, b) => (a === null ? 1 : b === null ? -1 : byName(a, b)));
      return {
        data: keys.map((key) => ({
          group: key,
          eventTypes: (groups.get(key) ?? []).sort((a, b) => byName(a.name, b.name)).map(renderEventType),
        })),
      };
    },
  );

  const notFound = (name: string) => new HeraldError('not_found', `event type '${name}' was not found`);

  app.get(
    '/v1/event-types/:name',
    {
      config: { access: 'any' },
      schema: {
        tags,
        summary: 'Get an event type',
        params: EventTypeParams,
        response: { 200: EventTypeSchema, ...errorResponses },
      },
    },
    async (request) => {
      const type = await store.getEventType(request.params.name);
      if (!type) throw notFound(request.params.name);
      return renderEventType(type);
    },
  );

  app.patch(
    '/v1/event-types/:name',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Update an event type (group, description, deprecated)',
        params: EventTypeParams,
        body: PatchEventTypeBody,
        response: { 200: EventTypeSchema, ...errorResponses },
      },
    },
    async (request) => {
      const type = await store.updateEventType(request.params.name, request.body, clock());
      if (!type) throw notFound(request.params.name);
      return renderEventType(type);
    },
  );

  app.delete(
    '/v1/event-types/:name',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Delete an event type',
        params: EventTypeParams,
        response: { 204: NoContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      if (!(await store.deleteEventType(request.params.name))) throw notFound(request.params.name);
      return reply.code(204).send(null);
    },
  );
}

/**
 * Herald's own operational event types (endpoint.disabled, …) belong to the
 * operator, not to the platform's catalog: they are listed only when their
 * group is asked for by name.
 */
function visible(group: string | undefined): (type: EventType) => boolean {
  return (type) => type.group !== OPERATIONS_GROUP || group === OPERATIONS_GROUP;
}
