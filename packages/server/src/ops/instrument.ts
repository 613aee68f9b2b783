/**
 * Feeds metrics from the store calls the delivery path already makes: a
 * store wrapped here counts accepted events (insertEvents), completed
 * attempts (completeDeliveries, completeAndClaim, completeBatches) and
 * overflow drops once they are committed, so the dispatcher and ingest need
 * no metrics code of their own.
 */
import type {
  ClaimRequest,
  CompletedAttempt,
  CompletedBatch,
  InsertedEvent,
  NewEvent,
  Store,
} from '../store/port.ts';
import type { Metrics } from './metrics.ts';

export function countCompletions(metrics: Metrics, results: readonly CompletedAttempt[]): void {
  for (const r of results) {
    metrics.attemptFinished(r.attempt.durationMs);
    const status = r.outcome.status;
    metrics.deliveryCompleted(status === 'pending' ? 'retrying' : status);
  }
}

/** A batch is one attempt (one duration) that settles every delivery it carried. */
export function countBatches(metrics: Metrics, results: readonly CompletedBatch[]): void {
  for (const r of results) {
    metrics.attemptFinished(r.attempt.durationMs);
    const status = r.outcome.status;
    metrics.deliveryCompleted(status === 'pending' ? 'retrying' : status, r.eventIds.length);
  }
}

/** The same store, with metrics counted as its writes commit. Every other member passes through. */
export function instrumentStore(store: Store, metrics: Metrics): Store {
  // Overflow drops happen inside insertEvents (drop-oldest); the store reports them once committed.
  store.onDropped((count) => metrics.deliveryCompleted('dropped', count));
  const completeDeliveries = async (results: CompletedAttempt[], now: number) => {
    const transitions = await store.completeDeliveries(results, now);
    countCompletions(metrics, results);
    return transitions;
  };
  const completeAndClaim = async (results: CompletedAttempt[], req: ClaimRequest) => {
    const round = await store.completeAndClaim(results, req);
    countCompletions(metrics, results);
    return round;
  };
  const completeBatches = async (results: CompletedBatch[], now: number) => {
    const transitions = await store.completeBatches(results, now);
    countBatches(metrics, results);
    return transitions;
  };
  const insertEvents = async (events: NewEvent[]): Promise<InsertedEvent[]> => {
    const inserted = await store.insertEvents(events);
    metrics.eventsAccepted(inserted.filter((e) => !e.duplicate).length);
    return inserted;
  };
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'completeDeliveries') return completeDeliveries;
      if (prop === 'completeAndClaim') return completeAndClaim;
      if (prop === 'completeBatches') return completeBatches;
      if (prop === 'insertEvents') return insertEvents;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
