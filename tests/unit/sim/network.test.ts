// Tests of the simulated network's fault model: ordered delivery, clogs that delay, disconnects and
// connection failures that drop, stable same-machine connections, speed-up mode, traces, determinism.
import { describe, expect, it } from 'vitest';
import { millis, seconds, type Time } from '../../../src/core/time.js';
import {
  FAST_NETWORK_LATENCY,
  HELD_RECHECK_INTERVAL,
  MAX_CLOGGING_LATENCY,
  MIN_NETWORK_LATENCY,
  PAIR_LATENCY_SITE,
  SLOW_NETWORK_LATENCY,
} from '../../../src/sim/network.js';
import type { SimProcess } from '../../../src/sim/process.js';
import { World } from '../../../src/sim/world.js';
import type { TraceEvent } from '../../../src/trace/event.js';

const IP_A = '2.0.1.1';
const IP_B = '2.0.1.2';
const IP_C = '2.0.1.3';

/** Upper bound of a fast one-way latency, µs (two fast halves). */
const FAST_MAX: Time = Math.ceil(FAST_NETWORK_LATENCY / 0.999) + 1;

interface Received {
  readonly value: number;
  readonly at: Time;
  readonly from: string;
}

/** A world with machine A (two processes), B and C (one each), all booted. Random failures are off. */
function setup(seed = 1, buggify = false) {
  const events: TraceEvent[] = [];
  const world = new World({ seed, buggify, sink: { emit: (e) => events.push(e) }, knobs: [] });
  const loc = (id: string) => ({ dcId: '0', dataHall: '0', zoneId: id, machineId: id });
  const ma = world.addMachine(loc('a'), IP_A, 2, 'storage');
  const mb = world.addMachine(loc('b'), IP_B, 1, 'storage');
  const mc = world.addMachine(loc('c'), IP_C, 1, 'storage');
  for (const p of world.processes()) world.boot(p);
  world.network.connectionFailuresEnabled = false;
  const a = ma.processes[0]!;
  const a2 = ma.processes[1]!;
  const b = mb.processes[0]!;
  const c = mc.processes[0]!;
  return { world, events, a, a2, b, c, net: world.network };
}

/** Records what arrives at `proc`'s endpoint `ep`. */
function inbox(world: World, proc: SimProcess, ep = 'ep'): Received[] {
  const got: Received[] = [];
  proc.listen(ep, (payload, from) => got.push({ value: payload as number, at: world.now(), from }));
  return got;
}

function ofType(events: readonly TraceEvent[], type: string): TraceEvent[] {
  return events.filter((e) => e.type === type);
}

describe('network latency', () => {
  it('draws two half latencies: fast 99.9% of the time with a rare slow tail, 1/10 on stable connections', () => {
    const { net } = setup(3);
    const n = 200_000;
    let fast = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = 0;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const l = net.latency(false, false);
      if (l <= FAST_MAX) fast++;
      min = Math.min(min, l);
      max = Math.max(max, l);
      sum += l;
    }
    expect(min).toBeGreaterThanOrEqual(MIN_NETWORK_LATENCY);
    expect(max).toBeLessThanOrEqual(SLOW_NETWORK_LATENCY);
    // Two halves each slow with probability 0.001: about 0.2% of latencies are in the tail.
    expect(fast / n).toBeGreaterThan(0.997);
    expect(fast / n).toBeLessThan(0.9995);
    expect(max).toBeGreaterThan(millis(5));
    // Mean of the fast part ≈ 450 µs; the tail adds about 0.002 × 25 ms.
    expect(sum / n).toBeGreaterThan(420);
    expect(sum / n).toBeLessThan(600);
    for (let i = 0; i < 10_000; i++) {
      expect(net.latency(false, true)).toBeLessThanOrEqual(FAST_NETWORK_LATENCY);
      const s = net.latency(true, true);
      expect(s).toBeGreaterThanOrEqual(MIN_NETWORK_LATENCY / 10);
      expect(s).toBeLessThanOrEqual(FAST_NETWORK_LATENCY / 10);
    }
  });
});

