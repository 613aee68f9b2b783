/**
 * The composition root: builds the store, the API and the worker from the
 * configuration, and tears them down in the right order.
 */

import { basename } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApi, hashKey } from './api/app.ts';
import { buildProbeApi } from './api/probe-app.ts';
import type { HeraldConfig } from './config.ts';
import {
  type HeraldConfigFile,
  type LoadedConfigFile,
  loadConfigFile,
  validateConfigFile,
} from './config-file.ts';
import { syncConfigFile } from './config-sync.ts';
import { createBrokerKinds } from './delivery/destinations/index.ts';
import { routeByScheme } from './delivery/destinations/registry.ts';
import { createRelayKind, RelayHub } from './delivery/destinations/relay/index.ts';
import { Dispatcher } from './delivery/dispatcher.ts';
import { announceEndpointWrites, EndpointChanges } from './delivery/endpoint-changes.ts';
import { createHttpClient } from './delivery/http-client.ts';
import { parseAllowPrivateNetworks } from './delivery/ssrf.ts';
import { createThreadedHttpClient } from './delivery/threaded-http-client.ts';
import { createTransformer } from './delivery/transform/transformer.ts';
import { DEFAULT_FLOW_POLICY } from './domain/circuit.ts';
import { type Clock, systemClock } from './domain/clock.ts';
import { HeraldError } from './domain/errors.ts';
import { newId, randomToken } from './domain/ids.ts';
import type { Logger } from './logger.ts';
import { instrumentStore } from './ops/instrument.ts';
import { JobRunner } from './ops/jobs.ts';
import { PrometheusMetrics } from './ops/metrics.ts';
import { OperationalEvents } from './ops/operational-events.ts';
import { RetentionLoop } from './ops/retention.ts';
import { openStore } from './store/open.ts';
import type { OpsStore } from './store/ops-port.ts';
import type { Store } from './store/port.ts';
import { HERALD_VERSION } from './version.ts';

export interface HeraldInstance {
  store: Store;
  api: FastifyInstance | null;
  dispatcher: Dispatcher | null;
  /** Where the API listens (`http://host:port`), when this process serves it. */
  url: string | null;
  /** A newly generated admin key, when this start created one (shown once). */
  generatedAdminKey: string | null;
  stop(): Promise<void>;
}

/**
 * What this process serves over HTTP on `host:port`: `api` the whole API and
 * dashboard (with the probes and `/metrics`), `probes` only `/healthz`,
 * `/readyz` and `/metrics`, `none` nothing (an embedding without `listen`).
 */
export type HttpMode = 'api' | 'probes' | 'none';

export interface StartOptions {
  logger: Logger;
  clock?: Clock;
  /** Start the worker without listening for the API (role overrides config). */
  role?: HeraldConfig['role'];
  /** Default: `api` for the `all` and `api` roles, `probes` for `worker`. */
  http?: HttpMode;
  /** Event types and tenants given as an object (embedding) instead of a file; checked like a file. */
  configObject?: HeraldConfigFile;
}

