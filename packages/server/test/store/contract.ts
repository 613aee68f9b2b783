/**
 * The Store contract: the port's behaviour, written only against the port,
 * so that every adapter runs the same suite (`runStoreContract('sqlite', …)`).
 */
import { afterEach, beforeEach, describe } from 'vitest';
import type { Store } from '../../src/store/port.ts';
import { attemptsContract } from './contract-attempts.ts';
import { catalogContract } from './contract-catalog.ts';
import { claimContract } from './contract-claim.ts';
import { eventsContract } from './contract-events.ts';
import { keysContract } from './contract-keys.ts';
import { queueContract } from './contract-queue.ts';
import { resourcesContract } from './contract-resources.ts';

export interface StoreContractOptions {
  /** Resources subscribed to one endpoint in the scale test. */
  resources?: number;
}

export function runStoreContract(
  name: string,
  makeStore: () => Promise<{ store: Store; cleanup(): Promise<void> }>,
  options: StoreContractOptions = {},
): void {
  describe(`Store contract: ${name}`, () => {
    let current: { store: Store; cleanup(): Promise<void> } | null = null;
    beforeEach(async () => {
      current = await makeStore();
    });
    afterEach(async () => {
      await current?.cleanup();
      current = null;
    });
    const store = (): Store => {
      if (!current) throw new Error('no store: the contract runs inside its beforeEach');
      return current.store;
    };

    catalogContract(store);
    keysContract(store);
    resourcesContract(store, { resources: options.resources ?? 100_000 });
    eventsContract(store);
    claimContract(store);
    queueContract(store);
    attemptsContract(store);
  });
}
