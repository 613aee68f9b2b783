/**
 * What a completion of single deliveries does to its endpoints' circuits,
 * shared by both stores (batches: batch-flow.ts). Each adapter reads the
 * endpoints' status and flow state under its own locks, writes the plan back,
 * and disables the endpoints the plan names.
 */
import {
  type CompletionFact,
  type CompletionPlan,
  completionFact,
  type FlowPolicy,
  type FlowState,
  INITIAL_FLOW_STATE,
  planCompletion,
} from '../domain/circuit.ts';
import type { Attempt } from '../domain/types.ts';
import type { CompletedAttempt } from './port.ts';

/** The endpoints a completion's attempts were sent to, each once (test sends have none). */
export const endpointIdsOf = (results: readonly { attempt: Attempt }[]): string[] => [
  ...new Set(results.map((r) => r.attempt.endpointId).filter((id) => id !== null)),
];

/**
 * The completion's plan: `applied` tells whether a result's outcome was
 * written (its lease still held); `current` and `statuses` as read before it.
 */
export function planDeliveryCompletion(
  results: readonly CompletedAttempt[],
  applied: (r: CompletedAttempt, index: number) => boolean,
  current: ReadonlyMap<string, FlowState>,
  statuses: ReadonlyMap<string, string>,
  policy: FlowPolicy,
  now: number,
): CompletionPlan {
  const facts: CompletionFact[] = [];
  for (let i = 0; i < results.length; i++) {
    const r = results[i]!;
    const fact = completionFact(r, applied(r, i));
    if (fact) facts.push(fact);
  }
  return planCompletion(facts, current, statuses, policy, now);
}

const FLOW_FIELDS = [
  'tokens',
  'refilledAt',
  'circuit',
  'failures',
  'opens',
  'openedAt',
  'openUntil',
  'failingSince',
] as const satisfies readonly (keyof FlowState)[];

/** Whether a completion's plan writes anything: a transition, a disable, or a flow state that differs. */
export function changesFlow(plan: CompletionPlan, current: ReadonlyMap<string, FlowState>): boolean {
  if (plan.transitions.length > 0 || plan.disables.size > 0) return true;
  for (const [id, next] of plan.states) {
    const before = current.get(id) ?? INITIAL_FLOW_STATE;
    if (FLOW_FIELDS.some((f) => before[f] !== next[f])) return true;
  }
  return false;
}
