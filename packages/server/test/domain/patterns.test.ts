import { describe, expect, it } from 'vitest';
import { compilePatterns, matchesEventType, validateEventTypePatterns } from '../../src/domain/patterns.ts';

describe('validateEventTypePatterns', () => {
  it('accepts exact names, whole-segment wildcards and version pins', () => {
    expect(
      validateEventTypePatterns([
        'device.enrolled',
        'device.*',
        '*.deleted',
        '*',
        'sensor.reading@2',
        'sensor.*@3',
        'a.*.c',
        'blogPost.update',
        'x_y-z.a1',
      ]),
    ).toBeNull();
    expect(validateEventTypePatterns([])).toBeNull();
  });

  it.each([
    ['', 'non-empty'],
    ['dev*', 'whole segments'],
    ['device.', 'whole segments'],
    ['.device', 'whole segments'],
    ['a..b', 'whole segments'],
    ['**', 'whole segments'],
    ['a.b c', 'whole segments'],
    ['a.b@', 'positive integer'],
    ['a.b@0', 'positive integer'],
    ['a.b@02', 'positive integer'],
    ['a.b@x', 'positive integer'],
    ['a.b@1@2', 'positive integer'],
    ['a.b@-1', 'positive integer'],
  ])('refuses %j', (pattern, fragment) => {
    const message = validateEventTypePatterns(['ok.type', pattern]);
    expect(message).toContain(fragment);
  });

  it('refuses non-lists, non-strings and too many patterns', () => {
    expect(validateEventTypePatterns('device.*' as unknown as string[])).toContain('list');
    expect(validateEventTypePatterns([42 as unknown as string])).toContain('non-empty string');
    expect(validateEventTypePatterns(Array.from({ length: 101 }, (_, i) => `t${i}`))).toContain(
      'at most 100',
    );
    expect(validateEventTypePatterns([`a.${'b'.repeat(200)}`])).toContain('characters');
  });
});

describe('matchesEventType', () => {
  const m = (patterns: string[] | null, type: string, version = 1) =>
    matchesEventType(patterns, type, version);

  it('null matches everything, an empty list nothing', () => {
    expect(m(null, 'anything.at.all', 7)).toBe(true);
    expect(m([], 'device.enrolled')).toBe(false);
  });

  it('exact names match only themselves, case-sensitively', () => {
    expect(m(['device.enrolled'], 'device.enrolled')).toBe(true);
    expect(m(['device.enrolled'], 'device.enrolled.late')).toBe(false);
    expect(m(['device.enrolled'], 'device')).toBe(false);
    expect(m(['device.enrolled'], 'Device.enrolled')).toBe(false);
    expect(m(['blogPost.update'], 'blogpost.update')).toBe(false);
  });

  it('a trailing * matches one or more whole segments', () => {
    expect(m(['device.*'], 'device.enrolled')).toBe(true);
    expect(m(['device.*'], 'device.battery.low')).toBe(true);
    expect(m(['device.*'], 'device')).toBe(false);
    expect(m(['device.*'], 'devices.enrolled')).toBe(false);
    expect(m(['device.*'], 'my.device.enrolled')).toBe(false);
  });

  it('a leading or inner * matches exactly one segment', () => {
    expect(m(['*.deleted'], 'user.deleted')).toBe(true);
    expect(m(['*.deleted'], 'user.profile.deleted')).toBe(false);
    expect(m(['*.deleted'], 'deleted')).toBe(false);
    expect(m(['*.deleted'], 'user.deleted.soft')).toBe(false);
    expect(m(['a.*.c'], 'a.b.c')).toBe(true);
    expect(m(['a.*.c'], 'a.b.b.c')).toBe(false);
    expect(m(['a.*.c'], 'a.c')).toBe(false);
    expect(m(['*.*'], 'a')).toBe(false);
    expect(m(['*.*'], 'a.b')).toBe(true);
    expect(m(['*.*'], 'a.b.c')).toBe(true);
  });

  it('* alone matches every type', () => {
    expect(m(['*'], 'a')).toBe(true);
    expect(m(['*'], 'device.battery.low', 9)).toBe(true);
  });

  it('version pins match that version only; unpinned patterns match every version', () => {
    expect(m(['sensor.reading@2'], 'sensor.reading', 2)).toBe(true);
    expect(m(['sensor.reading@2'], 'sensor.reading', 1)).toBe(false);
    expect(m(['sensor.reading@2'], 'sensor.reading', 12)).toBe(false);
    expect(m(['sensor.reading'], 'sensor.reading', 1)).toBe(true);
    expect(m(['sensor.reading'], 'sensor.reading', 5)).toBe(true);
    expect(m(['sensor.*@2'], 'sensor.reading', 2)).toBe(true);
    expect(m(['sensor.*@2'], 'sensor.reading', 3)).toBe(false);
    expect(m(['*@3'], 'x.y', 3)).toBe(true);
    expect(m(['*@3'], 'x.y', 2)).toBe(false);
  });

  it('any pattern of several may match', () => {
    const patterns = ['order.created', 'sensor.reading@2', '*.deleted'];
    expect(m(patterns, 'order.created', 4)).toBe(true);
    expect(m(patterns, 'sensor.reading', 2)).toBe(true);
    expect(m(patterns, 'sensor.reading', 1)).toBe(false);
    expect(m(patterns, 'user.deleted')).toBe(true);
    expect(m(patterns, 'order.updated')).toBe(false);
  });

  it('does not treat pattern characters as regexp syntax', () => {
    expect(m(['a-b.c_d'], 'a-b.c_d')).toBe(true);
    expect(m(['a.b'], 'aXb')).toBe(false);
    expect(m(['a.*'], 'aXb')).toBe(false);
  });

  it('ignores invalid patterns rather than matching broadly', () => {
    expect(m(['dev*'], 'device')).toBe(false);
    expect(m(['dev*'], 'dev*')).toBe(false);
  });

  it('compilePatterns gives the same answers as matchesEventType', () => {
    const patterns = ['device.*', '*.deleted', 'sensor.reading@2', 'plain'];
    const compiled = compilePatterns(patterns);
    const cases: [string, number][] = [
      ['device.a', 1],
      ['device.a.b', 2],
      ['x.deleted', 1],
      ['x.y.deleted', 1],
      ['sensor.reading', 2],
      ['sensor.reading', 1],
      ['plain', 3],
      ['plainer', 3],
    ];
    for (const [type, version] of cases) {
      expect(compiled(type, version)).toBe(matchesEventType(patterns, type, version));
    }
    expect(compilePatterns(null)('any', 1)).toBe(true);
  });
});
