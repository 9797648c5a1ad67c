// A range read of a large table (issue 17, bug 5: about 120k rows overflowed the client's stack).
import { describe, expect, it } from 'vitest';
import { bytes } from '../../../src/cluster/bytes.js';
import { appendAll } from '../../../src/core/arrays.js';
import { finished, runScenario } from '../../support/cluster-scenario.js';

const ROWS = 160_000;

describe('large range reads', () => {
  it('appendAll appends more items than a call can take as arguments', () => {
    const items = Array.from({ length: 300_000 }, (_, i) => i);
    expect(() => [0].push(...items)).toThrow(RangeError);
    const out = appendAll([-1], items);
    expect(out.length).toBe(300_001);
    expect(out[300_000]).toBe(299_999);
  });

  it(`reads ${ROWS} rows of one range in a single unlimited read`, async () => {
    const { outcome } = await runScenario(
      { seed: 7, config: { config: 'single', machineCount: 2, processesPerMachine: 1 }, maxSeconds: 3000 },
      async ({ db }) => {
        for (let first = 0; first < ROWS; first += 20_000)
          await db.run(async (tr) => {
            for (let i = first; i < first + 20_000; i++)
              tr.set(bytes(`r${String(i).padStart(6, '0')}`), bytes(''));
          });
        const rows = await db.run(async (tr) => tr.getRange(bytes('r'), bytes('s')));
        return { count: rows.length, last: rows.at(-1)?.key };
      },
    );
    const r = finished(outcome);
    expect(r.count).toBe(ROWS);
    expect(r.last).toEqual(bytes(`r${ROWS - 1}`));
  }, 120_000);
});
