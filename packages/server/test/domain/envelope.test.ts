import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { type EnvelopeSource, renderBatchBody, renderBody } from '../../src/domain/envelope.ts';

const createdAt = Date.UTC(2026, 0, 15, 10, 0, 0, 123);

function source(data: unknown, overrides: Partial<EnvelopeSource> = {}): EnvelopeSource {
  return {
    id: 'evt_01JABC',
    type: 'device.enrolled',
    version: 1,
    resource: 'dev_42',
    payload: JSON.stringify(data),
    createdAt,
    ...overrides,
  };
}

function expected(s: EnvelopeSource): string {
  return JSON.stringify({
    id: s.id,
    type: s.type,
    version: s.version,
    timestamp: new Date(s.createdAt).toISOString(),
    resource: s.resource,
    data: JSON.parse(s.payload),
  });
}

const tricky: [string, unknown][] = [
  ['an object', { a: 1, b: 'two', c: [true, false, null] }],
  ['unicode', { text: 'héllo wörld ✓ 日本語 🎉', ключ: 'значение', emoji: '👩‍💻' }],
  ['escapes', { s: 'quote " backslash \\ newline \n tab \t nul \u0000 ls \u2028 ps \u2029 </script>' }],
  ['lone surrogates', { s: '\ud800 and \udc00' }],
  [
    'numbers',
    { n: [0, -1, 1.5, 1e21, 1e-7, 123456789012345680000, 0.1, -0, Number.MAX_SAFE_INTEGER, 5e-324] },
  ],
  ['deep nesting', { a: { b: { c: { d: { e: [[[{ f: [] }]]] } } } } }],
  ['a string', 'just a string'],
  ['a number', 42],
  ['null', null],
  ['an array', [1, { x: 'y' }, []]],
  ['an empty object', {}],
  ['a __proto__ key', JSON.parse('{"__proto__":{"x":1},"y":2}')],
];

describe('renderBody json', () => {
  it.each(tricky)('standard envelope equals JSON.stringify byte for byte: %s', (_name, data) => {
    const s = source(data);
    const { body, contentType } = renderBody(s, 'standard', 'json');
    expect(body).toBe(expected(s));
    expect(Buffer.from(body).equals(Buffer.from(expected(s)))).toBe(true);
    expect(contentType).toBe('application/json');
  });

  it('keeps resource as null when the event has none, and escapes odd ids and types', () => {
    const s = source({ a: 1 }, { resource: null, id: 'evt_"\\x', type: 'a.b', version: 12 });
    const { body } = renderBody(s, 'standard', 'json');
    expect(body).toBe(expected(s));
    expect(JSON.parse(body)).toEqual({
      id: 'evt_"\\x',
      type: 'a.b',
      version: 12,
      timestamp: '2026-01-15T10:00:00.123Z',
      resource: null,
      data: { a: 1 },
    });
    expect(Object.keys(JSON.parse(body))).toEqual(['id', 'type', 'version', 'timestamp', 'resource', 'data']);
  });

  it('sends the payload itself with envelope none', () => {
    const s = source({ x: [1, 'é'] });
    expect(renderBody(s, 'none', 'json')).toEqual({ body: s.payload, contentType: 'application/json' });
  });
});

describe('renderBatchBody json', () => {
  it('is a JSON array of envelopes equal to JSON.stringify', () => {
    const sources = tricky.map(([, data], i) =>
      source(data, { id: `evt_${i}`, resource: i % 2 ? null : `r${i}` }),
    );
    const { body, contentType } = renderBatchBody(sources, 'standard', 'json');
    expect(contentType).toBe('application/json');
    expect(body).toBe(`[${sources.map(expected).join(',')}]`);
    expect(body).toBe(JSON.stringify(JSON.parse(body)));
  });

  it('is an array of payloads with envelope none, and [] when empty', () => {
    const sources = [source({ a: 1 }), source([2]), source('three')];
    expect(renderBatchBody(sources, 'none', 'json').body).toBe('[{"a":1},[2],"three"]');
    expect(renderBatchBody([], 'standard', 'json').body).toBe('[]');
  });
});

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false });
const parse = (xml: string) => {
  expect(XMLValidator.validate(xml)).toBe(true);
  return parser.parse(xml);
};

