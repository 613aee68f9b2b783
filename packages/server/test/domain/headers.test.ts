import { describe, expect, it } from 'vitest';
import {
  isReservedHeaderName,
  RESERVED_HEADER_NAMES,
  validateCustomHeaders,
} from '../../src/domain/headers.ts';

describe('validateCustomHeaders', () => {
  it('accepts ordinary headers', () => {
    expect(validateCustomHeaders({})).toBeNull();
    expect(
      validateCustomHeaders({
        'X-Correlation-Id': 'erp-7',
        Authorization: 'Bearer abc.def',
        'x_weird!#$%&*+.^`|~': 'tab\there, café',
      }),
    ).toBeNull();
    expect(validateCustomHeaders({ 'X-Long': 'v'.repeat(1024) })).toBeNull();
  });

  it('allows 5 headers by default, or maxCount', () => {
    const five = Object.fromEntries([1, 2, 3, 4, 5].map((i) => [`X-H${i}`, 'v']));
    expect(validateCustomHeaders(five)).toBeNull();
    expect(validateCustomHeaders({ ...five, 'X-H6': 'v' })).toContain('at most 5');
    expect(validateCustomHeaders({ ...five, 'X-H6': 'v' }, { maxCount: 6 })).toBeNull();
    expect(validateCustomHeaders({ 'X-A': 'v', 'X-B': 'v' }, { maxCount: 1 })).toContain('at most 1');
  });

  it.each([
    ['X-A\r\nX-Evil: 1', 'v'],
    ['Has Space', 'v'],
    ['colon:name', 'v'],
    ['', 'v'],
    ['x(y)', 'v'],
    ['é', 'v'],
  ])('refuses the name %j', (name, value) => {
    expect(validateCustomHeaders({ [name]: value })).toContain('is not valid');
  });

  it.each([
    ['a\r\nX-Evil: 1', 'line break'],
    ['a\nb', 'line break'],
    ['a\rb', 'line break'],
    ['a\u0000b', 'NUL'],
    ['a\u0007b', 'control character U+0007'],
    ['a\u007fb', 'control character U+007F'],
    ['日本', 'outside Latin-1'],
  ])('refuses the value %j', (value, fragment) => {
    expect(validateCustomHeaders({ 'X-Ok': value })).toContain(fragment);
  });

  it('refuses values over 1024 characters and non-strings', () => {
    expect(validateCustomHeaders({ 'X-Long': 'v'.repeat(1025) })).toContain('at most 1024');
    expect(validateCustomHeaders({ 'X-Num': 5 as unknown as string })).toContain('string value');
  });

  it.each([
    'Host',
    'content-length',
    'Content-Type',
    'Transfer-Encoding',
    'Connection',
    'X-Request-Id',
    'User-Agent',
    'Webhook-Id',
    'webhook-timestamp',
    'WEBHOOK-SIGNATURE',
    'webhook-anything',
    'te',
    'upgrade',
    'keep-alive',
    'Proxy-Authorization',
    'proxy-whatever',
  ])('refuses the reserved name %j', (name) => {
    expect(validateCustomHeaders({ [name]: 'v' })).toContain('reserved');
  });

  it('refuses extra reserved names case-insensitively', () => {
    expect(
      validateCustomHeaders({ 'x-hub-signature-256': 'v' }, { reserved: ['X-Hub-Signature-256'] }),
    ).toContain('reserved');
    expect(validateCustomHeaders({ 'x-hub-signature-256': 'v' })).toBeNull();
  });

  it('refuses the same name twice in different case', () => {
    expect(validateCustomHeaders({ 'X-A': '1', 'x-a': '2' })).toContain('twice');
  });

  it('refuses non-objects', () => {
    expect(validateCustomHeaders(null as unknown as Record<string, string>)).toContain('must be an object');
    expect(validateCustomHeaders([] as unknown as Record<string, string>)).toContain('must be an object');
  });

  it('lists reserved names in lower case', () => {
    for (const name of RESERVED_HEADER_NAMES) expect(name).toBe(name.toLowerCase());
    expect(isReservedHeaderName('X-Signature', ['x-signature'])).toBe(true);
    expect(isReservedHeaderName('X-Signature')).toBe(false);
  });
});
