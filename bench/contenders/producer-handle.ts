/** Starting the producer process and waiting until it has offered every event. */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { forkTs, nextMessage } from '../lib/procs.ts';
import type { Receiver } from '../lib/receiver-handle.ts';
import type { Workload } from '../lib/workload.ts';
import type { AcceptedMessage, StartMessage } from './producer.ts';

const PRODUCER = fileURLToPath(new URL('./producer.ts', import.meta.url));

/** No new receipt for this long ends a run as incomplete, so a broken contender cannot hang the bench. */
export const STALL_MS = Number(process.env.BENCH_STALL_MS ?? 30_000);

export function expectedOk(workload: Workload): number {
  return workload.events * workload.endpoints.filter((k) => k === 'ok').length;
}

/**
 * Starts the producer: it sends the warm-up events, and once the receiver
 * has them all (`warmedUp`), the measured ones.
 */
export async function startProducer(
  start: StartMessage,
  warmedUp: () => Promise<unknown>,
): Promise<{ child: ChildProcess; accepted: AcceptedMessage }> {
  const child = forkTs(PRODUCER);
  const warmed = nextMessage(child, 'warmed');
  child.send(start);
  await warmed;
  await warmedUp();
  const accepted = nextMessage<AcceptedMessage>(child, 'accepted');
  child.send({ type: 'go' });
  return { child, accepted: await accepted };
}

/** What the receiver should have from the warm-up before the measured run starts. */
export function warmupWait(workload: Workload, receiver: Receiver): () => Promise<unknown> {
  const expected = workload.warmupEvents * workload.endpoints.filter((k) => k === 'ok').length;
  return () => (expected > 0 ? receiver.waitForWarmup(expected, STALL_MS) : Promise.resolve());
}
