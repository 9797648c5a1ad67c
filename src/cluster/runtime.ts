// The cluster's view of its world: knobs, BUGGIFY, tracing, the planted bug, and per-machine cluster
// files. Holds no database state: that lives in roles, on processes, behind messages and disks.

import { DiskError } from '../sim/disk.js';
import type { SimProcess } from '../sim/process.js';
import type { World } from '../sim/world.js';
import type { Details, Severity } from '../trace/event.js';
import type { HistoryRecorder } from './history.js';
import type { PlantedBug } from './planted-bugs.js';
import type { CoordinatedState } from './protocol.js';

/** A master's latest recovery step, as the simulator records it for reports. */
export interface RecoveryProgress {
  readonly master: string;
  readonly epoch: number;
  readonly state: string;
  /** Simulated time the step began, µs. */
  readonly since: number;
  /** What the step waits for, when it said (e.g. the old logs it cannot lock). */
  waitingFor?: string;
}

/** Everything a role needs from outside itself. One per cluster. */
export class ClusterRuntime {
  /** Each machine's cluster file: the coordinator addresses it knows (FoundationDB's fdb.cluster). */
  readonly clusterFiles = new Map<string, string[]>();
  /**
   * The simulator's own view of the last coordinated state a master wrote, and of storage servers still
   * fetching their data. Only the kill-safety policy and reports read these (FoundationDB's simulator
   * has the same god's-eye view); the database itself never does.
   */
  observedState: CoordinatedState | undefined;
  /**
   * States a master has begun writing to the coordinators and that no newer state has superseded yet.
   * Once a quorum holds one it is the cluster's truth, whether or not its master lives to see every write
   * return, so the kill-safety policy protects these as well as `observedState`.
   */
  readonly pendingStates: CoordinatedState[] = [];
  /** Every coordinated-state write that reached its quorum: generation → epoch (see stateWritten). */
  private readonly writtenEpochs = new Map<number, number>();
  /**
   * The latest recovery step any master reached, and what it waits for (for the liveness report of a run
   * that does not finish; the database never reads it).
   */
  recovery: RecoveryProgress | undefined;
  readonly fetchingStorage = new Set<string>();
  /** Told when a master moved the cluster to new coordinators (the simulator re-protects a majority). */
  onCoordinatorsChanged: (coordinators: readonly string[]) => void = () => {};
  /** The observer of the database's history (the oracle), when one is attached; never read back. */
  history: HistoryRecorder | undefined;

  constructor(
    readonly world: World,
    readonly plantedBug: PlantedBug | undefined,
  ) {}

  /** A master is about to write `state` to the coordinators. */
  writingState(state: CoordinatedState): void {
    this.pendingStates.push(state);
  }

  /**
   * A master read `state` (null: none) from a quorum of coordinators that promised it generation `gen`.
   * That quorum meets the write quorum of every state an older generation wrote, and a write older than
   * the promise cannot succeed after it, so the read must return the newest of those states or a newer
   * one. An older one means the coordinators lost a state (one forgot what it had accepted): the cluster
   * would go back to an epoch it had left, taking back commits, locks and moves. A newer generation's
   * write is no loss: this master was superseded, and its own write will be fenced out.
   */
  stateRead(state: CoordinatedState | null, gen: number, proc: SimProcess, masterId: string): void {
    const read = state?.epoch ?? 0;
    for (const [g, epoch] of this.writtenEpochs) {
      if (g < gen && epoch > read) {
        this.stateLost(
          `read epoch ${read}'s coordinated state at generation ${gen}`,
          g,
          epoch,
          proc,
          masterId,
        );
        return;
      }
    }
  }

