// The oracle's checks on hand-built histories: each property broken once must be reported, and valid
// histories (snapshot reads overtaken by writes, unknown results, rollbacks of unacknowledged commits,
// explicit or ancient read versions) must not be.
import { describe, expect, it } from 'vitest';
import type { AttemptOutcome } from '../../../src/cluster/history.js';
import type { BKey } from '../../../src/cluster/keys.js';
import type { Mutation } from '../../../src/cluster/mutation.js';
import { Oracle } from '../../../src/oracle/oracle.js';
import type { OracleViolation } from '../../../src/oracle/violation.js';

interface Txn {
  readonly rv: number;
  readonly mutations?: readonly Mutation[];
  readonly readRanges?: readonly [BKey, BKey][];
  readonly version: number;
  readonly batchIndex?: number;
  readonly epoch?: number;
  /** What the client is told; default committed at (version, batchIndex). */
  readonly told?: AttemptOutcome['kind'];
  /** Mark the version durable on every log right away (default true). */
  readonly durable?: boolean;
}

function harness() {
  const violations: OracleViolation[] = [];
  let now = 0;
  const o = new Oracle({ now: () => now, report: (v) => violations.push(v), retainVersions: 10_000_000 });
  const commit = (t: Txn): number => {
    const id = o.attemptStarted('c', now);
    o.readVersionRequested(id, now);
    o.readVersionKnown(id, t.rv, 'explicit');
    o.commitSent(id, t.rv, t.mutations ?? [], (t.readRanges ?? []) as [BKey, BKey][]);
    const idx = t.batchIndex ?? 0;
    o.batchPushed(t.epoch ?? 1, t.version, [{ attempt: id, batchIndex: idx }]);
    if (t.durable ?? true) o.batchDurable(t.epoch ?? 1, t.version);
    const told = t.told ?? 'committed';
    now += 1000;
    o.commitOutcome(
      id,
      told === 'committed' ? { kind: 'committed', version: t.version, batchIndex: idx } : { kind: told },
      now,
    );
    return id;
  };
  const read = (version: number, key: BKey, value: BKey | undefined): void => {
    const id = o.attemptStarted('c', now);
    o.pointRead(id, version, key, value);
  };
  return { o, violations, commit, read, tick: (us: number) => (now += us) };
}

const set = (key: BKey, value: BKey): Mutation => ({ type: 'set', key, value });
const props = (vs: readonly OracleViolation[]) => vs.map((v) => v.property);

describe('the oracle on valid histories', () => {
  it('reports nothing for reads that match the committed state at their read version', () => {
    const h = harness();
    h.commit({ rv: 10, mutations: [set('a', '1')], version: 100 });
    h.commit({ rv: 100, mutations: [set('a', '2')], readRanges: [['a', 'a\x00']], version: 200 });
    h.o.batchDurable(1, 300); // an empty batch: versions up to 300 are final
    h.read(150, 'a', '1');
    h.read(250, 'a', '2');
    h.read(50, 'a', undefined);
    h.o.finishTest();
    expect(h.violations).toEqual([]);
    expect(h.o.stats.readsChecked).toBe(3);
    expect(h.o.stats.commitsApplied).toBe(2);
  });

  it('accepts a write into the read version window when the read was a snapshot read (no read range)', () => {
    const h = harness();
    h.commit({ rv: 10, mutations: [set('a', '1')], version: 100 });
    h.commit({ rv: 50, mutations: [set('b', '1')], version: 200 });
    expect(h.violations).toEqual([]);
  });

  it('resolves commit_unknown_result by fact: a durable batch committed, a rolled-back one did not', () => {
    const h = harness();
    h.commit({ rv: 10, mutations: [set('a', '1')], version: 100, told: 'commit_unknown_result' });
    h.commit({
      rv: 10,
      mutations: [set('b', '1')],
      version: 150,
      told: 'commit_unknown_result',
      durable: false,
    });
    h.o.epochsKnown([
      { epoch: 1, recoveryVersion: 0 },
      { epoch: 2, recoveryVersion: 120 },
    ]);
    h.read(120, 'a', '1');
    h.read(120, 'b', undefined);
    expect(h.violations).toEqual([]);
    expect(h.o.stats.unknownResolved).toBe(2);
    expect(h.o.stats.rolledBack).toBe(1);
  });

  it('accepts an old read version when it came from the user or from BUGGIFY', () => {
    const h = harness();
    h.commit({ rv: 10, mutations: [set('a', '1')], version: 100 });
    for (const source of ['explicit', 'ancient'] as const) {
      const id = h.o.attemptStarted('c', 0);
      h.o.readVersionRequested(id, 0);
      h.o.readVersionKnown(id, 5, source);
    }
    expect(h.violations).toEqual([]);
  });
});

