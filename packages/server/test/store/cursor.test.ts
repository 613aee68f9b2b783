import { describe, expect, it } from 'vitest';
import { HeraldError } from '../../src/domain/errors.ts';
import { decodeCursor, encodeCursor, pageLimit, toPage } from '../../src/store/cursor.ts';

describe('cursors', () => {
  it('round-trips ids, names and resource ids', () => {
    for (const key of [
      'evt_01JD7X3M4S2W8K9Q5R6T7V8Y9Z',
      'order.created',
      'vehicle-42_A',
      '1750000000000:acme',
    ]) {
      const cursor = encodeCursor(key);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeCursor(cursor)).toBe(key);
    }
  });

  it('reads a missing cursor as the first page', () => {
    expect(decodeCursor(undefined)).toBeNull();
    expect(decodeCursor(null)).toBeNull();
    expect(decodeCursor('')).toBeNull();
  });

  it('refuses cursors Herald did not make, saying what to do', () => {
    for (const bad of [
      '!!!',
      'ZXZ0X zE',
      encodeCursor('has space'),
      encodeCursor('x'.repeat(600)),
      `${encodeCursor('evt_1')}=`,
    ]) {
      let err: unknown = null;
      try {
        decodeCursor(bad);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(HeraldError);
      expect((err as HeraldError).code).toBe('bad_request');
      expect((err as HeraldError).message).toMatch(/cursor is not valid.*nextCursor/);
    }
  });

  it('builds pages from limit + 1 rows', () => {
    const rows = [{ id: 'c' }, { id: 'b' }, { id: 'a' }];
    const full = toPage(
      rows,
      2,
      (r) => r.id.toUpperCase(),
      (r) => r.id,
    );
    expect(full).toEqual({ data: ['C', 'B'], nextCursor: encodeCursor('b') });
    const last = toPage(
      rows,
      3,
      (r) => r.id,
      (r) => r.id,
    );
    expect(last).toEqual({ data: ['c', 'b', 'a'], nextCursor: null });
    expect(
      toPage(
        [],
        5,
        (r: { id: string }) => r,
        (r) => r.id,
      ),
    ).toEqual({ data: [], nextCursor: null });
  });

  it('never pages by less than one row', () => {
    expect(pageLimit(0)).toBe(1);
    expect(pageLimit(-4)).toBe(1);
    expect(pageLimit(2.7)).toBe(2);
    expect(pageLimit(Number.NaN)).toBe(50);
  });
});
