// The simulated network: connections between processes with FoundationDB's latency model, ordered
// delivery, clogs that delay (never drop), disconnects and rare random connection failures.
//
// The model follows FoundationDB's sim2 (reference fdb-simulation.md §3.4); where faultline differs it
// says so here and at the code:
// - A connection is one direction between two process addresses, a FIFO like TCP: a message never
//   overtakes an earlier one on the same connection, whatever the two latencies were.
// - Latency is two half latencies (send side + receive side), each fast 99.9% of the time and from a long
//   slow tail otherwise. Connections between processes on the same machine (same IP) are "stable": 1/10
//   of the latency, and exempt from clogs, pair latencies, disconnects and random failures.
// - Clogs delay, never drop. A clog is consulted when a message reaches the head of its connection and its
//   latency-arrival time, not when it is sent, so a clog that begins while the message is in flight still
//   holds it. Interface clogs have a send and a receive side; unlike FoundationDB (whose send-side clog
//   time is recorded but never consulted — a long-standing quirk) faultline's send clogs do delay every
//   message leaving the IP. Overlapping clogs extend to the latest end.
// - Disconnects drop: data in flight between the two IPs is lost when the disconnect begins, and every
//   message sent or arriving while it lasts is lost too; the cluster recovers through its timeouts.
// - Random connection failures (1/100000 per send on non-stable connections) drop everything in flight on
//   the process pair, both directions. faultline always closes both sides (SendClosed=1, RecvClosed=1) and
//   never throws at the sender (Explicit=0): a simplification of FoundationDB's random choice of sides.
// - A message whose receiver went down (killed or rebooted) after it was sent is dropped: the connection
//   died with that incarnation, as FoundationDB closes a failed process's connections.
// - Speed-up mode ignores clogs, pair latencies, disconnects and random failures and uses only the fast
//   latency distribution. Held messages notice at their next check (at most HELD_RECHECK_INTERVAL later),
//   or at once when `speedUpStarted()` is called.
//
// Trace events (FoundationDB's names and fields where the event is the same):
//   ClogInterface (IP, Delay s, Queue Send|Receive|All), CloggingPair (From, To, Seconds),
//   UncloggingPair (From, To), DisconnectPair (From, To, Seconds), ReconnectPair (From, To),
//   ConnectionFailure (MyAddr, PeerAddr, SendClosed, RecvClosed, Explicit), and faultline's own
//   ClogEnded: a clog window closed early by an unclog, with Kind Interface (IP, Queue Send|Receive) or
//   Kind Pair (From, To), and Remaining (seconds the window had left). A window that simply runs out is
//   not traced: it ends at its start time plus Delay/Seconds.
import type { Random } from '../core/random.js';
import { millis, seconds, type Time, toSeconds } from '../core/time.js';
import type { Details, Severity } from '../trace/event.js';
import type { Buggify } from './buggify.js';
import type { SimEvent } from './event-queue.js';
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

/** Direction of an interface clog: messages leaving the IP, arriving at it, or both. */
export type ClogMode = 'send' | 'receive' | 'all';

/** A clog window in force now (see `Network.activeClogs`). `until` is absolute simulated time, µs. */
export type ActiveClog =
  | {
      readonly kind: 'interface';
      readonly ip: string;
      readonly queue: 'send' | 'receive';
      readonly until: Time;
    }
  | { readonly kind: 'pair'; readonly from: string; readonly to: string; readonly until: Time };

/** Network statistics, for metrics and tests. Counts of messages. */
export interface NetworkStats {
  /** Messages handed to `send` by a live process. */
  sent: number;
  /** Messages handed to a live handler. */
  delivered: number;
  /** Messages lost: disconnects, connection failures, receiver down or rebooted, no handler. */
  dropped: number;
  /** Messages that arrived (by latency) while a clog held their connection, and so waited for it to end. */
  delayedByClog: number;
  /** Random connection failures that happened. */
  connectionFailures: number;
}

