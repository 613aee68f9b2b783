/**
 * The subscription form's delivery methods (DESIGN.md, "Destinations beyond
 * HTTP"): the URL's scheme is the kind, a broker's options go in
 * `destination` (only those set; null for http(s) and relay://), HTTP-only
 * fields go as their defaults to the other kinds, a saved endpoint opens as
 * its kind, and the server's 422s about an option land next to its field.
 */
import { describe, expect, it } from 'vitest';
import { HeraldApiError } from '../../sdk/src/client/errors.ts';
import { destinationTargetProblem } from '../../server/src/delivery/destinations/registry.ts';
import { DEFAULT_PORTAL_FIELDS, PORTAL_ADVANCED_FIELDS } from '../../server/src/domain/portal-fields.ts';
import {
  type DestinationKind,
  destinationErrors,
  destinationOf,
  KIND_ORDER,
  KINDS,
  kindOfUrl,
  withKind,
  withUrl,
} from '../src/destinations.ts';
import { allowedFields, sectionOfPath } from '../src/form-sections.ts';
import { changedInput, EMPTY_FORM, type FormState, fromEndpoint, toInput } from '../src/form-state.ts';
import { savedEndpoint } from './endpoint-fixture.ts';

const AMQP = 'amqp://guest:guest@127.0.0.1:5672/';
const fresh = { includeSecret: true, allowed: null, always: ['url'] } as const;
const update = { includeSecret: false, allowed: null } as const;
const amqpForm = (over: Partial<FormState> = {}): FormState => ({
  ...EMPTY_FORM,
  kind: 'amqp',
  url: AMQP,
  ...over,
});

/** The 422 the server answers for this URL and destination, as the SDK hands it to the form. */
function serverError(url: string, destination: Record<string, unknown> | null): HeraldApiError {
  const problem = destinationTargetProblem(url, destination, 'standard-webhooks');
  if (!problem) throw new Error(`the server accepts ${url} ${JSON.stringify(destination)}`);
  return new HeraldApiError(422, 'validation_failed', `${problem.path} ${problem.message}`, [problem]);
}

describe('delivery method: the kind is the URL scheme', () => {
  it('reads every scheme the server knows, in either case; other text has no kind yet', () => {
    const cases: [string, DestinationKind][] = [
      ['https://x.example.com/h', 'http'],
      ['HTTP://x.example.com/h', 'http'],
      [AMQP, 'amqp'],
      ['amqps://u:p@rabbit.example.com/vh', 'amqp'],
      ['nats://127.0.0.1:4222', 'nats'],
      ['tls://nats.example.com:4222', 'nats'],
      ['mqtt://broker:1883', 'mqtt'],
      ['mqtts://broker:8883', 'mqtt'],
      ['redis://127.0.0.1:6379/0', 'redis'],
      ['rediss://cache.example.com/2', 'redis'],
      ['relay://', 'relay'],
      ['relay://alice', 'relay'],
    ];
    for (const [url, kind] of cases) expect(kindOfUrl(url), url).toBe(kind);
    for (const text of ['', 'amq', 'ftp://x', 'example.com/hooks']) expect(kindOfUrl(text), text).toBeNull();
    // Every kind's example URL is one of its own, and one the server accepts.
    for (const kind of KIND_ORDER) {
      const example = KINDS[kind].placeholder;
      expect(kindOfUrl(example), kind).toBe(kind);
      const options =
        kind === 'redis' ? { stream: 'events' } : kind === 'http' || kind === 'relay' ? null : {};
      expect(destinationTargetProblem(example, options, 'standard-webhooks'), kind).toBeNull();
    }
  });

  it('choosing a kind drops a URL of another kind; typing a scheme of another kind switches to it', () => {
    const http = { ...EMPTY_FORM, url: 'https://x.example.com/h' };
    expect(withKind(http, 'amqp')).toMatchObject({ kind: 'amqp', url: '' });
    expect(withKind(http, 'relay')).toMatchObject({ kind: 'relay', url: 'relay://' });
    expect(withKind(withKind(http, 'relay'), 'http')).toMatchObject({ kind: 'http', url: '' });
    expect(withKind(http, 'http').url).toBe('https://x.example.com/h');
    // Half typed, it stays.
    expect(withKind({ ...EMPTY_FORM, url: 'rabbit' }, 'amqp').url).toBe('rabbit');
    expect(withUrl(EMPTY_FORM, 'nats://127.0.0.1:4222').kind).toBe('nats');
    expect(withUrl({ ...EMPTY_FORM, kind: 'redis' }, 'red').kind).toBe('redis');
  });
});

