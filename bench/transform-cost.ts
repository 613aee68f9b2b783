/**
 * `npx tsx bench/transform-cost.ts [--calls N]`: what a transformation costs
 * per delivery. A typical transform (rename fields, add a header) on a 1 KiB
 * body, its compiled form cached (warm): µs per transformed delivery (p50,
 * p99) and calls per second on one core, next to the same function run
 * directly in Node (no sandbox) for scale; then what compiling costs and
 * what each compiled transform holds in memory.
 */
import { parseArgs } from 'node:util';
import {
  createTransformer,
  type TransformInput,
} from '../packages/server/src/delivery/transform/transformer.ts';
import { percentiles } from './lib/percentiles.ts';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '20000' } } });
const CALLS = Number(values.calls);
const MiB = 1024 * 1024;

const SOURCE = `function handler(webhook) {
  const data = webhook.payload.data;
  webhook.headers['x-herald-event'] = webhook.eventType;
  webhook.payload = {
    event_type: webhook.payload.type,
    event_id: webhook.payload.id,
    occurred_at: webhook.payload.timestamp,
    device: { id: data.deviceId, site: data.site, firmware: data.firmware },
    readings: data.readings.map((r) => ({ at: r.t, value: r.v, unit: r.unit })),
  };
  return webhook;
}`;

/** A standard-envelope body of about 1 KiB, as the delivery code would pass it. */
function input(): TransformInput {
  const readings = Array.from({ length: 22 }, (_, i) => ({
    t: 1_767_225_600 + i * 60,
    v: 20 + i / 10,
    unit: 'C',
  }));
  return {
    eventType: 'device.telemetry',
    eventId: 'evt_01JH8Z6Q3W5C9V2B7N4M1K0XYZ',
    endpointId: 'ep_bench',
    method: 'POST',
    url: 'https://receiver.example.com/webhooks/herald',
    headers: { 'x-correlation-id': 'erp-7' },
    payload: {
      id: 'evt_01JH8Z6Q3W5C9V2B7N4M1K0XYZ',
      type: 'device.telemetry',
      version: 1,
      timestamp: '2026-01-01T00:00:00.000Z',
      resource: 'dev_42',
      data: { deviceId: 'dev_42', site: 'berlin-3', firmware: '4.2.1', readings },
    },
  };
}

const fmt = (n: number) => n.toFixed(1);

function measure(label: string, fn: () => unknown): void {
  for (let i = 0; i < Math.min(2000, CALLS); i++) fn(); // warm: JIT on both sides, caches filled
  const times = new Float64Array(CALLS);
  const started = performance.now();
  for (let i = 0; i < CALLS; i++) {
    const t0 = performance.now();
    fn();
    times[i] = (performance.now() - t0) * 1000;
  }
  const seconds = (performance.now() - started) / 1000;
  const p = percentiles(times);
  console.log(
    `${label.padEnd(34)} p50 ${fmt(p.p50).padStart(6)} µs   p99 ${fmt(p.p99).padStart(6)} µs   ${Math.round(CALLS / seconds).toLocaleString('en')} calls/s`,
  );
}

const webhook = input();
console.log(
  `body: ${Buffer.byteLength(JSON.stringify(webhook.payload))} bytes of JSON; ${CALLS} calls each\n`,
);

const transformer = await createTransformer();
const first = transformer.run('ep_bench:1', SOURCE, structuredClone(webhook));
if (!first.ok) throw new Error(`the bench transform failed: ${first.message}`);
measure('transformed delivery (warm cache)', () => {
  const outcome = transformer.run('ep_bench:1', SOURCE, webhook);
  if (!outcome.ok) throw new Error(outcome.message);
});
const direct = new Function(`${SOURCE}; return handler;`)() as (w: TransformInput) => TransformInput;
measure('same function in Node, no sandbox', () =>
  JSON.stringify(direct(JSON.parse(JSON.stringify(webhook)))),
);
if (transformer.stats().compiles !== 1)
  throw new Error(`compiled ${transformer.stats().compiles} times, not once`);
transformer.close();

// Compiling, and what a compiled transform holds: 1,000 endpoints' worth in a fresh sandbox.
const fresh = await createTransformer();
const before = { sandbox: fresh.stats().sandboxBytes, rss: process.memoryUsage().rss };
const N = 1000;
const t0 = performance.now();
for (let i = 0; i < N; i++) fresh.run(`ep_${i}:1`, SOURCE, webhook);
const compileUs = ((performance.now() - t0) * 1000) / N;
const after = fresh.stats();
console.log(
  `\ncompile + first run                 ${fmt(compileUs)} µs each (${N} distinct transforms)\n` +
    `memory per compiled transform      ${fmt((after.sandboxBytes - before.sandbox) / N / 1024)} KiB of sandbox memory, ` +
    `${fmt(after.cachedBytes / N / 1024)} KiB by QuickJS's estimate, ` +
    `${fmt((process.memoryUsage().rss - before.rss) / N / 1024)} KiB of process RSS\n` +
    `sandbox memory for ${N}             ${fmt(after.sandboxBytes / MiB)} MiB (of which 16 MiB is the engine's own base)`,
);
fresh.close();
