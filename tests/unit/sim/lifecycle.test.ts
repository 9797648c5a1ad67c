// Machine and process lifecycle: FoundationDB's kill types, reboot timings, disk swaps, and the
// kill-safety policy (speed-up refusals, protected addresses, rebooting machines, canSurvive, testers).
import { describe, expect, it } from 'vitest';
import { seconds, type Time } from '../../../src/core/time.js';
import type { ProcessClass, SimMachine, SimProcess } from '../../../src/sim/process.js';
import { World } from '../../../src/sim/world.js';
import type { TraceEvent, TraceSink } from '../../../src/trace/event.js';
import { killTypeNumber } from '../../../src/trace/kill-types.js';

class Sink implements TraceSink {
  readonly events: TraceEvent[] = [];
  emit(e: TraceEvent): void {
    this.events.push(e);
  }
  ofType(type: string): TraceEvent[] {
    return this.events.filter((e) => e.type === type);
  }
}

interface Setup {
  world: World;
  sink: Sink;
  machines: SimMachine[];
}

/** `perDc` machines with `procs` processes in each of `dcs` datacenters, plus one tester machine; all booted. */
function setup(
  seed: number,
  opts: { dcs?: number; perDc?: number; procs?: number; buggify?: boolean } = {},
): Setup {
  const sink = new Sink();
  const world = new World({ seed, buggify: opts.buggify ?? false, sink, knobs: [] });
  const machines: SimMachine[] = [];
  for (let dc = 0; dc < (opts.dcs ?? 1); dc++) {
    for (let i = 1; i <= (opts.perDc ?? 3); i++) {
      const id = `m${dc}${i}`;
      const locality = { dcId: String(dc), dataHall: String(dc), zoneId: `z${dc}${i}`, machineId: id };
      machines.push(world.addMachine(locality, `2.${dc}.1.${i}`, opts.procs ?? 1, 'storage'));
    }
  }
  const tester = world.addMachine(
    { dcId: '0', dataHall: '0', zoneId: 'zt', machineId: 'tester' },
    '3.4.3.1',
    1,
    'test' as ProcessClass,
  );
  for (const m of [...machines, tester]) world.lifecycle.bootMachine(m);
  return { world, sink, machines };
}

function proc(m: SimMachine | undefined, i = 0): SimProcess {
  return m!.processes[i]!;
}

function tester(world: World): SimProcess {
  return world.process('3.4.3.1:1')!;
}

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

async function writeSynced(world: World, p: SimProcess, name: string, value: string): Promise<void> {
  const f = world.open(p, name);
  await f.write(0, bytes(value));
  await f.sync();
}

/** Records when each process comes back up. */
function upTimes(world: World): Map<SimProcess, Time> {
  const ups = new Map<SimProcess, Time>();
  world.lifecycle.onProcessUp((p) => ups.set(p, world.now()));
  return ups;
}