export async function startHerald(config: HeraldConfig, options: StartOptions): Promise<HeraldInstance> {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  const role = options.role ?? config.role;
  const policy = parseAllowPrivateNetworks(config.allowPrivateNetworks);

  const http: HttpMode = options.http ?? (role === 'worker' ? 'probes' : 'api');

  // One transform sandbox for the process: the API checks and tries transforms, the worker runs them.
  const transformer = await createTransformer(config.transform);
  // The config file is checked before anything opens, so a bad key stops the start cleanly.
  const rules = {
    maxCustomHeaders: config.maxCustomHeaders,
    workerConcurrency: config.workerConcurrency,
    checkTransform: (source: string) => transformer.check(source),
  };
  let configFile: LoadedConfigFile | null;
  let rawStore: Store;
  try {
    configFile = options.configObject
      ? { path: 'config', config: validateConfigFile(options.configObject, 'config', rules) }
      : await loadConfigFile(config.configPath, rules);
    rawStore = await openStore(config.databaseUrl, { logger, synchronous: config.sqliteSynchronous });
  } catch (err) {
    transformer.close();
    throw err;
  }
  const ops = (rawStore as Store & { ops?: OpsStore }).ops ?? null;
  const metrics = new PrometheusMetrics(ops, clock);
  // Counts accepted events and completed attempts as they commit, and tells this process's
  // worker at once when its API changed an endpoint (a rotated secret signs the next send).
  const endpointChanges = new EndpointChanges();
  const store = announceEndpointWrites(instrumentStore(rawStore, metrics), endpointChanges);
  let generatedAdminKey: string | null;
  try {
    await store.migrate();
    generatedAdminKey = await ensureAdminKey(store, config, clock, logger);
    store.configureFlow({ ...DEFAULT_FLOW_POLICY, ...config.flow });
    // Applied by processes that serve the API, so a fleet of workers does not race to apply it.
    if (configFile && role !== 'worker') {
      const summary = await syncConfigFile(store, configFile.config, {
        now: clock.now(),
        maxCustomHeaders: config.maxCustomHeaders,
        workerConcurrency: config.workerConcurrency,
        checkTransform: rules.checkTransform,
        file: basename(configFile.path),
      });
      logger.info({ file: configFile.path, ...summary }, 'config file applied');
    }
  } catch (err) {
    await store.close();
    transformer.close();
    throw err;
  }

  // One HTTP client for the process: deliveries, test sends and ownership challenges share its policy and pools.
  const clientOptions = {
    connectionsPerOrigin: config.connectionsPerOrigin,
    // The worker's slots, plus room for the API's test sends and challenges.
    maxConnections: config.workerConcurrency + config.connectionsPerOrigin,
    ...(config.egressProxy ? { proxyUrl: config.egressProxy } : {}),
  };
  const httpSender = config.senderThread
    ? createThreadedHttpClient({ allowPrivateNetworks: config.allowPrivateNetworks, ...clientOptions })
    : createHttpClient({ policy, ...clientOptions });
  // Broker URLs go to their kinds, with the same private-network policy on the broker's address;
  // relay:// goes to the `herald listen` streams connected to this process's API.
  const relay = new RelayHub();
  const sender = routeByScheme(httpSender, [...createBrokerKinds({ policy }), createRelayKind(relay)]);

  let api: FastifyInstance | null = null;
  let url: string | null = null;
  if (http === 'api') {
    api = await buildApi({
      store,
      clock: () => clock.now(),
      logger,
      sender,
      transformer,
      options: {
        bodyLimitBytes: config.bodyLimitBytes,
        batchBodyLimitBytes: config.batchBodyLimitBytes,
        maxCustomHeaders: config.maxCustomHeaders,
        version: HERALD_VERSION,
        workerConcurrency: config.workerConcurrency,
      },
      // Portal links use the listen address when HERALD_PUBLIC_URL is unset: `url` is set once listening.
      portal: { publicUrl: config.publicUrl, ...config.portal, listenUrl: () => url },
      metrics,
      metricsPublic: config.metricsPublic,
      relay,
    });
  } else if (http === 'probes') {
    api = await buildProbeApi({
      store,
      clock: () => clock.now(),
      logger,
      metrics,
      metricsPublic: config.metricsPublic,
    });
  }
  if (api) {
    try {
      url = await listenOn(api, config);
    } catch (err) {
      await api.close();
      await sender.close();
      await store.close();
      transformer.close();
      throw err;
    }
  }

  let dispatcher: Dispatcher | null = null;
  let operational: OperationalEvents | null = null;
  if (role === 'all' || role === 'worker') {
    operational = new OperationalEvents({
      // Herald's own notices are not the platform's ingest: they stay out of the accepted-events metric.
      store: rawStore,
      clock: () => clock.now(),
      logger,
      tenantId: config.operatorTenant,
    });
    await operational.setup();
    const reporter = operational;
    dispatcher = new Dispatcher(
      {
        store,
        logger,
        clock,
        random: Math.random,
        sender,
        transform: { transformer, maxCustomHeaders: config.maxCustomHeaders },
        userAgent: `Herald/${HERALD_VERSION}`,
        onTransitions: (t) => reporter.report(t),
        endpointChanges,
      },
      { concurrency: config.workerConcurrency },
    );
    dispatcher.start();
  }

  let retention: RetentionLoop | null = null;
  let jobs: JobRunner | null = null;
  if ((role === 'all' || role === 'worker') && ops) {
    if (config.retentionDays > 0) {
      retention = new RetentionLoop({ ops, clock, logger }, { retentionDays: config.retentionDays });
      retention.start();
    }
    jobs = new JobRunner({ store, ops, clock, logger });
    jobs.start();
  } else if (role !== 'api' && !ops) {
    logger.warn('this database adapter has no operations support yet: retention and recovery jobs are off');
  }

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      // Stop taking events first, then let the worker finish what it started.
      await api?.close();
      await jobs?.stop();
      await retention?.stop();
      await dispatcher?.stop();
      await operational?.flush();
      await sender.close();
      await store.close();
      transformer.close();
    })();
    return stopping;
  };
  return { store, api, dispatcher, url, generatedAdminKey, stop };
}

