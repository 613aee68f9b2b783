/**
 * The API's errors as sentences a person can act on (pure: no DOM, no React).
 *
 * A 422 carries `details: [{path, message}]`: `path` names the field
 * (`body.id`, `body.retry.maxAttempts`, or a bare `url` from the server's
 * own checks) and `message` is either the schema validator's wording
 * (`must match pattern "^[A-Za-z0-9_-]{1,64}$"`) or a sentence the server
 * wrote for people. Each detail becomes "<field label>: <what to do>", the
 * validator's wording replaced by a plain one and never shown raw.
 */

export interface FieldError {
  path: string;
  message: string;
}

/** The form's words for the API's field paths (without the `body.` / `query.` root). */
const LABELS: Record<string, string> = {
  id: 'Id',
  name: 'Name',
  url: 'URL',
  description: 'Description',
  status: 'Status',
  eventTypes: 'Events',
  filter: 'Payload filter',
  secret: 'Signing secret',
  signature: 'Signature',
  'signature.scheme': 'Signature scheme',
  'signature.header': 'Signature header',
  'signature.prefix': 'Signature prefix',
  'signature.encoding': 'Signature encoding',
  envelope: 'Envelope',
  format: 'Format',
  method: 'HTTP method',
  headers: 'Custom headers',
  timeoutMs: 'Timeout',
  retry: 'Attempts',
  'retry.maxAttempts': 'Attempts',
  'retry.schedule': 'Retry schedule',
  batch: 'Batching',
  'batch.maxSize': 'Batch size',
  'batch.maxWaitMs': 'Batch waiting time',
  rateLimit: 'Rate limit',
  'rateLimit.perSecond': 'Requests per second',
  'rateLimit.burst': 'Burst',
  overflow: 'When the backlog is full',
  maxBacklog: 'Max backlog',
  ordered: 'Deliver in order',
  maxInFlight: 'Max requests in flight',
  requireVerification: 'Require the ownership challenge',
  verification: 'Ownership challenge',
  'verification.request': 'Challenge request',
  'verification.answerField': 'Answer field',
  transform: 'Transform',
  destination: 'Delivery options',
  'destination.exchange': 'Exchange',
  'destination.routingKey': 'Routing key',
  'destination.subject': 'Subject',
  'destination.jetstream': 'Publish with',
  'destination.topic': 'Topic',
  'destination.qos': 'QoS',
  'destination.stream': 'Stream',
  'destination.maxLen': 'Max length',
  metadata: 'Metadata',
  ttlSeconds: 'Link lifetime',
  since: 'From',
  until: 'Until',
  limit: 'Page size',
  rid: 'Resource id',
};

/** Patterns the API checks, said the way a person would. */
const PATTERN_HINTS: Record<string, string> = {
  '^[A-Za-z0-9_-]{1,64}$': "Use 1–64 letters, digits, '-' or '_'.",
};

/** Paths whose every pattern failure has one plain reading, whatever the schema says. */
const PATH_HINTS: Record<string, string> = {
  id: "Use 1–64 letters, digits, '-' or '_'.",
};

/** `body.retry.maxAttempts` → `retry.maxAttempts`; `events[3].type` → `events.type`. */
function fieldOf(path: string): string {
  return path
    .replace(/^(body|query|params|headers)(\.|$)/, '')
    .replace(/\[\d+\]/g, '')
    .replace(/^\./, '');
}