describe('reboots', () => {
  it('Reboot keeps synced data and follows FoundationDB timings: down [0,10) s, then 4-5 s per process', async () => {
    for (let seed = 1; seed <= 15; seed++) {
      const { world, sink, machines } = setup(seed, { procs: 2 });
      const m = machines[0]!;
      const ups = upTimes(world);
      const downs: SimProcess[] = [];
      world.lifecycle.onProcessDown((p, kt) => {
        expect(kt).toBe('Reboot');
        downs.push(p);
      });
      const out = await world.kernel.run(async () => {
        await writeSynced(world, proc(m, 0), 'data', `seed ${seed}`);
        const folder = proc(m, 0).folder;
        const t0 = world.now();
        expect(world.lifecycle.killMachine(m, 'Reboot', { forced: true })).toBe('Reboot');
        expect(downs).toEqual(m.processes);
        expect(m.processes.every((p) => !p.alive)).toBe(true);
        expect(world.lifecycle.machinesRebooting()).toEqual([m]);
        await world.kernel.delay(seconds(20));
        for (const p of m.processes) {
          const dt = ups.get(p)! - t0;
          expect(dt).toBeGreaterThanOrEqual(seconds(4));
          expect(dt).toBeLessThan(seconds(15));
          expect(p.alive).toBe(true);
        }
        expect(m.rebooting).toBe(false);
        expect(world.lifecycle.machinesRebooting()).toEqual([]);
        expect(proc(m, 0).folder).toBe(folder);
        expect(text(await world.open(proc(m, 0), 'data').read(0, 100))).toBe(`seed ${seed}`);
      });
      expect(out.kind).toBe('finished');
      const shutdown = sink.ofType('SimulatedMachineShutdown')[0]!.details;
      expect(shutdown.KillType).toBe(killTypeNumber('Reboot'));
      expect(shutdown.RebootTime).toBeGreaterThanOrEqual(0);
      expect(shutdown.RebootTime).toBeLessThan(10);
      const waits = sink.ofType('SimulatedFDBDPreWait').map((e) => e.details.WaitTime as number);
      expect(waits).toHaveLength(2);
      for (const w of waits) expect(w >= 4 && w <= 5).toBe(true);
      const starts = sink.ofType('SimulatedMachineStart').filter((e) => e.details.MachineIPs === m.ip);
      expect(starts.map((e) => e.details.BootCount)).toEqual([0, 1]);
      expect(sink.ofType('RebootingProcess')).toHaveLength(2);
    }
  });

  it('RebootProcess restarts one process after 4-5 s, keeping its data; its machine-mates keep running', async () => {
    for (let seed = 1; seed <= 10; seed++) {
      const { world, sink, machines } = setup(seed, { procs: 2 });
      const m = machines[0]!;
      const ups = upTimes(world);
      await world.kernel.run(async () => {
        await writeSynced(world, proc(m, 0), 'data', 'kept');
        const t0 = world.now();
        expect(world.lifecycle.rebootProcess(proc(m, 0))).toBe('RebootProcess');
        expect(proc(m, 0).alive).toBe(false);
        expect(proc(m, 1).alive).toBe(true);
        await world.kernel.delay(seconds(10));
        const dt = ups.get(proc(m, 0))! - t0;
        expect(dt >= seconds(4) && dt <= seconds(5)).toBe(true);
        expect(text(await world.open(proc(m, 0), 'data').read(0, 10))).toBe('kept');
      });
      expect(sink.ofType('KillMachineProcess')).toEqual([]); // as in FoundationDB
    }
  });

  it('RebootAndDelete comes back with empty folders and counts as dead until rebuilt', async () => {
    const { world, sink, machines } = setup(3, { procs: 2 });
    const m = machines[0]!;
    await world.kernel.run(async () => {
      await writeSynced(world, proc(m, 0), 'data', 'gone');
      const before = m.processes.map((p) => p.folder);
      expect(world.lifecycle.killMachine(m, 'RebootAndDelete', { forced: true })).toBe('RebootAndDelete');
      await world.kernel.delay(seconds(20));
      for (const [i, p] of m.processes.entries()) {
        expect(p.alive).toBe(true);
        expect(p.folder).not.toBe(before[i]);
        expect(p.folder.files.size).toBe(0);
      }
      expect((await world.open(proc(m, 0), 'data').read(0, 10)).length).toBe(0);
      expect(world.lifecycle.deadProcesses()).toEqual(m.processes);
      world.lifecycle.markRebuilt(proc(m, 0));
      expect(world.lifecycle.deadProcesses()).toEqual([proc(m, 1)]);
    });
    expect(sink.ofType('SimulatedMachineShutdown')[0]?.details.KillType).toBe(
      killTypeNumber('RebootAndDelete'),
    );
  });

  it('RebootProcessAndDelete empties one process', async () => {
    const { world, machines } = setup(4, { procs: 2 });
    const m = machines[0]!;
    await world.kernel.run(async () => {
      await writeSynced(world, proc(m, 0), 'data', 'gone');
      await writeSynced(world, proc(m, 1), 'data', 'stays');
      expect(world.lifecycle.rebootProcess(proc(m, 0), { deleteData: true })).toBe('RebootProcessAndDelete');
      await world.kernel.delay(seconds(6));
      expect(proc(m, 0).folder.files.size).toBe(0);
      expect(text(await world.open(proc(m, 1), 'data').read(0, 10))).toBe('stays');
    });
  });

  it('under BUGGIFY, some reboots swap folders with another rebooted machine of the same datacenter', async () => {
    let swaps = 0;
    for (let seed = 1; seed <= 120 && swaps < 3; seed++) {
      const { world, sink, machines } = setup(seed, { perDc: 2, buggify: true });
      const [a, b] = [proc(machines[0]), proc(machines[1])];
      const folders = [a.folder, b.folder];
      await world.kernel.run(async () => {
        await writeSynced(world, a, 'data', 'from a');
        await writeSynced(world, b, 'data', 'from b');
        world.lifecycle.killMachine(machines[0]!, 'Reboot', { forced: true });
        world.lifecycle.killMachine(machines[1]!, 'Reboot', { forced: true });
        await world.kernel.delay(seconds(20));
        const swapEvents = sink.ofType('SimulatedMachineFolderSwap');
        if (swapEvents.length === 0) {
          expect([a.folder, b.folder]).toEqual(folders);
          return;
        }
        swaps++;
        expect(sink.ofType('SimulatedMachineShutdown').some((e) => e.details.Swap === true)).toBe(true);
        // Every folder is still used exactly once, and data follows its folder.
        expect(new Set([a.folder, b.folder])).toEqual(new Set(folders));
        const swapped = swapEvents.length % 2 === 1;
        expect(a.folder).toBe(swapped ? folders[1] : folders[0]);
        expect(text(await world.open(a, 'data').read(0, 10))).toBe(swapped ? 'from b' : 'from a');
        expect(text(await world.open(b, 'data').read(0, 10))).toBe(swapped ? 'from a' : 'from b');
      });
    }
    expect(swaps).toBeGreaterThan(0);
  });
});

