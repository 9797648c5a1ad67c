// Simulated time: integer microseconds, so that time arithmetic is exact and formatting is stable.

/** Simulated time or duration, in integer microseconds. */
export type Time = number;

/** Microseconds per simulated second. */
export const MICROS_PER_SECOND = 1_000_000;

/** Converts seconds (may be fractional) to simulated microseconds, rounding to the nearest microsecond. */
export function seconds(s: number): Time {
  return Math.round(s * MICROS_PER_SECOND);
}

/** Converts milliseconds to simulated microseconds. */
export function millis(ms: number): Time {
  return Math.round(ms * 1000);
}

/** Converts simulated microseconds to (floating) seconds, for display and for workload arithmetic. */
export function toSeconds(t: Time): number {
  return t / MICROS_PER_SECOND;
}

/** Formats a time as seconds with exactly six decimals, as FoundationDB's traces write `Time`. */
export function formatTime(t: Time): string {
  const neg = t < 0;
  const a = Math.abs(Math.trunc(t));
  const whole = Math.floor(a / MICROS_PER_SECOND);
  const frac = a % MICROS_PER_SECOND;
  return `${neg ? '-' : ''}${whole}.${String(frac).padStart(6, '0')}`;
}