/** `maxBacklog` → "Max backlog", for fields without a label of their own. */
function humanize(field: string): string {
  const last = field.split('.').pop() ?? field;
  const words = last.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function labelOf(path: string): string {
  const field = fieldOf(path);
  if (field === '') return 'The request';
  return LABELS[field] ?? humanize(field);
}

const sentence = (text: string) => {
  const t = text.trim();
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
};

/** The validator's wording → what to do; null when it is already the server's own sentence. */
function plainRule(field: string, message: string): string | null {
  const pattern = /^must match pattern "(.*)"$/.exec(message);
  if (pattern) {
    return (
      PATH_HINTS[field] ?? PATTERN_HINTS[pattern[1] ?? ''] ?? 'Contains characters that are not allowed.'
    );
  }
  const range = /^must be [<>]=? ?[-\d.e+]+ \((an integer|a number) (.+)\), not .*$/.exec(message);
  if (range) {
    const kind = range[1] === 'an integer' ? 'a whole number' : 'a number';
    return `Enter ${kind} ${range[2]}.`;
  }
  const bound = /^must be ([<>]=?) ?([-\d.e+]+)$/.exec(message);
  if (bound) {
    const words: Record<string, string> = {
      '<=': 'at most',
      '<': 'less than',
      '>=': 'at least',
      '>': 'more than',
    };
    return `Enter a number ${words[bound[1] ?? ''] ?? ''} ${bound[2]}.`;
  }
  const longest = /^must NOT have more than (\d+) (characters|items|properties)$/.exec(message);
  if (longest) return `Use at most ${longest[1]} ${longest[2] === 'characters' ? 'characters' : 'entries'}.`;
  const shortest = /^must NOT have fewer than (\d+) (characters|items|properties)$/.exec(message);
  if (shortest) {
    return shortest[1] === '1' ? 'Fill this in.' : `Use at least ${shortest[1]} ${shortest[2]}.`;
  }
  if (message === 'is required') return 'Fill this in.';
  const oneOf = /^must be one of: (.+)$/.exec(message);
  if (oneOf) return `Choose one of ${oneOf[1]}.`;
  if (message === 'must be equal to constant' || message === 'must match a schema in anyOf') {
    return 'Choose one of the offered values.';
  }
  const type = /^must be (integer|number|string|boolean|object|array|null)$/.exec(message);
  if (type) {
    const what: Record<string, string> = {
      integer: 'a whole number',
      number: 'a number',
      string: 'text',
      boolean: 'yes or no',
      object: 'a JSON object',
      array: 'a list',
      null: 'nothing',
    };
    return `Enter ${what[type[1] ?? ''] ?? 'a valid value'}.`;
  }
  if (/^is not a known property|^must NOT have additional properties$/.test(message)) {
    return 'Is not a setting this form can send.';
  }
  if (message === 'must be equal to one of the allowed values') return 'Choose one of the offered values.';
  if (/^must NOT have duplicate items/.test(message)) return 'Lists the same entry twice.';
  const format = /^must match format "(.+)"$/.exec(message);
  if (format) return `Enter a valid ${format[1]}.`;
  if (message === 'must NOT be valid') return 'Is not valid.';
  return null;
}

/**
 * The server reports a broker option's problem at `destination`, naming the
 * option first ("destination.routingKey uses …"): that option is the field.
 */
function narrowed(error: FieldError): FieldError {
  const named = /^(destination\.\w+)\s+([\s\S]+)$/.exec(error.message);
  return fieldOf(error.path) === 'destination' && named?.[1] && named[2]
    ? { path: named[1], message: named[2] }
    : error;
}

/** One detail as "<label>: <what to do>". */
export function readableFieldError(detail: FieldError): string {
  const error = narrowed(detail);
  const field = fieldOf(error.path);
  const label = labelOf(error.path);
  const plain = plainRule(field, error.message);
  if (plain !== null) return `${label}: ${plain}`;
  // The server's own sentence: it often repeats the field's API name first ("url 'x' is not…").
  const own = error.message.replace(new RegExp(`^${field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+`), '');
  return `${label}: ${sentence(own)}`;
}

function isFieldErrorList(details: unknown): details is FieldError[] {
  return (
    Array.isArray(details) &&
    details.length > 0 &&
    details.every(
      (d) =>
        typeof d === 'object' &&
        d !== null &&
        typeof (d as FieldError).path === 'string' &&
        typeof (d as FieldError).message === 'string',
    )
  );
}

/** What an API error says, in the readable form: one line per problem. */
export function readableApiError(error: {
  status: number;
  code: string;
  message: string;
  details?: unknown;
}): string[] {
  if (error.code === 'validation_failed' && isFieldErrorList(error.details)) {
    return [...new Set(error.details.map(readableFieldError))];
  }
  if (error.code === 'validation_failed') {
    // A message without details still starts with the path the validator names.
    const m = /^((?:body|query|params)\.[\w.[\]]+) (.+)$/.exec(error.message);
    if (m?.[1] && m[2]) return [readableFieldError({ path: m[1], message: m[2] })];
  }
  if (error.code === 'network_error')
    return ['The server could not be reached: check the connection and try again.'];
  if (error.code === 'internal' || error.status >= 500) {
    return ['The server could not complete the request. Try again in a moment.'];
  }
  // Other errors are the server's own sentences, already written for people.
  return [error.message];
}

/**
 * For a white-labelled portal: the service's own name never shows. The
 * server's sentences sometimes name it ("Herald sets it itself").
 */
export function withoutServiceName(text: string): string {
  return text.replace(/\bHerald's\b/g, "the service's").replace(/\bHerald\b/g, 'the service');
}
