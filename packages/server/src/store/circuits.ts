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

/** A circuit reset by hand: closed, counters back to 0; how long it has failed is kept for auto-disable. */
export function closedFlow(s: FlowState): FlowState {
  return { ...s, circuit: 'closed', failures: 0, opens: 0, openedAt: null, openUntil: null };
}
