/**
 * `POST …/endpoints/:eid/verify` with the endpoint's `verification` shape,
 * against a real receiver on loopback, on both stores (the shape is read back
 * from the store before it is sent): placeholders filled, the exact bytes
 * signed with the endpoint's scheme, the answer read at `answerField`, and
 * failures that name that field, e.g. for a receiver written for Herald's
 * own shape.
 */
import { createHmac } from 'node:crypto';
import { challengeResponse } from '@herald/sdk';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApi, hashKey } from '../../src/api/app.ts';
import { createHttpClient } from '../../src/delivery/http-client.ts';
import { parseAllowPrivateNetworks } from '../../src/delivery/ssrf.ts';
import { newId } from '../../src/domain/ids.ts';
import {
  type ReceivedRequest,
  type Receiver,
  type ReceiverReply,
  startReceiver,
} from '../helpers/receiver.ts';
import { ADMIN_KEY } from './harness.ts';
import { API_STORE_KINDS } from './store-kinds.ts';

const TOKEN = 'application-management-token';
const BASE = '/v1/tenants/fleet/endpoints';
const PLATFORM = {
  request: { eventName: 'verify', payload: { challenge: '{{challenge}}' } },
  answerField: 'challenge',
};

/** What the receiver answers: JSON with a 200 unless `status` says otherwise. */
type Answer = (req: ReceivedRequest) => { status?: number; json?: unknown };

/** A receiver written for Herald's own shape: it only knows `{"type":"endpoint.verification",…}`. */
const heraldShaped =
  (secret: string): Answer =>
  (req) => {
    const body = JSON.parse(req.body);
    if (body.type !== 'endpoint.verification') return { json: { received: true } };
    return { json: { challenge: challengeResponse(secret, body.data.challenge) } };
  };

/** A receiver for a platform that puts the challenge at `payload.challenge` and wants the answer at `data.answer`. */
const answersAtDataAnswer =
  (secret: string): Answer =>
  (req) => ({
    json: { data: { answer: challengeResponse(secret, JSON.parse(req.body).payload.challenge) } },
  });

