// Limited range reads and key selectors in a transaction that has written or cleared part of the range:
// storage is read in chunks until the merged view holds the limit (found by swarm seed 24, where every
// selector of such a transaction read the database to its end and the run crawled). The answers must be
// exactly those of the whole range merged with the transaction's writes, across chunk boundaries.
import { describe, expect, it } from 'vitest';
import { bytes, str } from '../../../src/cluster/bytes.js';
import { firstGreaterOrEqual, lastLessThan } from '../../../src/cluster/selectors.js';
import { finished, runScenario } from '../../support/cluster-scenario.js';

const ROWS = 1000;
const key = (i: number): string => `k${String(i).padStart(5, '0')}`;

describe('range reads over local writes', () => {
  it('honour limits, clears and reverse order across storage chunks', async () => {
    const { outcome } = await runScenario(
      { seed: 11, config: { config: 'single', machineCount: 2, processesPerMachine: 1 }, maxSeconds: 600 },
      async ({ db }) => {
        await db.run(async (tr) => {
          for (let i = 0; i < ROWS; i++) tr.set(bytes(key(i)), bytes('s'));
        });
        return db.run(async (tr) => {
          // Clear 700 stored rows (more than a chunk), write a few keys in and around the gap.
          tr.clearRange(bytes(key(100)), bytes(key(800)));
          tr.set(bytes(key(450)), bytes('w'));
          tr.set(bytes(`${key(900)}x`), bytes('w'));
          tr.clear(bytes(key(801)));
          const forward = await tr.getRange(bytes(key(95)), bytes('l'), { limit: 8 });
          const reverse = await tr.getRange(bytes(key(0)), bytes(key(805)), { limit: 7, reverse: true });
          const after = await tr.getKey({ ...firstGreaterOrEqual(bytes(key(99))), offset: 3 });
          const before = await tr.getKey({ ...lastLessThan(bytes(key(802))), offset: -2 });
          const tail = await tr.getRange(bytes(key(899)), bytes('l'), { limit: 3 });
          return {
            forward: forward.map((kv) => `${str(kv.key)}=${str(kv.value)}`),
            reverse: reverse.map((kv) => str(kv.key)),
            after: str(after),
            before: str(before),
            tail: tail.map((kv) => str(kv.key)),
          };
        });
      },
    );
    const r = finished(outcome);
    expect(r.forward).toEqual([
      'k00095=s',
      'k00096=s',
      'k00097=s',
      'k00098=s',
      'k00099=s',
      'k00450=w',
      'k00800=s',
      'k00802=s',
    ]);
    expect(r.reverse).toEqual(['k00804', 'k00803', 'k00802', 'k00800', 'k00450', 'k00099', 'k00098']);
    expect(r.after).toBe('k00800');
    expect(r.before).toBe('k00099');
    expect(r.tail).toEqual(['k00899', 'k00900', 'k00900x']);
  }, 120_000);
});
