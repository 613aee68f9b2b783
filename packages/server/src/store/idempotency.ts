/**
 * An event sent again under an idempotency key already used: the same event
 * answers the first result again, a different one is a conflict and stores
 * nothing. Both stores decide it here, inside the insert's transaction, so
 * the answer cannot depend on which request got there first.
 *
 * "The same event" means the same type, resource and data, and the same
 * version when the request names one. Data is compared as JSON values, not
 * text: key order, whitespace and number spelling (`1.0`, `1e2`) do not
 * matter, as a client that retries after a crash may serialize its object
 * afresh. An omitted version matches the one the first request resolved to:
 * the catalog may have gained a version since, and the retry is the same
 * request.
 */
import { HeraldError } from '../domain/errors.ts';
import type { HeraldEvent } from '../domain/types.ts';

/** Iterative, so stored data of any depth compares without overflowing the stack. */
export function sameJsonValue(a: unknown, b: unknown): boolean {
  const stack: [unknown, unknown][] = [[a, b]];
  for (let pair = stack.pop(); pair !== undefined; pair = stack.pop()) {
    const [x, y] = pair;
    if (x === y) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    if (Array.isArray(x) || Array.isArray(y)) {
      if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) stack.push([x[i], y[i]]);
      continue;
    }
    const xo = x as Record<string, unknown>;
    const yo = y as Record<string, unknown>;
    const keys = Object.keys(xo);
    if (keys.length !== Object.keys(yo).length) return false;
    for (const key of keys) {
      if (!Object.hasOwn(yo, key)) return false;
      stack.push([xo[key], yo[key]]);
    }
  }
  return true;
}

function samePayload(earlier: string, incoming: string): boolean {
  if (earlier === incoming) return true;
  try {
    return sameJsonValue(JSON.parse(earlier), JSON.parse(incoming));
  } catch {
    return false;
  }
}

/** The fields in which `incoming` differs from the event stored under its key; [] when it is the same event. */
export function idempotencyDifferences(
  earlier: HeraldEvent,
  incoming: HeraldEvent,
  versionGiven: boolean,
): string[] {
  const differs: string[] = [];
  if (earlier.type !== incoming.type) differs.push('type');
  if (versionGiven && earlier.version !== incoming.version) differs.push('version');
  if (earlier.resource !== incoming.resource) differs.push('resource');
  if (!samePayload(earlier.payload, incoming.payload)) differs.push('data');
  return differs;
}

/**
 * Throws `idempotency_conflict` when `incoming` is not the event stored under
 * its key. `index` is its position in the insert, for batch answers.
 */
export function assertSameEvent(
  earlier: HeraldEvent,
  incoming: HeraldEvent,
  versionGiven: boolean,
  index: number,
): void {
  const differs = idempotencyDifferences(earlier, incoming, versionGiven);
  if (differs.length === 0) return;
  throw new HeraldError(
    'idempotency_conflict',
    `idempotency key '${incoming.idempotencyKey}' was already used for event ${earlier.id}, which differs ` +
      `in ${differs.join(' and ')}; use a new key for a new event, or send the same event again to get ` +
      'the first answer; nothing was stored',
    { index, idempotencyKey: incoming.idempotencyKey, eventId: earlier.id, differs },
  );
}
