/**
 * Herald's configuration: read from the environment in this one module,
 * validated once against a schema, frozen, and passed to whatever needs it.
 * A bad value stops the start with a message naming the variable.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { MAX_BATCH_EVENTS } from './api/schemas/limits.ts';
import { HeraldError } from './domain/errors.ts';
import {
  DEFAULT_PORTAL_FIELDS,
  PORTAL_ADVANCED_FIELDS,
  type PortalAdvancedField,
  parsePortalFields,
} from './domain/portal-fields.ts';

const Env = Type.Object({
  HERALD_HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  HERALD_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  HERALD_DATABASE_URL: Type.String({
    pattern: '^(sqlite:|postgres(ql)?://)',
    default: 'sqlite:./.herald/herald.db',
  }),
  HERALD_API_KEY: Type.Optional(Type.String({ minLength: 16 })),
  HERALD_ALLOW_PRIVATE_NETWORKS: Type.Optional(Type.String()),
  HERALD_ROLE: Type.Union([Type.Literal('all'), Type.Literal('api'), Type.Literal('worker')], {
    default: 'all',
  }),
  HERALD_LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  HERALD_LOG_FILE: Type.Optional(Type.String({ minLength: 1 })),
  HERALD_CONFIG: Type.Optional(Type.String({ minLength: 1 })),
  HERALD_BODY_LIMIT: Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024, default: 256 * 1024 }),
  HERALD_BATCH_EVENT_BYTES: Type.Integer({ minimum: 256, maximum: 64 * 1024, default: 2048 }),
  HERALD_MAX_CUSTOM_HEADERS: Type.Integer({ minimum: 0, maximum: 50, default: 5 }),
  HERALD_TRANSFORM_TIMEOUT_MS: Type.Integer({ minimum: 1, maximum: 60_000, default: 100 }),
  HERALD_TRANSFORM_MEMORY_MB: Type.Integer({ minimum: 1, maximum: 512, default: 16 }),
  HERALD_WORKER_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 10_000, default: 512 }),
  HERALD_CONNECTIONS_PER_ORIGIN: Type.Integer({ minimum: 1, maximum: 1024, default: 64 }),
  HERALD_SENDER_THREAD: Type.Boolean({ default: false }),
  HERALD_PG_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 1000, default: 10 }),
  HERALD_SQLITE_SYNCHRONOUS: Type.Union([Type.Literal('NORMAL'), Type.Literal('FULL')], {
    default: 'NORMAL',
  }),
  HERALD_EGRESS_PROXY: Type.Optional(Type.String({ pattern: '^https?://' })),
  HERALD_SHUTDOWN_TIMEOUT_MS: Type.Integer({ minimum: 0, maximum: 300_000, default: 35_000 }),
  HERALD_PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$' })),
  HERALD_PORTAL_NAME: Type.String({ minLength: 1, maxLength: 100, default: 'Webhooks' }),
  HERALD_PORTAL_LOGO_URL: Type.Optional(Type.String({ pattern: '^(https?://|/)[^\\s]*$' })),
  HERALD_PORTAL_ACCENT: Type.String({ pattern: '^#[0-9a-fA-F]{6}$', default: '#4f46e5' }),
  HERALD_PORTAL_RETURN_URL: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$', maxLength: 2048 })),
  HERALD_PORTAL_FIELDS: Type.Optional(Type.String({ maxLength: 1000 })),
  HERALD_RETENTION_DAYS: Type.Integer({ minimum: 0, maximum: 36_500, default: 30 }),
  HERALD_METRICS_PUBLIC: Type.Optional(Type.Boolean()),
  HERALD_OPERATOR_TENANT: Type.String({
    pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$',
    default: 'herald-operator',
  }),
  HERALD_DISABLE_AFTER_MS: Type.Integer({ minimum: 60_000, default: 5 * 24 * 3600_000 }),
  HERALD_CIRCUIT_FAILURE_THRESHOLD: Type.Integer({ minimum: 1, maximum: 1000, default: 5 }),
  HERALD_CIRCUIT_COOLDOWN_MS: Type.Integer({ minimum: 1000, maximum: 3600_000, default: 30_000 }),
});

type Env = Static<typeof Env>;

/** Every HERALD_* variable Herald reads. */
export const ENV_VARIABLES: readonly string[] = Object.freeze(Object.keys(Env.properties));

