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
