/**
 * Checks what an embedding application hands `send` and `sendBatch` exactly
 * as the HTTP API checks a request body: the same TypeBox schemas, the same
 * Ajv settings (JSON as sent, no coercion, unknown properties refused), the
 * same body-size limit, nesting limit and refusal of unstorable text, and the
 * same error codes and messages. So code moved between the HTTP API and
 * embedding behaves the same.
 */
import type { Static } from '@sinclair/typebox';
import { makeAjv } from '../api/ajv.ts';
import { describeAjvErrors, payloadTooLargeMessage, validationMessage } from '../api/errors.ts';
import {
  jsonDeeperThan,
  type StorableTextValidator,
  tooDeepError,
  withStorableText,
} from '../api/input-limits.ts';
import { BatchBody, IncomingEventSchema } from '../api/schemas/events.ts';
import { HeraldError } from '../domain/errors.ts';

export type SendEventInput = Static<typeof IncomingEventSchema>;

export interface EventInputChecks {
  event(input: unknown): SendEventInput;
  batch(inputs: unknown): SendEventInput[];
}

export function createEventInputChecks(opts: {
  bodyLimitBytes: number;
  /** A batch's limit, as the batch route has (config.ts); absent, `bodyLimitBytes`. */
  batchBodyLimitBytes?: number;
}): EventInputChecks {
  const ajv = makeAjv(false);
  const checkEvent = withStorableText(ajv.compile(IncomingEventSchema));
  const checkBatch = withStorableText(ajv.compile(BatchBody));

  function check<T>(validate: StorableTextValidator, body: unknown, root: string, limit: number): T {
    let text: string | undefined;
    try {
      text = JSON.stringify(body);
    } catch (err) {
      // Serializing recurses: data deep enough to overflow the stack is over the nesting limit too.
      if (err instanceof RangeError && /call stack/i.test(err.message)) throw tooDeepError(root || 'events');
      throw new HeraldError('bad_request', `the event is not JSON data: ${(err as Error).message}`);
    }
    if (text === undefined) throw new HeraldError('bad_request', 'the event is not JSON data');
    if (Buffer.byteLength(text) > limit)
      throw new HeraldError('payload_too_large', payloadTooLargeMessage(limit));
    if (jsonDeeperThan(text)) throw tooDeepError(root || 'events');
    // Validated as the HTTP API sees it: the JSON text parsed back, so `undefined`
    // fields vanish and dates become strings, as they would on the wire.
    const data = JSON.parse(text) as unknown;
    if (!validate(data)) {
      const details = describeAjvErrors(root, validate.errors ?? []);
      throw new HeraldError('validation_failed', validationMessage(details), details);
    }
    return data as T;
  }

  return {
    event: (input) => check<SendEventInput>(checkEvent, input, 'event', opts.bodyLimitBytes),
    batch: (inputs) =>
      check<{ events: SendEventInput[] }>(
        checkBatch,
        { events: inputs },
        '',
        Math.max(opts.bodyLimitBytes, opts.batchBodyLimitBytes ?? opts.bodyLimitBytes),
      ).events,
  };
}
