/**
 * Payload filters: an endpoint receives an event only when its filter holds
 * over the event document `{id, type, version, resource, timestamp, data}`.
 *
 *   {"data.model": {"$in": ["blogPost", "page"]}}
 *   {"$or": [{"data.a": 1}, {"data.b": {"$gt": 2}}]}
 *
 * - Keys are dotted field paths starting at a document field (`data.model`,
 *   `data.items.0.sku`: a numeric segment indexes an array), or `$and`/`$or`
 *   with a non-empty list of filters. Every key of an object must hold.
 * - A value is either an operator object (every key starts with `$`) or a
 *   bare value, which means `$eq`.
 * - `$eq`/`$neq`: deep JSON equality. A missing field is not equal to
 *   anything, so `$neq` holds for it.
 * - `$in`/`$nin`: a list; the field's value deep-equals one of it (or none).
 *   An array field is compared as a whole, not element by element.
 * - `$gt`/`$gte`/`$lt`/`$lte`: number with number, or string with string
 *   (code-unit order, so ISO timestamps compare by time). Anything else,
 *   including a missing field, is false.
 * - `$exists`: true when the path resolves to any value, null included.
 * - `{}` matches every event.
 */

const DOCUMENT_FIELDS = ['id', 'type', 'version', 'resource', 'timestamp', 'data'] as const;
const OPERATORS = ['$eq', '$neq', '$in', '$nin', '$gt', '$gte', '$lt', '$lte', '$exists'] as const;
const MAX_DEPTH = 16;
const MAX_LIST = 1000;

type Operator = (typeof OPERATORS)[number];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isOperatorObject(value: unknown): value is Record<string, unknown> {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((k) => k.startsWith('$'));
}

function isJsonValue(value: unknown, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((v) => isJsonValue(v, depth + 1));
  if (isPlainObject(value)) return Object.values(value).every((v) => isJsonValue(v, depth + 1));
  return false;
}

function validatePath(path: string, where: string): string | null {
  const segments = path.split('.');
  if (segments.some((s) => s.length === 0)) {
    return `${where}: field path '${path}' has an empty segment; write paths like 'data.model'`;
  }
  if (!(DOCUMENT_FIELDS as readonly string[]).includes(segments[0]!)) {
    return (
      `${where}: field path '${path}' must start with one of ${DOCUMENT_FIELDS.join(', ')}` +
      ` (payload fields live under 'data', e.g. 'data.${path}')`
    );
  }
  return null;
}

function validateCondition(condition: unknown, where: string): string | null {
  if (!isOperatorObject(condition)) {
    if (isPlainObject(condition) && Object.keys(condition).some((k) => k.startsWith('$'))) {
      return `${where}: do not mix operators and plain keys in one object; use {"$eq": {...}} to compare a whole object`;
    }
    return isJsonValue(condition) ? null : `${where}: value is not JSON or is nested too deeply`;
  }
  for (const [op, operand] of Object.entries(condition)) {
    const at = `${where}.${op}`;
    if (!(OPERATORS as readonly string[]).includes(op)) {
      return `${at}: unknown operator '${op}'; use one of ${OPERATORS.join(', ')}`;
    }
    switch (op as Operator) {
      case '$eq':
      case '$neq':
        if (!isJsonValue(operand)) return `${at}: operand is not JSON or is nested too deeply`;
        break;
      case '$in':
      case '$nin':
        if (!Array.isArray(operand)) return `${at}: operand must be a list, e.g. {"${op}": ["a", "b"]}`;
        if (operand.length > MAX_LIST)
          return `${at}: list has ${operand.length} values; use at most ${MAX_LIST}`;
        if (!isJsonValue(operand)) return `${at}: list holds a value that is not JSON`;
        break;
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte':
        if (!(typeof operand === 'string' || (typeof operand === 'number' && Number.isFinite(operand)))) {
          return `${at}: operand must be a number or a string, e.g. {"${op}": 10}`;
        }
        break;
      case '$exists':
        if (typeof operand !== 'boolean') return `${at}: operand must be true or false`;
        break;
    }
  }
  return null;
}