for (const kind of API_STORE_KINDS) {
  describe.skipIf(kind.skip)(`the ownership challenge in the endpoint's shape (${kind.name})`, () => {
    let app: FastifyInstance;
    let receiver: Receiver;
    let answer: Answer = () => ({});
    let cleanup: () => Promise<void>;

    const call = async (method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown) => {
      const res = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
      return { status: res.statusCode, body: JSON.parse(res.body) };
    };
    const create = async (fields: Record<string, unknown>) => {
      const res = await call('POST', BASE, {
        url: `${receiver.url}/vehicle-events`,
        secret: TOKEN,
        signature: { scheme: 'hmac-sha256', header: 'SC-Signature' },
        requireVerification: true,
        ...fields,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.id as string;
    };
    const verify = (id: string) => call('POST', `${BASE}/${id}/verify`, {}).then((r) => r.body);

    beforeAll(async () => {
      const opened = await kind.open();
      const now = Date.parse('2026-01-15T12:00:00.000Z');
      await opened.store.createApiKey({
        id: newId('key'),
        hash: hashKey(ADMIN_KEY),
        tenantId: null,
        name: 'admin',
        createdAt: now,
        expiresAt: null,
      });
      const sender = createHttpClient({ policy: parseAllowPrivateNetworks('127.0.0.0/8') });
      app = await buildApi({ store: opened.store, clock: () => now, options: { version: '9.9.9' }, sender });
      receiver = await startReceiver((req): ReceiverReply => {
        const { status, json } = answer(req);
        return {
          status: status ?? 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(json ?? {}),
        };
      });
      cleanup = async () => {
        await app.close();
        await sender.close();
        await receiver.close();
        await opened.cleanup();
      };
      await call('POST', '/v1/tenants', { id: 'fleet', name: 'Fleet' });
    });
    afterAll(async () => cleanup?.());
    beforeEach(() => {
      receiver.requests.length = 0;
    });

    it('sends the request filled in and signed over the exact bytes, and reads the answer field', async () => {
      const id = await create({
        method: 'PUT',
        format: 'xml',
        headers: { 'X-Fleet': 'north' },
        verification: {
          request: {
            webhookId: '{{endpointId}}',
            note: 'for {{endpointId}}: {{challenge}}',
            payload: { challenge: '{{challenge}}', list: ['{{challenge}}', 1, null, true] },
            '{{challenge}}': 'keys stay as they are',
          },
          answerField: 'data.answer',
        },
      });
      answer = answersAtDataAnswer(TOKEN);
      expect(await verify(id)).toMatchObject({ verified: true, status: 'active' });

      const [req] = receiver.requests;
      const sent = JSON.parse(req!.body);
      const challenge = sent.payload.challenge as string;
      expect(challenge).toMatch(/^[0-9a-f]{64}$/);
      expect(sent).toEqual({
        webhookId: id,
        note: `for ${id}: ${challenge}`,
        payload: { challenge, list: [challenge, 1, null, true] },
        '{{challenge}}': 'keys stay as they are',
      });
      // A POST of JSON whatever the endpoint's method and format, with its custom headers.
      expect(req!.method).toBe('POST');
      expect(req!.headers['content-type']).toBe('application/json');
      expect(req!.headers['x-fleet']).toBe('north');
      expect(req!.headers['sc-signature']).toBe(createHmac('sha256', TOKEN).update(req!.body).digest('hex'));
      expect(req!.body).toBe(JSON.stringify(sent));
    });

    it('fails a receiver written for Herald’s own shape, naming the answer field', async () => {
      const id = await create({ verification: PLATFORM });
      answer = heraldShaped(TOKEN);
      const failed = await verify(id);
      expect(failed).toMatchObject({ verified: false, status: 'pending_verification' });
      expect(failed.error).toBe(
        'the answer has no "challenge" (verification.answerField) string; answer {"challenge":"<hex HMAC-SHA256(key, challenge)>"}',
      );
      expect((await call('GET', `${BASE}/${id}`)).body).toMatchObject({
        status: 'pending_verification',
        verifiedAt: null,
      });
      const attempt = await call('GET', `/v1/tenants/fleet/attempts/${failed.attemptId}`);
      expect(attempt.body).toMatchObject({
        eventType: 'endpoint.verification',
        error: { message: failed.error },
      });
    });

    it('names a nested answer field when the answer sits elsewhere or is wrong', async () => {
      const id = await create({ verification: { ...PLATFORM, answerField: 'data.answer' } });
      // The right HMAC, but where Herald's own shape puts it.
      answer = (req) => ({
        json: { challenge: challengeResponse(TOKEN, JSON.parse(req.body).payload.challenge) },
      });
      expect((await verify(id)).error).toBe(
        'the answer has no "data.answer" (verification.answerField) string; answer {"data":{"answer":"<hex HMAC-SHA256(key, challenge)>"}}',
      );
      answer = answersAtDataAnswer('a-different-token');
      expect((await verify(id)).error).toContain(
        'the answer\'s "data.answer" (verification.answerField) is not HMAC-SHA256(key, challenge)',
      );
      answer = () => ({ status: 204 });
      expect((await verify(id)).error).toContain('without a JSON body; answer {"data":{"answer":');
      answer = () => ({ status: 401, json: { error: 'bad signature' } });
      expect((await verify(id)).error).toContain('answered 401 to the challenge');
      answer = answersAtDataAnswer(TOKEN);
      expect(await verify(id)).toMatchObject({ verified: true, status: 'active' });
    });

    it('keys the HMAC by a whsec_ secret’s decoded bytes, as the SDK’s challengeResponse does', async () => {
      const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
      const id = await create({ secret, signature: { scheme: 'standard-webhooks' }, verification: PLATFORM });
      answer = (req) => ({
        json: { challenge: challengeResponse(secret, JSON.parse(req.body).payload.challenge) },
      });
      expect(await verify(id)).toMatchObject({ verified: true });
      expect(receiver.requests[0]!.headers['webhook-signature']).toMatch(/^v1,/);
    });

    it('keeps Herald’s own shape for endpoints without verification, and after it is cleared', async () => {
      const id = await create({ verification: PLATFORM });
      expect((await call('PATCH', `${BASE}/${id}`, { verification: null })).status).toBe(200);
      answer = heraldShaped(TOKEN);
      expect(await verify(id)).toMatchObject({ verified: true, status: 'active' });
      expect(JSON.parse(receiver.requests[0]!.body)).toEqual({
        type: 'endpoint.verification',
        data: { challenge: expect.stringMatching(/^[0-9a-f]{64}$/) },
      });
      const plain = await create({});
      answer = () => ({ json: { ok: true } });
      expect((await verify(plain)).error).toBe(
        'the answer has no "challenge" string; answer {"challenge":"<hex HMAC-SHA256(key, challenge)>"}',
      );
    });
  });
}
