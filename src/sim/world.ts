// The simulated world of one run: kernel, trace, network, disks, machines and processes, BUGGIFY, knobs.
import type { Random } from '../core/random.js';
import type { Time } from '../core/time.js';
import { type Details, NO_ID, NO_MACHINE, type Severity, SevInfo, type TraceSink } from '../trace/event.js';
import { Buggify } from './buggify.js';
import { DataFolder, Disks, type DiskTiming, defaultDiskTiming, openFile, type SimFile } from './disk.js';
import { Kernel, type KernelLimits } from './kernel.js';
import { type KnobDef, type KnobOverride, Knobs } from './knobs.js';
import { Lifecycle, SIM_KNOBS } from './lifecycle.js';
import { Network } from './network.js';
import { type Locality, type ProcessClass, SimMachine, SimProcess } from './process.js';
import { Rpc } from './rpc.js';

/** What a world is built from. */
export interface WorldOptions {
  readonly seed: number;
  readonly buggify: boolean;
  readonly sink: TraceSink;
  readonly knobs: readonly KnobDef[];
  readonly knobOverrides?: readonly KnobOverride[];
  readonly limits?: KernelLimits;
}

/** Called when a process (re)boots: the cluster starts its worker there. */
export type BootHook = (proc: SimProcess) => void;

/** The simulated world. One per run; holds all of that run's state. */
export class World {
  readonly kernel: Kernel;
  readonly random: Random;
  readonly buggify: Buggify;
  readonly knobs: Knobs;
  readonly network: Network;
  readonly machines: SimMachine[] = [];
  private readonly byAddress = new Map<string, SimProcess>();
  private readonly rpcs = new Map<SimProcess, { incarnation: number; rpc: Rpc }>();
  readonly diskTiming: DiskTiming;
  /** The disks: file opening, InjectFaults errors, stalls, throttling, bit flips, crash effects. */
  readonly disks: Disks;
  /** Kills, reboots and the kill-safety policy (FoundationDB's kill types). */
  readonly lifecycle: Lifecycle;
  /** Installed by the cluster: what runs on a process when it boots. */
  onBoot: BootHook = () => {};
  /** Speed-up mode: network faults and unforced kills stop so that the system can converge. */
  speedUp = false;
  private nextFolderId = 1;

  constructor(private readonly opts: WorldOptions) {
    this.kernel = new Kernel(opts.seed, opts.limits);
    this.random = this.kernel.random;
    this.buggify = new Buggify(opts.buggify, this.random.fork('buggify'), (d) =>
      this.trace(
        'BuggifySection',
        { Activated: d.activated ? 1 : 0, File: d.site, Line: 0 },
        { severity: 5 },
      ),
    );
    // The simulator's own knobs are always registered; a caller that passes them too is not an error.
    const own = new Set(opts.knobs.map((k) => k.name));
    const knobDefs = [...SIM_KNOBS.filter((k) => !own.has(k.name)), ...opts.knobs];
    this.knobs = new Knobs(knobDefs, opts.buggify, this.random.fork('knobs'));
    if (opts.knobOverrides) this.knobs.override(opts.knobOverrides);
    this.network = new Network(this.kernel, this.random.fork('network'), (a) => this.byAddress.get(a), {
      trace: (type, details, o) => this.trace(type, details, o ?? {}),
      speedUp: () => this.speedUp,
      buggify: this.buggify,
    });
    this.diskTiming = defaultDiskTiming(this.random.fork('disk'));
    this.disks = new Disks(
      {
        now: () => this.kernel.now(),
        trace: (type, details, o) => this.trace(type, details, o ?? {}),
        speedUp: () => this.speedUp,
      },
      this.diskTiming,
      this.random.fork('disk-faults'),
    );
    // Last: the lifecycle reads the world's random, knobs, buggify and disks.
    this.lifecycle = new Lifecycle(this);
  }

  /** Current simulated time, µs. */
  now(): Time {
    return this.kernel.now();
  }

  /** Emits a trace event at the current simulated time. */
  trace(
    type: string,
    details: Details,
    opts: { severity?: Severity; machine?: string; id?: string } = {},
  ): void {
    this.opts.sink.emit({
      severity: opts.severity ?? SevInfo,
      time: this.kernel.now(),
      type,
      machine: opts.machine ?? NO_MACHINE,
      id: opts.id ?? NO_ID,
      details,
    });
  }

  /** Adds a machine with `processCount` processes at `ip:1`, `ip:2`, ... (not booted yet). */
  addMachine(locality: Locality, ip: string, processCount: number, processClass: ProcessClass): SimMachine {
    const m = new SimMachine(locality, ip);
    for (let i = 0; i < processCount; i++) {
      const folder = new DataFolder(`folder-${this.nextFolderId++}`);
      const p = new SimProcess(this.kernel, m, `${ip}:${i + 1}`, processClass, folder);
      m.processes.push(p);
      this.byAddress.set(p.address, p);
    }
    this.machines.push(m);
    return m;
  }

  /** The process at an address. */
  process(address: string): SimProcess | undefined {
    return this.byAddress.get(address);
  }

  /** Every process, in address-creation order. */
  processes(): SimProcess[] {
    return this.machines.flatMap((m) => m.processes);
  }

  /** Boots a process: new incarnation, then the boot hook, then the lifecycle's up listeners. */
  boot(proc: SimProcess): void {
    proc.boot();
    this.onBoot(proc);
    this.lifecycle.processBooted(proc);
  }

  /** The request/reply endpoint of a process's current incarnation. */
  rpc(proc: SimProcess): Rpc {
    const cur = this.rpcs.get(proc);
    if (cur && cur.incarnation === proc.incarnation) return cur.rpc;
    const rpc = new Rpc(proc, this.network);
    this.rpcs.set(proc, { incarnation: proc.incarnation, rpc });
    return rpc;
  }

  /** Opens a file in a process's data folder (with the world's disk faults, stalls and speed-up). */
  open(proc: SimProcess, name: string): SimFile {
    return openFile(proc, name, this.diskTiming, this.disks);
  }

  /** A new empty data folder (for RebootAndDelete and replacements). */
  newFolder(): DataFolder {
    return new DataFolder(`folder-${this.nextFolderId++}`);
  }
}
