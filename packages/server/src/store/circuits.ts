/** Flow state as the API shows it; shared by the adapters. */
import type { FlowState } from '../domain/circuit.ts';
import type { CircuitSummary } from './port.ts';

export function circuitsOf(ids: readonly string[], states: ReadonlyMap<string, FlowState>) {
  const out = new Map<string, CircuitSummary>();
  for (const id of ids) {
    const s = states.get(id);
    out.set(id, { state: s?.circuit ?? 'closed', failures: s?.failures ?? 0, openedAt: s?.openedAt ?? null });
  }
  return out;
}