describe('network delivery', () => {
  it('delivers in send order on one connection, whatever the latencies', async () => {
    const { world, a, b, net } = setup(11);
    const got = inbox(world, b);
    const sentAt: Time[] = [];
    await world.kernel.run(async () => {
      for (let i = 0; i < 3000; i++) {
        sentAt.push(world.now());
        net.send(a, b.address, 'ep', i);
        // Messages 0-300 µs apart with 100-800 µs latencies: unordered delivery would reorder many.
        if (i % 2 === 0) await world.kernel.delay(world.random.int(0, 300));
      }
      await world.kernel.delay(seconds(1));
    });
    expect(got.map((r) => r.value)).toEqual([...Array(3000).keys()]);
    expect(got.every((r) => r.from === a.address)).toBe(true);
    for (let i = 0; i < got.length; i++) {
      expect(got[i]!.at - sentAt[i]!).toBeGreaterThanOrEqual(MIN_NETWORK_LATENCY);
    }
    expect(new Set(got.map((r) => r.at)).size).toBeGreaterThan(500);
    expect(net.stats).toMatchObject({ sent: 3000, delivered: 3000, dropped: 0, delayedByClog: 0 });
  });

  it('drops a message whose receiver rebooted after it was sent, and one whose receiver is down', async () => {
    const { world, a, b, c, net } = setup();
    await world.kernel.run(async () => {
      net.send(a, b.address, 'ep', 1);
      b.shutdown();
      world.boot(b);
      const got = inbox(world, b);
      net.send(a, c.address, 'ep', 2);
      c.shutdown();
      await world.kernel.delay(seconds(1));
      net.send(a, b.address, 'ep', 3);
      await world.kernel.delay(seconds(1));
      expect(got.map((r) => r.value)).toEqual([3]);
    });
    expect(net.stats).toMatchObject({ sent: 3, delivered: 1, dropped: 2 });
  });
});

