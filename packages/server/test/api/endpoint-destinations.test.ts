/**
 * The endpoint field `destination` and broker URLs through the API, on both
 * stores (DESIGN.md, "Destinations beyond HTTP"): options stored and shown
 * as sent, broker passwords masked wherever the URL is shown and kept when
 * the masked URL comes back, each bad combination a 422 naming the field
 * with nothing stored, and what only HTTP can do refused for other kinds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_STORE_KINDS, expectError, type StoreApi, startApiOn } from './store-kinds.ts';

const BASE = '/v1/tenants/acme/endpoints';

for (const kind of API_STORE_KINDS) {
  describe.skipIf(kind.skip)(`endpoint destinations (${kind.name})`, () => {
    let h: StoreApi;
    beforeAll(async () => {
      h = await startApiOn(kind);
      await h.tenant('acme');
    });
    afterAll(async () => {
      await h?.close();
    });
    const count = async () => (await h.call('GET', `${BASE}?limit=100`)).body.data.length as number;

    it('stores a broker endpoint with its options and shows its URL with the password masked', async () => {
      const url = 'amqp://herald:s3cret%2Fpw@rabbit.example.com:5672/iot';
      const res = await h.call('POST', BASE, {
        url,
        destination: { exchange: 'events', routingKey: '{{tenantId}}.{{type}}' },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.url).toBe('amqp://herald:***@rabbit.example.com:5672/iot');
      expect(res.body.destination).toEqual({ exchange: 'events', routingKey: '{{tenantId}}.{{type}}' });
      expect(res.body.requireVerification).toBe(false);
      const got = await h.call('GET', `${BASE}/${res.body.id}`);
      expect(got.body.url).toBe('amqp://herald:***@rabbit.example.com:5672/iot');
      expect(JSON.stringify(got.body)).not.toContain('s3cret');
      expect((await h.store.getEndpoint('acme', res.body.id))?.url).toBe(url);

      // The URL as shown, sent back with another change, keeps the stored password.
      const patched = await h.call('PATCH', `${BASE}/${res.body.id}`, {
        url: got.body.url,
        name: 'renamed',
      });
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      expect((await h.store.getEndpoint('acme', res.body.id))?.url).toBe(url);
      // The stored password never follows the mask to another host, port or user.
      for (const elsewhere of [
        'amqp://herald:***@evil.example.com:5672/iot',
        'amqp://herald:***@rabbit.example.com:5673/iot',
        'amqp://root:***@rabbit.example.com:5672/iot',
      ]) {
        const moved = expectError(
          await h.call('PATCH', `${BASE}/${res.body.id}`, { url: elsewhere }),
          422,
          'validation_failed',
        );
        expect(moved.message).toMatch(/password masked .* send the password itself/);
        expect((await h.store.getEndpoint('acme', res.body.id))?.url).toBe(url);
      }
      // The vhost may change with the mask kept; a new password replaces the stored one.
      const vhost = await h.call('PATCH', `${BASE}/${res.body.id}`, {
        url: 'amqp://herald:***@rabbit.example.com:5672/other',
      });
      expect(vhost.status, JSON.stringify(vhost.body)).toBe(200);
      expect((await h.store.getEndpoint('acme', res.body.id))?.url).toBe(
        'amqp://herald:s3cret%2Fpw@rabbit.example.com:5672/other',
      );
      await h.call('PATCH', `${BASE}/${res.body.id}`, {
        url: 'amqp://herald:new@rabbit.example.com:5672/iot',
      });
      expect((await h.store.getEndpoint('acme', res.body.id))?.url).toBe(
        'amqp://herald:new@rabbit.example.com:5672/iot',
      );
    });

    it('masks a NATS token and keeps it on PATCH', async () => {
      const res = await h.call('POST', BASE, { url: 'nats://tok_abc123@nats.example.com:4222' });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.url).toBe('nats://***@nats.example.com:4222');
      expect(res.body.destination).toBeNull();
      await h.call('PATCH', `${BASE}/${res.body.id}`, {
        url: res.body.url,
        destination: { jetstream: false },
      });
      const stored = await h.store.getEndpoint('acme', res.body.id);
      expect(stored?.url).toBe('nats://tok_abc123@nats.example.com:4222');
      expect(stored?.destination).toEqual({ jetstream: false });
    });

    it('accepts each kind and relay://', async () => {
      for (const body of [
        { url: 'mqtts://broker.example.com', destination: { topic: 'devices/{{resource}}', qos: 2 } },
        { url: 'redis://cache.example.com:6379/2', destination: { stream: 'events', maxLen: 10000 } },
        { url: 'relay://' },
        { url: 'relay://laptop' },
      ]) {
        const res = await h.call('POST', BASE, body);
        expect(res.status, `${JSON.stringify(body)} → ${JSON.stringify(res.body)}`).toBe(201);
        expect(res.body.destination).toEqual(body.destination ?? null);
      }
    });

    const refused: [string, Record<string, unknown>, string, RegExp][] = [
      [
        'options on an https URL',
        { url: 'https://e.com/h', destination: { exchange: 'x' } },
        'destination',
        /an http\(s\) endpoint takes none/,
      ],
      [
        'an unknown option',
        { url: 'amqp://h', destination: { exchnage: 'x' } },
        'destination',
        /no option "exchnage"; the options are "exchange", "routingKey"/,
      ],
      [
        'a QoS MQTT does not have',
        { url: 'mqtt://h', destination: { qos: 3 } },
        'destination.qos',
        /must be 0, 1 or 2/,
      ],
      ['a Redis stream left out', { url: 'redis://h' }, 'destination.stream', /is required/],
      [
        'an unknown placeholder',
        { url: 'nats://h', destination: { subject: '{{tenant}}.x' } },
        'destination.subject',
        /unknown placeholder/,
      ],
      [
        'options on relay://',
        { url: 'relay://', destination: { topic: 'x' } },
        'destination',
        /takes no options/,
      ],
      ['a relay URL with a path', { url: 'relay://x/y' }, 'url', /relay:\/\/ or relay:\/\/<label>/],
      ['an unknown scheme', { url: 'kafka://h:9092' }, 'url', /must use http, https, amqp.*not 'kafka'/],
      ['a broker URL with a query', { url: 'amqp://h?heartbeat=5' }, 'url', /take no query parameters/],
      [
        'verification on a broker',
        { url: 'amqp://h', requireVerification: true },
        'requireVerification',
        /only an http\(s\) endpoint/,
      ],
    ];
    for (const [what, body, path, message] of refused) {
      it(`refuses ${what} with 422 naming ${path}, storing nothing`, async () => {
        const before = await count();
        const error = expectError(await h.call('POST', BASE, body), 422, 'validation_failed');
        expect(error.message).toMatch(message);
        expect(error.details).toEqual([expect.objectContaining({ path })]);
        expect(await count()).toBe(before);
      });
    }

    // The whole answer: the summary names the field, and the detail says what is wrong there.
    const answers: [string, Record<string, unknown>, string, { path: string; message: string }][] = [
      [
        'an AMQP exchange with a placeholder',
        { url: 'amqp://h', destination: { exchange: 'x{{type}}' } },
        'destination.exchange is not a template; put {{type}}, {{tenantId}} or {{resource}} in destination.routingKey',
        {
          path: 'destination.exchange',
          message: 'is not a template; put {{type}}, {{tenantId}} or {{resource}} in destination.routingKey',
        },
      ],
      [
        'an AMQP routing key with an unknown placeholder',
        { url: 'amqp://h', destination: { routingKey: '{{event}}' } },
        'destination.routingKey uses the unknown placeholder "{{event}}"; the placeholders are {{type}}, {{tenantId}} and {{resource}}',
        {
          path: 'destination.routingKey',
          message:
            'uses the unknown placeholder "{{event}}"; the placeholders are {{type}}, {{tenantId}} and {{resource}}',
        },
      ],
      [
        'a NATS jetstream that is not a boolean',
        { url: 'nats://h', destination: { jetstream: 'yes' } },
        'destination.jetstream must be true or false, not the string "yes"',
        { path: 'destination.jetstream', message: 'must be true or false, not the string "yes"' },
      ],
      [
        'a NATS subject with a wildcard',
        { url: 'nats://h', destination: { subject: 'a.*' } },
        'destination.subject "a.*" contains a wildcard ("*" or ">"), which is for subscribing, not publishing',
        {
          path: 'destination.subject',
          message: '"a.*" contains a wildcard ("*" or ">"), which is for subscribing, not publishing',
        },
      ],
      [
        'an MQTT QoS of 3',
        { url: 'mqtt://h', destination: { qos: 3 } },
        'destination.qos must be 0, 1 or 2, not 3; 1 (the default) means the broker acknowledges each message',
        {
          path: 'destination.qos',
          message: 'must be 0, 1 or 2, not 3; 1 (the default) means the broker acknowledges each message',
        },
      ],
      [
        'a Redis stream left out',
        { url: 'redis://h' },
        'destination.stream is required: the stream to XADD to, e.g. "{{tenantId}}.events"',
        {
          path: 'destination.stream',
          message: 'is required: the stream to XADD to, e.g. "{{tenantId}}.events"',
        },
      ],
      [
        'a Redis maxLen given as a string',
        { url: 'redis://h', destination: { stream: 's', maxLen: '5' } },
        'destination.maxLen must be a whole number from 1 to 9007199254740991, not the string "5"',
        {
          path: 'destination.maxLen',
          message: 'must be a whole number from 1 to 9007199254740991, not the string "5"',
        },
      ],
      [
        'an unknown option',
        { url: 'mqtt://h', destination: { topics: 'x' } },
        'destination: MQTT destinations have no option "topics"; the options are "topic", "qos"',
        {
          path: 'destination',
          message: 'MQTT destinations have no option "topics"; the options are "topic", "qos"',
        },
      ],
      [
        'an unknown scheme',
        { url: 'kafka://h:9092' },
        "url must use http, https, amqp, amqps, nats, tls, mqtt, mqtts, redis, rediss or relay, not 'kafka'",
        {
          path: 'url',
          message:
            "must use http, https, amqp, amqps, nats, tls, mqtt, mqtts, redis, rediss or relay, not 'kafka'",
        },
      ],
      [
        'an AMQP URL with two path segments',
        { url: 'amqp://h/a/b' },
        'url: an AMQP URL\'s path is one vhost name; write a "/" inside it as %2F (e.g. amqp://host/%2F for the vhost "/")',
        {
          path: 'url',
          message:
            'an AMQP URL\'s path is one vhost name; write a "/" inside it as %2F (e.g. amqp://host/%2F for the vhost "/")',
        },
      ],
      [
        'a relay URL with a path',
        { url: 'relay://x/y' },
        'url: a relay URL is relay:// or relay://<label> with a label of letters, digits and "-" (at most 63), not relay://x/y; no user, port, path or query',
        {
          path: 'url',
          message:
            'a relay URL is relay:// or relay://<label> with a label of letters, digits and "-" (at most 63), not relay://x/y; no user, port, path or query',
        },
      ],
    ];
    for (const [what, body, message, detail] of answers) {
      it(`answers ${what} with the field's path and what is wrong there`, async () => {
        const error = expectError(await h.call('POST', BASE, body), 422, 'validation_failed');
        expect({ message: error.message, details: error.details }).toEqual({ message, details: [detail] });
      });
    }

    it('moves an endpoint from a broker to https only with its options cleared', async () => {
      const ep = (await h.call('POST', BASE, { url: 'redis://h', destination: { stream: 's' } })).body;
      const error = expectError(
        await h.call('PATCH', `${BASE}/${ep.id}`, { url: 'https://e.com/hooks' }),
        422,
        'validation_failed',
      );
      expect(error.message).toMatch(/set it to null/);
      expect((await h.store.getEndpoint('acme', ep.id))?.url).toBe('redis://h');
      const moved = await h.call('PATCH', `${BASE}/${ep.id}`, {
        url: 'https://e.com/hooks',
        destination: null,
      });
      expect(moved.status, JSON.stringify(moved.body)).toBe(200);
      expect(moved.body.destination).toBeNull();
    });

    it('answers 409 to an ownership challenge for a broker endpoint', async () => {
      const ep = (await h.call('POST', BASE, { url: 'mqtt://h' })).body;
      const error = expectError(await h.call('POST', `${BASE}/${ep.id}/verify`), 409, 'conflict');
      expect(error.message).toMatch(/only http\(s\) endpoints answer an ownership challenge/);
    });
  });
}
