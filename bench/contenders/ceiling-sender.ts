/**
 * The ceiling: sign and POST, nothing stored, no retries. It keeps Herald's
 * limits so the comparison is like for like: `maxInFlight` per endpoint,
 * `concurrency` in all, and an undici Agent with 64 keep-alive connections
 * per origin (Herald's default pool).
 */
import { Agent, request } from 'undici';
import { benchEventId, envelope, maxInFlightOf, signedHeaders, type Workload } from '../lib/workload.ts';

export const CONNECTIONS_PER_ORIGIN = 64;

export class CeilingSender {
  private readonly acceptedAt: Float64Array;
  private available: number;
  private waiters: (() => void)[] = [];
  private slots: number;
  private slotWaiters: (() => void)[] = [];
  private readonly agent = new Agent({ connections: CONNECTIONS_PER_ORIGIN, pipelining: 1 });

  constructor(
    private readonly workload: Workload,
    targets: string[],
    private readonly tag: string,
  ) {
    // Indexed by seq + warmupEvents: warm-up events have negative seqs.
    this.acceptedAt = new Float64Array(workload.warmupEvents + workload.events);
    this.available = -workload.warmupEvents;
    this.slots = workload.concurrency;
    // More loops than global slots would only wait: each endpoint gets its share, at most maxInFlight.
    const share = Math.ceil(workload.concurrency / targets.length);
    for (const [i, url] of targets.entries()) {
      const loops = Math.min(maxInFlightOf(workload, workload.endpoints[i] ?? 'ok'), share);
      const cursor = { next: -workload.warmupEvents };
      for (let i = 0; i < loops; i++) void this.loop(url, cursor);
    }
  }

  /** Events [from, to) are due now: the "accept" of a sender without a queue. */
  offer(from: number, to: number): void {
    const now = Date.now();
    const w = this.workload.warmupEvents;
    this.acceptedAt.fill(now, from + w, to + w);
    this.available = Math.max(this.available, to);
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private async loop(url: string, cursor: { next: number }): Promise<void> {
    while (cursor.next < this.workload.events) {
      if (cursor.next >= this.available) {
        await new Promise<void>((r) => this.waiters.push(r));
        continue;
      }
      const seq = cursor.next++;
      await this.acquire();
      try {
        await this.send(url, seq);
      } finally {
        this.release();
      }
    }
  }

  private async send(url: string, seq: number): Promise<void> {
    const id = benchEventId(this.tag, seq);
    const body = envelope(id, seq, this.acceptedAt[seq + this.workload.warmupEvents]!);
    try {
      const res = await request(url, {
        method: 'POST',
        headers: signedHeaders(id, body),
        body,
        dispatcher: this.agent,
        headersTimeout: this.workload.timeoutMs,
        bodyTimeout: this.workload.timeoutMs,
      });
      await res.body.dump();
    } catch {
      // A timeout or refused connection: the ceiling does not retry.
    }
  }

  private acquire(): Promise<void> {
    if (this.slots > 0) {
      this.slots--;
      return Promise.resolve();
    }
    return new Promise((r) => this.slotWaiters.push(r));
  }

  private release(): void {
    const next = this.slotWaiters.shift();
    if (next) next();
    else this.slots++;
  }
}
