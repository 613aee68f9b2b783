/** What every route module gets: the store, the clock, options and shared services. */

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { RelayHub } from '../delivery/destinations/relay/hub.ts';
import type { Ingest } from '../delivery/ingest.ts';
import type { PayloadSchemas } from '../delivery/payload-schemas.ts';
import type { Transformer } from '../delivery/transform/transformer.ts';
import { HeraldError } from '../domain/errors.ts';
import type { Tenant } from '../domain/types.ts';
import type { Store } from '../store/port.ts';
import type { Authenticator } from './auth.ts';

export interface ApiOptions {
  /** Largest request body accepted, in bytes (HERALD_BODY_LIMIT). */
  bodyLimitBytes: number;
  /**
   * Largest body of `POST …/events/batch`: room for a full batch of typical
   * events (config.ts derives it from HERALD_BATCH_EVENT_BYTES × 1,000), and
   * never less than `bodyLimitBytes`. Absent: the default, 2 MiB.
   */
  batchBodyLimitBytes?: number;
  /** Most custom headers an endpoint may set. */
  maxCustomHeaders: number;
  /** Herald's version, shown in the OpenAPI document. */
  version: string;
  /** How long a rotated-out endpoint secret keeps signing, unless the request says otherwise. */
  secretGraceMs: number;
  /** HERALD_WORKER_CONCURRENCY: an endpoint's `maxInFlight` may be at most a quarter of it (domain/fair-share.ts). */
  workerConcurrency: number;
}

export const DEFAULT_API_OPTIONS: ApiOptions = {
  bodyLimitBytes: 262_144,
  maxCustomHeaders: 5,
  version: '0.0.0',
  secretGraceMs: 24 * 3_600_000,
  workerConcurrency: 512,
};

export interface RouteDeps {
  store: Store;
  clock: () => number;
  options: ApiOptions;
  ingest: Ingest;
  payloadSchemas: PayloadSchemas;
  auth: Authenticator;
  /** Checks endpoints' transforms when they are saved, and runs them for tests and "Try it". */
  transformer: Transformer;
  /** The process's `herald listen` connections, which its worker delivers relay:// messages to. */
  relay?: RelayHub;
}

export type HeraldApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** The tenant, or a 404 that names it. */
export async function requireTenant(store: Store, tid: string): Promise<Tenant> {
  const tenant = await store.getTenant(tid);
  if (!tenant) throw new HeraldError('not_found', `tenant '${tid}' was not found`);
  return tenant;
}
