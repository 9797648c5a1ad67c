import { describe, expect, it } from 'vitest';
import { appendAll, dropFront, upperBound } from '../../../src/core/arrays.js';

describe('array helpers', () => {
  it('dropFront removes the first n items in place, as splice(0, n) does', () => {
    for (const len of [0, 1, 2, 5, 17]) {
      for (const n of [0, 1, 2, 5, 17, 30]) {
        const a = Array.from({ length: len }, (_, i) => `v${i}`);
        const b = [...a];
        dropFront(a, n);
        b.splice(0, n);
        expect(a).toEqual(b);
      }
    }
  });

  it('dropFront keeps holes out: the array is as long as what is left', () => {
    const a = [1, 2, 3, 4];
    dropFront(a, 3);
    expect(a).toEqual([4]);
    expect(a.length).toBe(1);
  });

  it('upperBound finds the first element above x, repeated values included', () => {
    const sorted = [1, 3, 3, 3, 7];
    expect(upperBound(sorted, 0)).toBe(0);
    expect(upperBound(sorted, 1)).toBe(1);
    expect(upperBound(sorted, 3)).toBe(4);
    expect(upperBound(sorted, 5)).toBe(4);
    expect(upperBound(sorted, 7)).toBe(5);
    expect(upperBound([], 7)).toBe(0);
  });

  it('appendAll appends more items than fit in a call stack', () => {
    const items = Array.from({ length: 300_000 }, (_, i) => i);
    const target = [-1];
    expect(appendAll(target, items)).toBe(target);
    expect(target.length).toBe(300_001);
    expect(target[300_000]).toBe(299_999);
  });
});
