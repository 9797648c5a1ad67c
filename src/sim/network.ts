// The simulated network: connections between processes with FoundationDB's latency model, ordered
// delivery, clogs that delay (never drop), disconnects and rare random connection failures.
import type { Random } from '../core/random.js';
import { type Time, millis } from '../core/time.js';
import type { Details, Severity } from '../trace/event.js';
import type { Buggify } from './buggify.js';
import type { Kernel } from './kernel.js';
import type { SimProcess } from './process.js';

/** Looks up the process currently at an address (the world owns the address table). */
export type AddressBook = (address: string) => SimProcess | undefined;

/** What the network needs from the world around it. */
export interface NetworkEnv {
  /** Emits a trace event at the current time. */
  readonly trace: (type: string, details: Details, opts?: { severity?: Severity; machine?: string }) => void;
  /** True in speed-up mode: clogs, pair latencies, disconnects and random failures are ignored. */
  readonly speedUp: () => boolean;
  readonly buggify: Buggify;
}

interface InFlight {
  readonly endpoint: string;
  readonly payload: unknown;
  readonly from: string;
  /** Earliest arrival time from latency alone. */
  readonly arrival: Time;
}

/** One direction of a process-to-process connection: a FIFO of messages in flight. */
class Connection {
  readonly queue: InFlight[] = [];
  /** Time at which the head of the queue is scheduled to be looked at, or -1 when nothing is scheduled. */
  wakeAt = -1;
  constructor(
    readonly from: string,
    readonly fromIp: string,
    readonly to: string,
    readonly toIp: string,
  ) {}
}

/** Network statistics, for metrics and tests. */
export interface NetworkStats {
  sent: number;
  delivered: number;
  dropped: number;
}

/** The simulated network. */
export class Network {
  private readonly connections = new Map<string, Connection>();
  readonly stats: NetworkStats = { sent: 0, delivered: 0, dropped: 0 };

  constructor(
    private readonly kernel: Kernel,
    private readonly random: Random,
    private readonly lookup: AddressBook,
    private readonly env: NetworkEnv,
  ) {}

  /**
   * One-way latency: two half latencies, each 99.9% uniform in [50 µs, 400 µs] and 0.1% up to 50 ms
   * (FoundationDB's MIN/FAST/SLOW_NETWORK_LATENCY halves).
   */
  latency(): Time {
    return this.halfLatency() + this.halfLatency();
  }

  private halfLatency(): Time {
    const r = this.random;
    if (r.chance(0.999)) return Math.round(r.uniform(50, 400));
    return Math.round(r.uniform(50, millis(50)));
  }

  /** Sends `payload` from `from` to `endpoint` at address `to`. Lost if the receiver is down on arrival. */
  send(from: SimProcess, to: string, endpoint: string, payload: unknown): void {
    if (!from.alive) return;
    this.stats.sent++;
    const target = this.lookup(to);
    const toIp = target ? target.ip : to.slice(0, to.lastIndexOf(':'));
    const key = `${from.address}>${to}`;
    let conn = this.connections.get(key);
    if (!conn) {
      conn = new Connection(from.address, from.ip, to, toIp);
      this.connections.set(key, conn);
    }
    const arrival = this.kernel.now() + this.latency();
    conn.queue.push({ endpoint, payload, from: from.address, arrival });
    this.pump(conn);
  }

  /** Schedules the connection's head for delivery at the later of its arrival time and any clog end. */
  private pump(conn: Connection): void {
    if (conn.wakeAt >= 0) return;
    const head = conn.queue[0];
    if (!head) return;
    const at = Math.max(head.arrival, this.kernel.now());
    conn.wakeAt = at;
    this.kernel.at(at, () => {
      conn.wakeAt = -1;
      this.deliverHead(conn);
    });
  }

  private deliverHead(conn: Connection): void {
    const head = conn.queue.shift();
    if (!head) return;
    const target = this.lookup(conn.to);
    const handler = target?.handler(head.endpoint);
    if (handler) {
      this.stats.delivered++;
      handler(head.payload, head.from);
    } else {
      this.stats.dropped++;
    }
    this.pump(conn);
  }
}