describe('network clogs', () => {
  it('holds messages into a receive-clogged interface until the clog ends, keeping their order', async () => {
    const { world, a, a2, b, c, net } = setup();
    const atB = inbox(world, b);
    const atC = inbox(world, c);
    let t0 = 0;
    await world.kernel.run(async () => {
      t0 = world.now();
      net.clogInterface(IP_B, t0 + seconds(2.5), 'receive');
      expect(net.isClogged(IP_B)).toBe(true);
      for (let i = 0; i < 5; i++) {
        net.send(a, b.address, 'ep', i);
        net.send(a2, b.address, 'ep', 10 + i);
        net.send(a, c.address, 'ep', i);
        await world.kernel.delay(millis(1));
      }
      await world.kernel.delay(seconds(3));
    });
    expect(atB.filter((r) => r.from === a.address).map((r) => r.value)).toEqual([0, 1, 2, 3, 4]);
    expect(atB.filter((r) => r.from === a2.address).map((r) => r.value)).toEqual([10, 11, 12, 13, 14]);
    // Held past the 1 s rechecks, released exactly at the clog end.
    for (const r of atB) expect(r.at).toBe(t0 + seconds(2.5));
    for (const r of atC) expect(r.at).toBeLessThan(seconds(0.1));
    expect(net.stats.delayedByClog).toBe(10);
    expect(net.isClogged(IP_B)).toBe(false);
  });

  it('delays a message already in flight when a clog begins before it arrives', async () => {
    const { world, a, b, net } = setup();
    const got = inbox(world, b);
    let clogEnd = 0;
    await world.kernel.run(async () => {
      net.send(a, b.address, 'ep', 1);
      // Every latency is at least 100 µs: the message is still in flight after 50 µs.
      await world.kernel.delay(50);
      clogEnd = world.now() + seconds(1);
      net.clogInterface(IP_B, clogEnd, 'receive');
      await world.kernel.delay(seconds(2));
    });
    expect(got.map((r) => r.at)).toEqual([clogEnd]);
    expect(net.stats.delayedByClog).toBe(1);
  });

  it('a pair clog delays only its own direction', async () => {
    const { world, a, b, c, net } = setup();
    const atB = inbox(world, b);
    const atA = inbox(world, a);
    const atC = inbox(world, c);
    await world.kernel.run(async () => {
      net.clogPair(IP_A, IP_B, seconds(1));
      expect(net.isPairClogged(IP_A, IP_B)).toBe(true);
      expect(net.isPairClogged(IP_B, IP_A)).toBe(false);
      expect(net.isClogged(IP_A)).toBe(false);
      net.send(a, b.address, 'ep', 1);
      net.send(b, a.address, 'ep', 2);
      net.send(a, c.address, 'ep', 3);
      await world.kernel.delay(seconds(2));
    });
    expect(atB.map((r) => r.at)).toEqual([seconds(1)]);
    expect(atA[0]!.at).toBeLessThan(millis(100));
    expect(atC[0]!.at).toBeLessThan(millis(100));
  });

  it('a send clog delays what leaves the interface, not what arrives at it', async () => {
    const { world, a, b, net } = setup();
    const atB = inbox(world, b);
    const atA = inbox(world, a);
    await world.kernel.run(async () => {
      net.clogInterface(IP_A, seconds(1.5), 'send');
      net.send(a, b.address, 'ep', 1);
      net.send(b, a.address, 'ep', 2);
      await world.kernel.delay(seconds(2));
    });
    expect(atB.map((r) => r.at)).toEqual([seconds(1.5)]);
    expect(atA[0]!.at).toBeLessThan(millis(100));
  });

  it('an all clog delays both directions', async () => {
    const { world, a, b, net } = setup();
    const atB = inbox(world, b);
    const atA = inbox(world, a);
    await world.kernel.run(async () => {
      net.clogInterface(IP_A, seconds(1), 'all');
      net.send(a, b.address, 'ep', 1);
      net.send(b, a.address, 'ep', 2);
      await world.kernel.delay(seconds(2));
    });
    expect(atB.map((r) => r.at)).toEqual([seconds(1)]);
    expect(atA.map((r) => r.at)).toEqual([seconds(1)]);
  });

  it('unclogging releases held messages at once', async () => {
    const { world, a, b, c, net } = setup();
    const atB = inbox(world, b);
    const atC = inbox(world, c);
    await world.kernel.run(async () => {
      net.clogInterface(IP_A, seconds(10), 'send');
      net.clogPair(IP_C, IP_B, seconds(10));
      net.send(a, b.address, 'ep', 1);
      net.send(a, c.address, 'ep', 2);
      net.send(c, b.address, 'ep', 3);
      await world.kernel.delay(seconds(1.25));
      net.unclogInterface(IP_A);
      await world.kernel.delay(seconds(1));
      net.unclogPair(IP_C, IP_B);
      await world.kernel.delay(seconds(1));
    });
    expect(atB).toEqual([
      { value: 1, at: seconds(1.25), from: expect.any(String) },
      { value: 3, at: seconds(2.25), from: expect.any(String) },
    ]);
    expect(atC.map((r) => r.at)).toEqual([seconds(1.25)]);
    expect(net.activeClogs()).toEqual([]);
  });

  it('unclogAll ends every clog, and an unclog leaves other clogs on the path in force', async () => {
    const { world, a, b, c, net } = setup();
    const atB = inbox(world, b);
    const atC = inbox(world, c);
    await world.kernel.run(async () => {
      net.clogInterface(IP_B, seconds(5), 'receive');
      net.clogPair(IP_A, IP_B, seconds(3));
      net.clogPair(IP_A, IP_C, seconds(8));
      net.send(a, b.address, 'ep', 1);
      await world.kernel.delay(seconds(0.5));
      net.unclogPair(IP_A, IP_B);
      expect(net.activeClogs()).toEqual([
        { kind: 'interface', ip: IP_B, queue: 'receive', until: seconds(5) },
        { kind: 'pair', from: IP_A, to: IP_C, until: seconds(8) },
      ]);
      net.send(a, c.address, 'ep', 2);
      await world.kernel.delay(seconds(1.5));
      net.unclogAll();
      expect(net.activeClogs()).toEqual([]);
      await world.kernel.delay(seconds(1));
    });
    // Still held by the receive clog after the pair unclog, then released by unclogAll.
    expect(atB.map((r) => r.at)).toEqual([seconds(2)]);
    expect(atC.map((r) => r.at)).toEqual([seconds(2)]);
  });

  it('overlapping clogs extend to the latest end', async () => {
    const { world, a, b, c, net } = setup();
    const atB = inbox(world, b);
    const atC = inbox(world, c);
    await world.kernel.run(async () => {
      net.clogInterface(IP_B, seconds(2), 'receive');
      net.clogPair(IP_A, IP_B, seconds(5));
      net.clogInterface(IP_B, seconds(3), 'all');
      net.clogInterface(IP_C, seconds(4), 'receive');
      net.clogInterface(IP_C, seconds(1), 'receive');
      net.send(a, b.address, 'ep', 1);
      net.send(a, c.address, 'ep', 2);
      // A clog added while the message is held pushes its release further out.
      await world.kernel.delay(seconds(3.5));
      net.clogInterface(IP_C, seconds(6.5), 'all');
      await world.kernel.delay(seconds(4));
    });
    expect(atB.map((r) => r.at)).toEqual([seconds(5)]);
    expect(atC.map((r) => r.at)).toEqual([seconds(6.5)]);
  });

  it('messages behind a held message wait for it and keep their order', async () => {
    const { world, a, b, net } = setup();
    const got = inbox(world, b);
    await world.kernel.run(async () => {
      net.send(a, b.address, 'ep', 0);
      await world.kernel.delay(50);
      net.clogPair(IP_A, IP_B, world.now() + seconds(1));
      for (let i = 1; i < 50; i++) {
        net.send(a, b.address, 'ep', i);
        await world.kernel.delay(millis(30));
      }
      await world.kernel.delay(seconds(2));
    });
    expect(got.map((r) => r.value)).toEqual([...Array(50).keys()]);
    const held = got.filter((r) => r.at === seconds(1) + 50);
    expect(held.length).toBeGreaterThan(30);
    for (let i = 1; i < got.length; i++) expect(got[i]!.at).toBeGreaterThanOrEqual(got[i - 1]!.at);
    expect(net.stats.delayedByClog).toBe(held.length);
  });

  it('does not clog stable (same-machine) connections', async () => {
    const { world, a, a2, b, net } = setup();
    const atA2 = inbox(world, a2);
    const atB = inbox(world, b);
    await world.kernel.run(async () => {
      net.clogInterface(IP_A, seconds(10), 'all');
      net.clogPair(IP_A, IP_A, seconds(10));
      net.disconnectPair(IP_A, IP_A, seconds(10));
      net.connectionFailuresEnabled = true;
      net.connectionFailureProbability = 1;
      for (let i = 0; i < 200; i++) {
        net.send(a, a2.address, 'ep', world.now());
        await world.kernel.delay(millis(1));
      }
      net.connectionFailureProbability = 0;
      net.send(a, b.address, 'ep', 1);
      await world.kernel.delay(seconds(11));
    });
    expect(atA2).toHaveLength(200);
    // 1/10 of the latency: a fast same-machine message takes at most ~80 µs, a slow one at most ~10 ms.
    const latencies = atA2.map((r) => r.at - r.value).sort((x, y) => x - y);
    expect(latencies[0]!).toBeGreaterThanOrEqual(MIN_NETWORK_LATENCY / 10);
    expect(latencies[190]!).toBeLessThanOrEqual(FAST_MAX / 10);
    expect(latencies[199]!).toBeLessThanOrEqual(SLOW_NETWORK_LATENCY / 10);
    expect(atB.map((r) => r.at)).toEqual([seconds(10)]);
    expect(net.stats.connectionFailures).toBe(0);
  });
});

