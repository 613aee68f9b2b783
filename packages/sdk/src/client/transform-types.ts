/** Types of "Try it" for transformations: run a transform on an example webhook, sending nothing. */

/** What `handler(webhook)` receives, and what it returned. */
export interface TransformWebhook {
  /** The event's type; `"batch"` for a batch of mixed types. Read-only to the handler. */
  eventType: string;
  /** The event id, or the batch's id. Read-only to the handler. */
  eventId: string;
  /** The endpoint sent to; null for an unsaved configuration. */
  endpointId: string | null;
  /** `POST`, `PUT` or `PATCH`. */
  method: string;
  url: string;
  /** The endpoint's custom headers; Herald's own (content-type, signatures, …) are added after. */
  headers: Record<string, string>;
  /** The body as JSON, before rendering (an array for a batch). */
  payload: unknown;
}

export interface TryTransformInput {
  /** JavaScript defining `function handler(webhook) { …; return webhook; }` (at most 64 KiB). */
  transform: string;
  /** Without `payload`, this type's catalog example (latest version) is the event's data. */
  eventType?: string;
  /** Whose example; default the latest. */
  version?: number;
  /** The event's data; default the example, else `{"test": true}`. */
  payload?: unknown;
  /** How the data becomes the body, as the endpoint's `envelope` (default standard). */
  envelope?: 'standard' | 'none';
  /** Fields of the input to set yourself; `payload` here replaces the whole body. */
  webhook?: Partial<TransformWebhook>;
}

/** A transform that fails is a result too (`ok: false`), not an error thrown. */
export type TryTransformResult =
  | {
      ok: true;
      /** True: the delivery would be skipped. */
      cancel: boolean;
      webhook: TransformWebhook;
      /** How long the transform took, compiling included. */
      durationUs: number;
    }
  | {
      ok: false;
      /** Why it failed: a syntax error, a throw, `transform timed out after 100 ms`, … */
      message: string;
      durationUs: number;
    };