/** FoundationDB's MIN_NETWORK_LATENCY: 100 µs. */
export const MIN_NETWORK_LATENCY: Time = 100;
/** FoundationDB's FAST_NETWORK_LATENCY: 800 µs. */
export const FAST_NETWORK_LATENCY: Time = 800;
/** FoundationDB's SLOW_NETWORK_LATENCY: 100 ms. */
export const SLOW_NETWORK_LATENCY: Time = millis(100);
/** Share of half latencies drawn from the fast distribution (FoundationDB's pFast). */
export const FAST_LATENCY_PROBABILITY = 0.999;
/** Latency factor of stable (same-machine) connections. */
export const STABLE_LATENCY_FACTOR = 0.1;
/** Largest permanent extra latency of an IP pair under BUGGIFY (FoundationDB's MAX_CLOGGING_LATENCY): 0.1 s. */
export const MAX_CLOGGING_LATENCY: Time = millis(100);
/** Probability that a send over a non-stable connection breaks it (FoundationDB: 0.00001). */
export const CONNECTION_FAILURE_PROBABILITY = 0.00001;
/** How often a held connection re-examines its clogs, so it notices speed-up mode: 1 s. */
export const HELD_RECHECK_INTERVAL: Time = seconds(1);
/** The BUGGIFY site that gives IP pairs a permanent extra latency. */
export const PAIR_LATENCY_SITE = 'network.pairLatency';

/** A message in flight: the only per-message allocation of the network (plus its kernel event). */
interface InFlight {
  readonly endpoint: string;
  readonly payload: unknown;
  /** Arrival time from latency alone, µs. */
  readonly arrival: Time;
  /** The receiver's incarnation when the message was sent; -1 when the address was unknown. */
  readonly incarnation: number;
  next: InFlight | undefined;
}

/** Clog state of one IP. Times are absolute µs; a time at or before now means "not clogged". */
class Iface {
  sendUntil: Time = 0;
  recvUntil: Time = 0;
  constructor(readonly ip: string) {}
}

/** State of one ordered IP pair, shared by every process connection between the two IPs. */
class IpPair {
  clogUntil: Time = 0;
  disconnectedUntil: Time = 0;
  /** Permanent extra latency (BUGGIFY), decided at first use. */
  extraLatency: Time = 0;
  latencyDecided = false;
  readonly connections: Connection[] = [];
  constructor(
    readonly from: string,
    readonly to: string,
    /** Same IP: a same-machine connection, exempt from network faults. */
    readonly stable: boolean,
  ) {}
}

/** One direction of a process-to-process connection: a FIFO (singly linked) of messages in flight. */
class Connection {
  head: InFlight | undefined = undefined;
  tail: InFlight | undefined = undefined;
  length = 0;
  /** The scheduled look at the head; set exactly when the queue is non-empty and no look is running. */
  event: SimEvent | undefined = undefined;
  /** A look at the head is running (handlers may send on this connection meanwhile). */
  busy = false;
  /** The head is held by a clog. */
  held = false;
  /** When a clog hold last ended: messages that had arrived before it were delayed by the clog. */
  releasedAt: Time = -1;
  target: SimProcess | undefined;
  /** Bound once, so scheduling a look allocates no closure. */
  readonly wake: () => void;
  constructor(
    readonly from: string,
    readonly to: string,
    readonly pair: IpPair,
    readonly fromIface: Iface,
    readonly toIface: Iface,
    target: SimProcess | undefined,
    wake: (c: Connection) => void,
  ) {
    this.target = target;
    this.wake = () => wake(this);
  }
}

const QUEUE_NAME: Readonly<Record<ClogMode, string>> = { send: 'Send', receive: 'Receive', all: 'All' };

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The simulated network of one run. */
export class Network {
  /** Connections by sender address, then receiver address (nested so that sending builds no key string). */
  private readonly outgoing = new Map<string, Map<string, Connection>>();
  private readonly ifaces = new Map<string, Iface>();
  /** Ordered IP pairs by `from>to`. */
  private readonly pairs = new Map<string, IpPair>();
  /** Connections whose head a clog is holding, in the order they were first held. */
  private readonly held = new Set<Connection>();
  private readonly failureRandom: Random;
  private readonly pairLatencyRandom: Random;
  /** When the last random connection failure happened, µs. Starts at 0 as in FoundationDB. */
  private lastConnectionFailure: Time = 0;

