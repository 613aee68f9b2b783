/**
 * Bearer-key authentication and access rules. Keys are stored as sha256 hex,
 * so a lookup hashes the presented key; recent hits are kept for a minute so
 * a busy ingest path does not hit the database for every request.
 *
 * Each route declares `config.access`:
 * - `public`: no key (health, OpenAPI);
 * - `any`: any valid key (reading the event type catalog);
 * - `tenant`: admin keys, or the token of the tenant named by `:tid`;
 * - `admin` (the default, so a forgotten declaration fails closed): admin keys only.
 * A tenant token naming another tenant's path gets 404, never 403, so that
 * tenant ids do not leak.
 */
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HeraldError } from '../domain/errors.ts';
import type { ApiKey } from '../domain/types.ts';
import type { Store } from '../store/port.ts';

export type Access = 'public' | 'any' | 'tenant' | 'admin';

export type Principal =
  | { kind: 'admin'; keyId: string }
  | { kind: 'tenant'; keyId: string; tenantId: string };

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

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export interface Authenticator {
  /** The principal for an `Authorization` header value; throws 401 HeraldErrors. */
  authenticate(header: string | undefined): Promise<Principal>;
  /** Drops cached tokens of a tenant (after the tenant is deleted). */
  forgetTenant(tenantId: string): void;
  /** Applies the route's access rule to an authenticated request. */
  authorize(request: FastifyRequest): Promise<void>;
}

export function createAuthenticator(store: Store, clock: () => number): Authenticator {
  const cache = new Map<string, { key: ApiKey; expiresAt: number }>();

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

  async function authenticate(header: string | undefined): Promise<Principal> {
    const howTo = "send the API key as 'Authorization: Bearer <key>'";
    if (header === undefined || header.trim() === '') {
      throw new HeraldError('unauthorized', `missing API key: ${howTo}`);
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) {
      throw new HeraldError('unauthorized', `the Authorization header is not a bearer token: ${howTo}`);
    }
    const key = await lookup(hashKey(match[1]));
    if (!key) throw new HeraldError('unauthorized', 'the API key is not valid (unknown or revoked)');
    if (key.expiresAt !== null && key.expiresAt <= clock()) {
      throw new HeraldError('unauthorized', 'the API key has expired: ask for a new one');
    }
    return key.tenantId === null
      ? { kind: 'admin', keyId: key.id }
      : { kind: 'tenant', keyId: key.id, tenantId: key.tenantId };
  }

  async function authorize(request: FastifyRequest): Promise<void> {
    const access: Access = request.routeOptions.config.access ?? 'admin';
    if (access === 'public') return;
    const principal = await authenticate(request.headers.authorization);
    request.principal = principal;
    const tid = (request.params as Record<string, string> | undefined)?.tid;
    if (principal.kind === 'tenant' && tid !== undefined && tid !== principal.tenantId) {
      throw new HeraldError('not_found', `tenant '${tid}' was not found`);
    }
    if (access === 'admin' && principal.kind !== 'admin') {
      throw new HeraldError('forbidden', 'this route needs an admin API key; tenant tokens cannot use it');
    }
    if (access === 'tenant' && principal.kind === 'tenant' && tid === undefined) {
      throw new HeraldError('forbidden', 'this route needs an admin API key; tenant tokens cannot use it');
    }
  }

  function forgetTenant(tenantId: string): void {
    for (const [hash, entry] of cache) if (entry.key.tenantId === tenantId) cache.delete(hash);
  }

  return { authenticate, authorize, forgetTenant };
}
