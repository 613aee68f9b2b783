/**
 * Headers as receivers get them: a Web `Headers` (fetch, Next.js) or a plain
 * object (Node's `req.headers`, Express, Fastify), whose keys are usually
 * lower-case but need not be when a caller builds the object by hand.
 */
export type HeadersLike = Headers | Record<string, string | string[] | undefined>;

function isWebHeaders(headers: HeadersLike): headers is Headers {
  return typeof (headers as Headers).get === 'function';
}

/** The header's value, matched case-insensitively; repeated values are joined with ", " as HTTP does. */
export function getHeader(headers: HeadersLike, name: string): string | undefined {
  if (isWebHeaders(headers)) return headers.get(name) ?? undefined;
  const lower = name.toLowerCase();
  let value = headers[lower];
  if (value === undefined) {
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === lower) {
        value = headers[key];
        break;
      }
    }
  }
  if (Array.isArray(value)) return value.length > 0 ? value.join(', ') : undefined;
  return value;
}
