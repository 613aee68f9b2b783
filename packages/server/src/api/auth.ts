/**
 * Bearer-key authentication and access rules. Keys are stored as sha256 hex,
 * so a lookup hashes the presented key; recent lookups are kept for a minute
 * so a busy ingest path does not hit the database for every request. That
 * minute is also how long another process may still accept a key revoked
 * here (this process forgets it at once).
 *
 * Each route declares `config.access`, the least role that may use it;
 * `ROLES_BY_ACCESS` below is the whole permission model, and
 * docs/security.md shows it route by route. A tenant token or portal session
 * naming another tenant's path gets 404, never 403, so that tenant ids do
 * not leak.
 */
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HeraldError } from '../domain/errors.ts';
import type { ApiKey, KeyRole } from '../domain/types.ts';
import type { Store } from '../store/port.ts';

/**
 * - `public`: no key (health, OpenAPI, portal branding);
 * - `any`: any valid key (the event type catalog, "who am I");
 * - `portal`: admin keys, or a tenant token or portal session of the tenant named by `:tid`;
 * - `tenant`: admin keys, or a tenant token of the tenant named by `:tid` (not portal sessions);
 * - `admin` (the default, so a forgotten declaration fails closed): admin keys only.
 */
export type Access = 'public' | 'any' | 'portal' | 'tenant' | 'admin';

export const ROLES_BY_ACCESS: Readonly<Record<Exclude<Access, 'public'>, readonly KeyRole[]>> = {
  any: ['admin', 'tenant', 'portal'],
  portal: ['admin', 'tenant', 'portal'],
  tenant: ['admin', 'tenant'],
  admin: ['admin'],
};

export type Principal =
  | { kind: 'admin'; role: 'admin'; keyId: string; expiresAt: number | null }
  | { kind: 'tenant'; role: 'tenant' | 'portal'; keyId: string; tenantId: string; expiresAt: number | null };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const CACHE_TTL_MS = 60_000;
const CACHE_MAX = 1000;
/**
 * lastUsedAt is written at most this often per key (per process): a key used
 * on every request would otherwise cost a write per request.
 */
export const LAST_USED_INTERVAL_MS = 60_000;

const FORBIDDEN: Record<Exclude<KeyRole, 'admin'>, string> = {
  tenant: 'this route needs an admin API key; tenant tokens cannot use it',
  portal:
    "customer-portal sessions cannot use this route: they manage the tenant's endpoints and read its log, " +
    "but cannot send events, change the tenant's settings or make tokens and portal links; " +
    'use a tenant token or an admin API key',
};

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export interface Authenticator {
  /** The principal for an `Authorization` header value; throws 401 HeraldErrors. */
  authenticate(header: string | undefined): Promise<Principal>;
  /** Drops cached tokens of a tenant (after the tenant is deleted). */
  forgetTenant(tenantId: string): void;
  /** Drops a cached key (after it is revoked), so this process refuses it from the next request on. */
  forgetKey(keyId: string): void;
  /** Applies the route's access rule to an authenticated request. */
  authorize(request: FastifyRequest): Promise<void>;
  /** Waits for lastUsedAt writes in flight (before the store closes). */
  flushUsage(): Promise<void>;
}

export interface AuthenticatorOptions {
  /** A lastUsedAt write failed; the next use of the key tries again. */
  onUsageError?(err: unknown): void;
}

export function createAuthenticator(
  store: Store,
  clock: () => number,
  options: AuthenticatorOptions = {},
): Authenticator {
  const cache = new Map<string, { key: ApiKey; expiresAt: number }>();
  const writes = new Set<Promise<void>>();

  async function lookup(hash: string): Promise<ApiKey | null> {
    const now = clock();
    const hit = cache.get(hash);
    if (hit && hit.expiresAt > now) return hit.key;
    if (hit) cache.delete(hash);
    const key = await store.findApiKeyByHash(hash);
    if (key) {
      if (cache.size >= CACHE_MAX) {
        const oldest = cache.keys().next().value;
        if (oldest !== undefined) cache.delete(oldest);
      }
      cache.set(hash, { key, expiresAt: now + CACHE_TTL_MS });
    }
    return key;
  }

  /**
   * Coalesced: the key's known lastUsedAt (from its row, or this process's
   * last write) is moved forward at once, so requests within the interval
   * write nothing; a row another process touched recently is not written either.
   */
  function recordUse(hash: string, key: ApiKey, now: number): void {
    if (key.lastUsedAt !== null && now - key.lastUsedAt < LAST_USED_INTERVAL_MS) return;
    const entry = cache.get(hash);
    const previous = key.lastUsedAt;
    if (entry) entry.key = { ...key, lastUsedAt: now };
    const write = store.touchApiKey(key.id, now).then(
      () => undefined,
      (err: unknown) => {
        if (entry && entry.key.lastUsedAt === now) entry.key = { ...entry.key, lastUsedAt: previous };
        options.onUsageError?.(err);
      },
    );
    writes.add(write);
    void write.finally(() => writes.delete(write));
  }

  async function authenticate(header: string | undefined): Promise<Principal> {
    const howTo = "send the API key as 'Authorization: Bearer <key>'";
    if (header === undefined || header.trim() === '') {
      throw new HeraldError('unauthorized', `missing API key: ${howTo}`);
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) {
      throw new HeraldError('unauthorized', `the Authorization header is not a bearer token: ${howTo}`);
    }
    const hash = hashKey(match[1]);
    const key = await lookup(hash);
    if (!key) throw new HeraldError('unauthorized', 'the API key is not valid (unknown or revoked)');
    const now = clock();
    if (key.revokedAt !== null) {
      throw new HeraldError('unauthorized', 'the API key has been revoked: ask for a new one');
    }
    if (key.expiresAt !== null && key.expiresAt <= now) {
      throw new HeraldError('unauthorized', 'the API key has expired: ask for a new one');
    }
    recordUse(hash, key, now);
    const { id: keyId, expiresAt } = key;
    if (key.tenantId === null) return { kind: 'admin', role: 'admin', keyId, expiresAt };
    const role = key.role === 'portal' ? 'portal' : 'tenant';
    return { kind: 'tenant', role, keyId, tenantId: key.tenantId, expiresAt };
  }

  async function authorize(request: FastifyRequest): Promise<void> {
    const access: Access = request.routeOptions.config.access ?? 'admin';
    if (access === 'public') return;
    const principal = await authenticate(request.headers.authorization);
    request.principal = principal;
    if (principal.kind === 'admin') return;
    const tid = (request.params as Record<string, string> | undefined)?.tid;
    if (tid !== undefined && tid !== principal.tenantId) {
      throw new HeraldError('not_found', `tenant '${tid}' was not found`);
    }
    const scoped = access === 'portal' || access === 'tenant';
    if (!ROLES_BY_ACCESS[access].includes(principal.role) || (scoped && tid === undefined)) {
      throw new HeraldError('forbidden', FORBIDDEN[principal.role]);
    }
  }

  function forgetTenant(tenantId: string): void {
    for (const [hash, entry] of cache) if (entry.key.tenantId === tenantId) cache.delete(hash);
  }

  function forgetKey(keyId: string): void {
    for (const [hash, entry] of cache) if (entry.key.id === keyId) cache.delete(hash);
  }

  async function flushUsage(): Promise<void> {
    await Promise.all([...writes]);
  }

  return { authenticate, authorize, forgetTenant, forgetKey, flushUsage };
}
