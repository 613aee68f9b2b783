import type { Endpoint } from '../domain/types.ts';
import type { Store } from '../store/port.ts';

/**
 * Endpoint configurations for workers, fetched in bulk per claim batch and
 * kept for `ttlMs`. Changes made through any API process (pause, secret
 * rotation, new URL) reach every worker within that time.
 */
export class EndpointCache {
  private readonly entries = new Map<string, { endpoint: Endpoint; fetchedAt: number }>();

  constructor(
    private readonly store: Store,
    private readonly ttlMs = 1000,
  ) {}

  async getMany(ids: Iterable<string>, now: number): Promise<Map<string, Endpoint>> {
    const result = new Map<string, Endpoint>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const entry = this.entries.get(id);
      if (entry && now - entry.fetchedAt < this.ttlMs) result.set(id, entry.endpoint);
      else missing.push(id);
    }
    if (missing.length > 0) {
      for (const endpoint of await this.store.getEndpointsByIds(missing)) {
        this.entries.set(endpoint.id, { endpoint, fetchedAt: now });
        result.set(endpoint.id, endpoint);
      }
    }
    return result;
  }

  /** Forget one endpoint (after this process changed it), or all. */
  invalidate(id?: string): void {
    if (id === undefined) this.entries.clear();
    else this.entries.delete(id);
  }
}
