// Puts fastify in the program of this package's own declaration build, where
// nothing else imports it and the augmentation below would have no module to
// augment. The emitted .d.ts drops it: a user's program has fastify already,
// and one without fastify leaves the augmentation unapplied, without an error.
/// <reference types="fastify" />
/**
 * `@herald/sdk/fastify`: the Fastify receiver, with `request.webhook` and
 * `request.rawBody` typed. Kept out of the root entry so that only whoever
 * imports this entry gets Fastify's request type changed.
 */
import type { WebhookPayload } from './receivers/payload.ts';

export {
  type FastifyLikeInstance,
  type FastifyLikeReply,
  type FastifyLikeRequest,
  type HeraldFastify,
  heraldFastify,
} from './receivers/fastify.ts';
export type { JsonObject, JsonValue, ReceiverOptions, WebhookPayload } from './receivers/payload.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The verified, parsed payload, set by `heraldFastify(...).preHandler`.
     * Typed on every request, but only routes behind that preHandler have it.
     */
    webhook: WebhookPayload;
    /** The exact bytes received, kept by `addRawBodyParser(scope)` in its scope. */
    rawBody?: Buffer;
  }
}
