/**
 * Custom headers an endpoint adds to every request (`X-Correlation-Id: erp-7`).
 * Names Herald sets itself, and names that change how the request is framed
 * or routed, are refused: a custom header must never be able to forge a
 * signature, smuggle a second request or redirect the connection.
 */

export const DEFAULT_MAX_CUSTOM_HEADERS = 5;
export const MAX_HEADER_NAME_LENGTH = 256;
export const MAX_HEADER_VALUE_LENGTH = 1024;

/** Lower-case names no endpoint may set (besides every `webhook-*` and `proxy-*` name). */
export const RESERVED_HEADER_NAMES: readonly string[] = Object.freeze([
  'host',
  'content-length',
  'content-type',
  'content-encoding',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'http2-settings',
  'x-request-id',
  'user-agent',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
]);

export const RESERVED_HEADER_PREFIXES: readonly string[] = Object.freeze(['webhook-', 'proxy-']);

// RFC 9110 §5.6.2 token.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// What can travel in an HTTP/1.1 field value: HTAB, visible ASCII, space, and
// Latin-1 (obs-text). CR, LF, NUL and other controls would end or corrupt the
// header; characters above U+00FF cannot be sent as field bytes at all.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

export function isReservedHeaderName(name: string, extraReserved: readonly string[] = []): boolean {
  const lower = name.toLowerCase();
  return (
    RESERVED_HEADER_NAMES.includes(lower) ||
    RESERVED_HEADER_PREFIXES.some((prefix) => lower.startsWith(prefix)) ||
    extraReserved.some((r) => r.toLowerCase() === lower)
  );
}

function describeBadValueChar(value: string): string {
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (code === 0x0d || code === 0x0a) return 'a line break (CR/LF)';
    if (code === 0) return 'a NUL character';
    if (code < 0x20 || code === 0x7f)
      return `control character U+${code.toString(16).padStart(4, '0').toUpperCase()}`;
    if (code > 0xff) return `'${ch}', which is outside Latin-1 (percent-encode or base64 it)`;
  }
  return 'a character not allowed in a header value';
}

/**
 * null when the headers are fine, else a message naming the header and the
 * fix. `reserved` adds names (case-insensitive), e.g. the header the
 * endpoint's signature scheme writes.
 */
export function validateCustomHeaders(
  headers: Record<string, string>,
  opts: { maxCount?: number; reserved?: string[] } = {},
): string | null {
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    return 'headers must be an object of name → value, e.g. {"X-Correlation-Id": "erp-7"}';
  }
  const maxCount = opts.maxCount ?? DEFAULT_MAX_CUSTOM_HEADERS;
  const entries = Object.entries(headers);
  if (entries.length > maxCount) {
    return `${entries.length} custom headers given; at most ${maxCount} are allowed`;
  }
  const seen = new Set<string>();
  for (const [name, value] of entries) {
    if (name.length === 0 || name.length > MAX_HEADER_NAME_LENGTH || !TOKEN.test(name)) {
      return (
        `header name '${name}' is not valid: use 1–${MAX_HEADER_NAME_LENGTH} letters, digits ` +
        "or !#$%&'*+-.^_`|~ (no spaces or colons), e.g. X-Correlation-Id"
      );
    }
    const lower = name.toLowerCase();
    if (seen.has(lower)) {
      return `header '${name}' is given twice (header names are case-insensitive); keep one`;
    }
    seen.add(lower);
    if (isReservedHeaderName(name, opts.reserved)) {
      return `header '${name}' is reserved: Herald sets it itself or it controls the connection; choose another name`;
    }
    if (typeof value !== 'string') {
      return `header '${name}' must have a string value`;
    }
    if (value.length > MAX_HEADER_VALUE_LENGTH) {
      return `header '${name}' has a value of ${value.length} characters; use at most ${MAX_HEADER_VALUE_LENGTH}`;
    }
    if (!FIELD_VALUE.test(value)) {
      return `header '${name}' has a value containing ${describeBadValueChar(value)}; remove it`;
    }
  }
  return null;
}
