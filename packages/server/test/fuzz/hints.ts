/**
 * Realistic values by property name. A schema says `url` is a string; a
 * request that gets past validation to the handler (and the database) needs
 * a URL, a real `whsec_` secret, the name of an event type that exists, an
 * endpoint id of this tenant. Hints are mixed with the schema's own values
 * (see `property` in arbitraries.ts), never instead of them, and apply to any
 * route whose schema has a property of that name.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { HOSTILE_STRINGS, REDOS_INPUT, SLOW_SCHEMAS } from './hostile.ts';
import { Deep, Long, type Owner, Ref, type RefKind } from './values.ts';
import { SEEDED_EVENT_TYPES } from './world.ts';

/** A seeded row of the main tenant mostly, now and then the other tenant's (which must answer 404). */
export const ref = (kind: RefKind): fc.Arbitrary<Ref> =>
  fc
    .tuple(fc.constantFrom<Owner>('main', 'main', 'main', 'other'), fc.nat({ max: 5 }))
    .map(([owner, i]) => new Ref(kind, owner, i));

// One secret per run, not per case: fast-check must be able to replay a case from its seed.
const WHSEC = `whsec_${randomBytes(32).toString('base64')}`;

const goodUrl = fc.oneof(
  fc.constantFrom('https://hooks.example.com/herald', 'https://user:pass@example.com:8443/x#frag'),
  fc.webUrl({ validSchemes: ['https', 'http'] }),
);
const badUrl = fc.oneof(
  fc.constantFrom(
    'http://example.com/in?key={VerificationKey}',
    'https://[::1]/x',
    'http://169.254.169.254/latest/meta-data',
    'https://例え.jp/フック',
    'ftp://example.com/x',
    'javascript:alert(1)',
    'https://',
    'not a url',
  ),
  fc.constantFrom(...HOSTILE_STRINGS).map((s) => `https://example.com/${s}`),
  fc.constant(new Long('a', 2030)).map((l) => `https://example.com/${l.toJSON()}`),
);

const badSecret = fc.oneof(
  fc.constantFrom('plain-secret-0123', 'short', 'whsec_!!!notbase64', 'whsec_', `${WHSEC}\u0000`),
  fc.string({ minLength: 8, maxLength: 40 }),
);

const fresh = fc.nat({ max: 3 }).map((i) => new Ref('fresh', 'main', i));
const goodTypeName = fc.oneof(
  { weight: 2, arbitrary: ref('eventType') },
  { weight: 1, arbitrary: fresh },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z]{1,8}(\.[a-z]{1,8}){1,2}$/) },
);
const badTypeName = fc.constantFrom('a..b', '.a', 'a.', 'x'.repeat(300), 'ünï.cødé', 'a.*', 'a.b\u0000');

const goodTime = fc.constantFrom('2026-01-15T11:00:00Z', '2026-01-15T12:00:00.000Z', 0, 1_768_478_400_000);
const badTime = fc.oneof(
  fc.constantFrom(
    '2026-02-30T00:00:00Z',
    '+275760-09-13T00:00:00.000Z',
    '-271821-04-20T00:00:00.000Z',
    '9999-12-31T23:59:59Z',
    '1e20',
    'yesterday',
    '',
  ),
  fc.constantFrom(1e20, 2 ** 53, 8.64e15, 8.64e15 + 1),
);

