/**
 * Building blocks shared by every route's schemas. The same TypeBox schemas
 * validate requests, shape responses and feed the OpenAPI document.
 */
import { type TSchema, Type } from '@sinclair/typebox';

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const IsoTime = Type.String({ format: 'date-time', description: 'ISO 8601 time' });

/** Any JSON object (metadata, JSON Schemas, filters). */
export const JsonObject = Type.Object({}, { additionalProperties: true });

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'stable machine-readable code, e.g. validation_failed' }),
      message: Type.String({ description: 'what was wrong and how to fix it' }),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { description: 'An error' },
);

/** Every route may answer these; listed so the OpenAPI document shows the error shape. */
export const errorResponses = {
  '4xx': ErrorResponse,
  '5xx': ErrorResponse,
};

export const pageOf = <T extends TSchema>(item: T) =>
  Type.Object({
    data: Type.Array(item),
    nextCursor: Nullable(
      Type.String({ description: 'pass as ?cursor= for the next page; null on the last page' }),
    ),
  });

export const pageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 250, default: 50 })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
};

export const TenantParams = Type.Object({ tid: Type.String({ description: 'tenant id' }) });

export const NoContent = Type.Null({ description: 'No content' });

export const TIME_QUERY_DESCRIPTION =
  'ISO 8601 time (2026-01-31T12:00:00Z) or epoch milliseconds, from 1970 to the end of 9999';
