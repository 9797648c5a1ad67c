// Typed errors: did-you-mean suggestions and the one-line format users see for bad input.
import { describe, expect, it } from 'vitest';
import {
  assert,
  BadInputError,
  didYouMean,
  FaultlineError,
  InternalError,
} from '../../../src/core/errors.js';

const OPTIONS = ['testDuration', 'transactionsPerSecond', 'nodeCount', 'expectedRate'];

describe('didYouMean', () => {
  it('suggests the closest candidate for a plausible typo', () => {
    expect(didYouMean('testDuraton', OPTIONS)).toBe('testDuration');
    expect(didYouMean('transactionPerSecond', OPTIONS)).toBe('transactionsPerSecond');
    expect(didYouMean('nodecount', OPTIONS)).toBe('nodeCount'); // case does not count as a difference
    expect(didYouMean('TESTDURATION', OPTIONS)).toBe('testDuration');
    expect(didYouMean('expectedRat', OPTIONS)).toBe('expectedRate');
  });

  it('suggests nothing when no candidate is close, or there are none', () => {
    expect(didYouMean('swizzle', OPTIONS)).toBeUndefined();
    expect(didYouMean('clogDurationMax', OPTIONS)).toBeUndefined();
    expect(didYouMean('x', ['abc'])).toBeUndefined();
    expect(didYouMean('testDuration', [])).toBeUndefined();
  });

  it('allows two edits for short words and a third of the length for long ones', () => {
    expect(didYouMean('ab', ['abcd'])).toBe('abcd'); // 2 edits
    expect(didYouMean('ab', ['abcde'])).toBeUndefined(); // 3 edits
    // 15 letters: up to 5 edits
    expect(didYouMean('abcdefghijklmno', ['abcdefghijVWXYZ'])).toBe('abcdefghijVWXYZ');
    expect(didYouMean('abcdefghijklmno', ['abcdefghiUVWXYZ'])).toBeUndefined();
  });

  it('breaks ties by name, so the suggestion does not depend on candidate order', () => {
    expect(didYouMean('ab', ['ac', 'aa'])).toBe('aa');
    expect(didYouMean('ab', ['aa', 'ac'])).toBe('aa');
  });

  it('accepts any iterable, such as a Map’s keys', () => {
    const m = new Map([
      ['MAX_BATCH', 1],
      ['MIN_BATCH', 2],
    ]);
    expect(didYouMean('MAX_BATHC', m.keys())).toBe('MAX_BATCH');
  });
});

describe('BadInputError', () => {
  it('formats as file:line: key: message (hint)', () => {
    const e = new BadInputError(
      "unknown option 'testDuraton'",
      { file: 'tests/fast/Cycle.toml', line: 12, key: 'testDuraton' },
      "did you mean 'testDuration'?",
    );
    expect(e.format()).toBe(
      "tests/fast/Cycle.toml:12: testDuraton: unknown option 'testDuraton' (did you mean 'testDuration'?)",
    );
    expect(e.code).toBe('bad-input');
    expect(e).toBeInstanceOf(FaultlineError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('BadInputError');
  });

  it('leaves out the parts it does not have', () => {
    expect(new BadInputError('no spec given').format()).toBe('no spec given');
    expect(new BadInputError('bad seed', { file: '<command line>', key: '--seed' }).format()).toBe(
      '<command line>: --seed: bad seed',
    );
    expect(new BadInputError('not TOML', { file: 'a.toml', line: 3 }).format()).toBe('a.toml:3: not TOML');
    expect(new BadInputError('empty', undefined, 'add a [[test]] table').format()).toBe(
      'empty (add a [[test]] table)',
    );
  });
});

describe('assert and InternalError', () => {
  it('throws an InternalError (code internal) when the condition is false', () => {
    expect(() => assert(false, 'queue out of order')).toThrow(InternalError);
    expect(() => assert(0, 'zero')).toThrow('zero');
    try {
      assert(false, () => 'lazy message');
    } catch (e) {
      expect(e).toBeInstanceOf(InternalError);
      expect((e as InternalError).code).toBe('internal');
      expect((e as Error).message).toBe('lazy message');
    }
  });

  it('does not build a lazy message when the condition holds', () => {
    let built = false;
    assert(true, () => {
      built = true;
      return 'never';
    });
    expect(built).toBe(false);
  });
});
