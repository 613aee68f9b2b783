/**
 * What every contender is asked to do, and the bytes they all send: the same
 * ~300-byte JSON envelope, signed the same way (Standard Webhooks HMAC).
 */
import { signStandardWebhook } from '@herald/sdk';
import { type BrokerKind, brokerTarget } from './broker-consumers.ts';

/** How a receiver path answers: at once with 200, never, or at once with 500. */
export type EndpointKind = 'ok' | 'hang' | 'fail';

export interface Workload {
  scenario: string;
  /** Events sent; each is owed to every endpoint. */
  events: number;
  endpoints: EndpointKind[];
  /** Offered load; null sends everything as fast as the contender takes it. */
  ratePerSec: number | null;
  /** The receiver is unreachable while events are accepted; the drain starts when it comes up. */
  downDuringIngest: boolean;
  /** Requests in flight per endpoint (Herald's `maxInFlight`, the same limit for the others). */
  maxInFlight: number;
  /** A different `maxInFlight` for endpoints of a kind (bad-neighbour: the hung one at the largest allowed). */
  maxInFlightByKind?: Partial<Record<EndpointKind, number>>;
  /** Requests in flight per sending process, across endpoints (Herald's worker concurrency). */
  concurrency: number;
  timeoutMs: number;
  /** Events per producer call (Herald batch request, BullMQ addBulk). */
  batchSize: number;
  /**
   * Events sent and delivered before the measured ones (negative `seq`, which
   * the receiver counts apart), so start-up costs (module loading, JIT,
   * connection set-up) are not measured, for every contender alike.
   */
  warmupEvents: number;
  /** Herald only: the endpoints' transform (JavaScript source); the other contenders have none. */
  transform?: string;
  /**
   * Herald only: deliver to this broker instead of HTTP. The receiver process consumes
   * it and counts each message as the HTTP path would count its request.
   */
  destination?: BrokerKind;
  /** Herald only: an API process plus this many worker processes (PostgreSQL), instead of one process. */
  workers?: number;
}

/**
 * An endpoint's target as Herald is told it: the receiver's URL, or a broker
 * with the receiver path in the `x-bench-path` header, which the message carries.
 */
export function heraldTarget(workload: Workload, target: string): Record<string, unknown> {
  if (workload.destination === undefined) return { url: target };
  return { ...brokerTarget(workload.destination), headers: { 'x-bench-path': new URL(target).pathname } };
}

/**
 * A typical transform: rename the envelope's fields, add a header, keep the
 * data (the receiver finds `seq` in it, as always).
 */
export const BENCH_TRANSFORM = `function handler(webhook) {
  const { id, type, timestamp, data } = webhook.payload;
  webhook.headers['x-event-type'] = type;
  webhook.payload = { event_id: id, event_type: type, timestamp, device: data.deviceId, data };
  return webhook;
}`;

/** The `maxInFlight` of an endpoint of this kind in this workload. */
export function maxInFlightOf(workload: Workload, kind: EndpointKind): number {
  return workload.maxInFlightByKind?.[kind] ?? workload.maxInFlight;
}

export const EVENT_TYPE = 'bench.reading';

/** One secret for every endpoint of every contender, so the signing work is identical. */
export const BENCH_SECRET = `whsec_${Buffer.from('herald-bench-secret-0123456789ab').toString('base64')}`;

export function endpointPath(kind: EndpointKind, index: number): string {
  return `/${kind}/${index}`;
}

/** Event data: with the envelope around it, the body is about 300 bytes. */
export function eventData(seq: number): Record<string, unknown> {
  return {
    deviceId: `dev_${String(seq % 100_000).padStart(6, '0')}`,
    seq,
    reading: { temperature: 21.5 + (seq % 10) / 10, humidity: 40.25, battery: 0.87 },
    tags: ['bench', 'sensor', 'floor-3'],
    note: 'steady reading from the benchmark harness',
  };
}

/** An event id of Herald's length (`evt_` + 26 characters), unique within a run. */
export function benchEventId(runTag: string, seq: number): string {
  const body = seq < 0 ? `w${-seq}` : String(seq);
  return `evt_${runTag}${body.padStart(26 - runTag.length, '0')}`;
}

/**
 * The envelope Herald sends (`{id,type,version,timestamp,resource,data}`),
 * built by the contenders that have no Herald: `timestamp` is their enqueue
 * time, as it is Herald's accept time.
 */
export function envelope(id: string, seq: number, acceptedAt: number): string {
  return JSON.stringify({
    id,
    type: EVENT_TYPE,
    version: 1,
    timestamp: new Date(acceptedAt).toISOString(),
    resource: null,
    data: eventData(seq),
  });
}

/** The headers Herald sends with the standard-webhooks scheme. */
export function signedHeaders(id: string, body: string): Record<string, string> {
  const timestampSec = Math.floor(Date.now() / 1000);
  return {
    'content-type': 'application/json',
    'user-agent': 'Herald-bench',
    'webhook-id': id,
    'webhook-timestamp': String(timestampSec),
    'webhook-signature': signStandardWebhook(BENCH_SECRET, id, timestampSec, body),
  };
}

/** A small random tag so ids of different runs never collide at the receiver. */
export function runTag(): string {
  return Math.random().toString(36).slice(2, 6);
}
