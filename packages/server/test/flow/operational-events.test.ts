import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../helpers/api-client.ts';
import { startTestHerald } from '../helpers/in-process.ts';
import { startReceiver } from '../helpers/receiver.ts';

describe('operational events', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('reach the operator tenant’s endpoint as ordinary, listed events, with the URL redacted', async () => {
    const customer = await startReceiver(() => ({ status: 410 }));
    const operator = await startReceiver();
    closers.push(customer.close, operator.close);
    const { api, close } = await startTestHerald();
    closers.push(close);

    // The operator tenant and its event types exist from the start.
    const types = await api.get('/v1/event-types?group=Herald%20operations');
    expect((types.body.data as { name: string }[]).map((t) => t.name).sort()).toEqual([
      'delivery.exhausted',
      'delivery.failing',
      'endpoint.circuit_opened',
      'endpoint.disabled',
      'endpoint.recovered',
    ]);
    const opEndpoint = await api.post('/v1/tenants/herald-operator/endpoints', {
      url: `${operator.url}/ops`,
      eventTypes: ['endpoint.*', 'delivery.*'],
    });
    expect(opEndpoint.status).toBe(201);

    expect((await api.post('/v1/tenants', { id: 'acme', name: 'Acme' })).status).toBe(201);
    const ep = await api.post('/v1/tenants/acme/endpoints', {
      url: `${customer.url}/hooks?token=secret-token-value`,
      retry: { maxAttempts: 1 },
    });
    expect(ep.status).toBe(201);
    expect(
      (await api.post('/v1/tenants/acme/events', { type: 'order.created', data: { id: 1 } })).status,
    ).toBe(202);

    await operator.waitFor(2, 10_000);
    const received = operator.requests.map(
      (r) => JSON.parse(r.body) as { type: string; data: Record<string, unknown> },
    );
    expect(received.map((e) => e.type).sort()).toEqual(['delivery.exhausted', 'endpoint.disabled']);
    const disabled = received.find((e) => e.type === 'endpoint.disabled')!;
    expect(disabled.data).toMatchObject({ tenantId: 'acme', endpointId: ep.body.id });
    expect(String(disabled.data.reason)).toMatch(/410 Gone/);
    expect(JSON.stringify(disabled.data)).not.toContain('secret-token-value');

    const shown = await api.get(`/v1/tenants/acme/endpoints/${ep.body.id}`);
    expect(shown.body).toMatchObject({ status: 'disabled', circuit: { state: 'closed', openedAt: null } });

    await waitUntil('the events in the operator tenant’s list', async () => {
      const list = await api.get('/v1/tenants/herald-operator/events');
      return (list.body.data as unknown[]).length === 2;
    });
  });
});
