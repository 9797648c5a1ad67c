// A read at a read version far in the future fails with future_version (retryable), never hangs.
import { describe, expect, it } from 'vitest';
import { bytes } from '../../../src/cluster/bytes.js';
import { FdbError } from '../../../src/cluster/client-api.js';
import { finished, runScenario } from '../../support/cluster-scenario.js';

describe('reads at a future read version', () => {
  it('fail with future_version for point and range reads', async () => {
    const { outcome } = await runScenario(
      { seed: 3, config: { config: 'single', machineCount: 3 } },
      async ({ db }) => {
        const codes: number[] = [];
        for (const read of ['get', 'range', 'selector'] as const) {
          const tr = db.createTransaction();
          tr.setReadVersion(4_858_847_273_418_752);
          try {
            if (read === 'get') await tr.get(bytes('a'));
            else if (read === 'range') await tr.getRange(bytes('a'), bytes('b'));
            else await tr.getRange({ key: bytes('a'), orEqual: false, offset: 5 }, bytes('b'));
            codes.push(0);
          } catch (e) {
            codes.push(e instanceof FdbError ? e.code : -1);
          }
        }
        return codes;
      },
    );
    expect(finished(outcome)).toEqual([1009, 1009, 1009]);
  });
});
