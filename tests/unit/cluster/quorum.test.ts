// The master reads and writes the coordinated state with quorumOf: it goes on once a quorum has decided,
// not when the last coordinator answers or times out.
import { describe, expect, it } from 'vitest';
import { quorumOf, quorumState } from '../../../src/cluster/master.js';

/** A request the test answers by hand. */
function pending<T>(): { promise: Promise<T | undefined>; answer: (v: T | undefined) => void } {
  let answer!: (v: T | undefined) => void;
  const promise = new Promise<T | undefined>((resolve) => {
    answer = resolve;
  });
  return { promise, answer };
}

/** Decided once a quorum of 3 of the 5 accepted (true) or refused (false), as the master decides. */
const acceptedBy3 = (got: readonly (boolean | undefined)[]) =>
  quorumState(
    got.map((a) => (a === undefined ? undefined : { ok: a })),
    3,
  ) !== 'open';

/** Five requests answered by hand, and quorumOf over them deciding a quorum of 3. */
function fiveRequests() {
  const rs = Array.from({ length: 5 }, () => pending<boolean>());
  const all = quorumOf(
    rs.map((r) => r.promise),
    acceptedBy3,
  );
  return { rs, all };
}

describe('quorumOf', () => {
  it.each([
    [
      'once a quorum accepted, reading the coordinators still silent as unanswered',
      [0, 2, 4],
      true,
      [true, undefined, true, undefined, true],
    ],
    [
      'once more refused than a quorum can spare',
      [1, 2, 3],
      false,
      [undefined, false, false, false, undefined],
    ],
  ] as const)('returns %s', async (_what, who, answer, expected) => {
    const { rs, all } = fiveRequests();
    for (const i of who) rs[i]!.answer(answer);
    expect(await all).toEqual(expected);
  });

  it('waits for every answer while the outcome is open, and keeps the answers in request order', async () => {
    const { rs, all: decided } = fiveRequests();
    let settled = false;
    const all = decided.then((a) => {
      settled = true;
      return a;
    });
    rs[4]!.answer(true);
    rs[0]!.answer(false);
    rs[1]!.answer(undefined);
    rs[2]!.answer(true);
    await Promise.resolve();
    await Promise.resolve();
    expect(settled).toBe(false);
    rs[3]!.answer(false);
    expect(await all).toEqual([false, undefined, true, false, true]);
  });

  it('returns at once for no requests', async () => {
    expect(await quorumOf([], () => false)).toEqual([]);
  });

  it('quorumState: won at a quorum of acceptances, lost once refusals leave too few, open between', () => {
    const yes = { ok: true };
    const no = { ok: false };
    expect(quorumState([yes, yes, yes, undefined, undefined], 3)).toBe('won');
    expect(quorumState([no, no, no, undefined, yes], 3)).toBe('lost');
    expect(quorumState([yes, no, no, undefined, yes], 3)).toBe('open');
    expect(quorumState([], 0)).toBe('won');
  });
});
