import { describe, expect, it } from 'vitest';
import { evaluateFilter, validateFilter } from '../../src/domain/filter.ts';

const doc = {
  id: 'evt_01',
  type: 'content.update',
  version: 2,
  resource: 'site_1',
  timestamp: '2026-01-15T10:00:00.000Z',
  data: {
    model: 'blogPost',
    count: 7,
    price: 19.5,
    published: true,
    deleted: null,
    tags: ['a', 'b'],
    author: { name: 'Ada', id: 3 },
    items: [{ sku: 'X1' }, { sku: 'Y2' }],
  },
};

const ev = (filter: Record<string, unknown>) => {
  expect(validateFilter(filter)).toBeNull();
  return evaluateFilter(filter, doc);
};

describe('evaluateFilter', () => {
  it('an empty filter matches every event', () => {
    expect(ev({})).toBe(true);
  });

  it('a bare value means $eq, with deep equality for objects and arrays', () => {
    expect(ev({ 'data.model': 'blogPost' })).toBe(true);
    expect(ev({ 'data.model': 'page' })).toBe(false);
    expect(ev({ 'data.tags': ['a', 'b'] })).toBe(true);
    expect(ev({ 'data.tags': ['b', 'a'] })).toBe(false);
    expect(ev({ 'data.author': { id: 3, name: 'Ada' } })).toBe(true);
    expect(ev({ 'data.author': { name: 'Ada' } })).toBe(false);
    expect(ev({ 'data.deleted': null })).toBe(true);
    expect(ev({ 'data.missing': null })).toBe(false);
  });

  it('every key must hold', () => {
    expect(ev({ 'data.model': 'blogPost', type: 'content.update' })).toBe(true);
    expect(ev({ 'data.model': 'blogPost', type: 'content.delete' })).toBe(false);
  });

  it('$eq and $neq', () => {
    expect(ev({ 'data.count': { $eq: 7 } })).toBe(true);
    expect(ev({ 'data.count': { $eq: '7' } })).toBe(false);
    expect(ev({ 'data.count': { $neq: 7 } })).toBe(false);
    expect(ev({ 'data.count': { $neq: 8 } })).toBe(true);
    expect(ev({ 'data.missing': { $neq: 8 } })).toBe(true);
    expect(ev({ 'data.missing': { $eq: 8 } })).toBe(false);
    expect(ev({ 'data.author': { $eq: { name: 'Ada', id: 3 } } })).toBe(true);
  });

  it('$in and $nin', () => {
    expect(ev({ 'data.model': { $in: ['blogPost', 'page'] } })).toBe(true);
    expect(ev({ 'data.model': { $in: ['page'] } })).toBe(false);
    expect(ev({ 'data.model': { $in: [] } })).toBe(false);
    expect(ev({ 'data.model': { $nin: ['page'] } })).toBe(true);
    expect(ev({ 'data.model': { $nin: ['blogPost', 'page'] } })).toBe(false);
    expect(ev({ 'data.missing': { $in: ['x'] } })).toBe(false);
    expect(ev({ 'data.missing': { $nin: ['x'] } })).toBe(true);
    expect(ev({ 'data.tags': { $in: [['a', 'b']] } })).toBe(true);
    expect(ev({ 'data.tags': { $in: ['a'] } })).toBe(false); // arrays compare whole
  });

  it('$gt, $gte, $lt, $lte on numbers', () => {
    expect(ev({ 'data.count': { $gt: 6 } })).toBe(true);
    expect(ev({ 'data.count': { $gt: 7 } })).toBe(false);
    expect(ev({ 'data.count': { $gte: 7 } })).toBe(true);
    expect(ev({ 'data.count': { $gte: 8 } })).toBe(false);
    expect(ev({ 'data.count': { $lt: 8 } })).toBe(true);
    expect(ev({ 'data.count': { $lt: 7 } })).toBe(false);
    expect(ev({ 'data.count': { $lte: 7 } })).toBe(true);
    expect(ev({ 'data.count': { $lte: 6 } })).toBe(false);
    expect(ev({ 'data.price': { $gt: 19.4, $lt: 19.6 } })).toBe(true);
    expect(ev({ version: { $gte: 2 } })).toBe(true);
  });

  it('ordering compares strings with strings and never mixes types', () => {
    expect(ev({ timestamp: { $gte: '2026-01-01T00:00:00.000Z' } })).toBe(true);
    expect(ev({ timestamp: { $lt: '2026-01-01T00:00:00.000Z' } })).toBe(false);
    expect(ev({ 'data.model': { $gt: 'a' } })).toBe(true);
    expect(ev({ 'data.count': { $gt: '1' } })).toBe(false);
    expect(ev({ 'data.model': { $lt: 5 } })).toBe(false);
    expect(ev({ 'data.missing': { $lt: 5 } })).toBe(false);
    expect(ev({ 'data.deleted': { $lte: 0 } })).toBe(false);
  });

  it('$exists', () => {
    expect(ev({ 'data.model': { $exists: true } })).toBe(true);
    expect(ev({ 'data.deleted': { $exists: true } })).toBe(true); // null is a value
    expect(ev({ 'data.missing': { $exists: true } })).toBe(false);
    expect(ev({ 'data.missing': { $exists: false } })).toBe(true);
    expect(ev({ 'data.model': { $exists: false } })).toBe(false);
  });

  it('$and and $or, nested', () => {
    expect(ev({ $or: [{ 'data.model': 'page' }, { 'data.count': { $gt: 2 } }] })).toBe(true);
    expect(ev({ $or: [{ 'data.model': 'page' }, { 'data.count': { $gt: 20 } }] })).toBe(false);
    expect(ev({ $and: [{ 'data.model': 'blogPost' }, { 'data.count': 7 }] })).toBe(true);
    expect(ev({ $and: [{ 'data.model': 'blogPost' }, { 'data.count': 8 }] })).toBe(false);
    expect(
      ev({
        $and: [{ $or: [{ 'data.a': 1 }, { 'data.published': true }] }, { resource: 'site_1' }],
        type: 'content.update',
      }),
    ).toBe(true);
  });

  it('paths go into nested objects and index arrays', () => {
    expect(ev({ 'data.author.name': 'Ada' })).toBe(true);
    expect(ev({ 'data.items.1.sku': 'Y2' })).toBe(true);
    expect(ev({ 'data.items.2.sku': { $exists: true } })).toBe(false);
    expect(ev({ 'data.items.x': { $exists: true } })).toBe(false);
    expect(ev({ 'data.model.length': { $exists: true } })).toBe(false);
    expect(ev({ 'data.tags.length': { $exists: true } })).toBe(false);
  });

  it('never reaches inherited properties', () => {
    expect(ev({ 'data.constructor': { $exists: true } })).toBe(false);
    expect(ev({ 'data.__proto__': { $exists: true } })).toBe(false);
    expect(ev({ 'data.author.toString': { $exists: true } })).toBe(false);
  });

  it('works when data is not an object', () => {
    expect(evaluateFilter({ data: 42 }, { ...doc, data: 42 })).toBe(true);
    expect(evaluateFilter({ 'data.x': { $exists: false } }, { ...doc, data: 'str' })).toBe(true);
    expect(evaluateFilter({ 'data.x': 1 }, { ...doc, data: null })).toBe(false);
  });
});