describe('kill types', () => {
  it('KillInstantly: processes never come back, traced FailMachine, KillMachine and KillMachineProcess', async () => {
    const { world, sink, machines } = setup(5, { procs: 2 });
    const m = machines[0]!;
    const downs: string[] = [];
    world.lifecycle.onProcessDown((p, kt) => downs.push(`${p.address}:${kt}`));
    await world.kernel.run(async () => {
      expect(world.lifecycle.killMachine(m, 'KillInstantly', { forced: true })).toBe('KillInstantly');
      await world.kernel.delay(seconds(100));
    });
    expect(m.processes.every((p) => p.failed && !p.alive)).toBe(true);
    expect(downs).toEqual(['2.0.1.1:1:KillInstantly', '2.0.1.1:2:KillInstantly']);
    expect(world.lifecycle.deadProcesses()).toEqual(m.processes);
    expect(sink.ofType('FailMachine').map((e) => [e.severity, e.details.Address])).toEqual([
      [20, '2.0.1.1:1'],
      [20, '2.0.1.1:2'],
    ]);
    expect(sink.ofType('KillMachine')[0]?.details).toMatchObject({
      MachineId: 'm01',
      Kt: 0,
      KtOrig: 0,
      KillChanged: false,
    });
    const kmp = sink.ofType('KillMachineProcess');
    expect(kmp).toHaveLength(2);
    expect(kmp[0]?.details.KillType).toBe(0);
    expect(kmp[0]?.details.Process).toMatch(/address: 2\.0\.1\.1:1 zone: z01/);
    // Nothing is left to kill.
    expect(world.lifecycle.killMachine(m, 'Reboot', { forced: true })).toBe('None');
    expect(sink.ofType('AbortedKill').at(-1)?.details.Reason).toMatch(/no processes running/);
  });

  it("a killed process's pending timers, futures, tasks and disk I/O never run, even after it reboots", async () => {
    for (const kt of ['KillInstantly', 'Reboot'] as const) {
      const { world, machines } = setup(6);
      const p = proc(machines[0]);
      const fired: string[] = [];
      let downCalled = 0;
      const out = await world.kernel.run(async () => {
        const f = world.open(p, 'data');
        p.whenDown(() => downCalled++);
        p.after(seconds(1), () => fired.push('after 1s'));
        p.after(seconds(30), () => fired.push('after 30s'));
        p.delay(seconds(2)).then(() => fired.push('delay'));
        p.future<number>('reply').promise.then(() => fired.push('future'));
        p.spawn('worker', async () => {
          await p.delay(seconds(3));
          fired.push('task');
        });
        f.sync().then(() => fired.push('sync'));
        expect(world.lifecycle.killMachine(p.machine, kt, { forced: true })).toBe(kt);
        await world.kernel.delay(seconds(60));
      });
      expect(out.kind).toBe('finished');
      expect(fired).toEqual([]);
      expect(downCalled).toBe(1);
      expect(p.alive).toBe(kt === 'Reboot');
    }
  });

  it('InjectFaults keeps the processes running with fault injection armed, traced FaultMachine', async () => {
    const { world, sink, machines } = setup(7, { procs: 2 });
    const m = machines[0]!;
    expect(world.lifecycle.killMachine(m, 'InjectFaults', { forced: true })).toBe('InjectFaults');
    expect(m.processes.every((p) => p.alive && p.faultInjection)).toBe(true);
    expect(sink.ofType('FaultMachine').map((e) => e.severity)).toEqual([20, 20]);
    expect(world.lifecycle.deadProcesses()).toEqual(m.processes);
  });
});

