// Formatting helpers shared by the reporters: durations, times and numbers as the report shows them.

/** A simulated duration as the post's overview shows it: `5m 47s`, `12.3s`, `1h 2m`. */
export function formatSimDuration(s: number): string {
  if (!Number.isFinite(s)) return String(s);
  if (s < 60) return `${round(s, 1)}s`;
  const total = Math.round(s);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  return h > 0 ? `${h}h ${m}m ${sec}s` : `${m}m ${sec}s`;
}

/** A wall-clock duration: `18s 891ms`, `2m 5s`, `340ms`. */
export function formatRealDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '-';
  const ms = Math.round(s * 1000);
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${Math.floor(ms / 1000)}s ${ms % 1000}ms`;
  const total = Math.round(s);
  return `${Math.floor(total / 60)}m ${total % 60}s`;
}

/** Simulated seconds as the timeline shows them: 3 decimals. */
export function formatTime(s: number): string {
  return s.toFixed(3);
}

/** A number with at most `digits` decimals, trailing zeros dropped. */
export function round(n: number, digits: number): string {
  return String(Number(n.toFixed(digits)));
}

/** `n thing` / `n things`. */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : pluralForm}`;
}
