// Simulated time: integer microseconds, exact formatting as FoundationDB traces write `Time`.
import { describe, expect, it } from 'vitest';
import { formatTime, MICROS_PER_SECOND, millis, seconds, toSeconds } from '../../../src/core/time.js';

describe('formatTime', () => {
  it('writes seconds with exactly six decimals', () => {
    expect(formatTime(0)).toBe('0.000000');
    expect(formatTime(1)).toBe('0.000001');
    expect(formatTime(999_999)).toBe('0.999999');
    expect(formatTime(1_000_000)).toBe('1.000000');
    expect(formatTime(1_500_000)).toBe('1.500000');
    expect(formatTime(12_345_678)).toBe('12.345678');
  });

  it('writes negative times with one leading minus and the same digits', () => {
    expect(formatTime(-1)).toBe('-0.000001');
    expect(formatTime(-999_999)).toBe('-0.999999');
    expect(formatTime(-1_500_000)).toBe('-1.500000');
    expect(formatTime(-0)).toBe('0.000000');
  });

  it('stays exact for large times, up to the largest safe integer', () => {
    expect(formatTime(36_000 * MICROS_PER_SECOND)).toBe('36000.000000');
    expect(formatTime(86_400 * 365 * MICROS_PER_SECOND + 7)).toBe('31536000.000007');
    expect(formatTime(Number.MAX_SAFE_INTEGER)).toBe('9007199254.740991');
    expect(formatTime(-Number.MAX_SAFE_INTEGER)).toBe('-9007199254.740991');
  });

  it('round-trips: every formatted microsecond parses back to the same integer', () => {
    for (const t of [0, 1, 10, 123_456, 4_350_000, 1_000_000_001, 99_999_999_999]) {
      const [whole, frac] = formatTime(t).split('.');
      expect(Number(whole) * MICROS_PER_SECOND + Number(frac)).toBe(t);
    }
  });
});

describe('seconds, millis, toSeconds', () => {
  it('convert to integer microseconds, rounding to the nearest microsecond', () => {
    expect(seconds(1)).toBe(1_000_000);
    expect(seconds(1.5)).toBe(1_500_000);
    expect(seconds(0.1)).toBe(100_000); // 0.1 * 1e6 is 100000.00000000001 in floating point
    expect(seconds(4.35)).toBe(4_350_000); // 4.35 * 1e6 is 4349999.999999999 in floating point
    expect(seconds(0.0000004)).toBe(0);
    expect(seconds(0.0000006)).toBe(1);
    expect(seconds(-2.5)).toBe(-2_500_000);
    expect(millis(1)).toBe(1000);
    expect(millis(0.0015)).toBe(2);
    expect(millis(2.5)).toBe(2500);
  });

  it('give exact integers for every millisecond-granular duration up to 100 s', () => {
    for (let ms = 0; ms <= 100_000; ms++) {
      const t = seconds(ms / 1000);
      if (!Number.isInteger(t) || t !== ms * 1000) expect(t).toBe(ms * 1000);
    }
  });

  it('toSeconds inverts seconds', () => {
    expect(toSeconds(seconds(30))).toBe(30);
    expect(toSeconds(seconds(0.25))).toBe(0.25);
    expect(toSeconds(1)).toBe(0.000001);
  });
});