describe('validateFilter', () => {
  it.each([
    [null, 'must be an object'],
    [[], 'must be an object'],
    ['data.x', 'must be an object'],
    [{ model: 'page' }, "'data.model'"],
    [{ 'data..x': 1 }, 'empty segment'],
    [{ 'data.x': { $gtt: 1 } }, "unknown operator '$gtt'"],
    [{ 'data.x': { $in: 'a' } }, 'must be a list'],
    [{ 'data.x': { $nin: 5 } }, 'must be a list'],
    [{ 'data.x': { $gt: [1] } }, 'number or a string'],
    [{ 'data.x': { $lte: null } }, 'number or a string'],
    [{ 'data.x': { $exists: 'yes' } }, 'true or false'],
    [{ 'data.x': { $eq: 1, plain: 2 } }, 'do not mix'],
    [{ $or: [] }, 'non-empty list'],
    [{ $and: {} }, 'non-empty list'],
    [{ $or: ['x'] }, 'must be an object'],
    [{ $not: {} }, "unknown top-level operator '$not'"],
    [{ 'data.x': { $gt: Number.NaN } }, 'number or a string'],
  ])('refuses %j', (filter, fragment) => {
    const message = validateFilter(filter);
    expect(message).not.toBeNull();
    expect(message).toContain(fragment);
  });

  it('names the bad path inside $and/$or', () => {
    expect(validateFilter({ $or: [{ 'data.a': 1 }, { 'data.b': { $gtt: 2 } }] })).toMatch(
      /^filter\.\$or\[1\]\.data\.b\.\$gtt: unknown operator/,
    );
  });

  it('refuses filters nested too deeply', () => {
    let filter: Record<string, unknown> = { 'data.a': 1 };
    for (let i = 0; i < 20; i++) filter = { $and: [filter] };
    expect(validateFilter(filter)).toContain('nested more than');
  });

  it('refuses values that are not JSON', () => {
    expect(validateFilter({ 'data.x': { $eq: () => 1 } })).toContain('not JSON');
    expect(validateFilter({ 'data.x': undefined })).toContain('not JSON');
  });

  it('accepts every operator used correctly', () => {
    expect(
      validateFilter({
        id: 'evt_1',
        type: { $in: ['a', 'b'] },
        version: { $gte: 1, $lte: 3 },
        resource: { $exists: true },
        timestamp: { $gt: '2026' },
        'data.a': { $neq: { x: [1, null] } },
        'data.b': { $nin: [1, 'x', null] },
        'data.c': { $lt: 0, $eq: -1 },
        $or: [{ 'data.d': true }, { $and: [{ 'data.e': null }] }],
      }),
    ).toBeNull();
  });
});