function validateNode(filter: unknown, where: string, depth: number): string | null {
  if (depth > MAX_DEPTH) return `${where}: filter is nested more than ${MAX_DEPTH} levels deep`;
  if (!isPlainObject(filter)) {
    return `${where}: a filter must be an object such as {"data.model": "page"}`;
  }
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' || key === '$or') {
      const at = `${where}.${key}`;
      if (!Array.isArray(value) || value.length === 0) {
        return `${at}: must be a non-empty list of filters, e.g. {"${key}": [{"data.a": 1}, {"data.b": 2}]}`;
      }
      for (let i = 0; i < value.length; i++) {
        const problem = validateNode(value[i], `${at}[${i}]`, depth + 1);
        if (problem !== null) return problem;
      }
      continue;
    }
    if (key.startsWith('$')) {
      return `${where}: unknown top-level operator '${key}'; only $and and $or combine filters, field operators go under a path`;
    }
    const at = `${where}.${key}`;
    const pathProblem = validatePath(key, at);
    if (pathProblem !== null) return pathProblem;
    const problem = validateCondition(value, at);
    if (problem !== null) return problem;
  }
  return null;
}

/** null when the filter is valid, else a message naming the bad path or operator. */
export function validateFilter(filter: unknown): string | null {
  return validateNode(filter, 'filter', 0);
}

function resolvePath(doc: unknown, path: string): unknown {
  let current: unknown = doc;
  for (const segment of path.split('.')) {
    if (Array.isArray(current)) {
      if (!/^(0|[1-9][0-9]*)$/.test(segment)) return undefined;
      current = current[Number(segment)];
    } else if (isPlainObject(current)) {
      // Own properties only: a path must never reach Object.prototype.
      current = Object.hasOwn(current, segment) ? current[segment] : undefined;
    } else {
      return undefined;
    }
  }
  return current;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

function compare(value: unknown, operand: unknown): number | null {
  if (typeof value === 'number' && typeof operand === 'number') return value - operand;
  if (typeof value === 'string' && typeof operand === 'string') {
    return value < operand ? -1 : value > operand ? 1 : 0;
  }
  return null;
}

function applyOperator(op: string, operand: unknown, value: unknown): boolean {
  switch (op) {
    case '$eq':
      return value !== undefined && deepEqual(value, operand);
    case '$neq':
      return value === undefined || !deepEqual(value, operand);
    case '$in':
      return value !== undefined && (operand as unknown[]).some((o) => deepEqual(value, o));
    case '$nin':
      return value === undefined || !(operand as unknown[]).some((o) => deepEqual(value, o));
    case '$exists':
      return (value !== undefined) === operand;
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte': {
      const c = compare(value, operand);
      if (c === null) return false;
      if (op === '$gt') return c > 0;
      if (op === '$gte') return c >= 0;
      if (op === '$lt') return c < 0;
      return c <= 0;
    }
    default:
      return false; // unreachable for validated filters; unknown operators never match
  }
}

/** Evaluates a filter that passed validateFilter against an event document. */
export function evaluateFilter(filter: Record<string, unknown>, doc: Record<string, unknown>): boolean {
  for (const [key, condition] of Object.entries(filter)) {
    if (key === '$and') {
      if (!(condition as Record<string, unknown>[]).every((f) => evaluateFilter(f, doc))) return false;
      continue;
    }
    if (key === '$or') {
      if (!(condition as Record<string, unknown>[]).some((f) => evaluateFilter(f, doc))) return false;
      continue;
    }
    const value = resolvePath(doc, key);
    if (isOperatorObject(condition)) {
      for (const [op, operand] of Object.entries(condition)) {
        if (!applyOperator(op, operand, value)) return false;
      }
    } else if (!applyOperator('$eq', condition, value)) {
      return false;
    }
  }
  return true;
}
