import { describe, expect, it } from 'vitest';
import { EVENT_TYPE_NAME, validateEventTypeName, validateResourceId } from '../../src/domain/names.ts';

describe('validateEventTypeName', () => {
  it.each(['device.enrolled', 'blogPost.update', 'a', 'sensor.reading_v2', 'x.1.y', 'order.line-item.added'])(
    'accepts %j',
    (name) => {
      expect(validateEventTypeName(name)).toBeNull();
      expect(EVENT_TYPE_NAME.test(name)).toBe(true);
    },
  );

  it.each(['', '1device', '.device', 'device.', 'a..b', 'device enrolled', 'device.*', 'a.b@2', '_x', 'é.x'])(
    'refuses %j with a hint',
    (name) => {
      const message = validateEventTypeName(name);
      expect(message).not.toBeNull();
      expect(message).toMatch(/e\.g\./);
    },
  );

  it('limits the length to 128 characters', () => {
    expect(validateEventTypeName(`a${'.b'.repeat(63)}`)).toBeNull(); // 127
    expect(validateEventTypeName('a'.repeat(128))).toBeNull();
    expect(validateEventTypeName('a'.repeat(129))).toContain('at most 128');
  });
});

describe('validateResourceId', () => {
  it.each(['dev_42', 'VIN:1HGCM82633A004352', 'user@example', 'a.b-c', 'x'])('accepts %j', (id) => {
    expect(validateResourceId(id)).toBeNull();
  });

  it.each(['', 'has space', 'a/b', 'a?b', 'ü'])('refuses %j', (id) => {
    expect(validateResourceId(id)).not.toBeNull();
  });

  it('limits the length to 128 characters', () => {
    expect(validateResourceId('r'.repeat(128))).toBeNull();
    expect(validateResourceId('r'.repeat(129))).toContain('at most 128');
  });
});
