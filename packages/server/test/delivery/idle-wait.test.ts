import { describe, expect, it } from 'vitest';
import { HELD_BACK_FIRST_LOOK_MS, idleWait } from '../../src/delivery/idle-wait.ts';

const base = { free: 10, now: 1_000_000, emptyRounds: 0, pollIntervalMs: 1000 };

describe('idleWait', () => {
  it('waits for the next due time, at most the poll interval', () => {
    expect(idleWait({ ...base, nextDueAt: base.now + 50 })).toBe(50);
    expect(idleWait({ ...base, nextDueAt: base.now + 60_000 })).toBe(1000);
    expect(idleWait({ ...base, nextDueAt: null })).toBe(1000);
  });

  it('claims again at once when work is due and the last rounds found some', () => {
    expect(idleWait({ ...base, nextDueAt: base.now - 3, emptyRounds: 1 })).toBe(0);
  });

  it('looks again soon when a rate-limited token came due during two empty rounds, not after a whole poll', () => {
    // The claim at `now - 1` found no token; the head says the token is due at `now`.
    expect(idleWait({ ...base, nextDueAt: base.now, emptyRounds: 2 })).toBe(HELD_BACK_FIRST_LOOK_MS);
    expect(idleWait({ ...base, nextDueAt: base.now - 1, emptyRounds: 2 })).toBe(HELD_BACK_FIRST_LOOK_MS);
  });

  it('backs off, doubling up to the poll interval, while due work stays held back', () => {
    const waits = [2, 3, 4, 5, 8, 9, 12].map((emptyRounds) =>
      idleWait({ ...base, nextDueAt: base.now - 10, emptyRounds }),
    );
    expect(waits).toEqual([5, 10, 20, 40, 320, 640, 1000]);
  });

  it('waits for a freed slot (which wakes it) when the worker is full', () => {
    expect(idleWait({ ...base, free: 0, nextDueAt: base.now })).toBe(1000);
  });
});