describe('network disconnects and connection failures', () => {
  it('a disconnect drops messages in flight and sent in either direction; reconnect restores', async () => {
    const { world, a, a2, b, c, net } = setup();
    const atB = inbox(world, b);
    const atA = inbox(world, a);
    const atC = inbox(world, c);
    await world.kernel.run(async () => {
      net.send(a, b.address, 'ep', 1);
      net.send(b, a.address, 'ep', 2);
      net.disconnectPair(IP_A, IP_B, seconds(10));
      expect(net.isDisconnected(IP_B, IP_A)).toBe(true);
      net.send(a2, b.address, 'ep', 3);
      net.send(b, a.address, 'ep', 4);
      net.send(a, c.address, 'ep', 5);
      await world.kernel.delay(seconds(1));
      net.reconnectPair(IP_B, IP_A);
      expect(net.isDisconnected(IP_A, IP_B)).toBe(false);
      net.send(a, b.address, 'ep', 6);
      net.send(b, a.address, 'ep', 7);
      await world.kernel.delay(seconds(1));
      // A disconnect that runs out ends by itself.
      net.disconnectPair(IP_A, IP_B, world.now() + seconds(1));
      net.send(a, b.address, 'ep', 8);
      await world.kernel.delay(seconds(1));
      net.send(a, b.address, 'ep', 9);
      await world.kernel.delay(seconds(1));
    });
    expect(atB.map((r) => r.value)).toEqual([6, 9]);
    expect(atA.map((r) => r.value)).toEqual([7]);
    expect(atC.map((r) => r.value)).toEqual([5]);
    expect(net.stats).toMatchObject({ sent: 9, delivered: 4, dropped: 5 });
  });

  it('loses data in flight when a disconnect begins, even if reconnected before it would arrive', async () => {
    const { world, a, b, net } = setup();
    const atB = inbox(world, b);
    const atA = inbox(world, a);
    await world.kernel.run(async () => {
      net.send(a, b.address, 'ep', 1);
      net.send(b, a.address, 'ep', 2);
      net.disconnectPair(IP_A, IP_B, seconds(10));
      net.reconnectPair(IP_A, IP_B);
      net.send(a, b.address, 'ep', 3);
      await world.kernel.delay(seconds(1));
    });
    expect(atB.map((r) => r.value)).toEqual([3]);
    expect(atA).toEqual([]);
    expect(net.stats.dropped).toBe(2);
  });

  it('a disconnect also loses messages held by a clog', async () => {
    const { world, a, b, net } = setup();
    const got = inbox(world, b);
    await world.kernel.run(async () => {
      net.clogInterface(IP_B, seconds(5), 'receive');
      net.send(a, b.address, 'ep', 1);
      await world.kernel.delay(seconds(1));
      net.disconnectPair(IP_B, IP_A, seconds(2));
      await world.kernel.delay(seconds(5));
    });
    expect(got).toEqual([]);
    expect(net.stats.dropped).toBe(1);
  });

  it('a random connection failure drops what is in flight on the process pair, both directions', async () => {
    const { world, events, a, a2, b, net } = setup();
    const atB = inbox(world, b);
    const atA = inbox(world, a);
    await world.kernel.run(async () => {
      net.connectionFailuresEnabled = true;
      net.connectionFailureProbability = 0;
      net.send(a, b.address, 'ep', 1);
      net.send(b, a.address, 'ep', 2);
      net.send(a2, b.address, 'ep', 3);
      net.connectionFailureProbability = 1;
      net.send(a, b.address, 'ep', 4);
      expect(net.inFlight()).toBe(1);
      await world.kernel.delay(seconds(1));
    });
    expect(atB.map((r) => r.value)).toEqual([3]);
    expect(atA).toEqual([]);
    expect(net.stats).toMatchObject({ connectionFailures: 1, dropped: 3 });
    expect(ofType(events, 'ConnectionFailure').map((e) => [e.machine, e.details])).toEqual([
      [a.address, { MyAddr: a.address, PeerAddr: b.address, SendClosed: 1, RecvClosed: 1, Explicit: 0 }],
    ]);
  });

  it('random failures respect connectionFailuresDisableDuration and connectionFailuresEnabled', async () => {
    const { world, a, b, net } = setup();
    const got = inbox(world, b);
    await world.kernel.run(async () => {
      net.connectionFailuresEnabled = true;
      net.connectionFailureProbability = 1;
      net.connectionFailuresDisableDuration = 10;
      // The run start counts as the previous failure, as in FoundationDB.
      net.send(a, b.address, 'ep', 1);
      await world.kernel.delay(seconds(10));
      net.send(a, b.address, 'ep', 2); // fails
      await world.kernel.delay(seconds(5));
      net.send(a, b.address, 'ep', 3);
      await world.kernel.delay(seconds(5));
      net.send(a, b.address, 'ep', 4); // fails
      net.send(a, b.address, 'ep', 5);
      net.connectionFailuresDisableDuration = 0;
      net.connectionFailuresEnabled = false;
      net.send(a, b.address, 'ep', 6);
      await world.kernel.delay(seconds(1));
    });
    expect(got.map((r) => r.value)).toEqual([1, 3, 5, 6]);
    expect(net.stats.connectionFailures).toBe(2);
  });
});