describe('delivery method: what the form sends', () => {
  it('an HTTP endpoint sends destination null, and a new one leaves it out', () => {
    const url = 'https://x.example.com/h';
    expect(toInput({ ...EMPTY_FORM, url }, { includeSecret: false }).destination).toBeNull();
    expect(changedInput({ ...EMPTY_FORM, url }, EMPTY_FORM, fresh)).toEqual({ url });
  });

  it('a broker sends only the options that are set, {} when none is, and HTTP-only fields as their defaults', () => {
    expect(changedInput(amqpForm(), EMPTY_FORM, fresh)).toEqual({ url: AMQP, destination: {} });
    const set = amqpForm({ destination: { exchange: '', routingKey: 'devices.{{type}}' } });
    expect(changedInput(set, EMPTY_FORM, fresh)).toEqual({
      url: AMQP,
      destination: { routingKey: 'devices.{{type}}' },
    });
    // Method, ownership challenge and its shape were set for a webhook: a broker gets the defaults.
    const webhookish = amqpForm({
      method: 'PUT',
      requireVerification: true,
      verificationRequest: '{"challenge": "{{challenge}}"}',
    });
    expect(toInput(webhookish, { includeSecret: false })).toMatchObject({
      method: 'POST',
      requireVerification: false,
      verification: null,
    });
    expect(changedInput(webhookish, EMPTY_FORM, fresh)).toEqual({ url: AMQP, destination: {} });
  });

  it('reads each kind’s options as their types: templates as written, choices, numbers', () => {
    expect(destinationOf('nats', { subject: 'ev.{{tenantId}}', jetstream: '' })).toEqual({
      subject: 'ev.{{tenantId}}',
    });
    expect(destinationOf('nats', { jetstream: 'false' })).toEqual({ jetstream: false });
    expect(destinationOf('mqtt', { topic: 'a/{{type}}', qos: '' })).toEqual({ topic: 'a/{{type}}' });
    expect(destinationOf('mqtt', { qos: '0' })).toEqual({ qos: 0 });
    expect(destinationOf('mqtt', { qos: '2' })).toEqual({ qos: 2 });
    expect(destinationOf('redis', { stream: '{{tenantId}}.events', maxLen: '1000' })).toEqual({
      stream: '{{tenantId}}.events',
      maxLen: 1000,
    });
    // Not a number: sent as typed, so the server's 422 says what is wrong next to the field.
    expect(destinationOf('redis', { stream: 's', maxLen: 'lots' })).toEqual({ stream: 's', maxLen: 'lots' });
    // Another kind's options, typed before switching, are not sent.
    expect(destinationOf('amqp', { routingKey: 'k', topic: 't', stream: 's' })).toEqual({ routingKey: 'k' });
    expect(destinationOf('relay', { routingKey: 'k' })).toBeNull();
    expect(destinationOf('http', { routingKey: 'k' })).toBeNull();
    // What the form sends for each kind, defaults and all, the server accepts.
    for (const [url, options] of [
      ['nats://127.0.0.1:4222', destinationOf('nats', { jetstream: 'false' })],
      ['mqtt://127.0.0.1:1883', destinationOf('mqtt', { qos: '2', topic: 'a/{{type}}' })],
      ['redis://127.0.0.1:6379/0', destinationOf('redis', { stream: 'ev', maxLen: '10' })],
    ] as const) {
      expect(
        destinationTargetProblem(url, options as Record<string, unknown> | null, 'standard-webhooks'),
        url,
      ).toBeNull();
    }
  });

  it('a relay endpoint sends destination null', () => {
    const relay = withKind(EMPTY_FORM, 'relay');
    expect(changedInput(relay, EMPTY_FORM, fresh)).toEqual({ url: 'relay://' });
    expect(toInput(relay, { includeSecret: false }).destination).toBeNull();
  });
});

