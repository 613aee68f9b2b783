import { Type } from '@sinclair/typebox';
import { IsoTime, JsonObject } from './common.ts';

export const TenantSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  metadata: JsonObject,
  createdAt: IsoTime,
  updatedAt: IsoTime,
});

export const CreateTenantBody = Type.Object(
  {
    id: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9_-]{1,64}$',
        description: 'your own id; generated (tnt_…) when left out',
      }),
    ),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    metadata: Type.Optional(JsonObject),
  },
  { additionalProperties: false },
);

export const PatchTenantBody = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    metadata: Type.Optional(JsonObject),
  },
  { additionalProperties: false },
);