describe('network speed-up mode', () => {
  it('ignores clogs, disconnects and random failures', async () => {
    const { world, a, b, net } = setup();
    const got = inbox(world, b);
    await world.kernel.run(async () => {
      world.speedUp = true;
      net.clogInterface(IP_B, seconds(10), 'all');
      net.clogPair(IP_A, IP_B, seconds(10));
      net.disconnectPair(IP_A, IP_B, seconds(10));
      net.connectionFailuresEnabled = true;
      net.connectionFailureProbability = 1;
      for (let i = 0; i < 100; i++) net.send(a, b.address, 'ep', i);
      await world.kernel.delay(seconds(1));
    });
    expect(got.map((r) => r.value)).toEqual([...Array(100).keys()]);
    for (const r of got) expect(r.at).toBeLessThanOrEqual(FAST_NETWORK_LATENCY);
    expect(net.stats).toMatchObject({ delayedByClog: 0, dropped: 0, connectionFailures: 0 });
  });

  it('releases held messages when speed-up begins: at their next check, or at once via speedUpStarted', async () => {
    const { world, a, b, c, net } = setup();
    const atB = inbox(world, b);
    const atC = inbox(world, c);
    await world.kernel.run(async () => {
      net.clogInterface(IP_B, seconds(10), 'receive');
      net.clogInterface(IP_C, seconds(10), 'receive');
      net.send(a, b.address, 'ep', 1);
      await world.kernel.delay(seconds(0.5));
      world.speedUp = true;
      await world.kernel.delay(seconds(1));
      world.speedUp = false;
      net.send(a, c.address, 'ep', 2);
      await world.kernel.delay(seconds(2));
      world.speedUp = true;
      net.speedUpStarted();
      await world.kernel.delay(seconds(1));
    });
    expect(atB).toHaveLength(1);
    expect(atB[0]!.at).toBeGreaterThan(seconds(0.5));
    expect(atB[0]!.at).toBeLessThanOrEqual(HELD_RECHECK_INTERVAL + FAST_MAX);
    expect(atC.map((r) => r.at)).toEqual([seconds(3.5)]);
  });
});