/** Listens on HERALD_HOST:HERALD_PORT; a port already taken is a configuration problem, said so. */
async function listenOn(app: FastifyInstance, config: HeraldConfig): Promise<string> {
  try {
    return await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      const why =
        code === 'EADDRINUSE'
          ? 'is already in use (another Herald process on this host?)'
          : `cannot be used (${code})`;
      throw new HeraldError(
        'config_invalid',
        `${config.host}:${config.port} ${why}: give each process on this host its own HERALD_PORT (0 picks a free one)`,
      );
    }
    throw err;
  }
}

/**
 * The admin key: HERALD_API_KEY when set (its hash is stored so every process
 * accepts it, and the key stored for an earlier value is revoked, so changing
 * the variable retires the old key; keys made through the API are left
 * alone); otherwise one is generated at the first start and returned so the
 * CLI can print it once. Only hashes are stored.
 */
async function ensureAdminKey(
  store: Store,
  config: HeraldConfig,
  clock: Clock,
  logger: Logger,
): Promise<string | null> {
  if (config.apiKey) {
    const now = clock.now();
    const key = { id: newId('key', now), hash: hashKey(config.apiKey), tenantId: null, createdAt: now };
    const result = await store.putEnvAdminKey({ ...key, name: 'HERALD_API_KEY', expiresAt: null }, now);
    if (result.status === 'revoked') {
      throw new HeraldError(
        'config_invalid',
        `HERALD_API_KEY holds a key that was revoked at ${new Date(result.revokedAt).toISOString()} (${result.keyId}); a revoked key never works again: set HERALD_API_KEY to a new value`,
      );
    }
    if (result.status === 'tenant_key') {
      throw new HeraldError(
        'config_invalid',
        `HERALD_API_KEY holds a tenant's token (${result.keyId}), not an admin key: set it to a new value`,
      );
    }
    if (result.revokedIds.length > 0) {
      logger.info(
        { revoked: result.revokedIds },
        'HERALD_API_KEY changed since the last start: the key stored for its previous value is revoked',
      );
    }
    return null;
  }
  if ((await store.countAdminKeys()) > 0) return null;
  const key = randomToken('hk_admin', 32);
  await store.createApiKey({
    id: newId('key'),
    hash: hashKey(key),
    tenantId: null,
    name: 'generated',
    createdAt: clock.now(),
    expiresAt: null,
    source: 'generated',
  });
  return key;
}
