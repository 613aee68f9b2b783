/**
 * In-process news of endpoint writes, so a change made through this
 * process's API (a rotated secret, a pause, a new URL) reaches this
 * process's worker at once instead of after its endpoint cache's TTL.
 * Other processes see the change when their cache entry expires
 * (EndpointCache's `ttlMs`, one second).
 */
import type { Store } from '../store/port.ts';

export type EndpointChangeListener = (endpointId: string) => void;

export class EndpointChanges {
  private readonly listeners = new Set<EndpointChangeListener>();

  subscribe(listener: EndpointChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(endpointId: string): void {
    for (const listener of this.listeners) listener(endpointId);
  }
}

/**
 * The same store, announcing each endpoint update or delete once it has
 * committed (before the caller, e.g. the rotate route, answers).
 */
export function announceEndpointWrites(store: Store, changes: EndpointChanges): Store {
  const updateEndpoint: Store['updateEndpoint'] = async (tenantId, id, patch, now) => {
    const updated = await store.updateEndpoint(tenantId, id, patch, now);
    changes.changed(id);
    return updated;
  };
  const deleteEndpoint: Store['deleteEndpoint'] = async (tenantId, id, now) => {
    const deleted = await store.deleteEndpoint(tenantId, id, now);
    changes.changed(id);
    return deleted;
  };
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'updateEndpoint') return updateEndpoint;
      if (prop === 'deleteEndpoint') return deleteEndpoint;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