describe('renderBody xml', () => {
  it('renders the standard envelope under <webhook>', () => {
    const s = source({
      model: 'page',
      count: 3,
      ok: true,
      tags: ['a', 'b'],
      nothing: null,
      empty: '',
      nested: { deep: { x: 1 } },
      'not a name': 'v',
      '1st': 'w',
      text: '<b>&"\'</b>',
    });
    const { body, contentType } = renderBody(s, 'standard', 'xml');
    expect(contentType).toBe('application/xml');
    expect(body.startsWith('<?xml version="1.0" encoding="UTF-8"?><webhook')).toBe(true);
    const doc = parse(body);
    const w = doc.webhook;
    expect(w.id).toBe('evt_01JABC');
    expect(w.type).toBe('device.enrolled');
    expect(w.version).toBe('1');
    expect(w.timestamp).toBe('2026-01-15T10:00:00.123Z');
    expect(w.resource).toBe('dev_42');
    expect(w.data.model).toBe('page');
    expect(w.data.count).toBe('3');
    expect(w.data.ok).toBe('true');
    expect(w.data.tags.item).toEqual(['a', 'b']);
    expect(w.data.nothing['@_xsi:nil']).toBe('true');
    expect(w.data.empty).toBe('');
    expect(w.data.nested.deep.x).toBe('1');
    expect(w.data.entry).toEqual([
      { '#text': 'v', '@_key': 'not a name' },
      { '#text': 'w', '@_key': '1st' },
    ]);
    expect(w.data.text).toBe('<b>&"\'</b>');
    expect(w['@_xmlns:xsi']).toBe('http://www.w3.org/2001/XMLSchema-instance');
  });

  it('marks a missing resource as nil', () => {
    const doc = parse(renderBody(source({ a: 1 }, { resource: null }), 'standard', 'xml').body);
    expect(doc.webhook.resource['@_xsi:nil']).toBe('true');
  });

  it('keeps unicode and replaces characters XML cannot carry', () => {
    const doc = parse(renderBody(source({ s: 'héllo ✓ 🎉', bad: 'a\u0001b\ud800c' }), 'none', 'xml').body);
    expect(doc.data.s).toBe('héllo ✓ 🎉');
    expect(doc.data.bad).toBe('a\ufffdb\ufffdc');
  });

  it('renders envelope none with <data> as the root, scalars included', () => {
    expect(parse(renderBody(source({ a: [1, { b: 2 }] }), 'none', 'xml').body).data.a.item).toEqual([
      '1',
      { b: '2' },
    ]);
    // The root always declares the xsi namespace, so its text shows up as #text here.
    expect(parse(renderBody(source(42), 'none', 'xml').body).data['#text']).toBe('42');
    expect(renderBody(source('x<y'), 'none', 'xml').body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><data xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">x&lt;y</data>',
    );
    expect(parse(renderBody(source([]), 'none', 'xml').body).data['#text']).toBeUndefined();
    expect(parse(renderBody(source(null), 'none', 'xml').body).data['@_xsi:nil']).toBe('true');
  });

  it('turns keys the builder would otherwise interpret into <entry> elements', () => {
    const data = { '#text': 'a', ':@': 'b', '?xml': 'c', '@_x': 'd', 'a.b': 'e', xmlFoo: 'f', '': 'g' };
    const doc = parse(renderBody(source(data), 'none', 'xml').body);
    expect(doc.data['a.b']).toBe('e');
    expect(doc.data.entry.map((e: { '@_key': string }) => e['@_key'])).toEqual([
      '#text',
      ':@',
      '?xml',
      '@_x',
      'xmlFoo',
      '',
    ]);
  });

  it('keeps key order', () => {
    const { body } = renderBody(source({ z: 1, a: 2, m: 3 }), 'none', 'xml');
    expect(body).toContain('<z>1</z><a>2</a><m>3</m>');
  });
});

describe('renderBatchBody xml', () => {
  it('puts one <webhook> per event under <webhooks>', () => {
    const sources = [source({ a: 1 }, { id: 'evt_1' }), source({ a: 2 }, { id: 'evt_2', resource: null })];
    const { body, contentType } = renderBatchBody(sources, 'standard', 'xml');
    expect(contentType).toBe('application/xml');
    const doc = parse(body);
    expect(doc.webhooks.webhook.map((w: { id: string }) => w.id)).toEqual(['evt_1', 'evt_2']);
    expect(doc.webhooks.webhook[1].data.a).toBe('2');
  });

  it('puts one <data> per event under <webhooks> with envelope none', () => {
    const doc = parse(renderBatchBody([source({ a: 1 }), source({ a: 2 })], 'none', 'xml').body);
    expect(doc.webhooks.data).toEqual([{ a: '1' }, { a: '2' }]);
  });
});
