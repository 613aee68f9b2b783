/**
 * Delivered events per second with 1, 2 and 3 worker processes against one
 * PostgreSQL: `npx tsx packages/server/test/scale/bench-workers.ts [events]`.
 * Events are stored first (endpoints paused), then the workers start and the
 * endpoints are activated; the rate is events / (last request − first request)
 * at the receiver, so process start-up is not counted.
 */
import { apiClient } from '../helpers/api-client.ts';
import { type HeraldProcess, spawnHerald } from '../helpers/herald-process.ts';
import { dropSchema, pgAvailable, pgUrlFor, uniqueSchema } from '../helpers/pg.ts';
import { sendLoad, setupEndpoints, startCountingReceiver } from './load.ts';

const EVENTS = Number(process.argv[2] ?? 20_000);
const ENDPOINTS = 20;
const KEY = 'hk_bench_admin_key_workers_0001';

async function run(workers: number): Promise<number> {
  const schema = uniqueSchema(`bench${workers}`);
  const env = {
    HERALD_DATABASE_URL: pgUrlFor(schema),
    HERALD_API_KEY: KEY,
    HERALD_ALLOW_PRIVATE_NETWORKS: '127.0.0.0/8',
    HERALD_LOG_LEVEL: 'warn',
  };
  const receiver = await startCountingReceiver();
  const processes: HeraldProcess[] = [];
  try {
    const apiProcess = await spawnHerald({ ...env, HERALD_LOG_LEVEL: 'info' }, ['start', '--role', 'api']);
    processes.push(apiProcess);
    const api = apiClient(apiProcess.url, KEY);
    const ids = await setupEndpoints(api, receiver, ENDPOINTS, { maxInFlight: 32 });
    for (const id of ids) await api.patch(`/v1/tenants/load/endpoints/${id}`, { status: 'paused' });
    await sendLoad(api, EVENTS, ENDPOINTS);
    for (let i = 0; i < workers; i++) {
      processes.push(await spawnHerald({ ...env, HERALD_LOG_LEVEL: 'info' }, ['start', '--role', 'worker']));
    }
    for (const id of ids) await api.patch(`/v1/tenants/load/endpoints/${id}`, { status: 'active' });
    while (receiver.counts.size < EVENTS) await new Promise((r) => setTimeout(r, 50));
    const { firstAt, lastAt } = receiver.span();
    return EVENTS / ((lastAt - firstAt) / 1000);
  } finally {
    for (const p of processes) p.child.kill('SIGTERM');
    await Promise.all(processes.map((p) => p.exited));
    await receiver.close();
    await dropSchema(schema);
  }
}

if (!pgAvailable) process.exit(1);
const results: string[] = [];
for (const workers of [1, 2, 3]) {
  const rate = await run(workers);
  results.push(`${workers} worker process${workers > 1 ? 'es' : ''}: ${Math.round(rate)} delivered events/s`);
  console.log(results.at(-1));
}