type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Lowercase<Head>}${Capitalize<CamelCase<Tail>>}`
  : Lowercase<S>;

/**
 * The HERALD_* variables as an object, camelCase and without the prefix
 * (`allowPrivateNetworks` for HERALD_ALLOW_PRIVATE_NETWORKS), for embedding.
 * Values may be given as their type or as the text the variable would hold.
 */
export type HeraldSettings = {
  [K in keyof Env as K extends `HERALD_${infer Name}` ? CamelCase<Name> : never]?: Env[K] | string;
};

/** `allowPrivateNetworks` → `HERALD_ALLOW_PRIVATE_NETWORKS`. */
export function settingToVariable(name: string): string {
  return `HERALD_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** Settings as the variables they stand for; an unknown name is refused with the list of known ones. */
export function settingsToVariables(settings: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(settings)) {
    const variable = settingToVariable(name);
    if (!ENV_VARIABLES.includes(variable) || /[A-Z_]/.test(name[0] ?? '') || name.includes('_')) {
      const known = ENV_VARIABLES.map((v) =>
        v
          .slice('HERALD_'.length)
          .toLowerCase()
          .replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()),
      );
      throw new HeraldError(
        'config_invalid',
        `unknown setting '${name}': settings are HERALD_* variables in camelCase without the prefix; known: ${known.join(', ')}`,
      );
    }
    if (value !== undefined && value !== null) out[variable] = value;
  }
  return out;
}