  readonly stats: NetworkStats = {
    sent: 0,
    delivered: 0,
    dropped: 0,
    delayedByClog: 0,
    connectionFailures: 0,
  };
  /** Whether random connection failures happen at all. Default true. */
  connectionFailuresEnabled = true;
  /**
   * Minimum time between two random connection failures, in seconds (FoundationDB's
   * connectionFailuresDisableDuration; the run start counts as a failure). Default 0.
   */
  connectionFailuresDisableDuration = 0;
  /** Probability that one send over a non-stable connection breaks it. Default 0.00001. */
  connectionFailureProbability = CONNECTION_FAILURE_PROBABILITY;

  constructor(
    private readonly kernel: Kernel,
    private readonly random: Random,
    private readonly lookup: AddressBook,
    private readonly env: NetworkEnv,
  ) {
    // Separate streams, so that failures and BUGGIFY pair latencies do not shift the latency draws.
    this.failureRandom = random.fork('connectionFailure');
    this.pairLatencyRandom = random.fork('pairLatency');
  }

  /**
   * One-way latency in µs: two half latencies, each 99.9% of the time uniform in [50 µs, ~400 µs] and
   * otherwise up to 50 ms (FoundationDB's halfLatency). `stable` connections get 1/10 of it; `fastOnly`
   * (default: speed-up mode) draws both halves from the fast distribution.
   */
  latency(stable = false, fastOnly = this.env.speedUp()): Time {
    const l = this.halfLatency(fastOnly) + this.halfLatency(fastOnly);
    return Math.round(stable ? l * STABLE_LATENCY_FACTOR : l);
  }

  private halfLatency(fastOnly: boolean): number {
    let a = this.random.next();
    if (fastOnly) return 0.5 * (MIN_NETWORK_LATENCY * (1 - a) + FAST_NETWORK_LATENCY * a);
    if (a <= FAST_LATENCY_PROBABILITY) {
      a /= FAST_LATENCY_PROBABILITY;
      return 0.5 * (MIN_NETWORK_LATENCY * (1 - a) + (FAST_NETWORK_LATENCY / FAST_LATENCY_PROBABILITY) * a);
    }
    a = (a - FAST_LATENCY_PROBABILITY) / (1 - FAST_LATENCY_PROBABILITY);
    return 0.5 * (MIN_NETWORK_LATENCY * (1 - a) + SLOW_NETWORK_LATENCY * a);
  }

  /**
   * Sends `payload` from `from` to `endpoint` at address `to`. Arrives after the connection's latency and
   * any clog, in order with earlier messages on the same connection; lost on a disconnect or connection
   * failure, or if the receiver is down, has rebooted since, or does not listen on `endpoint` on arrival.
   */
  send(from: SimProcess, to: string, endpoint: string, payload: unknown): void {
    if (!from.alive) return;
    this.stats.sent++;
    const conn = this.connection(from, to);
    const pair = conn.pair;
    const now = this.kernel.now();
    const speedUp = this.env.speedUp();
    if (!pair.stable && !speedUp) {
      if (pair.disconnectedUntil > now) {
        this.stats.dropped++;
        return;
      }
      if (
        this.connectionFailuresEnabled &&
        now - this.lastConnectionFailure >= seconds(this.connectionFailuresDisableDuration) &&
        this.failureRandom.chance(this.connectionFailureProbability)
      ) {
        // The message being written goes down with the connection.
        this.stats.dropped++;
        this.failConnection(conn, now);
        return;
      }
    }
    if (!pair.latencyDecided) this.decidePairLatency(pair);
    let arrival = now + this.latency(pair.stable, speedUp);
    if (!speedUp) arrival += pair.extraLatency;
    let target = conn.target;
    if (target === undefined) target = conn.target = this.lookup(to);
    const msg: InFlight = {
      endpoint,
      payload,
      arrival,
      incarnation: target === undefined ? -1 : target.incarnation,
      next: undefined,
    };
    const tail = conn.tail;
    if (tail === undefined) conn.head = msg;
    else tail.next = msg;
    conn.tail = msg;
    conn.length++;
    // An empty queue has nothing scheduled; a busy look schedules the next one itself when it ends.
    if (conn.head === msg && !conn.busy) conn.event = this.kernel.at(arrival, conn.wake);
  }

