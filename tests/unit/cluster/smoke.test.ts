import { describe, expect, it } from 'vitest';
import { bytes, str } from '../../../src/cluster/bytes.js';
import { finished, runScenario } from '../../support/cluster-scenario.js';

describe('cluster smoke', () => {
  it('commits and reads back', async () => {
    const { outcome, events } = await runScenario(
      { seed: 1, config: { config: 'double', machineCount: 4 } },
      async ({ db }) => {
        await db.run(async (tr) => {
          tr.set(bytes('hello'), bytes('world'));
        });
        return db.run(async (tr) => {
          const v = await tr.get(bytes('hello'));
          return v ? str(v) : undefined;
        });
      },
    );
    const types = new Set(events.map((e) => e.type));
    expect(finished(outcome)).toBe('world');
    expect(types.has('MasterRecoveryState')).toBe(true);
  });
});
