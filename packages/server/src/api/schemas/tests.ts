/** Test sends ("Test connection", mock events) and the ownership challenge. */
import { Type } from '@sinclair/typebox';
import { Nullable } from './common.ts';
import { CreateEndpointBody } from './endpoints.ts';
import { MAX_EVENT_TYPE_VERSION } from './limits.ts';

const testFields = {
  eventType: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 128,
      description: "sent with the type's example payload (latest version) unless `payload` is given",
    }),
  ),
  version: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_EVENT_TYPE_VERSION,
      description: 'the event type version whose example to send; default latest',
    }),
  ),
  payload: Type.Optional(
    Type.Unknown({ description: 'the data to send; default the example, else {"test":true}' }),
  ),
};

export const TestSavedEndpointBody = Type.Object(testFields, { additionalProperties: false });

/** An unsaved endpoint configuration (the create schema) plus what to send. */
export const TestUnsavedEndpointBody = Type.Composite([CreateEndpointBody, Type.Object(testFields)], {
  additionalProperties: false,
});

export const TestErrorSchema = Type.Object({ kind: Type.String(), message: Type.String() });

export const TestResultSchema = Type.Object({
  status: Nullable(Type.Integer({ description: 'the HTTP status answered; null when no response came' })),
  latencyMs: Type.Integer(),
  responseBody: Nullable(Type.String()),
  responseHeaders: Nullable(Type.Record(Type.String(), Type.String())),
  error: Nullable(TestErrorSchema),
  requestId: Type.String({ description: 'sent as x-request-id' }),
  request: Type.Union(
    [
      Type.Object({
        method: Type.String(),
        url: Type.String({ description: 'with any verification key redacted' }),
        headers: Type.Record(Type.String(), Type.String(), {
          description: 'as sent, credential headers masked as in the log',
        }),
        body: Type.String(),
      }),
      Type.Null(),
    ],
    {
      description:
        "the request as it was sent, after the endpoint's transform; null when the transform failed or cancelled it",
    },
  ),
  attemptId: Type.String({ description: 'the log record: GET …/attempts/:id' }),
});

export const VerifyResultSchema = Type.Object({
  verified: Type.Boolean(),
  status: Type.String({ description: "the endpoint's status after the challenge" }),
  error: Type.Optional(Type.String({ description: 'why the challenge failed' })),
  attemptId: Type.String(),
});