  private connection(from: SimProcess, to: string): Connection {
    let byTo = this.outgoing.get(from.address);
    if (byTo === undefined) {
      byTo = new Map();
      this.outgoing.set(from.address, byTo);
    }
    let conn = byTo.get(to);
    if (conn === undefined) {
      const target = this.lookup(to);
      const toIp = target ? target.ip : to.slice(0, to.lastIndexOf(':'));
      const pair = this.ipPair(from.ip, toIp);
      conn = new Connection(
        from.address,
        to,
        pair,
        this.iface(from.ip),
        this.iface(toIp),
        target,
        this.wakeConnection,
      );
      pair.connections.push(conn);
      byTo.set(to, conn);
    }
    return conn;
  }

  private iface(ip: string): Iface {
    let i = this.ifaces.get(ip);
    if (i === undefined) {
      i = new Iface(ip);
      this.ifaces.set(ip, i);
    }
    return i;
  }

  private ipPair(fromIp: string, toIp: string): IpPair {
    const key = `${fromIp}>${toIp}`;
    let p = this.pairs.get(key);
    if (p === undefined) {
      p = new IpPair(fromIp, toIp, fromIp === toIp);
      this.pairs.set(key, p);
    }
    return p;
  }

  private decidePairLatency(pair: IpPair): void {
    pair.latencyDecided = true;
    if (pair.stable) return;
    if (this.env.buggify.fires(PAIR_LATENCY_SITE, 1)) {
      pair.extraLatency = Math.round(MAX_CLOGGING_LATENCY * this.pairLatencyRandom.next());
    }
  }

  /** The latest end of the clogs on a connection (≤ now when none is in force). */
  private clogEnd(conn: Connection): Time {
    let until = conn.pair.clogUntil;
    const s = conn.fromIface.sendUntil;
    if (s > until) until = s;
    const r = conn.toIface.recvUntil;
    if (r > until) until = r;
    return until;
  }

  /** Looks at a connection's head: delivers every message that is due and not held, then reschedules. */
  private readonly wakeConnection = (conn: Connection): void => {
    conn.event = undefined;
    conn.busy = true;
    const now = this.kernel.now();
    const faults = !conn.pair.stable && !this.env.speedUp();
    let next: Time = -1;
    for (;;) {
      const head = conn.head;
      if (head === undefined) break;
      if (head.arrival > now) {
        next = head.arrival;
        break;
      }
      if (faults) {
        const until = this.clogEnd(conn);
        if (until > now) {
          if (!conn.held) {
            conn.held = true;
            this.held.add(conn);
          }
          next = Math.min(until, now + HELD_RECHECK_INTERVAL);
          break;
        }
      }
      if (conn.held) {
        conn.held = false;
        this.held.delete(conn);
        conn.releasedAt = now;
      }
      conn.head = head.next;
      if (conn.head === undefined) conn.tail = undefined;
      conn.length--;
      if (head.arrival < conn.releasedAt) this.stats.delayedByClog++;
      if (faults && conn.pair.disconnectedUntil > now) this.stats.dropped++;
      else this.deliver(conn, head);
    }
    conn.busy = false;
    // A handler may have emptied the queue (disconnect) or refilled it; schedule from what is there now.
    if (conn.head !== undefined && conn.event === undefined) {
      conn.event = this.kernel.at(next >= 0 ? next : conn.head.arrival, conn.wake);
    }
  };

  private deliver(conn: Connection, msg: InFlight): void {
    let target = conn.target;
    if (target === undefined) target = conn.target = this.lookup(conn.to);
    if (target !== undefined && target.incarnation === msg.incarnation) {
      const handler = target.handler(msg.endpoint);
      if (handler !== undefined) {
        this.stats.delivered++;
        handler(msg.payload, conn.from);
        return;
      }
    }
    this.stats.dropped++;
  }

  /** Loses everything in flight on a connection. */
  private dropConnection(conn: Connection): void {
    this.stats.dropped += conn.length;
    conn.head = undefined;
    conn.tail = undefined;
    conn.length = 0;
    if (conn.event !== undefined) {
      conn.event.cancelled = true;
      conn.event = undefined;
    }
    if (conn.held) {
      conn.held = false;
      this.held.delete(conn);
    }
  }

  private failConnection(conn: Connection, now: Time): void {
    this.lastConnectionFailure = now;
    this.stats.connectionFailures++;
    this.env.trace(
      'ConnectionFailure',
      { MyAddr: conn.from, PeerAddr: conn.to, SendClosed: 1, RecvClosed: 1, Explicit: 0 },
      { machine: conn.from },
    );
    this.dropConnection(conn);
    const reverse = this.outgoing.get(conn.to)?.get(conn.from);
    if (reverse !== undefined) this.dropConnection(reverse);
  }

