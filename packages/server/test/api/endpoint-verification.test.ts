/**
 * The endpoint field `verification` (the ownership challenge in a platform's
 * own shape) through the API, on both stores: stored as given, returned by
 * GET and lists, changed and cleared by PATCH, refused (422, nothing stored)
 * when its answer field is no dot path or its request is too large or cannot
 * carry the challenge; and the same rules in the config file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfigFile } from '../../src/config-file.ts';
import { syncConfigFile } from '../../src/config-sync.ts';
import { API_STORE_KINDS, expectError, type StoreApi, startApiOn } from './store-kinds.ts';

const BASE = '/v1/tenants/acme/endpoints';
const PLATFORM = {
  request: { eventName: 'verify', payload: { challenge: '{{challenge}}' } },
  answerField: 'challenge',
};
const HMAC_ENDPOINT = {
  url: 'https://fleet.example.com/vehicle-events',
  secret: 'application-management-token',
  signature: { scheme: 'hmac-sha256', header: 'SC-Signature' },
};

for (const kind of API_STORE_KINDS) {
  describe.skipIf(kind.skip)(`endpoint verification field (${kind.name})`, () => {
    let h: StoreApi;
    const count = async () => (await h.store.listEndpoints('acme', { limit: 250 })).data.length;

    beforeAll(async () => {
      h = await startApiOn(kind);
      await h.tenant('acme');
    });
    afterAll(async () => h?.close());

    it('is null unless given: Herald’s own challenge', async () => {
      const res = await h.call('POST', BASE, { url: 'https://plain.example.com/' });
      expect(res.status).toBe(201);
      expect(res.body.verification).toBeNull();
      expect((await h.call('GET', `${BASE}/${res.body.id}`)).body.verification).toBeNull();
    });

    it('is stored as given, returned, patched and cleared', async () => {
      const created = await h.call('POST', BASE, { ...HMAC_ENDPOINT, verification: PLATFORM });
      expect(created.status).toBe(201);
      expect(created.body.verification).toEqual(PLATFORM);
      const one = `${BASE}/${created.body.id}`;
      expect((await h.call('GET', one)).body.verification).toEqual(PLATFORM);
      const listed = (await h.call('GET', BASE)).body.data.find(
        (e: { id: string }) => e.id === created.body.id,
      );
      expect(listed.verification).toEqual(PLATFORM);

      // Any JSON survives the round trip: nesting, arrays, numbers, booleans, null, text around the placeholders.
      const nested = {
        request: {
          kind: 'challenge',
          meta: { endpoint: 'ep={{endpointId}}', retries: 0, live: false, note: null },
          items: ['x-{{challenge}}-y', 2.5, [true]],
        },
        answerField: 'data.answer',
      };
      const patched = await h.call('PATCH', one, { verification: nested });
      expect(patched.status).toBe(200);
      expect(patched.body.verification).toEqual(nested);
      expect((await h.call('GET', one)).body.verification).toEqual(nested);

      // A PATCH that does not name it keeps it.
      expect((await h.call('PATCH', one, { name: 'renamed' })).body.verification).toEqual(nested);

      const cleared = await h.call('PATCH', one, { verification: null });
      expect(cleared.status).toBe(200);
      expect(cleared.body.verification).toBeNull();
      expect((await h.call('GET', one)).body.verification).toBeNull();
      expect((await h.store.getEndpoint('acme', created.body.id))?.verification).toBeNull();
    });

    it('refuses an answer field that is not a dot path of plain names (422, nothing stored)', async () => {
      const before = await count();
      for (const answerField of [
        '',
        '.challenge',
        'challenge.',
        'data..answer',
        'data[0]',
        'data answer',
        'data/answer',
        'a'.repeat(65),
        'a'.repeat(300),
        Array.from({ length: 17 }, () => 'a').join('.'),
      ]) {
        const res = await h.call('POST', BASE, {
          ...HMAC_ENDPOINT,
          verification: { ...PLATFORM, answerField },
        });
        const error = expectError(res, 422, 'validation_failed');
        expect(error.message, answerField).toContain('verification.answerField');
      }
      const missing = await h.call('POST', BASE, {
        ...HMAC_ENDPOINT,
        verification: { request: PLATFORM.request },
      });
      expect(expectError(missing, 422, 'validation_failed').message).toContain('answerField');
      const extra = await h.call('POST', BASE, {
        ...HMAC_ENDPOINT,
        verification: { ...PLATFORM, method: 'GET' },
      });
      expect(expectError(extra, 422, 'validation_failed').message).toContain('method');
      expect(await count()).toBe(before);
    });

    it('refuses a request over 8 KiB serialized, or one without {{challenge}} (422, nothing stored)', async () => {
      const before = await count();
      const big = {
        eventName: 'verify',
        payload: { challenge: '{{challenge}}', padding: 'x'.repeat(8192) },
      };
      const tooLarge = await h.call('POST', BASE, {
        ...HMAC_ENDPOINT,
        verification: { ...PLATFORM, request: big },
      });
      const error = expectError(tooLarge, 422, 'validation_failed');
      expect(error.message).toContain('verification.request');
      expect(error.message).toContain('8192');

      // Just under the limit is fine: the bound is the serialized size, not a field count.
      const fits = { c: '{{challenge}}', p: '' };
      fits.p = 'x'.repeat(8192 - JSON.stringify(fits).length);
      expect(JSON.stringify(fits)).toHaveLength(8192);
      const ok = await h.call('POST', BASE, {
        ...HMAC_ENDPOINT,
        verification: { ...PLATFORM, request: fits },
      });
      expect(ok.status).toBe(201);

      for (const request of [
        { eventName: 'verify', payload: {} },
        null,
        42,
        '{{endpointId}}',
        { challenge: '{{ challenge }}' },
      ]) {
        const res = await h.call('POST', BASE, { ...HMAC_ENDPOINT, verification: { ...PLATFORM, request } });
        expect(expectError(res, 422, 'validation_failed').message).toContain('{{challenge}}');
      }
      // A PATCH cannot produce what a create refuses.
      const patch = await h.call('PATCH', `${BASE}/${ok.body.id}`, {
        verification: { ...PLATFORM, request: big },
      });
      expectError(patch, 422, 'validation_failed');
      expect((await h.call('GET', `${BASE}/${ok.body.id}`)).body.verification.request).toEqual(fits);
      expect(await count()).toBe(before + 1);
    });

    it('is taken from the config file, with the same checks, and synced in place', async () => {
      const file = (verification: unknown) => ({
        tenants: [{ id: 'acme', endpoints: [{ name: 'fleet', ...HMAC_ENDPOINT, verification }] }],
      });
      const rules = { maxCustomHeaders: 5 };
      expect(() =>
        validateConfigFile(file({ ...PLATFORM, answerField: 'a..b' }), 'herald.config.json', rules),
      ).toThrow(/tenants\[0\]\.endpoints\[0\]\.verification\.answerField/);
      expect(() =>
        validateConfigFile(file({ ...PLATFORM, request: { x: 1 } }), 'herald.config.json', rules),
      ).toThrow(/verification\.request.*\{\{challenge\}\}/);

      const opts = { now: h.clock.now, maxCustomHeaders: 5, file: 'herald.config.json' };
      await syncConfigFile(h.store, validateConfigFile(file(PLATFORM), 'herald.config.json', rules), opts);
      const synced = () =>
        h.store.listEndpoints('acme', { limit: 250 }).then((p) => p.data.find((e) => e.name === 'fleet'));
      expect((await synced())?.verification).toEqual(PLATFORM);
      const changed = { ...PLATFORM, answerField: 'data.answer' };
      await syncConfigFile(h.store, validateConfigFile(file(changed), 'herald.config.json', rules), opts);
      expect((await synced())?.verification).toEqual(changed);
      await syncConfigFile(h.store, validateConfigFile(file(undefined), 'herald.config.json', rules), opts);
      expect((await synced())?.verification).toBeNull();
    });
  });
}