describe('the oracle on broken histories', () => {
  it('reports a point read that returns a value the history never held at its version (read)', () => {
    const h = harness();
    h.commit({ rv: 10, mutations: [set('a', '1')], version: 100 });
    h.o.batchDurable(1, 200);
    h.read(150, 'a', 'stale');
    expect(props(h.violations)).toEqual(['read']);
    expect(h.violations[0]).toMatchObject({ key: 'a', expected: '1', observed: 'stale', version: 150 });
  });

  it('reports a range read missing a row (read)', () => {
    const h = harness();
    h.commit({ rv: 10, mutations: [set('a', '1'), set('b', '2'), set('c', '3')], version: 100 });
    h.o.batchDurable(1, 200);
    const id = h.o.attemptStarted('c', 0);
    h.o.rangeRead(
      id,
      120,
      { begin: 'a', end: 'z', limit: 2, reverse: false },
      [
        ['a', '1'],
        ['c', '3'],
      ],
      true,
    );
    expect(props(h.violations)).toEqual(['read']);
    expect(h.violations[0]!.message).toContain('row 1');
  });

  it('reports a read that is checked only once its version becomes final', () => {
    const h = harness();
    h.read(150, 'a', undefined); // at 150 nothing is final yet: waits
    expect(h.violations).toEqual([]);
    h.commit({ rv: 10, mutations: [set('a', '1')], version: 120 });
    h.commit({ rv: 10, mutations: [], version: 200 });
    expect(props(h.violations)).toEqual(['read']);
  });

  it('reports a committed transaction whose read set another commit wrote in between (serializability)', () => {
    const h = harness();
    const writer = h.commit({ rv: 10, mutations: [set('a', '1')], version: 100 });
    const reader = h.commit({
      rv: 50,
      mutations: [set('x', '1')],
      readRanges: [['a', 'a\x00']],
      version: 200,
    });
    expect(props(h.violations)).toEqual(['serializability']);
    expect(h.violations[0]!.attempts).toEqual([reader, writer]);
  });

  it('reports a phantom: a key inserted into a read range before the reader committed (serializability)', () => {
    const h = harness();
    h.commit({ rv: 10, mutations: [set('k5', '1')], version: 100 });
    h.commit({ rv: 50, mutations: [set('x', '1')], readRanges: [['k0', 'k9']], version: 200 });
    expect(props(h.violations)).toEqual(['serializability']);
    expect(h.violations[0]!.key).toBe('k5');
  });

  it('reports a conflict inside one batch: an earlier index wrote what a later one read (serializability)', () => {
    const h = harness();
    const a = h.o.attemptStarted('c', 0);
    const b = h.o.attemptStarted('c', 0);
    h.o.commitSent(a, 50, [{ type: 'clearRange', key: 'k', end: 'l' }], []);
    h.o.commitSent(b, 50, [set('y', '1')], [['k1', 'k2']]);
    h.o.batchPushed(1, 100, [
      { attempt: a, batchIndex: 0 },
      { attempt: b, batchIndex: 1 },
    ]);
    h.o.batchDurable(1, 100);
    expect(props(h.violations)).toEqual(['serializability']);
  });

  it('reports a read version below a commit acknowledged before the transaction began (external-consistency)', () => {
    const h = harness();
    h.commit({ rv: 10, mutations: [set('a', '1')], version: 300 });
    const id = h.o.attemptStarted('c', 0);
    h.o.readVersionRequested(id, 0);
    h.o.readVersionKnown(id, 250, 'grv');
    expect(props(h.violations)).toEqual(['external-consistency']);
  });

  it('reports a client told a different commit position than the one it got (versionstamp)', () => {
    const h = harness();
    const id = h.o.attemptStarted('c', 0);
    h.o.commitSent(id, 10, [set('a', '1')], []);
    h.o.batchPushed(1, 300, [{ attempt: id, batchIndex: 0 }]);
    h.o.batchDurable(1, 300);
    h.o.commitOutcome(id, { kind: 'committed', version: 300, batchIndex: 1 }, 0);
    expect(props(h.violations)).toEqual(['versionstamp']);
  });

  it('reports two commits at one position (versionstamp)', () => {
    const h = harness();
    const a = h.o.attemptStarted('c', 0);
    const b = h.o.attemptStarted('c', 0);
    h.o.commitSent(a, 10, [set('a', '1')], []);
    h.o.commitSent(b, 10, [set('b', '1')], []);
    h.o.batchPushed(1, 300, [{ attempt: a, batchIndex: 0 }]);
    h.o.batchPushed(1, 300, [{ attempt: b, batchIndex: 0 }]);
    h.o.batchDurable(1, 300);
    expect(props(h.violations)).toEqual(['versionstamp']);
  });

  it('reports an acknowledged commit that a recovery rolled back (durability)', () => {
    const h = harness();
    h.commit({ rv: 10, mutations: [set('a', '1')], version: 400, durable: false });
    h.o.epochsKnown([
      { epoch: 1, recoveryVersion: 0 },
      { epoch: 2, recoveryVersion: 350 },
    ]);
    expect(props(h.violations)).toEqual(['durability']);
  });

  it('reports a version durable on every log that recovery still rolled back (durability)', () => {
    const h = harness();
    h.commit({ rv: 10, mutations: [set('a', '1')], version: 400, told: 'commit_unknown_result' });
    h.o.epochsKnown([
      { epoch: 1, recoveryVersion: 0 },
      { epoch: 2, recoveryVersion: 350 },
    ]);
    // Already replayed as committed when it became durable: the later rollback contradicts it.
    h.commit({ rv: 10, mutations: [set('b', '1')], version: 500, epoch: 1, told: 'commit_unknown_result' });
    expect(props(h.violations)).toContain('durability');
  });

  it('reports an acknowledgement for a commit no proxy pushed (commit-outcome)', () => {
    const h = harness();
    const id = h.o.attemptStarted('c', 0);
    h.o.commitSent(id, 10, [set('a', '1')], []);
    h.o.commitOutcome(id, { kind: 'committed', version: 100, batchIndex: 0 }, 0);
    expect(props(h.violations)).toEqual(['commit-outcome']);
  });

  it('reports a transaction told not_committed that committed (commit-outcome)', () => {
    const h = harness();
    h.commit({ rv: 10, mutations: [set('a', '1')], version: 100, told: 'not_committed' });
    expect(props(h.violations)).toEqual(['commit-outcome']);
  });

  it("compares each replica's final copy with the model (durability)", () => {
    const h = harness();
    h.commit({ rv: 10, mutations: [set('a', '1'), set('b', '2')], version: 100 });
    expect(
      h.o.checkReplica('', '\xff', 100, 'ss1', [
        ['a', '1'],
        ['b', '2'],
      ]),
    ).toBe(true);
    expect(h.violations).toEqual([]);
    h.o.checkReplica('', '\xff', 100, 'ss2', [['a', '1']]);
    expect(props(h.violations)).toEqual(['durability']);
    expect(h.violations[0]!.message).toContain('missing key b');
    // A version not final yet is not compared.
    expect(h.o.checkReplica('', '\xff', 5000, 'ss1', [])).toBe(false);
  });

  it('reports a watch that fired although its key never changed from the watched value (watch)', () => {
    const h = harness();
    h.commit({ rv: 10, mutations: [set('w', '1')], version: 100 });
    h.commit({ rv: 100, mutations: [set('other', '1')], version: 200 });
    h.o.watchFired(7, 'w', '1', 100, 200);
    expect(props(h.violations)).toEqual(['watch']);
  });

  it('accepts a watch that fired after a committed change, even one changed back since', () => {
    const h = harness();
    h.commit({ rv: 10, mutations: [set('w', '1')], version: 100 });
    h.commit({ rv: 100, mutations: [set('w', '2')], version: 200 });
    h.commit({ rv: 200, mutations: [set('w', '1')], version: 300 });
    h.o.watchFired(7, 'w', '1', 100, 300);
    // Fired before its committed version is final: checked later, and it passes.
    h.o.watchFired(8, 'w', '1', 300, 500);
    h.commit({ rv: 300, mutations: [{ type: 'clearRange', key: 'a', end: 'z' }], version: 500 });
    expect(h.violations).toEqual([]);
  });
});
