/**
 * The composition root: builds the store, the API and the worker from the
 * configuration, and tears them down in the right order.
 */
import type { FastifyInstance } from 'fastify';
import { buildApi, hashKey } from './api/app.ts';
import type { HeraldConfig } from './config.ts';
import { Dispatcher } from './delivery/dispatcher.ts';
import { createHttpClient } from './delivery/http-client.ts';
import { parseAllowPrivateNetworks } from './delivery/ssrf.ts';
import { type Clock, systemClock } from './domain/clock.ts';
import { newId, randomToken } from './domain/ids.ts';
import type { Logger } from './logger.ts';
import { openStore } from './store/open.ts';
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

export interface StartOptions {
  logger: Logger;
  clock?: Clock;
  /** Start the worker without listening for the API (role overrides config). */
  role?: HeraldConfig['role'];
}

export async function startHerald(config: HeraldConfig, options: StartOptions): Promise<HeraldInstance> {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  const role = options.role ?? config.role;
  const policy = parseAllowPrivateNetworks(config.allowPrivateNetworks);

  const store = await openStore(config.databaseUrl, { logger, synchronous: config.sqliteSynchronous });
  await store.migrate();
  const generatedAdminKey = await ensureAdminKey(store, config, clock);

  let api: FastifyInstance | null = null;
  let url: string | null = null;
  if (role === 'all' || role === 'api') {
    api = await buildApi({
      store,
      clock: () => clock.now(),
      logger,
      options: {
        bodyLimitBytes: config.bodyLimitBytes,
        maxCustomHeaders: config.maxCustomHeaders,
        version: HERALD_VERSION,
      },
    });
    url = await api.listen({ host: config.host, port: config.port });
  }

  let dispatcher: Dispatcher | null = null;
  let http: ReturnType<typeof createHttpClient> | null = null;
  if (role === 'all' || role === 'worker') {
    http = createHttpClient({
      policy,
      connectionsPerOrigin: config.connectionsPerOrigin,
      ...(config.egressProxy ? { proxyUrl: config.egressProxy } : {}),
    });
    dispatcher = new Dispatcher(
      { store, logger, clock, random: Math.random, sender: http, userAgent: `Herald/${HERALD_VERSION}` },
      { concurrency: config.workerConcurrency },
    );
    dispatcher.start();
  }

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      // Stop taking events first, then let the worker finish what it started.
      await api?.close();
      await dispatcher?.stop();
      await http?.close();
      await store.close();
    })();
    return stopping;
  };
  return { store, api, dispatcher, url, generatedAdminKey, stop };
}

/**
 * The admin key: HERALD_API_KEY when set (its hash is stored so every process
 * accepts it); otherwise one is generated at the first start and returned so
 * the CLI can print it once. Only hashes are stored.
 */
async function ensureAdminKey(store: Store, config: HeraldConfig, clock: Clock): Promise<string | null> {
  if (config.apiKey) {
    const hash = hashKey(config.apiKey);
    if (!(await store.findApiKeyByHash(hash))) {
      await store.createApiKey({
        id: newId('key'),
        hash,
        tenantId: null,
        name: 'HERALD_API_KEY',
        createdAt: clock.now(),
        expiresAt: null,
      });
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
  });
  return key;
}
