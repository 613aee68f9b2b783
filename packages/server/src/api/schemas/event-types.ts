import { Type } from '@sinclair/typebox';
import { IsoTime, JsonObject, Nullable, pageQuery } from './common.ts';
import { MAX_EVENT_TYPE_VERSION } from './limits.ts';

export const EventTypeVersionSchema = Type.Object({
  version: Type.Integer(),
  schema: Nullable(JsonObject),
  example: Type.Unknown(),
  createdAt: IsoTime,
});

export const EventTypeSchema = Type.Object({
  name: Type.String(),
  group: Nullable(Type.String()),
  description: Type.String(),
  deprecated: Type.Boolean(),
  latestVersion: Type.Integer(),
  versions: Type.Array(EventTypeVersionSchema),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});

export const CreateEventTypeBody = Type.Object(
  {
    name: Type.String({ description: 'dot-separated, e.g. device.enrolled' }),
    group: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    version: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_EVENT_TYPE_VERSION,
        description: 'a new version of an existing name adds a version',
      }),
    ),
    schema: Type.Optional(Nullable(JsonObject)),
    example: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);

export const PatchEventTypeBody = Type.Object(
  {
    group: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    deprecated: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const EventTypeParams = Type.Object({ name: Type.String() });

export const ListEventTypesQuery = Type.Object({ group: Type.Optional(Type.String()), ...pageQuery });

/** The catalog grouped for UIs: groups by name (ungrouped types last, group null), types by name. */
export const EventCatalogSchema = Type.Object({
  data: Type.Array(
    Type.Object({
      group: Nullable(Type.String()),
      eventTypes: Type.Array(EventTypeSchema),
    }),
  ),
});

export const EventCatalogQuery = Type.Object({
  group: Type.Optional(Type.String()),
  includeDeprecated: Type.Optional(Type.Boolean({ default: true })),
});
