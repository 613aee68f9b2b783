/** The contenders Herald is measured against: the ceiling (no storage) and the BullMQ baseline. */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { forkTs, MemorySampler, nextMessage, stopChild } from '../lib/procs.ts';
import type { Receiver } from '../lib/receiver-handle.ts';
import { runTag, type Workload } from '../lib/workload.ts';
import type { RawRun } from './measure.ts';
import { expectedOk, STALL_MS, startProducer, warmupWait } from './producer-handle.ts';

const WORKER = fileURLToPath(new URL('./bullmq-worker.ts', import.meta.url));
const REDIS = { host: '127.0.0.1', port: 6379 };

export async function runCeiling(
  variant: string,
  workload: Workload,
  targets: string[],
  receiver: Receiver,
): Promise<RawRun> {
  const started = await startProducer(
    { type: 'start', mode: 'ceiling', workload, targets },
    warmupWait(workload, receiver),
  );
  const memory = new MemorySampler(started.child.pid!).start();
  try {
    const { complete, stats } = await receiver.waitForOk(expectedOk(workload), STALL_MS);
    memory.stop();
    memory.sample();
    return {
      contender: 'ceiling',
      variant,
      events: workload.events,
      expectedOk: expectedOk(workload),
      accepted: started.accepted,
      drainStartAt: started.accepted.firstSendAt,
      complete,
      stats,
      memoryOf: 'ceiling client',
      peakRssMb: memory.peakMb,
      rssSamples: memory.samples,
    };
  } finally {
    memory.stop();
    await stopChild(started.child, 2000);
  }
}

/** True when a Redis answers PING on 127.0.0.1:6379 within a second. */
export async function redisReachable(): Promise<boolean> {
  const redis = new Redis({ ...REDIS, lazyConnect: true, connectTimeout: 1000, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

async function startWorker(queue: string, workload: Workload): Promise<ChildProcess> {
  const child = forkTs(WORKER, { BENCH_QUEUE: queue, BENCH_TIMEOUT_MS: String(workload.timeoutMs) });
  await nextMessage(child, 'ready');
  return child;
}

export async function runBaseline(
  variant: string,
  workload: Workload,
  targets: string[],
  receiver: Receiver,
): Promise<RawRun> {
  const queue = `herald-bench-${runTag()}`;
  let worker: ChildProcess | null = null;
  let producer: ChildProcess | null = null;
  let memory: MemorySampler | null = null;
  try {
    // While the receiver side is down no worker runs, so the backlog waits in Redis.
    if (!workload.downDuringIngest) {
      worker = await startWorker(queue, workload);
      memory = new MemorySampler(worker.pid!).start();
    }
    const started = await startProducer(
      {
        type: 'start',
        mode: 'bullmq',
        workload,
        targets,
        bullmq: { queue },
      },
      warmupWait(workload, receiver),
    );
    producer = started.child;
    let drainStartAt = started.accepted.firstSendAt;
    if (!worker) {
      drainStartAt = Date.now();
      worker = await startWorker(queue, workload);
      memory = new MemorySampler(worker.pid!).start();
    }
    const { complete, stats } = await receiver.waitForOk(expectedOk(workload), STALL_MS);
    memory?.stop();
    memory?.sample();
    return {
      contender: 'baseline',
      variant,
      events: workload.events,
      expectedOk: expectedOk(workload),
      accepted: started.accepted,
      drainStartAt,
      complete,
      stats,
      memoryOf: 'BullMQ worker',
      peakRssMb: memory?.peakMb ?? null,
      rssSamples: memory?.samples ?? [],
    };
  } finally {
    memory?.stop();
    if (producer) await stopChild(producer, 2000);
    if (worker) await stopChild(worker, 3000);
    const q = new Queue(queue, { connection: REDIS });
    await q.obliterate({ force: true }).catch(() => {});
    await q.close();
  }
}
