// The event queue: a binary min-heap ordered by (time, sequence), so equal-time events keep schedule order.
import type { Time } from '../core/time.js';

/**
 * A scheduled callback. `cancelled` events stay in the heap and are skipped when popped; cancelling
 * drops `fn` and `arg`, so what the event holds (a request's future, and through it the reply) is freed
 * at once, not when the event's time comes: a request's timeout is cancelled by its reply and would
 * otherwise keep the request alive for the whole timeout, long enough to be copied by the garbage
 * collector's young generation and then promoted.
 */
export interface SimEvent {
  readonly time: Time;
  readonly seq: number;
  /** Called with `arg` when the event runs: a shared function and an argument need no closure. */
  fn: (arg: unknown) => void;
  arg: unknown;
  cancelled: boolean;
}

/** What a cancelled event holds instead of its callback. */
const CANCELLED = (): void => {};

function before(a: SimEvent, b: SimEvent): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

/** Binary min-heap of events. */
export class EventQueue {
  private heap: SimEvent[] = [];
  /** Cancelled events still in the heap. */
  private cancelledCount = 0;

  get size(): number {
    return this.heap.length;
  }

  peek(): SimEvent | undefined {
    return this.heap[0];
  }

  push(ev: SimEvent): void {
    const h = this.heap;
    let i = h.length;
    h.push(ev);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p]!;
      if (!before(ev, parent)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = ev;
  }

  /**
   * Cancels an event: it is skipped when popped. Once cancelled events are most of the heap they are
   * dropped in one pass, so a stream of cancelled timeouts does not grow the heap. The pop order of the
   * rest is unchanged (it is the total order of time, then sequence number).
   */
  cancel(ev: SimEvent): void {
    if (ev.cancelled) return;
    ev.cancelled = true;
    ev.fn = CANCELLED;
    ev.arg = undefined;
    this.cancelledCount++;
    if (this.cancelledCount > 1024 && 2 * this.cancelledCount > this.heap.length) this.compact();
  }

  private compact(): void {
    const live = this.heap.filter((e) => !e.cancelled);
    this.heap = [];
    this.cancelledCount = 0;
    for (const e of live) this.push(e);
  }

  pop(): SimEvent | undefined {
    const h = this.heap;
    const top = h[0];
    if (top?.cancelled && this.cancelledCount > 0) this.cancelledCount--;
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    const n = h.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(h[r]!, h[l]!) ? r : l;
      const child = h[c]!;
      if (!before(child, last)) break;
      h[i] = child;
      i = c;
    }
    h[i] = last;
    return top;
  }
}