  /** Makes every held connection look at its clogs again now (after an unclog or when speed-up begins). */
  private recheckHeld(): void {
    if (this.held.size === 0) return;
    const now = this.kernel.now();
    for (const conn of this.held) {
      if (conn.busy) continue;
      if (conn.event !== undefined) conn.event.cancelled = true;
      conn.event = this.kernel.at(now, conn.wake);
    }
  }

  /**
   * Clogs an interface until `until` (absolute µs): `receive` delays every message arriving at `ip`,
   * `send` every message leaving it (effective, unlike FoundationDB's), `all` both. Extends, never
   * shortens, a clog already in force. Traces `ClogInterface`.
   */
  clogInterface(ip: string, until: Time, mode: ClogMode): void {
    const iface = this.iface(ip);
    if (mode !== 'receive' && until > iface.sendUntil) iface.sendUntil = until;
    if (mode !== 'send' && until > iface.recvUntil) iface.recvUntil = until;
    const now = this.kernel.now();
    this.env.trace('ClogInterface', {
      IP: ip,
      Delay: toSeconds(Math.max(0, until - now)),
      Queue: QUEUE_NAME[mode],
    });
  }

  /** Ends an interface's clogs now (both sides by default). Traces `ClogEnded` for each window cut short. */
  unclogInterface(ip: string, mode: ClogMode = 'all'): void {
    if (this.endInterfaceClog(this.ifaces.get(ip), mode)) this.recheckHeld();
  }

  private endInterfaceClog(iface: Iface | undefined, mode: ClogMode): boolean {
    if (iface === undefined) return false;
    const now = this.kernel.now();
    let ended = false;
    if (mode !== 'receive') {
      if (iface.sendUntil > now) {
        this.env.trace('ClogEnded', {
          Kind: 'Interface',
          IP: iface.ip,
          Queue: 'Send',
          Remaining: toSeconds(iface.sendUntil - now),
        });
        ended = true;
      }
      iface.sendUntil = 0;
    }
    if (mode !== 'send') {
      if (iface.recvUntil > now) {
        this.env.trace('ClogEnded', {
          Kind: 'Interface',
          IP: iface.ip,
          Queue: 'Receive',
          Remaining: toSeconds(iface.recvUntil - now),
        });
        ended = true;
      }
      iface.recvUntil = 0;
    }
    return ended;
  }

  /**
   * Clogs messages from `fromIp` to `toIp` (that direction only) until `until` (absolute µs). Extends,
   * never shortens, a clog already in force. Traces `CloggingPair`.
   */
  clogPair(fromIp: string, toIp: string, until: Time): void {
    const pair = this.ipPair(fromIp, toIp);
    if (until > pair.clogUntil) pair.clogUntil = until;
    this.env.trace('CloggingPair', {
      From: fromIp,
      To: toIp,
      Seconds: toSeconds(Math.max(0, until - this.kernel.now())),
    });
  }

  /** Ends the clog from `fromIp` to `toIp` now. Traces `UncloggingPair`, and `ClogEnded` if one was in force. */
  unclogPair(fromIp: string, toIp: string): void {
    this.env.trace('UncloggingPair', { From: fromIp, To: toIp });
    if (this.endPairClog(this.pairs.get(`${fromIp}>${toIp}`))) this.recheckHeld();
  }

  private endPairClog(pair: IpPair | undefined): boolean {
    if (pair === undefined) return false;
    const now = this.kernel.now();
    const inForce = pair.clogUntil > now;
    if (inForce) {
      this.env.trace('ClogEnded', {
        Kind: 'Pair',
        From: pair.from,
        To: pair.to,
        Remaining: toSeconds(pair.clogUntil - now),
      });
    }
    pair.clogUntil = 0;
    return inForce;
  }

  /** Ends every interface and pair clog now (disconnects stay). Traces as the single unclogs do. */
  unclogAll(): void {
    let ended = false;
    for (const c of this.activeClogs()) {
      if (c.kind === 'interface') ended = this.endInterfaceClog(this.ifaces.get(c.ip), c.queue) || ended;
      else {
        this.env.trace('UncloggingPair', { From: c.from, To: c.to });
        ended = this.endPairClog(this.pairs.get(`${c.from}>${c.to}`)) || ended;
      }
    }
    if (ended) this.recheckHeld();
  }