const goodSchema = fc.constantFrom<Record<string, unknown>>(
  { type: 'object' },
  { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
  { type: 'object', properties: { s: { type: 'string', pattern: '^[a-z]+$' } } },
);
const slowSchema = fc.oneof(
  fc.constantFrom(...SLOW_SCHEMAS.map((s) => s.schema)),
  fc.constant({ type: 'object', properties: { s: { type: 'string', pattern: '(x+x+)+y' } } }),
);
/** JSON Schemas that are slow, broken or huge. */
const badSchema = fc.oneof(
  { weight: 2, arbitrary: slowSchema },
  fc.constantFrom<Record<string, unknown>>(
    { type: 'object', properties: { s: { type: 'string', pattern: '(' } } },
    { type: 'object', properties: { s: { type: 'string', pattern: '(?<=a)b\\p{L}' } } },
    { type: 'object', properties: { n: { type: 'integer', maximum: 1e308 } } },
    { type: 'object', properties: { d: { type: 'string', format: 'no-such-format' } } },
    { $ref: '#/definitions/missing' },
    { $id: 'https://example.com/s', type: 'object' },
    { type: 'nonsense' },
    { properties: { a: { $ref: '#' } } },
    { type: 'object', properties: { s: { type: 'string', pattern: '\u0000' } } },
  ),
  fc.constant(new Deep(100, 'object')),
);

/** Event data: matching the seeded schema, or attacking a pattern, a column, a walker. */
const goodData = fc.oneof(
  fc.record({ id: fc.string({ maxLength: 10 }), qty: fc.integer({ min: 0, max: 100 }) }),
  fc.jsonValue({ maxDepth: 3 }),
);
const badData = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...SLOW_SCHEMAS.map((s) => s.attack)) },
  fc.constantFrom(
    { id: 'o-1', s: REDOS_INPUT },
    { id: 'o-1', qty: 1e20 },
    { id: '\u0000' },
    { id: 'a\ud800' },
    { 'k\u0000': 1 },
  ),
);

const goodFilter = fc.constantFrom<unknown>(
  {},
  { 'data.model': { $in: ['blogPost', 'page'] } },
  { $or: [{ 'data.a': 1 }, { 'data.b': { $gt: 2 } }] },
);
const badFilter = fc.oneof(
  fc.constantFrom<unknown>(
    { 'data.qty': { $gte: 1e308 } },
    { 'data.x': { $regex: '^(a+)+$' } },
    { model: 'x' },
    { $and: [] },
    { 'data.': 1 },
    { 'data.a': { $in: new Array(1001).fill(1) } },
  ),
  fc.constant(new Deep(64, 'object')).map((deep) => ({ 'data.a': deep })),
);

const goodHeaders = fc.dictionary(fc.stringMatching(/^X-[A-Za-z]{1,10}$/), fc.string({ maxLength: 20 }), {
  maxKeys: 4,
});
const badHeaders = fc.constantFrom<Record<string, string>>(
  { 'X-Evil': 'a\r\nInjected: yes' },
  { 'Bad\r\nName': 'x' },
  { host: 'evil.example' },
  { 'webhook-signature': 'v1,forged' },
  { 'X-Nul': 'a\u0000b' },
  { 'X-Emoji': '😀' },
  { a: '1', b: '2', c: '3', d: '4', e: '5', f: '6' },
  { '': 'x' },
);

const goodPatterns = fc.array(fc.constantFrom('fuzz.*', 'fuzz.order@1', '*', '*.order', 'fuzz.ping'), {
  maxLength: 3,
});
const badPatterns = fc.array(
  fc.constantFrom('fuzz.order@99999999999', 'a..b', '', '\u0000', 'x'.repeat(300)),
  {
    minLength: 1,
    maxLength: 3,
  },
);

const goodTransform = fc.constantFrom(
  'function handler(webhook) { return webhook; }',
  'function handler(w) { w.payload = { wrapped: w.payload }; w.headers["X-Added"] = "1"; return w; }',
  'function handler(w) { w.cancel = true; return w; }',
);
/** Transforms that loop, allocate, recurse, escape, or return what no request can carry. */
const badTransform = fc.constantFrom(
  'function handler(w) { while (true) {} }',
  'while (true) {}',
  'function handler(w) { const a = []; for (;;) a.push("x".repeat(1e6)); }',
  'function f() { return f(); } function handler(w) { return f(); }',
  'function handler(w) { return this.constructor.constructor("return process")(); }',
  'function handler(w) { w.headers = { "X-A": "1\r\nInjected: yes", "Bad\nName": "x" }; return w; }',
  'function handler(w) { w.headers = { host: "evil.example", "webhook-signature": "v1,forged" }; return w; }',
  'function handler(w) { w.url = "http://169.254.169.254/latest"; return w; }',
  'function handler(w) { w.payload = "\u0000\ud800"; w.eventType = "a\u0000b"; return w; }',
  'function handler(w) { w.payload = { a: w }; return w; }',
  'function handler(w) { w.payload = "x".repeat(1 << 22); return w; }',
  'function handler(w) { Object.prototype.polluted = 1; return w; }',
  'function handler(w) { return new Proxy(w, { get() { throw new Error("boom"); } }); }',
  'async function handler(w) { return w; }',
  'function handler(w) { w.payload = 10n; return w; }',
  '}{',
  '',
);

