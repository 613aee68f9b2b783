/**
 * Recipe: assessment platform (docs/recipes/assessment-platform.md), end to
 * end against a real Herald and two of the recipe's receivers on loopback:
 * an LMS that reads the verification key from the
 * `X-SmarterMeasure-Verification-Key` header and takes JSON, and a student
 * system that cannot read headers, reads the key from the URL's
 * `VerificationKey` parameter and takes XML. The receivers are written from
 * the platform's docs only, so passing proves the endpoint config sends the
 * platform's shapes: the key in the header always, in the URL where asked,
 * the platform's payload as the body (no Herald envelope), and the key
 * redacted wherever Herald shows the URL or the headers.
 */
import type { IncomingMessage, Server } from 'node:http';
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
const TENANT = '/v1/tenants/college-3';

/** The two endpoint configs the recipe documents. */
const byHeader = (url: string, secret: string) => ({
  name: 'lms (header)',
  url,
  secret,
  signature: { scheme: 'verification-key', header: KEY_HEADER },
  envelope: 'none',
});
const byUrl = (url: string, secret: string) => ({
  name: 'sis (url)',
  url: `${url}?VerificationKey={VerificationKey}`,
  secret,
  signature: { scheme: 'verification-key', header: KEY_HEADER },
  envelope: 'none',
  format: 'xml',
});

interface Seen {
  url: string;
  headers: IncomingMessage['headers'];
}

async function listen(server: Server, seen: Seen[]): Promise<string> {
  server.prependListener('request', (req: IncomingMessage) =>
    seen.push({ url: req.url ?? '', headers: req.headers }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/results`;
}

describe('recipe: assessment platform', () => {
  let t: Awaited<ReturnType<typeof startTestHerald>>;
  const lmsGot: AssessmentDelivery[] = [];
  const sisGot: AssessmentDelivery[] = [];
  const lmsSeen: Seen[] = [];
  const sisSeen: Seen[] = [];
  const lms = createAssessmentReceiver(KEY, 'header', (d) => lmsGot.push(d));
  const sis = createAssessmentReceiver(KEY, 'url', (d) => sisGot.push(d));
  let lmsUrl: string;
  let sisUrl: string;

  beforeAll(async () => {
    t = await startTestHerald();
    lmsUrl = await listen(lms, lmsSeen);
    sisUrl = await listen(sis, sisSeen);
  });
  afterAll(async () => {
    lms.close();
    sis.close();
    await t.close();
  });

  it('sends the key in the header (JSON) and also in the URL (XML), the payload as the body, never showing the key', async () => {
    const { api } = t;
    const data = { studentId: 's-1', score: 87, sections: ['reading', 'typing'], note: null };
    await api.post('/v1/event-types', { name: 'assessment.completed', group: 'Assessments', example: data });
    await api.post('/v1/tenants', { id: 'college-3', name: 'College 3' });

    // Another key on Herald's side: both receivers refuse it.
    for (const config of [byHeader(lmsUrl, 'not-the-key-00'), byUrl(sisUrl, 'not-the-key-00')]) {
      const wrong = await api.post(`${TENANT}/endpoints/test`, {
        ...config,
        eventType: 'assessment.completed',
      });
      expect(wrong.body).toMatchObject({ status: 401, responseBody: 'wrong verification key' });
    }
    expect([...lmsGot, ...sisGot]).toEqual([]);
    lmsSeen.length = 0;
    sisSeen.length = 0;

    const header = await api.post(`${TENANT}/endpoints`, byHeader(lmsUrl, KEY));
    const url = await api.post(`${TENANT}/endpoints`, byUrl(sisUrl, KEY));
    expect(header.status).toBe(201);
    expect(url.status).toBe(201);
    expect(url.body.url).toBe(`${sisUrl}?VerificationKey={VerificationKey}`);

    await api.post(`${TENANT}/events`, { type: 'assessment.completed', data });
    await waitUntil('both deliveries', () => lmsGot.length >= 1 && sisGot.length >= 1);

    // JSON: the platform's payload is the whole body.
    expect(lmsGot).toEqual([{ contentType: 'application/json', body: data }]);
    // XML: the same payload as elements (arrays as <item>, null as xsi:nil), no Herald envelope.
    expect(sisGot).toEqual([
      {
        contentType: 'application/xml',
        body: { studentId: 's-1', score: 87, sections: { item: ['reading', 'typing'] }, note: '' },
      },
    ]);
    // The key travels in the header on both, and in the URL where the URL asks for it.
    expect(lmsSeen.map((s) => s.headers[KEY_HEADER.toLowerCase()])).toEqual([KEY]);
    expect(sisSeen.map((s) => s.headers[KEY_HEADER.toLowerCase()])).toEqual([KEY]);
    expect(sisSeen.map((s) => s.url)).toEqual([`/results?VerificationKey=${encodeURIComponent(KEY)}`]);

    const log = (await api.get(`${TENANT}/attempts`)).body.data;
    expect(log).toHaveLength(2);
    expect(JSON.stringify(log)).not.toContain(KEY);
    for (const attempt of log) {
      const shown = (await api.get(`${TENANT}/attempts/${attempt.id}`)).body;
      expect(JSON.stringify(shown)).not.toContain(KEY);
      expect(shown.requestHeaders[KEY_HEADER.toLowerCase()]).toBe('***');
    }
    expect(JSON.stringify((await api.get(`${TENANT}/endpoints`)).body)).not.toContain(KEY);
  });
});