  /**
   * Disconnects two IPs until `until` (absolute µs): what is in flight between them (both directions) is
   * lost now, and every message sent or arriving meanwhile is lost. Traces `DisconnectPair`.
   */
  disconnectPair(fromIp: string, toIp: string, until: Time): void {
    const now = this.kernel.now();
    const there = this.ipPair(fromIp, toIp);
    const back = this.ipPair(toIp, fromIp);
    if (until > there.disconnectedUntil) there.disconnectedUntil = until;
    if (until > back.disconnectedUntil) back.disconnectedUntil = until;
    this.env.trace('DisconnectPair', {
      From: fromIp,
      To: toIp,
      Seconds: toSeconds(Math.max(0, until - now)),
    });
    if (there.stable || until <= now || this.env.speedUp()) return;
    for (const conn of there.connections) this.dropConnection(conn);
    for (const conn of back.connections) this.dropConnection(conn);
  }

  /** Ends a disconnect between two IPs now. Traces `ReconnectPair`. */
  reconnectPair(fromIp: string, toIp: string): void {
    const there = this.pairs.get(`${fromIp}>${toIp}`);
    const back = this.pairs.get(`${toIp}>${fromIp}`);
    if (there !== undefined) there.disconnectedUntil = 0;
    if (back !== undefined) back.disconnectedUntil = 0;
    this.env.trace('ReconnectPair', { From: fromIp, To: toIp });
  }

  /**
   * Releases messages held by clogs now, because speed-up mode has begun. Optional: held messages also
   * notice speed-up at their next check, at most HELD_RECHECK_INTERVAL later.
   */
  speedUpStarted(): void {
    this.recheckHeld();
  }

  /** Whether an interface clog (either side) is in force on `ip`. Reports the window even in speed-up mode. */
  isClogged(ip: string): boolean {
    const iface = this.ifaces.get(ip);
    if (iface === undefined) return false;
    const now = this.kernel.now();
    return iface.sendUntil > now || iface.recvUntil > now;
  }

  /** Whether messages from `fromIp` to `toIp` are pair-clogged now. */
  isPairClogged(fromIp: string, toIp: string): boolean {
    const pair = this.pairs.get(`${fromIp}>${toIp}`);
    return pair !== undefined && pair.clogUntil > this.kernel.now();
  }

  /** Whether two IPs are disconnected now. */
  isDisconnected(fromIp: string, toIp: string): boolean {
    const pair = this.pairs.get(`${fromIp}>${toIp}`);
    return pair !== undefined && pair.disconnectedUntil > this.kernel.now();
  }

  /**
   * Clog windows in force now: interface sides, then pairs, each sorted by IP. Includes windows that
   * speed-up mode currently ignores.
   */
  activeClogs(): ActiveClog[] {
    const now = this.kernel.now();
    const out: ActiveClog[] = [];
    for (const i of [...this.ifaces.values()].sort((a, b) => compareStrings(a.ip, b.ip))) {
      if (i.sendUntil > now) out.push({ kind: 'interface', ip: i.ip, queue: 'send', until: i.sendUntil });
      if (i.recvUntil > now) out.push({ kind: 'interface', ip: i.ip, queue: 'receive', until: i.recvUntil });
    }
    const pairs = [...this.pairs.values()]
      .filter((p) => p.clogUntil > now)
      .sort((a, b) => compareStrings(a.from, b.from) || compareStrings(a.to, b.to));
    for (const p of pairs) out.push({ kind: 'pair', from: p.from, to: p.to, until: p.clogUntil });
    return out;
  }

  /** The permanent extra latency of an ordered IP pair (0 until first used, or without BUGGIFY), µs. */
  pairLatency(fromIp: string, toIp: string): Time {
    return this.pairs.get(`${fromIp}>${toIp}`)?.extraLatency ?? 0;
  }

  /** Messages in flight on all connections. */
  inFlight(): number {
    let n = 0;
    for (const byTo of this.outgoing.values()) for (const c of byTo.values()) n += c.length;
    return n;
  }
}
