/**
 * What one chunk of each job kind does. A step only reads (through the Store
 * and Ops ports) and decides; the runner applies the decision together with
 * the cursor in one transaction, so a chunk is applied exactly once.
 */
import { HeraldError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { countedTriggers } from '../domain/log-filters.ts';
import { endpointReceives } from '../domain/matching.ts';
import {
  addToReport,
  blockerOf,
  type DeliveryFact,
  emptyReport,
  type RetryReport,
  reportOf,
} from '../domain/retry-report.ts';
import type { Endpoint } from '../domain/types.ts';
import type { HealthStore } from '../store/health-port.ts';
import type { Job, OpsStore, RecoverParams, ReplayDelivery, RetryParams } from '../store/ops-port.ts';
import type { Store } from '../store/port.ts';

/** The cursor of a job whose last chunk is applied: resuming it only marks it finished. */
export const DONE_CURSOR = '~done';

export interface StepPlan {
  nextCursor: string;
  processed: number;
  retry?: string[];
  create?: { endpointId: string; deliveries: ReplayDelivery[] };
  /** What the chunk's retries come to: queued, and why the rest are not (domain/retry-report.ts). */
  report: RetryReport;
  /** Deliveries the chunk expects to make pending or create (what a dry run reports as affected). */
  expected: number;
}

export interface StepDeps {
  store: Store;
  ops: OpsStore;
  /** Reads the deliveries' and endpoints' state for the report. */
  health: HealthStore;
  now: number;
  chunkSize: number;
  /**
   * Deliveries already reported by earlier chunks (a preview keeps them); a
   * running job, which keeps no such list, leaves out instead deliveries
   * changed since it started that it would not retry (it changed them).
   */
  seen?: Set<string>;
}

async function requireEndpoint(store: Store, job: Job, endpointId: string): Promise<Endpoint> {
  const endpoint = await store.getEndpoint(job.tenantId, endpointId);
  if (!endpoint) {
    throw new HeraldError(
      'not_found',
      `endpoint '${endpointId}' was deleted while the job ran; nothing more was done`,
    );
  }
  return endpoint;
}

/** recover: failed deliveries of the endpoint created in the window, by id. */
async function recoverStep(job: Job, deps: StepDeps): Promise<StepPlan> {
  const p = job.params as RecoverParams;
  await requireEndpoint(deps.store, job, p.endpointId);
  const ids = await deps.ops.listFailedDeliveries({
    tenantId: job.tenantId,
    endpointId: p.endpointId,
    since: p.since,
    until: p.until,
    after: job.cursor,
    limit: deps.chunkSize,
  });
  const last = ids.at(-1);
  const facts = await deps.health.deliveryFacts(job.tenantId, ids);
  return {
    nextCursor: ids.length < deps.chunkSize ? DONE_CURSOR : (last ?? DONE_CURSOR),
    processed: ids.length,
    retry: ids,
    report: reportOf(facts, () => true),
    expected: facts.filter((f) => f.status === 'failed').length,
  };
}

/** replay: every event in the window that the endpoint's current subscription matches gets a new delivery. */
async function replayStep(job: Job, deps: StepDeps): Promise<StepPlan> {
  const p = job.params as RecoverParams;
  const endpoint = await requireEndpoint(deps.store, job, p.endpointId);
  const page = await deps.store.listEvents(
    job.tenantId,
    { since: p.since, until: p.until },
    { limit: deps.chunkSize, cursor: job.cursor },
  );
  const resources = [...new Set(page.data.map((e) => e.resource).filter((r): r is string => r !== null))];
  const subscribed =
    endpoint.hasResources && resources.length > 0
      ? new Set((await deps.store.matchResources([endpoint.id], resources)).map((m) => m.resourceId))
      : new Set<string>();
  // Matched as if active: a replay to a paused endpoint is stored parked, like any delivery to it.
  const matchable = { ...endpoint, status: 'active' as const };
  const deliveries: ReplayDelivery[] = [];
  for (const event of page.data) {
    const matchEvent = { ...event, data: JSON.parse(event.payload) as unknown };
    const resourceSubscribed = event.resource !== null && subscribed.has(event.resource);
    if (!endpointReceives(matchable, matchEvent, resourceSubscribed)) continue;
    deliveries.push({
      id: newId('dlv', deps.now),
      eventId: event.id,
      nextAttemptAt: endpoint.status === 'active' ? deps.now : null,
    });
  }
  const report = emptyReport();
  const gate = await deps.health.endpointGate(job.tenantId, endpoint.id);
  if (gate) addToReport(report, gate, blockerOf(gate) ?? 'queued', deliveries.length);
  return {
    nextCursor: page.nextCursor ?? DONE_CURSOR,
    processed: page.data.length,
    create: { endpointId: endpoint.id, deliveries },
    report,
    expected: deliveries.length,
  };
}

/**
 * retry: the deliveries behind attempts matching the log filter; the store
 * retries only failed ones. Test sends are never re-sent: they have no
 * delivery, and the job does not even read them.
 */
async function retryStep(job: Job, deps: StepDeps): Promise<StepPlan> {
  const p = job.params as RetryParams;
  const page = await deps.store.listAttempts(
    job.tenantId,
    { ...p.filter, triggers: countedTriggers(p.filter.triggers) },
    { limit: deps.chunkSize, cursor: job.cursor },
  );
  const ids = [...new Set(page.data.map((a) => a.deliveryId).filter((id): id is string => id !== null))];
  const facts = (await deps.health.deliveryFacts(job.tenantId, ids)).filter((f) => firstSeen(f, job, deps));
  return {
    nextCursor: page.nextCursor ?? DONE_CURSOR,
    processed: page.data.length,
    retry: ids,
    // The store retries only failed ones.
    report: reportOf(facts, (f) => f.status === 'failed'),
    expected: facts.filter((f) => f.status === 'failed').length,
  };
}

/**
 * Whether a delivery is reported by this chunk: a delivery with several
 * matching attempts may come up in more than one chunk.
 */
function firstSeen(fact: DeliveryFact, job: Job, deps: StepDeps): boolean {
  if (deps.seen) {
    if (deps.seen.has(fact.deliveryId)) return false;
    deps.seen.add(fact.deliveryId);
    return true;
  }
  const changedSinceStart = job.startedAt !== null && job.cursor !== null && fact.updatedAt >= job.startedAt;
  return fact.status === 'failed' || !changedSinceStart;
}

export function planStep(job: Job, deps: StepDeps): Promise<StepPlan> {
  switch (job.kind) {
    case 'recover':
      return recoverStep(job, deps);
    case 'replay':
      return replayStep(job, deps);
    case 'retry':
      return retryStep(job, deps);
  }
}