export interface HeraldConfig {
  readonly host: string;
  readonly port: number;
  readonly databaseUrl: string;
  readonly apiKey: string | null;
  readonly allowPrivateNetworks: string | undefined;
  readonly role: 'all' | 'api' | 'worker';
  readonly logLevel: string;
  readonly logFile: string | null;
  readonly configPath: string | null;
  readonly bodyLimitBytes: number;
  /** The batch route's body limit: 1,000 × HERALD_BATCH_EVENT_BYTES, and never less than bodyLimitBytes. */
  readonly batchBodyLimitBytes: number;
  readonly maxCustomHeaders: number;
  /** Limits of one transform call: wall-clock time and heap. */
  readonly transform: { readonly timeoutMs: number; readonly memoryBytes: number };
  readonly workerConcurrency: number;
  readonly connectionsPerOrigin: number;
  /** Outbound HTTP in a worker thread (threaded-http-client.ts). */
  readonly senderThread: boolean;
  readonly sqliteSynchronous: 'NORMAL' | 'FULL';
  readonly pgPoolSize: number;
  readonly egressProxy: string | null;
  readonly shutdownTimeoutMs: number;
  /** Where users reach Herald (portal links are built on it); null: the listen address, never a request's Host. */
  readonly publicUrl: string | null;
  /**
   * The customer portal's name, logo and accent colour; where its "go back"
   * link leads once a link has ended; and the advanced endpoint fields its
   * customers may see and set.
   */
  readonly portal: {
    readonly name: string;
    readonly logoUrl: string | null;
    readonly accent: string;
    readonly returnUrl: string | null;
    readonly fields: readonly PortalAdvancedField[];
  };
  /** Attempts, and events whose deliveries are finished, are purged after this many days; 0 keeps them forever. */
  readonly retentionDays: number;
  /** `/metrics` without a key. Default: true when listening on loopback only, else an admin key is needed. */
  readonly metricsPublic: boolean;
  /** The tenant whose endpoints receive operational events (created at start). */
  readonly operatorTenant: string;
  /** Circuit breaker and auto-disable: failures that open a circuit, its first cooldown, and how long an endpoint may fail before it is disabled. */
  readonly flow: {
    readonly failureThreshold: number;
    readonly cooldownMs: number;
    readonly disableAfterMs: number;
  };
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

/** Variables whose values must never appear in an error message. */
const SECRET_VARS = new Set(['HERALD_API_KEY']);

/** "expected one of: all, api, worker" reads better than "Expected union value". */
function describeExpected(schema: unknown): string | null {
  const anyOf = (schema as { anyOf?: { const?: unknown }[] }).anyOf;
  if (!anyOf?.every((s) => s.const !== undefined)) return null;
  return `expected one of: ${anyOf.map((s) => String(s.const)).join(', ')}`;
}

export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Env> | Record<string, unknown> = {},
): HeraldConfig {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(Env.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  Object.assign(raw, overrides);
  const withDefaults = Value.Default(Env, raw);
  const converted = Value.Convert(Env, withDefaults) as Record<string, unknown>;
  const errors = [...Value.Errors(Env, converted)];
  if (errors.length > 0) {
    const messages = errors.map((e) => {
      const name = e.path.replace(/^\//, '');
      const shown = SECRET_VARS.has(name) ? '(hidden)' : JSON.stringify(raw[name]);
      return `${name}=${shown}: ${describeExpected(e.schema) ?? e.message}`;
    });
    throw new HeraldError('config_invalid', `invalid configuration: ${messages.join('; ')}`, messages);
  }
  const e = converted as Env;
  const portalFields =
    e.HERALD_PORTAL_FIELDS === undefined ? null : parsePortalFields(e.HERALD_PORTAL_FIELDS);
  if (portalFields && 'unknown' in portalFields) {
    const message = `HERALD_PORTAL_FIELDS=${JSON.stringify(e.HERALD_PORTAL_FIELDS)}: unknown field ${portalFields.unknown.join(', ')}; expected all, none, or a comma list of: ${PORTAL_ADVANCED_FIELDS.join(', ')}`;
    throw new HeraldError('config_invalid', `invalid configuration: ${message}`, [message]);
  }
  return Object.freeze({
    host: e.HERALD_HOST,
    port: e.HERALD_PORT,
    databaseUrl: e.HERALD_DATABASE_URL,
    apiKey: e.HERALD_API_KEY ?? null,
    allowPrivateNetworks: e.HERALD_ALLOW_PRIVATE_NETWORKS,
    role: e.HERALD_ROLE,
    logLevel: e.HERALD_LOG_LEVEL,
    logFile: e.HERALD_LOG_FILE ?? null,
    configPath: e.HERALD_CONFIG ?? null,
    bodyLimitBytes: e.HERALD_BODY_LIMIT,
    batchBodyLimitBytes: Math.max(e.HERALD_BODY_LIMIT, MAX_BATCH_EVENTS * e.HERALD_BATCH_EVENT_BYTES),
    maxCustomHeaders: e.HERALD_MAX_CUSTOM_HEADERS,
    transform: Object.freeze({
      timeoutMs: e.HERALD_TRANSFORM_TIMEOUT_MS,
      memoryBytes: e.HERALD_TRANSFORM_MEMORY_MB * 1024 * 1024,
    }),
    workerConcurrency: e.HERALD_WORKER_CONCURRENCY,
    connectionsPerOrigin: e.HERALD_CONNECTIONS_PER_ORIGIN,
    senderThread: e.HERALD_SENDER_THREAD,
    sqliteSynchronous: e.HERALD_SQLITE_SYNCHRONOUS,
    pgPoolSize: e.HERALD_PG_POOL_SIZE,
    egressProxy: e.HERALD_EGRESS_PROXY ?? null,
    shutdownTimeoutMs: e.HERALD_SHUTDOWN_TIMEOUT_MS,
    publicUrl: e.HERALD_PUBLIC_URL?.replace(/\/+$/, '') ?? null,
    retentionDays: e.HERALD_RETENTION_DAYS,
    metricsPublic: e.HERALD_METRICS_PUBLIC ?? LOOPBACK_HOSTS.has(e.HERALD_HOST),
    operatorTenant: e.HERALD_OPERATOR_TENANT,
    flow: Object.freeze({
      failureThreshold: e.HERALD_CIRCUIT_FAILURE_THRESHOLD,
      cooldownMs: e.HERALD_CIRCUIT_COOLDOWN_MS,
      disableAfterMs: e.HERALD_DISABLE_AFTER_MS,
    }),
    portal: Object.freeze({
      name: e.HERALD_PORTAL_NAME,
      logoUrl: e.HERALD_PORTAL_LOGO_URL ?? null,
      accent: e.HERALD_PORTAL_ACCENT,
      returnUrl: e.HERALD_PORTAL_RETURN_URL ?? null,
      fields: portalFields?.fields ?? DEFAULT_PORTAL_FIELDS,
    }),
  });
}