describe('network BUGGIFY pair latency', () => {
  /** The first seed from 1 whose BUGGIFY activates the pair-latency site. */
  function seedWithPairLatency(): number {
    for (let seed = 1; ; seed++) {
      if (setup(seed, true).world.buggify.isActive(PAIR_LATENCY_SITE)) return seed;
    }
  }

  it('gives each ordered IP pair a permanent extra latency up to MAX_CLOGGING_LATENCY, except in speed-up', async () => {
    const { world, a, a2, b, net } = setup(seedWithPairLatency(), true);
    const atB = inbox(world, b);
    const atA = inbox(world, a);
    const atA2 = inbox(world, a2);
    let extra = 0;
    await world.kernel.run(async () => {
      net.send(a, b.address, 'ep', 0);
      net.send(b, a.address, 'ep', 0);
      net.send(a, a2.address, 'ep', 0);
      extra = net.pairLatency(IP_A, IP_B);
      expect(extra).toBeGreaterThan(0);
      expect(extra).toBeLessThanOrEqual(MAX_CLOGGING_LATENCY);
      expect(net.pairLatency(IP_B, IP_A)).not.toBe(extra);
      expect(net.pairLatency(IP_A, IP_A)).toBe(0);
      for (let i = 1; i < 50; i++) {
        const t = world.now();
        net.send(a, b.address, 'ep', t);
        await world.kernel.delay(millis(3));
      }
      await world.kernel.delay(seconds(1));
      world.speedUp = true;
      net.send(a, b.address, 'ep', world.now());
      await world.kernel.delay(seconds(1));
    });
    expect(net.pairLatency(IP_A, IP_B)).toBe(extra);
    const normal = atB.slice(1, 50);
    for (const r of normal) expect(r.at - r.value).toBeGreaterThanOrEqual(extra + MIN_NETWORK_LATENCY);
    const sped = atB[50]!;
    expect(sped.at - sped.value).toBeLessThanOrEqual(FAST_NETWORK_LATENCY);
    expect(atA).toHaveLength(1);
    expect(atA2[0]!.at).toBeLessThan(millis(20));
  });

  it('adds no pair latency without BUGGIFY', async () => {
    const { world, a, b, net } = setup(seedWithPairLatency(), false);
    await world.kernel.run(async () => {
      net.send(a, b.address, 'ep', 0);
      await world.kernel.delay(seconds(1));
    });
    expect(net.pairLatency(IP_A, IP_B)).toBe(0);
  });
});

