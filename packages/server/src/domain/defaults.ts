/**
 * What an endpoint gets for every field its creator leaves out, and the
 * bounds the API and the config loader enforce. DESIGN.md shows the same
 * defaults; change both together.
 */
import { DEFAULT_MAX_ATTEMPTS } from './retry.ts';

export const ENDPOINT_DEFAULTS = {
  envelope: 'standard',
  format: 'json',
  method: 'POST',
  headers: {},
  timeoutMs: 5000,
  retry: { maxAttempts: DEFAULT_MAX_ATTEMPTS },
  batch: null,
  rateLimit: null,
  overflow: 'buffer',
  maxBacklog: null,
  ordered: false,
  requireVerification: false,
  maxInFlight: 50,
  signature: { scheme: 'standard-webhooks' },
} as const;

export const TIMEOUT_MS_RANGE = { min: 1000, max: 30000 } as const;
export const MAX_ATTEMPTS_RANGE = { min: 1, max: 50 } as const;
export const BATCH_MAX_SIZE_RANGE = { min: 1, max: 500 } as const;
export const MAX_IN_FLIGHT_RANGE = { min: 1, max: 1000 } as const;
