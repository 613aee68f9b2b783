/**
 * The API's validation errors as the dashboard shows them: each detail as
 * "<field label>: <what to do>", the schema validator's wording (patterns,
 * ranges, lengths) replaced, never shown raw; the server's own sentences
 * kept; and, in the portal, without the service's name.
 */
import { describe, expect, it } from 'vitest';
import { labelOf, readableApiError, readableFieldError, withoutServiceName } from '../src/error-messages.ts';

const invalid = (details: { path: string; message: string }[]) => ({
  status: 422,
  code: 'validation_failed',
  message: `${details[0]?.path} ${details[0]?.message}`,
  details,
});

describe('readable validation messages', () => {
  it("say what a tenant id may hold instead of the schema's pattern", () => {
    const lines = readableApiError(
      invalid([{ path: 'body.id', message: 'must match pattern "^[A-Za-z0-9_-]{1,64}$"' }]),
    );
    expect(lines).toEqual(["Id: Use 1–64 letters, digits, '-' or '_'."]);
    expect(lines.join()).not.toMatch(/pattern|\^|body\./);
  });

  it('turn ranges, lengths, required fields and choices into plain words', () => {
    const lines = readableApiError(
      invalid([
        { path: 'body.timeoutMs', message: 'must be >= 1000 (an integer from 1000 to 30000), not 10' },
        { path: 'body.retry.maxAttempts', message: 'must be >= 1 (an integer from 1 to 50), not 0' },
        {
          path: 'body.rateLimit.perSecond',
          message: 'must be <= 100000 (a number from 0.001 to 100000), not 1e9',
        },
        { path: 'body.name', message: 'must NOT have more than 200 characters' },
        { path: 'body.url', message: 'must NOT have fewer than 1 characters' },
        { path: 'body.method', message: 'must be equal to constant' },
        { path: 'body.format', message: 'must be one of: "json", "xml"' },
        { path: 'body.maxBacklog', message: 'must be integer' },
        { path: 'body.url', message: 'is required' },
      ]),
    );
    expect(lines).toEqual([
      'Timeout: Enter a whole number from 1000 to 30000.',
      'Attempts: Enter a whole number from 1 to 50.',
      'Requests per second: Enter a number from 0.001 to 100000.',
      'Name: Use at most 200 characters.',
      'URL: Fill this in.',
      'HTTP method: Choose one of the offered values.',
      'Format: Choose one of "json", "xml".',
      'Max backlog: Enter a whole number.',
    ]);
  });

  it("keep the server's own sentences, without repeating the field's API name", () => {
    expect(
      readableFieldError({
        path: 'url',
        message: "'not a url' is not an absolute URL; use e.g. https://example.com/webhooks",
      }),
    ).toBe("URL: 'not a url' is not an absolute URL; use e.g. https://example.com/webhooks.");
    expect(
      readableFieldError({
        path: 'maxInFlight',
        message: 'must be at most 128: a quarter of 512 worker slots',
      }),
    ).toBe('Max requests in flight: Must be at most 128: a quarter of 512 worker slots.');
  });

  it('name fields without a label of their own in words, and read paths from messages without details', () => {
    expect(labelOf('body.events[3].idempotencyKey')).toBe('Idempotency key');
    expect(labelOf('query.since')).toBe('From');
    expect(
      readableApiError({
        status: 422,
        code: 'validation_failed',
        message: 'body.ttlSeconds must be integer',
      }),
    ).toEqual(['Link lifetime: Enter a whole number.']);
  });

  it('leave other errors as the server wrote them, and hide internals and network failures', () => {
    expect(readableApiError({ status: 404, code: 'not_found', message: "tenant 'x' was not found" })).toEqual(
      ["tenant 'x' was not found"],
    );
    expect(
      readableApiError({ status: 500, code: 'internal', message: 'Herald could not complete the request' }),
    ).toEqual(['The server could not complete the request. Try again in a moment.']);
    expect(
      readableApiError({ status: 0, code: 'network_error', message: 'Herald could not be reached' })[0],
    ).toMatch(/^The server could not be reached/);
  });

  it("drop the service's name for the portal", () => {
    expect(withoutServiceName("header 'host' is reserved: Herald sets it itself")).toBe(
      "header 'host' is reserved: the service sets it itself",
    );
    expect(withoutServiceName("Herald's own shape")).toBe("the service's own shape");
  });
});
