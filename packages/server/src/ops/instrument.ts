/**
 * Feeds metrics from the store calls the delivery path already makes: a
 * store wrapped here counts accepted events (insertEvents) and completed
 * attempts (completeDeliveries) once they are committed, so the dispatcher
 * and ingest need no metrics code of their own.
 */
import type { CompletedAttempt, InsertedEvent, NewEvent, Store } from '../store/port.ts';
import type { Metrics } from './metrics.ts';

export function countCompletions(metrics: Metrics, results: readonly CompletedAttempt[]): void {
  for (const r of results) {
    metrics.attemptFinished(r.attempt.durationMs);
    const status = r.outcome.status;
    metrics.deliveryCompleted(status === 'pending' ? 'retrying' : status);
  }
}

/** The same store, with metrics counted as its writes commit. Every other member passes through. */
export function instrumentStore(store: Store, metrics: Metrics): Store {
  const completeDeliveries = async (results: CompletedAttempt[], now: number): Promise<void> => {
    await store.completeDeliveries(results, now);
    countCompletions(metrics, results);
  };
  const insertEvents = async (events: NewEvent[]): Promise<InsertedEvent[]> => {
    const inserted = await store.insertEvents(events);
    metrics.eventsAccepted(inserted.filter((e) => !e.duplicate).length);
    return inserted;
  };
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'completeDeliveries') return completeDeliveries;
      if (prop === 'insertEvents') return insertEvents;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