describe('network traces', () => {
  it('traces clogs, unclogs, disconnects and reconnects with FoundationDB fields, and ClogEnded', async () => {
    const { world, events, net } = setup();
    await world.kernel.run(async () => {
      await world.kernel.delay(seconds(1));
      net.clogInterface(IP_A, seconds(3), 'send');
      net.clogInterface(IP_B, seconds(1.5), 'receive');
      net.clogInterface(IP_C, seconds(11), 'all');
      net.clogPair(IP_A, IP_B, seconds(2.25));
      await world.kernel.delay(seconds(0.5));
      net.unclogPair(IP_A, IP_B);
      net.unclogPair(IP_B, IP_C); // nothing in force: no ClogEnded
      net.unclogInterface(IP_C);
      net.unclogInterface(IP_B); // already run out: no ClogEnded
      net.disconnectPair(IP_A, IP_C, seconds(5));
      net.reconnectPair(IP_A, IP_C);
      net.clogPair(IP_C, IP_A, seconds(4));
      net.unclogAll();
    });
    const pick = (e: TraceEvent) => [e.time, e.type, e.details];
    const network = events.filter((e) => e.type !== 'BuggifySection').map(pick);
    expect(network).toEqual([
      [seconds(1), 'ClogInterface', { IP: IP_A, Delay: 2, Queue: 'Send' }],
      [seconds(1), 'ClogInterface', { IP: IP_B, Delay: 0.5, Queue: 'Receive' }],
      [seconds(1), 'ClogInterface', { IP: IP_C, Delay: 10, Queue: 'All' }],
      [seconds(1), 'CloggingPair', { From: IP_A, To: IP_B, Seconds: 1.25 }],
      [seconds(1.5), 'UncloggingPair', { From: IP_A, To: IP_B }],
      [seconds(1.5), 'ClogEnded', { Kind: 'Pair', From: IP_A, To: IP_B, Remaining: 0.75 }],
      [seconds(1.5), 'UncloggingPair', { From: IP_B, To: IP_C }],
      [seconds(1.5), 'ClogEnded', { Kind: 'Interface', IP: IP_C, Queue: 'Send', Remaining: 9.5 }],
      [seconds(1.5), 'ClogEnded', { Kind: 'Interface', IP: IP_C, Queue: 'Receive', Remaining: 9.5 }],
      [seconds(1.5), 'DisconnectPair', { From: IP_A, To: IP_C, Seconds: 3.5 }],
      [seconds(1.5), 'ReconnectPair', { From: IP_A, To: IP_C }],
      [seconds(1.5), 'CloggingPair', { From: IP_C, To: IP_A, Seconds: 2.5 }],
      [seconds(1.5), 'ClogEnded', { Kind: 'Interface', IP: IP_A, Queue: 'Send', Remaining: 1.5 }],
      [seconds(1.5), 'UncloggingPair', { From: IP_C, To: IP_A }],
      [seconds(1.5), 'ClogEnded', { Kind: 'Pair', From: IP_C, To: IP_A, Remaining: 2.5 }],
    ]);
  });
});

describe('network determinism', () => {
  async function deliveryTimes(seed: number): Promise<Time[]> {
    const { world, a, a2, b, c, net } = setup(seed);
    const times: Time[] = [];
    for (const p of [a, a2, b, c]) p.listen('ep', () => times.push(world.now()));
    await world.kernel.run(async () => {
      const procs = [a, a2, b, c];
      for (let i = 0; i < 500; i++) {
        const from = world.random.pick(procs);
        const to = world.random.pick(procs);
        net.send(from, to.address, 'ep', i);
        if (i === 200) net.clogInterface(IP_B, world.now() + seconds(0.3), 'all');
        if (i === 300) net.clogPair(IP_C, IP_A, world.now() + seconds(0.2));
        await world.kernel.delay(world.random.int(0, 500));
      }
      await world.kernel.delay(seconds(1));
    });
    return times;
  }

  it('the same seed gives identical delivery times, a different seed different ones', async () => {
    const first = await deliveryTimes(42);
    const again = await deliveryTimes(42);
    const other = await deliveryTimes(43);
    expect(first).toHaveLength(500);
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });
});
