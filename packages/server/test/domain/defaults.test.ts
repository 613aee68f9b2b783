import { describe, expect, it } from 'vitest';
import { ENDPOINT_DEFAULTS, TIMEOUT_MS_RANGE } from '../../src/domain/defaults.ts';

describe('ENDPOINT_DEFAULTS', () => {
  it('matches the documented defaults', () => {
    expect(ENDPOINT_DEFAULTS).toEqual({
      envelope: 'standard',
      format: 'json',
      method: 'POST',
      headers: {},
      timeoutMs: 5000,
      retry: { maxAttempts: 8 },
      batch: null,
      rateLimit: null,
      overflow: 'buffer',
      maxBacklog: null,
      ordered: false,
      requireVerification: false,
      maxInFlight: 50,
      signature: { scheme: 'standard-webhooks' },
    });
    expect(TIMEOUT_MS_RANGE).toEqual({ min: 1000, max: 30000 });
    expect(TIMEOUT_MS_RANGE.min).toBeLessThanOrEqual(ENDPOINT_DEFAULTS.timeoutMs);
  });
});