describe('kill-safety policy', () => {
  it('speed-up mode refuses unforced kills; forced kills still happen', async () => {
    const { world, sink, machines } = setup(8);
    world.speedUp = true;
    expect(world.lifecycle.killMachine(machines[0]!, 'KillInstantly')).toBe('None');
    expect(world.lifecycle.killProcess(proc(machines[1]), 'KillInstantly')).toBe('None');
    expect(world.lifecycle.rebootProcess(proc(machines[1]))).toBe('None');
    expect(world.lifecycle.killDatacenter('0', 'Reboot')).toBe('None');
    const reasons = sink.ofType('AbortedKill').map((e) => e.details.Reason);
    expect(reasons).toEqual(Array(4).fill('Unforced kill within speedy simulation'));
    expect(machines.every((m) => proc(m).alive)).toBe(true);
    expect(world.lifecycle.killMachine(machines[0]!, 'KillInstantly', { forced: true })).toBe(
      'KillInstantly',
    );
    expect(proc(machines[0]).failed).toBe(true);
  });

  it('a machine holding a protected address is only rebooted, even when forced, with the reason traced', async () => {
    const { world, sink, machines } = setup(9, { procs: 2 });
    const m = machines[0]!;
    world.lifecycle.protectedAddresses.add(proc(m, 1).address);
    await world.kernel.run(async () => {
      await writeSynced(world, proc(m, 0), 'data', 'safe');
      expect(world.lifecycle.killMachine(m, 'KillInstantly', { forced: true })).toBe('Reboot');
      await world.kernel.delay(seconds(20));
      expect(text(await world.open(proc(m, 0), 'data').read(0, 10))).toBe('safe');
    });
    expect(m.processes.every((p) => p.alive && !p.failed)).toBe(true);
    const changed = sink.ofType('KillChanged')[0]!;
    expect(changed.details).toMatchObject({
      MachineId: 'm01',
      KillType: killTypeNumber('KillInstantly'),
      NewKillType: killTypeNumber('Reboot'),
      Reason: 'Machine has a protected process',
      ProcessAddress: proc(m, 1).address,
    });
    expect(sink.ofType('KillMachine')[0]?.details).toMatchObject({ Kt: 6, KtOrig: 0, KillChanged: true });
    // Single-process requests: killProcess refuses a protected process, rebootProcess keeps its data.
    expect(world.lifecycle.killProcess(proc(m, 1), 'KillInstantly', { forced: true })).toBe('None');
    expect(sink.ofType('AbortedKill').at(-1)?.details.Reason).toBe('Protected process');
    expect(world.lifecycle.rebootProcess(proc(m, 1), { deleteData: true, forced: true })).toBe(
      'RebootProcess',
    );
    expect(sink.ofType('RebootChanged')[0]?.details.Reason).toBe('Protected process');
  });

  it("a coordinator's data is never wiped: RebootAndDelete keeps it, while killing it for good stays allowed", async () => {
    // A coordinator that forgot what it accepted would answer the next recovery's read with an empty
    // register, and that read's quorum could miss the newest coordinated state (swarm seed 16025).
    const { world, sink, machines } = setup(9, { procs: 2 });
    const [m, other] = [machines[0]!, machines[1]!];
    world.lifecycle.keepDataAddresses.add(proc(m, 0).address);
    world.lifecycle.keepDataAddresses.add(proc(other, 0).address);
    await world.kernel.run(async () => {
      await writeSynced(world, proc(m, 0), 'coordination', 'accepted');
      expect(world.lifecycle.killMachine(m, 'RebootAndDelete', { forced: true })).toBe('Reboot');
      await world.kernel.delay(seconds(20));
      expect(text(await world.open(proc(m, 0), 'coordination').read(0, 10))).toBe('accepted');
      expect(world.lifecycle.rebootProcess(proc(m, 0), { deleteData: true, forced: true })).toBe(
        'RebootProcess',
      );
      expect(world.lifecycle.killMachine(other, 'KillInstantly', { forced: true })).toBe('KillInstantly');
    });
    expect(sink.ofType('KillChanged')[0]?.details).toMatchObject({
      KillType: killTypeNumber('RebootAndDelete'),
      NewKillType: killTypeNumber('Reboot'),
      Reason: 'Machine has a coordinator',
      ProcessAddress: proc(m, 0).address,
    });
    expect(sink.ofType('RebootChanged').at(-1)?.details.Reason).toBe('Coordinator process');
    expect(other.processes.every((p) => p.failed)).toBe(true);
  });

  it('a machine with processes already rebooting is refused', () => {
    const { world, sink, machines } = setup(10, { procs: 2 });
    const m = machines[0]!;
    expect(world.lifecycle.rebootProcess(proc(m, 0))).toBe('RebootProcess');
    expect(world.lifecycle.killMachine(m, 'KillInstantly', { forced: true })).toBe('None');
    expect(sink.ofType('AbortedKill').at(-1)?.details.Reason).toBe('Machine has processes already rebooting');
    expect(proc(m, 1).alive).toBe(true);
    expect(world.lifecycle.rebootProcess(proc(m, 0), { forced: true })).toBe('None');
  });

  it('canSurvive=false downgrades a destructive machine kill to Reboot; forced kills skip the check', async () => {
    const { world, sink, machines } = setup(11, { procs: 2 });
    const asked: string[][] = [];
    world.lifecycle.canSurvive = (dead) => {
      asked.push(dead.map((p) => p.address));
      return { ok: false, reason: 'Storage team would lose its last replica' };
    };
    // One process is already dead: the hook must see it together with the victims.
    expect(world.lifecycle.killProcess(proc(machines[2]), 'KillInstantly', { forced: true })).toBe(
      'KillInstantly',
    );
    expect(asked).toEqual([]);

    await world.kernel.run(async () => {
      expect(world.lifecycle.killMachine(machines[0]!, 'RebootAndDelete')).toBe('Reboot');
      await world.kernel.delay(seconds(20));
    });
    expect(asked).toEqual([['2.0.1.1:1', '2.0.1.1:2', '2.0.1.3:1']]);
    expect(world.lifecycle.deadProcesses().map((p) => p.address)).toEqual(['2.0.1.3:1']);
    expect(sink.ofType('KillChanged')[0]?.details).toMatchObject({
      KillType: killTypeNumber('RebootAndDelete'),
      NewKillType: killTypeNumber('Reboot'),
      Reason: 'Storage team would lose its last replica',
    });
    // Non-destructive kinds never ask.
    asked.length = 0;
    expect(world.lifecycle.killMachine(machines[0]!, 'Reboot')).toBe('Reboot');
    expect(asked).toEqual([]);
    // Single process: downgraded to a process reboot.
    expect(world.lifecycle.killProcess(proc(machines[1], 0), 'InjectFaults')).toBe('RebootProcess');
    expect(proc(machines[1], 0).faultInjection).toBe(false);
    expect(world.lifecycle.rebootProcess(proc(machines[1], 1), { deleteData: true })).toBe('RebootProcess');
    // Forced: applied as asked.
    asked.length = 0;
    expect(world.lifecycle.killMachine(machines[2]!, 'KillInstantly', { forced: true })).toBe(
      'KillInstantly',
    );
    expect(asked).toEqual([]);
  });

  it('killProcess refuses reboot kill types', () => {
    const { world, sink, machines } = setup(12);
    for (const kt of ['Reboot', 'RebootProcess', 'RebootAndDelete', 'RebootProcessAndDelete'] as const) {
      expect(world.lifecycle.killProcess(proc(machines[0]), kt, { forced: true })).toBe('None');
    }
    expect(sink.ofType('AbortedKill')).toHaveLength(4);
    expect(proc(machines[0]).alive).toBe(true);
  });

  it('testers are never killed', async () => {
    const { world, machines } = setup(13);
    const t = tester(world);
    await world.kernel.run(async () => {
      expect(world.lifecycle.killMachine(t.machine, 'KillInstantly', { forced: true })).toBe('None');
      expect(world.lifecycle.killProcess(t, 'KillInstantly', { forced: true })).toBe('None');
      expect(world.lifecycle.rebootProcess(t, { forced: true })).toBe('None');
      // The tester shares datacenter 0 with the servers; a DC kill passes it by.
      expect(world.lifecycle.killDatacenter('0', 'KillInstantly', { forced: true })).toBe('KillInstantly');
      await world.kernel.delay(seconds(30));
    });
    expect(t.alive).toBe(true);
    expect(machines.every((m) => proc(m).failed)).toBe(true);
    expect(world.lifecycle.deadProcesses()).not.toContain(t);
  });
});

