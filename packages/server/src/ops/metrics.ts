/**
 * Prometheus metrics. Counters are fed as work happens, through the small
 * `Metrics` interface (a null object by default, so nothing needs a
 * registry); gauges are read from the database at scrape time. No label
 * names an endpoint or a tenant: the series count stays fixed however many
 * there are.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Clock } from '../domain/clock.ts';
import type { EndpointStatus } from '../domain/types.ts';
import type { OpsStore } from '../store/ops-port.ts';

/** What a delivery's attempt led to. `retrying`: failed, another attempt is scheduled. */
export type DeliveryMetricOutcome = 'succeeded' | 'failed' | 'retrying' | 'dropped' | 'cancelled';

export interface Metrics {
  deliveryCompleted(outcome: DeliveryMetricOutcome, count?: number): void;
  attemptFinished(durationMs: number): void;
  eventsAccepted(count: number): void;
}

export const noopMetrics: Metrics = {
  deliveryCompleted() {},
  attemptFinished() {},
  eventsAccepted() {},
};

const ENDPOINT_STATUSES: EndpointStatus[] = ['active', 'pending_verification', 'paused', 'disabled'];

export class PrometheusMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly deliveries: Counter<'outcome'>;
  private readonly duration: Histogram;
  private readonly accepted: Counter;
  private readonly backlog: Gauge;
  private readonly inFlight: Gauge;
  private readonly oldestAge: Gauge;
  private readonly endpoints: Gauge<'status'>;

  constructor(
    private readonly ops: OpsStore | null,
    private readonly clock: Clock,
    opts: { processMetrics?: boolean } = {},
  ) {
    const registers = [this.registry];
    this.deliveries = new Counter({
      name: 'herald_deliveries_total',
      help: 'Delivery attempts completed, by what they led to (succeeded, failed = exhausted, retrying, dropped)',
      labelNames: ['outcome'],
      registers,
    });
    for (const outcome of ['succeeded', 'failed', 'retrying', 'dropped', 'cancelled'])
      this.deliveries.inc({ outcome }, 0);
    this.duration = new Histogram({
      name: 'herald_attempt_duration_seconds',
      help: 'Time from sending a request to its response or error',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.accepted = new Counter({
      name: 'herald_events_accepted_total',
      help: 'Events accepted and stored (duplicates by idempotency key not counted)',
      registers,
    });
    this.backlog = new Gauge({
      name: 'herald_backlog_deliveries',
      help: 'Deliveries pending (due, scheduled for a retry, or parked)',
      registers,
    });
    this.inFlight = new Gauge({
      name: 'herald_in_flight_deliveries',
      help: 'Deliveries claimed by a worker and being sent',
      registers,
    });
    this.oldestAge = new Gauge({
      name: 'herald_oldest_pending_age_seconds',
      help: 'How long the most overdue pending delivery has been due (0 when nothing is overdue)',
      registers,
    });
    this.endpoints = new Gauge({
      name: 'herald_endpoints',
      help: 'Endpoints by status',
      labelNames: ['status'],
      registers,
    });
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'herald_' });
  }

  deliveryCompleted(outcome: DeliveryMetricOutcome, count = 1): void {
    this.deliveries.inc({ outcome }, count);
  }
  attemptFinished(durationMs: number): void {
    this.duration.observe(Math.max(0, durationMs) / 1000);
  }
  eventsAccepted(count: number): void {
    if (count > 0) this.accepted.inc(count);
  }

  /** The exposition text, with gauges read from the database first. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    if (this.ops) {
      const q = await this.ops.queueStats();
      this.backlog.set(q.pending);
      this.inFlight.set(q.inFlight);
      const now = this.clock.now();
      this.oldestAge.set(q.oldestDueAt !== null && q.oldestDueAt < now ? (now - q.oldestDueAt) / 1000 : 0);
      for (const status of ENDPOINT_STATUSES) this.endpoints.set({ status }, q.endpoints[status] ?? 0);
    }
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
