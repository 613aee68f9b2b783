import { randomBytes, randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

/**
 * Prefixed, time-sortable, unguessable ids: `evt_01J…` (a ULID body: 48 bits
 * of time, 80 random bits). Monotonic within a process so that ids made in the
 * same millisecond still sort in creation order, which cursor paging relies on.
 */
export type IdPrefix = 'tnt' | 'evt' | 'ep' | 'dlv' | 'att' | 'req' | 'key' | 'msg' | 'wrk';

/**
 * Random bytes from the operating system's CSPRNG, drawn 4 KiB at a time: the
 * ULID library asks for one byte per character, and a crypto call per byte
 * (74 µs per id starting a new millisecond) was 3 % of the firehose main thread.
 */
const pool = Buffer.allocUnsafe(4096);
let poolOffset = pool.length;
function randomUnit(): number {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  return pool[poolOffset++]! / 256;
}

const nextUlid = monotonicFactory(randomUnit);

export function newId(prefix: IdPrefix, now: number = Date.now()): string {
  return `${prefix}_${nextUlid(now)}`;
}

/** A random token: `<prefix>_<base64url of n bytes>`. */
export function randomToken(prefix: string, bytes = 32): string {
  return `${prefix}_${randomBytes(bytes).toString('base64url')}`;
}

/** User-supplied ids (tenants, resources): `[A-Za-z0-9_-]{1,64}`. */
export const USER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
