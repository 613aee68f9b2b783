/**
 * Which endpoint fields a customer-portal session may set. The basic ones
 * (where to send, what, and pausing it) are always the customer's; the
 * advanced ones are the operator's to hand out (HERALD_PORTAL_FIELDS). By
 * default the operator keeps what costs them capacity or shapes their
 * worker's load (retries, batching, rate limits, ordering, concurrency),
 * and customers get what their receiver needs to understand the requests.
 */

/** Always settable by a portal session. */
export const PORTAL_BASIC_FIELDS = ['url', 'name', 'description', 'eventTypes', 'status'] as const;

/** The operator chooses which of these a portal session sees and may set. */
export const PORTAL_ADVANCED_FIELDS = [
  'filter',
  'secret',
  'signature',
  'headers',
  'method',
  'format',
  'envelope',
  'timeoutMs',
  'retry',
  'batch',
  'rateLimit',
  'overflow',
  'maxBacklog',
  'ordered',
  'maxInFlight',
  'requireVerification',
  'verification',
  'transform',
  // Broker options (amqp://, nats://, …): off by default, so the portal's form stays a webhook one.
  'destination',
] as const;

export type PortalAdvancedField = (typeof PORTAL_ADVANCED_FIELDS)[number];

/** Without HERALD_PORTAL_FIELDS: everything but retries, batching, rate limits, overflow, ordering, concurrency and broker options. */
export const DEFAULT_PORTAL_FIELDS: readonly PortalAdvancedField[] = Object.freeze([
  'filter',
  'secret',
  'signature',
  'headers',
  'method',
  'format',
  'envelope',
  'timeoutMs',
  'requireVerification',
  'verification',
  'transform',
]);

/**
 * A HERALD_PORTAL_FIELDS value: a comma list of advanced field names, `all`
 * or `none`. Returns the fields, or the unknown names (for the error message).
 */
export function parsePortalFields(
  text: string,
): { fields: readonly PortalAdvancedField[] } | { unknown: string[] } {
  const names = text
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  if (names.length === 1 && names[0] === 'all') return { fields: PORTAL_ADVANCED_FIELDS };
  if (names.length === 1 && names[0] === 'none') return { fields: [] };
  const known = new Set<string>(PORTAL_ADVANCED_FIELDS);
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) return { unknown };
  // Kept in the canonical order, each once, whatever order the operator wrote them in.
  return { fields: PORTAL_ADVANCED_FIELDS.filter((f) => names.includes(f)) };
}
