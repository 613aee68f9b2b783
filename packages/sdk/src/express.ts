/**
 * `@herald/sdk/express`: the Express receiver, with `req.webhook` typed.
 *
 * The augmentation goes through the global `Express.Request` namespace, which
 * `@types/express-serve-static-core` merges into its `Request`, instead of
 * `declare module 'express-serve-static-core'`: augmenting a module that is
 * not installed is an error under strict tsc, while a global namespace needs
 * nothing installed. Importing this entry is what opts a project in.
 */
import type { WebhookPayload } from './receivers/payload.ts';

export {
  type ExpressLikeNext,
  type ExpressLikeRequest,
  type HeraldExpressOptions,
  heraldExpress,
} from './receivers/express.ts';
export type { JsonObject, JsonValue, ReceiverOptions, WebhookPayload } from './receivers/payload.ts';

declare global {
  namespace Express {
    interface Request {
      /**
       * The verified, parsed payload, set by `heraldExpress()`. Typed on every
       * request, but only routes behind `heraldExpress()` have it.
       */
      webhook: WebhookPayload;
    }
  }
}
