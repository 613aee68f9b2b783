/** The benchmark's scenarios: what is offered, to which endpoints, and what each must show. */
import { maxInFlightCap } from '../packages/server/src/domain/fair-share.ts';
import { BENCH_TRANSFORM, type EndpointKind, type Workload } from './lib/workload.ts';

export interface Variant {
  name: string;
  workload: Workload;
}

export interface Scenario {
  name: string;
  description: string;
  defaultEvents: number;
  variants(events: number): Variant[];
  /** Receiver listeners (origins): one per endpoint where endpoints stand for separate customers. */
  origins(workload: Workload): number;
  /** Only these contenders run it (default: every one asked for). */
  contenders?: string[];
}

const base = {
  ratePerSec: null,
  downDuringIngest: false,
  maxInFlight: 100,
  concurrency: 512,
  timeoutMs: 5000,
  batchSize: 500,
};

/** Warm-up events before the measured ones (never more than the measured count). */
const warmup = (events: number, most = 500) => Math.min(most, events);

const oks = (n: number): EndpointKind[] => Array.from({ length: n }, () => 'ok' as const);

export const STEADY_RATE = 2000;

export const SCENARIOS: Scenario[] = [
  {
    name: 'firehose',
    description: 'N events (default 100,000) to 1 endpoint, offered as fast as they are taken.',
    defaultEvents: 100_000,
    variants: (events) => [
      {
        name: 'main',
        workload: { ...base, scenario: 'firehose', events, endpoints: oks(1), warmupEvents: warmup(events) },
      },
    ],
    origins: () => 1,
  },
  {
    name: 'fanout',
    description: 'N events (default 1,000) each to 1,000 endpoints on one origin: N × 1,000 deliveries.',
    defaultEvents: 1000,
    variants: (events) => [
      {
        name: 'main',
        // Ten events per request is already 10,000 deliveries per transaction.
        workload: {
          ...base,
          scenario: 'fanout',
          events,
          endpoints: oks(1000),
          maxInFlight: 50,
          batchSize: 10,
          warmupEvents: warmup(events, 5),
        },
      },
    ],
    origins: () => 1,
  },
  {
    name: 'bad-neighbour',
    description:
      'N events (default 10,000) to 10 healthy endpoints on 10 origins, plus one that never answers (at the ' +
      "largest maxInFlight allowed, a quarter of the worker slots) on the first healthy one's origin and one " +
      "that always answers 500 on the second's; healthy throughput compared with the same run without the bad two.",
    defaultEvents: 10_000,
    variants: (events) => {
      const workload = {
        ...base,
        scenario: 'bad-neighbour',
        events,
        batchSize: 100,
        warmupEvents: warmup(events, 100),
      };
      return [
        { name: 'clean', workload: { ...workload, endpoints: oks(10) } },
        {
          name: 'with-bad',
          workload: {
            ...workload,
            endpoints: [...oks(10), 'hang', 'fail'],
            maxInFlightByKind: { hang: maxInFlightCap(workload.concurrency) },
          },
        },
      ];
    },
    // One origin per healthy endpoint; the bad ones wrap onto the first origins, sharing host and port with
    // healthy endpoints, so a sender that pools connections per origin lets them starve their neighbours.
    origins: (w) => w.endpoints.filter((k) => k === 'ok').length,
  },
  {
    name: 'backlog',
    description:
      'N events (default 500,000) to 1 endpoint accepted while the receiving side is down (Herald: endpoint ' +
      'paused; BullMQ: no worker running), then it comes up: drain rate and memory during the drain.',
    defaultEvents: 500_000,
    variants: (events) => [
      {
        name: 'main',
        // No warm-up: nothing is delivered while the receiving side is down.
        workload: {
          ...base,
          scenario: 'backlog',
          events,
          endpoints: oks(1),
          downDuringIngest: true,
          warmupEvents: 0,
        },
      },
    ],
    origins: () => 1,
  },
  {
    name: 'steady',
    description: `A fixed offered load of ${STEADY_RATE} events/s to 1 endpoint (default 60,000 events = 30 s, after a 1 s warm-up), in batches of 20 every 10 ms: latency percentiles.`,
    defaultEvents: 60_000,
    variants: (events) => [
      {
        name: 'main',
        workload: {
          ...base,
          scenario: 'steady',
          events,
          endpoints: oks(1),
          ratePerSec: STEADY_RATE,
          batchSize: 20,
          warmupEvents: warmup(events, 2000),
        },
      },
    ],
    origins: () => 1,
  },
];

SCENARIOS.push({
  name: 'transform',
  description:
    "N events (default 30,000) to 1 endpoint, Herald without and with a transform (rename fields, add a header): the sandbox's cost per delivery, end to end.",
  defaultEvents: 30_000,
  variants: (events) => {
    const workload = {
      ...base,
      scenario: 'transform',
      events,
      endpoints: oks(1),
      warmupEvents: warmup(events),
    };
    return [
      { name: 'plain', workload },
      { name: 'transformed', workload: { ...workload, transform: BENCH_TRANSFORM } },
    ];
  },
  origins: () => 1,
  contenders: ['herald'],
});

SCENARIOS.push({
  name: 'broker',
  description:
    'N events (default 30,000) to 1 endpoint, Herald delivering over HTTP, to RabbitMQ (publisher confirms), Redis Streams (XADD), NATS JetStream (PubAck) and MQTT (QoS 1 PUBACK), same run: what each destination costs per delivery.',
  defaultEvents: 30_000,
  variants: (events) => {
    const workload = {
      ...base,
      scenario: 'broker',
      events,
      endpoints: oks(1),
      warmupEvents: warmup(events),
    };
    return [
      { name: 'http', workload },
      { name: 'rabbitmq', workload: { ...workload, destination: 'amqp' as const } },
      { name: 'redis', workload: { ...workload, destination: 'redis' as const } },
      { name: 'nats', workload: { ...workload, destination: 'nats' as const } },
      { name: 'mqtt', workload: { ...workload, destination: 'mqtt' as const } },
    ];
  },
  origins: () => 1,
  contenders: ['herald'],
});

SCENARIOS.push({
  name: 'scale',
  description:
    'N events (default 20,000) to 4 endpoints: Herald on SQLite and on PostgreSQL in one process, and on PostgreSQL as one API process plus two worker processes, same run (HERALD_BENCH_PG names the database).',
  defaultEvents: 20_000,
  variants: (events) => {
    const workload = { ...base, scenario: 'scale', events, endpoints: oks(4), warmupEvents: warmup(events) };
    return [
      { name: '1-process', workload },
      { name: 'api+2-workers', workload: { ...workload, workers: 2 } },
    ];
  },
  origins: () => 4,
  contenders: ['herald', 'herald-pg'],
});

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