describe('delivery method: editing a saved endpoint', () => {
  const saved = savedEndpoint({
    url: 'amqp://guest:***@127.0.0.1:5672/',
    destination: { exchange: 'events', routingKey: '{{tenantId}}.{{type}}' },
  });

  it('opens as its kind with its options, and an untouched form changes nothing (the masked URL is not sent)', () => {
    const base = fromEndpoint(saved);
    expect(base).toMatchObject({
      kind: 'amqp',
      url: 'amqp://guest:***@127.0.0.1:5672/',
      destination: { exchange: 'events', routingKey: '{{tenantId}}.{{type}}' },
    });
    expect(changedInput(base, base, update)).toEqual({});
    const edited = { ...base, destination: { ...base.destination, routingKey: 'x.{{type}}' } };
    expect(changedInput(edited, base, update)).toEqual({
      destination: { exchange: 'events', routingKey: 'x.{{type}}' },
    });
  });

  it('reads a default choice back as the default, and each scheme as its kind', () => {
    const nats = fromEndpoint(savedEndpoint({ url: 'tls://n:4222', destination: { jetstream: true } }));
    expect(nats).toMatchObject({ kind: 'nats', destination: { subject: '', jetstream: '' } });
    const mqtt = fromEndpoint(savedEndpoint({ url: 'mqtt://b:1883', destination: { qos: 0, topic: 't' } }));
    expect(mqtt).toMatchObject({ kind: 'mqtt', destination: { topic: 't', qos: '0' } });
    const redis = fromEndpoint(
      savedEndpoint({ url: 'redis://r/1', destination: { stream: 's', maxLen: 5 } }),
    );
    expect(redis).toMatchObject({ kind: 'redis', destination: { stream: 's', maxLen: '5' } });
    expect(fromEndpoint(savedEndpoint({ url: 'relay://', destination: null })).kind).toBe('relay');
    // An endpoint from a server before destinations.
    expect(fromEndpoint(savedEndpoint()).kind).toBe('http');
  });

  it('turning a webhook with an ownership challenge into a broker turns the challenge off', () => {
    const webhook = fromEndpoint(savedEndpoint({ requireVerification: true, method: 'PUT' }));
    const broker = withUrl(withKind(webhook, 'amqp'), AMQP);
    expect(changedInput(broker, webhook, update)).toEqual({
      url: AMQP,
      method: 'POST',
      requireVerification: false,
      destination: {},
    });
  });
});

describe('delivery method: the portal', () => {
  it('keeps broker options for the operator unless HERALD_PORTAL_FIELDS lists destination', () => {
    expect(PORTAL_ADVANCED_FIELDS).toContain('destination');
    expect(DEFAULT_PORTAL_FIELDS).not.toContain('destination');
    const form = amqpForm({ destination: { routingKey: 'k' } });
    const byDefault = allowedFields({ role: 'portal', endpointFields: [...DEFAULT_PORTAL_FIELDS] });
    expect(changedInput(form, EMPTY_FORM, { ...fresh, allowed: byDefault })).toEqual({ url: AMQP });
    const open = allowedFields({ role: 'portal', endpointFields: [...DEFAULT_PORTAL_FIELDS, 'destination'] });
    expect(changedInput(form, EMPTY_FORM, { ...fresh, allowed: open })).toEqual({
      url: AMQP,
      destination: { routingKey: 'k' },
    });
  });
});

describe('delivery method: the server’s 422s, by field', () => {
  it('puts a problem with an option next to that option, in words', () => {
    const placeholder = destinationErrors(serverError(AMQP, { routingKey: '{{event}}' }));
    expect(Object.keys(placeholder)).toEqual(['destination.routingKey']);
    expect(placeholder['destination.routingKey']).toBe(
      'Routing key: Uses the unknown placeholder "{{event}}"; the placeholders are {{type}}, {{tenantId}} and {{resource}}.',
    );
    expect(destinationErrors(serverError(AMQP, { exchange: 'ev.{{type}}' }))).toHaveProperty(
      ['destination.exchange'],
      expect.stringMatching(/^Exchange: Is not a template/),
    );
    expect(destinationErrors(serverError('redis://127.0.0.1:6379/0', {}))).toHaveProperty(
      ['destination.stream'],
      expect.stringMatching(/^Stream: Is required/),
    );
    expect(destinationErrors(serverError('redis://r/0', { stream: 's', maxLen: 'lots' }))).toHaveProperty(
      ['destination.maxLen'],
      expect.stringMatching(/^Max length: Must be a whole number from 1/),
    );
    expect(destinationErrors(serverError('mqtt://b:1883', { qos: 3 }))).toHaveProperty(['destination.qos']);
  });

  it('puts a problem with the options as a whole at the options, and a URL problem at the URL', () => {
    const unknown = destinationErrors(serverError(AMQP, { topic: 't' }));
    expect(unknown).toEqual({
      destination: expect.stringMatching(/^Delivery options: AMQP destinations have no option "topic"/),
    });
    const http = destinationErrors(serverError('https://x.example.com/h', { routingKey: 'k' }));
    expect(Object.keys(http)).toEqual(['destination']);
    const url = destinationErrors(serverError('amqp://127.0.0.1/a/b', {}));
    expect(url).toEqual({ url: expect.stringMatching(/^URL: .*vhost/) });
    expect(sectionOfPath('destination')).toBe('destination');
    // Not a 422: nothing by a field.
    expect(
      destinationErrors(
        new HeraldApiError(403, 'forbidden', 'no', [{ path: 'body.destination', message: 'x' }]),
      ),
    ).toEqual({});
    expect(destinationErrors(new Error('x'))).toEqual({});
  });
});
