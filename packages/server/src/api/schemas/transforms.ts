/** "Try it" for transformations: run a transform on an example webhook, sending nothing. */
import { Type } from '@sinclair/typebox';
import { MAX_EVENT_TYPE_VERSION } from './limits.ts';

/** The transform's source, in characters (the transformer also holds it to 64 KiB of UTF-8). */
export const MAX_TRANSFORM_SOURCE_LENGTH = 65_536;

const webhookFields = {
  eventType: Type.String({ maxLength: 128 }),
  eventId: Type.String({ maxLength: 128 }),
  endpointId: Type.Union([Type.String({ maxLength: 128 }), Type.Null()], {
    description: 'the endpoint sent to; null for an unsaved configuration',
  }),
  method: Type.String({ maxLength: 16, description: 'POST, PUT or PATCH' }),
  url: Type.String({ maxLength: 2048 }),
  headers: Type.Record(Type.String(), Type.String(), {
    description: "the endpoint's custom headers; Herald's own (content-type, signatures, …) are added after",
  }),
  payload: Type.Unknown({ description: 'the body as JSON, before rendering (an array for a batch)' }),
};

export const TransformWebhookSchema = Type.Object(webhookFields, {
  description: 'what handler(webhook) receives, and what it returned',
});

export const TryTransformBody = Type.Object(
  {
    transform: Type.String({
      minLength: 1,
      maxLength: MAX_TRANSFORM_SOURCE_LENGTH,
      description: 'JavaScript defining function handler(webhook) { …; return webhook; } (at most 64 KiB)',
    }),
    eventType: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        description: "the event type; without `payload`, its example (latest version) is the event's data",
      }),
    ),
    version: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_EVENT_TYPE_VERSION,
        description: 'whose example; default latest',
      }),
    ),
    payload: Type.Optional(
      Type.Unknown({ description: 'the event\'s data; default the example, else {"test":true}' }),
    ),
    envelope: Type.Optional(
      Type.Union([Type.Literal('standard'), Type.Literal('none')], {
        description: "how the data becomes the body, as the endpoint's `envelope` (default standard)",
      }),
    ),
    webhook: Type.Optional(
      Type.Partial(Type.Object(webhookFields), {
        additionalProperties: false,
        description: 'fields of the input to set yourself; `payload` here replaces the whole body',
      }),
    ),
  },
  { additionalProperties: false },
);

export const TryTransformResult = Type.Object({
  ok: Type.Boolean({ description: 'false: the transform failed, and `message` says why' }),
  cancel: Type.Optional(Type.Boolean({ description: 'true: the delivery would be skipped' })),
  webhook: Type.Optional(TransformWebhookSchema),
  message: Type.Optional(Type.String()),
  durationUs: Type.Integer({ minimum: 0, description: 'how long the transform took, compiling included' }),
});