export interface Hint {
  /** What a careful client sends: used by valid cases, so they get past the handler's own checks. */
  good: fc.Arbitrary<unknown>;
  /** What a careless one sends: mixed into hostile cases. */
  bad: fc.Arbitrary<unknown>;
}

/** Keyed by property name, for every route. */
export const HINTS: Readonly<Record<string, Hint>> = {
  url: { good: goodUrl, bad: badUrl },
  secret: { good: fc.constant(WHSEC), bad: badSecret },
  name: {
    good: fc.oneof(goodTypeName, fc.constantFrom('Orders to ERP', 'Ünïcødé ☃')),
    bad: fc.oneof(badTypeName, fc.constant('')),
  },
  type: { good: goodTypeName, bad: badTypeName },
  eventType: { good: goodTypeName, bad: badTypeName },
  eventTypes: { good: goodPatterns, bad: badPatterns },
  schema: { good: goodSchema, bad: badSchema },
  example: { good: goodData, bad: badData },
  data: { good: goodData, bad: badData },
  payload: { good: goodData, bad: badData },
  filter: { good: goodFilter, bad: badFilter },
  transform: { good: goodTransform, bad: badTransform },
  headers: { good: goodHeaders, bad: badHeaders },
  endpointId: { good: ref('endpoint'), bad: fc.constantFrom('ep_missing', '') },
  eventId: { good: ref('event'), bad: fc.constant('evt_missing') },
  requestId: { good: fc.constant('req_missing'), bad: fc.constant('') },
  resource: {
    good: fc.oneof(ref('resource'), fc.constantFrom('dev-1', 'dev-2', null)),
    bad: fc.constant(''),
  },
  idempotencyKey: { good: fc.oneof(fresh, fc.constantFrom('key-1', 'key-2', null)), bad: fc.constant('') },
  since: { good: goodTime, bad: badTime },
  until: { good: goodTime, bad: badTime },
  id: { good: fc.oneof(fresh, fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/)), bad: ref('tenant') },
};

export interface ObjectHint {
  /** Applies to object schemas with all of these properties. */
  keys: readonly string[];
  good: fc.Arbitrary<Record<string, unknown>>;
  bad: fc.Arbitrary<Record<string, unknown>>;
}

/** An event type of the catalog with the data a careful client sends for it, or the data that attacks it. */
const seededPair = (typeKey: string, dataKey: string, attack: boolean) =>
  fc.constantFrom(
    ...SEEDED_EVENT_TYPES.map((t) => ({ [typeKey]: t.body.name, [dataKey]: attack ? t.attack : t.example })),
  );

/**
 * Fields that only mean something together: a schema and the example it
 * must accept, an event's type and its data. Picked apart, a slow schema
 * and the input that makes it slow would almost never meet in one request.
 */
export const OBJECT_HINTS: readonly ObjectHint[] = [
  {
    keys: ['schema', 'example'],
    good: fc.constant({ schema: { type: 'object' }, example: {} }),
    bad: fc.constantFrom(...SLOW_SCHEMAS.map(({ schema, attack }) => ({ schema, example: attack }))),
  },
  { keys: ['type', 'data'], good: seededPair('type', 'data', false), bad: seededPair('type', 'data', true) },
  {
    keys: ['eventType', 'payload'],
    good: seededPair('eventType', 'payload', false),
    bad: seededPair('eventType', 'payload', true),
  },
];
