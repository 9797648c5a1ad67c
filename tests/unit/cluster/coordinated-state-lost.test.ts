// Coordinated-state writes that reach their quorum must have epochs that rise with their generations:
// a newer generation writing an older epoch means the coordinators lost a state, and the run must fail at
// that write, saying which, rather than later through whatever the old epoch breaks (swarm seeds 16025 and
// 16469 before the fix that keeps every coordinator's data: an old database lock came back; a recovery
// waited for logs long removed). A superseded master that read an old state never writes (a newer
// generation fences it out), and replies that come back out of order are no loss (swarm seed 15495 failed
// a first version of this check that compared reads with the newest write seen so far).
import { describe, expect, it } from 'vitest';
import type { CoordinatedState } from '../../../src/cluster/protocol.js';
import { ClusterRuntime } from '../../../src/cluster/runtime.js';
import { World } from '../../../src/sim/world.js';
import type { TraceEvent, TraceSink } from '../../../src/trace/event.js';

class Sink implements TraceSink {
  readonly events: TraceEvent[] = [];
  emit(e: TraceEvent): void {
    this.events.push(e);
  }
}

function setup() {
  const sink = new Sink();
  const world = new World({ seed: 1, buggify: false, sink, knobs: [] });
  const machine = world.addMachine(
    { dcId: '0', dataHall: '0', zoneId: 'z1', machineId: 'm1' },
    '2.0.1.1',
    1,
    'storage',
  );
  const rt = new ClusterRuntime(world, undefined);
  const lost = () => sink.events.filter((e) => e.type === 'CoordinatedStateLost');
  return { rt, proc: machine.processes[0]!, lost };
}

/** The parts of a coordinated state the check reads. */
function state(epoch: number): CoordinatedState {
  return { epoch, epochStarts: [] } as unknown as CoordinatedState;
}

describe('coordinated state lost', () => {
  it('epochs that rise with generations, written in any order, and superseded reads are fine', () => {
    const { rt, proc, lost } = setup();
    rt.stateRead(null, 1, proc, 'm1'); // a new database
    rt.stateWritten(state(1), 3, proc, 'm1');
    rt.stateRead(state(1), 7, proc, 'm2');
    // The next two writes' replies come back out of order (generation 12's before generation 7's).
    rt.stateWritten(state(3), 12, proc, 'm3');
    rt.stateWritten(state(2), 7, proc, 'm2');
    // A master promised generation 5 read epoch 1 long ago; newer generations wrote since: superseded.
    rt.stateRead(state(1), 5, proc, 'late');
    rt.stateRead(state(3), 15, proc, 'm4');
    rt.stateWritten(state(4), 15, proc, 'm4');
    expect(lost()).toEqual([]);
  });

  it('a read or a write older than an older generation wrote fails the run, saying which', () => {
    const { rt, proc, lost } = setup();
    rt.stateWritten(state(8), 15, proc, 'master-a');
    rt.stateRead(state(6), 16, proc, 'master-b'); // epoch 8 was lost
    rt.stateRead(null, 17, proc, 'master-c'); // every state was lost
    rt.stateWritten(state(7), 16, proc, 'master-b');
    rt.stateWritten(state(9), 14, proc, 'master-d'); // an older generation with a newer epoch
    expect(lost().map((e) => [e.severity, e.details.Generation, e.details.Epoch, e.id])).toEqual([
      [40, 15, 8, 'master-b'],
      [40, 15, 8, 'master-c'],
      [40, 15, 8, 'master-b'],
      [40, 15, 8, 'master-d'],
    ]);
    expect(String(lost()[0]!.details.Reason)).toBe(
      "a recovery read epoch 6's coordinated state at generation 16, but generation 15 had written epoch 8: the coordinators lost a coordinated state",
    );
  });
});
