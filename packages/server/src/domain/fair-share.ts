/**
 * How much of a worker one endpoint may hold. A quarter of the worker's
 * slots: an endpoint that hangs (or a hostile tenant's, on purpose) then ties
 * up at most 25 % of a worker, so it takes four such endpoints at their
 * limit before anyone else waits for a slot, and each of those is visible in
 * the endpoint's own circuit and stats. A quarter of the default 512 slots is
 * 128, which is above the default `maxInFlight` (50) and above what a single
 * receiver usually serves in parallel, so healthy endpoints lose nothing.
 *
 * The API refuses a larger `maxInFlight`; the dispatcher clamps to it anyway,
 * because a worker may have fewer slots than the API process that validated
 * the endpoint, and rows stored before the rule may hold more.
 */

const SHARE_DIVISOR = 4;

/** The most requests one endpoint may have in flight in a worker of `workerConcurrency` slots (at least 1). */
export function maxInFlightCap(workerConcurrency: number): number {
  return Math.max(1, Math.floor(workerConcurrency / SHARE_DIVISOR));
}

/** Why the cap is what it is, in words an API caller can act on. */
export function maxInFlightCapReason(workerConcurrency: number): string {
  const share = `a quarter of this Herald's ${workerConcurrency} worker slots (HERALD_WORKER_CONCURRENCY)`;
  return workerConcurrency < SHARE_DIVISOR ? `${share}, and never less than 1` : share;
}

/** What one worker actually lets an endpoint have in flight: its own limit, within the worker's share. */
export function effectiveMaxInFlight(endpoint: { maxInFlight: number }, workerConcurrency: number): number {
  return Math.max(1, Math.min(endpoint.maxInFlight, maxInFlightCap(workerConcurrency)));
}
