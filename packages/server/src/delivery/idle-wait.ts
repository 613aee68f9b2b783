/**
 * How long the dispatcher waits before its next claim when a round did not
 * fill its slots: until the next due time (at most the poll interval), and
 * when due work could not be taken twice in a row, a short look again that
 * doubles up to the poll interval.
 */

/** The first look again at due work two claims could not take; it doubles up to the poll interval. */
export const HELD_BACK_FIRST_LOOK_MS = 5;

export interface IdleState {
  /** Free slots of the worker (a freed slot wakes the dispatcher early). */
  free: number;
  /** The store's next due time, null when nothing is due at any time. */
  nextDueAt: number | null;
  now: number;
  /** Consecutive rounds that claimed nothing. */
  emptyRounds: number;
  pollIntervalMs: number;
}

export function idleWait(s: IdleState): number {
  if (s.free <= 0 || s.nextDueAt === null) return s.pollIntervalMs;
  const wait = s.nextDueAt - s.now;
  // Due work that two claims in a row could not take is held back (every endpoint
  // with work full, which a freed slot wakes us for), or became due while the
  // round ran (a rate-limited endpoint's next token, due a millisecond after the
  // claim that found none): look again soon, then less and less often, rather
  // than spin, or leave the token unspent for a whole poll interval.
  if (wait <= 0 && s.emptyRounds >= 2) {
    return Math.min(s.pollIntervalMs, HELD_BACK_FIRST_LOOK_MS * 2 ** (s.emptyRounds - 2));
  }
  return Math.max(0, Math.min(s.pollIntervalMs, wait));
}