describe('datacenter kills', () => {
  it('check canSurvive at datacenter granularity and downgrade the whole datacenter', async () => {
    const { world, sink, machines } = setup(14, { dcs: 2, perDc: 2 });
    const asked: string[][] = [];
    world.lifecycle.canSurvive = (dead) => {
      asked.push(dead.map((p) => p.address));
      return { ok: false, reason: 'No TLog quorum outside the datacenter' };
    };
    await world.kernel.run(async () => {
      const applied = world.lifecycle.killDatacenter('1', 'KillInstantly');
      expect(['Reboot', 'None']).toContain(applied);
      await world.kernel.delay(seconds(20));
    });
    expect(asked).toEqual([['2.1.1.1:1', '2.1.1.2:1']]);
    expect(sink.ofType('DcKillChanged')[0]?.details).toMatchObject({
      DataCenter: '1',
      KillType: killTypeNumber('Reboot'),
      OrigKillType: killTypeNumber('KillInstantly'),
      Reason: 'No TLog quorum outside the datacenter',
    });
    expect(machines.every((m) => proc(m).alive && !proc(m).failed)).toBe(true);
    expect(sink.ofType('KillDataCenter')[0]?.details).toMatchObject({
      DCID: '1',
      KillType: 6,
      KillTypeOrig: 0,
    });
  });

  it('a protected process in the datacenter makes it a reboot; other datacenters are untouched', () => {
    const { world, sink, machines } = setup(15, { dcs: 2, perDc: 2 });
    world.lifecycle.protectedAddresses.add('2.1.1.2:1');
    expect(world.lifecycle.killDatacenter('1', 'RebootAndDelete', { forced: true })).toBe('Reboot');
    expect(sink.ofType('DcKillChanged')[0]?.details.Reason).toBe('Datacenter has protected process');
    expect(machines.filter((m) => m.locality.dcId === '1').every((m) => m.rebooting)).toBe(true);
    expect(machines.filter((m) => m.locality.dcId === '0').every((m) => proc(m).alive)).toBe(true);
  });

  it('an unforced, survivable datacenter kill hits (almost) every machine of the datacenter', () => {
    const { world, machines } = setup(16, { dcs: 2, perDc: 3 });
    expect(world.lifecycle.killDatacenter('0', 'KillInstantly')).toBe('KillInstantly');
    const dc0 = machines.filter((m) => m.locality.dcId === '0');
    expect(dc0.filter((m) => proc(m).failed).length).toBeGreaterThanOrEqual(1);
    expect(machines.filter((m) => m.locality.dcId === '1').every((m) => proc(m).alive)).toBe(true);
  });
});

describe('determinism', () => {
  it('the same seed gives the same lifecycle trace', async () => {
    const runOnce = async () => {
      const { world, sink, machines } = setup(99, { perDc: 3, procs: 2, buggify: true });
      await world.kernel.run(async () => {
        for (const [i, m] of machines.entries()) {
          await writeSynced(world, proc(m), 'data', `v${i}`);
          await world.open(proc(m), 'data').write(100, new Uint8Array(2000).fill(i + 1));
        }
        world.lifecycle.killMachine(machines[0]!, 'Reboot', { forced: true });
        world.lifecycle.killMachine(machines[1]!, 'RebootAndDelete', { forced: true });
        world.lifecycle.rebootProcess(proc(machines[2], 1));
        await world.kernel.delay(seconds(30));
      });
      return JSON.stringify(sink.events);
    };
    const a = await runOnce();
    expect(a).toContain('AsyncFileNonDurable_Kill');
    expect(await runOnce()).toBe(a);
  });
});
