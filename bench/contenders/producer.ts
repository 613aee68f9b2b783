/**
 * The client process: offers the workload's events to one contender and
 * reports when the last one was accepted.
 * - `herald`: batch requests to Herald's API (two in flight);
 * - `bullmq`: `addBulk` of one job per (event, endpoint);
 * - `ceiling`: no queue at all: hands events straight to the sign-and-POST loop.
 * Started with `fork`; receives `{type: 'start', ...}`, answers `{type: 'accepted', ...}`.
 */
import { Queue } from 'bullmq';
import { Pool } from 'undici';
import { benchEventId, EVENT_TYPE, envelope, eventData, runTag, type Workload } from '../lib/workload.ts';
import { CeilingSender } from './ceiling-sender.ts';

export interface StartMessage {
  type: 'start';
  mode: 'herald' | 'bullmq' | 'ceiling';
  workload: Workload;
  /** One URL per endpoint, in workload order. */
  targets: string[];
  herald?: { url: string; apiKey: string; tenantId: string };
  bullmq?: { queue: string };
}

export interface AcceptedMessage {
  type: 'accepted';
  firstSendAt: number;
  lastAcceptAt: number;
  accepted: number;
  /** Offered batches that had to wait because the contender lagged behind the offered rate. */
  lagged: number;
}

type Offer = (from: number, to: number) => Promise<void>;

const MAX_OUTSTANDING = 64;

/**
 * Calls `offer` for every batch of seq [start, end): as fast as it is taken
 * (two at once), or at the workload's rate.
 */
async function feed(
  workload: Workload,
  offer: Offer,
  start: number,
  end: number,
): Promise<Omit<AcceptedMessage, 'type'>> {
  const { batchSize, ratePerSec } = workload;
  const events = end;
  const firstSendAt = Date.now();
  let accepted = 0;
  let lagged = 0;
  const pending = new Set<Promise<void>>();
  const launch = (from: number, to: number) => {
    const p = offer(from, to).then(() => {
      accepted += to - from;
      pending.delete(p);
    });
    pending.add(p);
  };
  let next = start;
  if (ratePerSec === null) {
    while (next < events) {
      while (pending.size >= 2) await Promise.race(pending);
      const to = Math.min(events, next + batchSize);
      launch(next, to);
      next = to;
    }
  } else {
    // A tick every 10 ms offers what is due by then, so the load is smooth at any rate.
    while (next < events) {
      const due = Math.min(events, start + Math.floor(((Date.now() - firstSendAt) * ratePerSec) / 1000));
      while (next < due) {
        if (pending.size >= MAX_OUTSTANDING) {
          lagged++;
          await Promise.race(pending);
        }
        const to = Math.min(due, next + batchSize);
        launch(next, to);
        next = to;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  await Promise.all(pending);
  return { firstSendAt, lastAcceptAt: Date.now(), accepted, lagged };
}

function heraldOffer(msg: StartMessage): Offer {
  const { url, apiKey, tenantId } = msg.herald!;
  const pool = new Pool(url, { connections: 4 });
  const path = `/v1/tenants/${tenantId}/events/batch`;
  return async (from, to) => {
    const events = [];
    for (let seq = from; seq < to; seq++) events.push({ type: EVENT_TYPE, data: eventData(seq) });
    const res = await pool.request({
      method: 'POST',
      path,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    });
    const text = await res.body.text();
    if (res.statusCode !== 202) throw new Error(`Herald answered ${res.statusCode} to a batch: ${text}`);
  };
}

function bullmqOffer(msg: StartMessage, tag: string): { offer: Offer; close: () => Promise<void> } {
  const queue = new Queue(msg.bullmq!.queue, { connection: { host: '127.0.0.1', port: 6379 } });
  const offer: Offer = async (from, to) => {
    const now = Date.now();
    const jobs = [];
    for (let seq = from; seq < to; seq++) {
      const id = benchEventId(tag, seq);
      const body = envelope(id, seq, now);
      for (const url of msg.targets) {
        jobs.push({
          name: 'webhook',
          data: { url, id, body },
          opts: {
            attempts: 8,
            backoff: { type: 'exponential', delay: 5000 },
            removeOnComplete: true,
            removeOnFail: 1000,
          },
        });
      }
    }
    await queue.addBulk(jobs);
  };
  return { offer, close: () => queue.close() };
}

/** Resolves when the harness says the warm-up was delivered and the measured run may start. */
function go(): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (msg: { type?: string }) => {
      if (msg?.type !== 'go') return;
      process.off('message', onMessage);
      resolve();
    };
    process.on('message', onMessage);
  });
}

async function run(msg: StartMessage): Promise<void> {
  const tag = runTag();
  const { workload } = msg;
  let offer: Offer;
  let close = async () => {};
  if (msg.mode === 'herald') {
    offer = heraldOffer(msg);
  } else if (msg.mode === 'bullmq') {
    ({ offer, close } = bullmqOffer(msg, tag));
  } else {
    const sender = new CeilingSender(workload, msg.targets, tag);
    offer = async (from, to) => sender.offer(from, to);
  }
  const started = go();
  if (workload.warmupEvents > 0) await feed(workload, offer, -workload.warmupEvents, 0);
  process.send?.({ type: 'warmed' });
  await started;
  const result = await feed(workload, offer, 0, workload.events);
  await close();
  process.send?.({ type: 'accepted', ...result } satisfies AcceptedMessage);
}

process.on('message', (msg: StartMessage) => {
  if (msg?.type !== 'start') return;
  run(msg).catch((err: unknown) => {
    process.send?.({ type: 'error', error: err instanceof Error ? err.stack : String(err) });
  });
});
process.on('disconnect', () => process.exit(0));
