/**
 * Recipe: assessment platform (docs/recipes/assessment-platform.md): a
 * verification key in a header or substituted into the URL (and redacted
 * wherever Herald shows the URL), JSON or XML bodies, plain HTTP allowed.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AssessmentDelivery,
  createAssessmentReceiver,
  KEY_HEADER,
} from '../../../../docs/recipes/receivers/assessment-platform/receiver.ts';
import { waitUntil } from '../helpers/api-client.ts';
import { startTestHerald } from '../helpers/in-process.ts';

const KEY = 'Sm4rt-Key-7731';

describe('recipe: assessment platform', () => {
  let t: Awaited<ReturnType<typeof startTestHerald>>;
  const got: AssessmentDelivery[] = [];
  const receiver = createAssessmentReceiver(KEY, (d) => got.push(d));
  let base: string;

  beforeAll(async () => {
    t = await startTestHerald();
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    receiver.close();
    await t.close();
  });

  it('sends the key by header as JSON and in the URL as XML, never showing it', async () => {
    const { api } = t;
    await api.post('/v1/event-types', { name: 'assessment.completed', group: 'Assessments' });
    await api.post('/v1/tenants', { id: 'college-3', name: 'College 3' });
    const byHeader = await api.post('/v1/tenants/college-3/endpoints', {
      name: 'lms (header)',
      url: `${base}/results`,
      secret: KEY,
      signature: { scheme: 'verification-key', header: KEY_HEADER },
      envelope: 'none',
    });
    const byUrl = await api.post('/v1/tenants/college-3/endpoints', {
      name: 'sis (url)',
      url: `${base}/results?key={VerificationKey}`,
      secret: KEY,
      signature: { scheme: 'verification-key' },
      format: 'xml',
    });
    expect(byHeader.status).toBe(201);
    expect(byUrl.status).toBe(201);
    expect(byUrl.body.url).toBe(`${base}/results?key={VerificationKey}`);

    const data = { studentId: 's-1', score: 87, sections: ['reading', 'typing'], note: null };
    await api.post('/v1/tenants/college-3/events', { type: 'assessment.completed', data });
    await waitUntil('both deliveries', () => got.length >= 2);
    const json = got.find((d) => d.contentType.startsWith('application/json'));
    const xml = got.find((d) => d.contentType.startsWith('application/xml'));
    expect(json?.body).toEqual(data);
    expect(String(xml?.body)).toContain('<studentId>s-1</studentId>');
    expect(String(xml?.body)).toContain('<type>assessment.completed</type>');

    const log = (await api.get('/v1/tenants/college-3/attempts')).body.data;
    expect(log).toHaveLength(2);
    expect(JSON.stringify(log)).not.toContain(KEY);
    const shown = (await api.get(`/v1/tenants/college-3/attempts/${log[0].id}`)).body;
    expect(JSON.stringify(shown)).not.toContain(KEY);
    expect(JSON.stringify((await api.get('/v1/tenants/college-3/endpoints')).body)).not.toContain(KEY);
  });
});