  /**
   * A master's write of `state`, at generation `gen`, reached its quorum: it is the observed state; older
   * pending ones are over. Successful writes' epochs rise with their generations (see stateRead); replies
   * may come back out of order, so the check compares generations, not arrival.
   */
  stateWritten(state: CoordinatedState, gen: number, proc: SimProcess, masterId: string): void {
    for (const [g, epoch] of this.writtenEpochs) {
      if (g < gen ? epoch < state.epoch : epoch > state.epoch) continue;
      this.stateLost(`wrote epoch ${state.epoch} at generation ${gen}`, g, epoch, proc, masterId);
      break;
    }
    this.writtenEpochs.set(gen, state.epoch);
    this.observedState = state;
    this.history?.epochsKnown(state.epochStarts);
    for (let i = this.pendingStates.length - 1; i >= 0; i--)
      if (this.pendingStates[i]!.epoch <= state.epoch) this.pendingStates.splice(i, 1);
  }

  /** Traces `CoordinatedStateLost` at Severity 40, which fails the run. */
  private stateLost(what: string, gen: number, epoch: number, proc: SimProcess, masterId: string): void {
    this.trace(
      'CoordinatedStateLost',
      {
        Reason: `a recovery ${what}, but generation ${gen} had written epoch ${epoch}: the coordinators lost a coordinated state`,
        Generation: gen,
        Epoch: epoch,
      },
      proc,
      40,
      masterId,
    );
  }

  /** Every coordinated state the cluster may be running on now: the observed one and those being written. */
  statesInForce(): CoordinatedState[] {
    const observed = this.observedState;
    if (!observed) return [];
    return [observed, ...this.pendingStates.filter((s) => s.epoch > observed.epoch)];
  }

  /**
   * A role on `proc` hit an error it cannot handle. A disk error (an I/O error, including injected ones)
   * crashes the process, which then restarts with its data, as a real fdbserver would; any other error is
   * a faultline bug and is rethrown so that the run fails loudly.
   */
  processFailed(proc: SimProcess, error: unknown): void {
    if (!(error instanceof DiskError)) {
      this.world.kernel.fail(`role on ${proc.address}`, error);
      return;
    }
    if (!proc.alive) return;
    this.trace(
      'WorkerTerminated',
      {
        Error: error.errorName,
        ErrorCode: error.errorCode,
        ErrorDescription: error.message,
        ...(error.injected ? { ErrorIsInjectedFault: 1 } : {}),
      },
      proc,
      error.injected ? 30 : 40,
    );
    this.world.lifecycle.rebootProcess(proc, { forced: true });
  }

  /** Attaches the process-failure handler to a promise whose rejection nothing else awaits. */
  guard(proc: SimProcess, p: Promise<unknown>): void {
    p.catch((e: unknown) => this.processFailed(proc, e));
  }

  /** A numeric knob. */
  knob(name: string): number {
    return this.world.knobs.num(name);
  }

  /** True when a BUGGIFY site fires. */
  buggify(site: string, probability?: number): boolean {
    return this.world.buggify.fires(site, probability);
  }

  /** True when the named planted bug is selected for this run. */
  bug(name: PlantedBug): boolean {
    return this.plantedBug === name;
  }

  /** Traces an event in a process's context, with its roles. */
  trace(type: string, details: Details, proc?: SimProcess, severity?: Severity, id?: string): void {
    this.world.trace(type, proc ? { ...details, Roles: [...proc.roles].sort().join(',') } : details, {
      ...(severity !== undefined ? { severity } : {}),
      ...(proc ? { machine: proc.address } : {}),
      ...(id !== undefined ? { id } : {}),
    });
  }

  /** The coordinators a process's machine knows. */
  coordinatorsOf(proc: SimProcess): string[] {
    return this.clusterFiles.get(proc.machine.locality.machineId) ?? [];
  }

  /** Updates a machine's cluster file after learning the cluster moved to new coordinators. */
  setCoordinatorsOf(proc: SimProcess, coordinators: readonly string[]): void {
    this.clusterFiles.set(proc.machine.locality.machineId, [...coordinators]);
  }
}
