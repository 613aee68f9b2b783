/** A saved endpoint as the API answers it, with the documented defaults; tests override what they are about. */
import type { Endpoint } from '../../sdk/src/client/types.ts';

export function savedEndpoint(overrides: Partial<Endpoint> = {}): Endpoint {
  return {
    id: 'ep_1',
    tenantId: 'acme',
    url: 'https://x.example.com/',
    name: 'x',
    description: '',
    status: 'active',
    eventTypes: null,
    filter: null,
    signature: { scheme: 'standard-webhooks' },
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
    verification: null,
    maxInFlight: 50,
    hasResources: false,
    verifiedAt: null,
    disabledReason: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}
