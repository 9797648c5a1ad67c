// Sideband: FoundationDB's causal-consistency workload. Client 0 (the mutator) commits a fresh key, then
// tells client 1 (the checker) the key and its commit version over the sideband, a channel outside the
// database. The checker reads the key at once in a new transaction: having heard of the commit, it must
// see it. A read version older than a commit some client has already had acknowledged breaks this
// (`CausalConsistencyError`), which is what a stale read version from a dead epoch does.
import { bytes, defineWorkload, FdbError, type Metric, opt, printable, str } from '../src/index.js';

/** Sideband's options; SidebandSingle takes the same. */
export const sidebandOptions = {
  testDuration: opt.number({
    default: 10,
    min: 0,
    unit: 's',
    doc: 'How long the mutator commits keys and sends messages, in simulated seconds.',
  }),
  operationsPerSecond: opt.number({
    default: 50,
    min: 0.001,
    unit: 'ops',
    doc: "Mean rate of the mutator's commits (Poisson arrivals).",
  }),
};

/** The value every mutator commit writes. */
export const SIDEBAND_VALUE = bytes('deadbeef');

export default defineWorkload({
  name: 'Sideband',
  description:
    'Client 0 commits keys and sends each commit to client 1 outside the database; client 1 must read it.',
  kind: 'application',
  options: sidebandOptions,
  create(ctx) {
    const o = ctx.options;
    let messages = 0;
    let consistencyErrors = 0;
    let keysUnexpectedlyPresent = 0;
    let checked = 0;
    let mutatorDone = false;
    const prefix = `sideband/${ctx.sharedRandomNumber}/`;

    /** Commits a fresh key and sends (key, commit version) to the checker, for testDuration. */
    const mutator = async (): Promise<void> => {
      const end = ctx.now() + o.testDuration;
      let lastTime = ctx.now();
      for (let n = 0; ; n++) {
        lastTime += ctx.random.exponential(1 / o.operationsPerSecond);
        if (lastTime > ctx.now()) await ctx.delay(lastTime - ctx.now());
        if (ctx.now() >= end) break;
        const key = bytes(`${prefix}${String(n).padStart(8, '0')}`);
        const tr = ctx.db.createTransaction();
        let version: number | undefined;
        let maybeCommitted = false;
        for (;;) {
          try {
            if ((await tr.get(key)) !== undefined) {
              // Present before this commit: a retry of a commit that did happen (its version is unknown,
              // so there is nothing to send), or, when no attempt could have committed, a real anomaly.
              if (!maybeCommitted) keysUnexpectedlyPresent++;
              break;
            }
            tr.set(key, SIDEBAND_VALUE);
            await tr.commit();
            version = tr.getCommittedVersion();
            break;
          } catch (e) {
            if (e instanceof FdbError && e.code === 1021) maybeCommitted = true;
            await tr.onError(e);
          }
        }
        if (version === undefined) continue;
        ctx.sideband.send(1, { key: str(key), version });
        messages++;
      }
      mutatorDone = true;
      ctx.sideband.send(1, { done: true });
    };

    /** Reads each key it hears of in a fresh transaction: the key must be there. */
    const checker = async (): Promise<void> => {
      for (;;) {
        const m = await ctx.sideband.receive();
        if (m.done === true) return;
        const key = bytes(String(m.key));
        const tr = ctx.db.createTransaction();
        for (;;) {
          try {
            const value = await tr.get(key);
            if (value === undefined) {
              consistencyErrors++;
              ctx.fail(
                'A key another client committed, and said so, was not there',
                {
                  MessageKey: printable(key),
                  RemoteCommitVersion: Number(m.version),
                  LocalReadVersion: await tr.getReadVersion(),
                },
                'CausalConsistencyError',
              );
            }
            checked++;
            break;
          } catch (e) {
            await tr.onError(e);
          }
        }
      }
    };

    return {
      async start() {
        if (ctx.clientCount < 2) {
          if (ctx.clientId === 0)
            ctx.trace('SidebandSkipped', { Reason: 'needs two clients', ClientCount: ctx.clientCount });
          return;
        }
        if (ctx.clientId === 0) await mutator();
        else if (ctx.clientId === 1) await checker();
      },
      async check() {
        if (ctx.clientCount < 2 || ctx.clientId > 1) return true;
        if (ctx.clientId === 0 && !mutatorDone) {
          ctx.fail('The mutator did not finish');
          return false;
        }
        if (keysUnexpectedlyPresent > 0) {
          ctx.fail('Keys were present before they were committed', { Keys: keysUnexpectedlyPresent });
          return false;
        }
        if (consistencyErrors > 0) {
          ctx.fail('There were causal consistency errors', { Errors: consistencyErrors });
          return false;
        }
        return true;
      },
      metrics(): Metric[] {
        if (ctx.clientId === 0) return [{ name: 'Messages', value: messages }];
        if (ctx.clientId === 1)
          return [
            { name: 'Causal Consistency Errors', value: consistencyErrors },
            { name: 'Keys Checked', value: checked },
          ];
        return [];
      },
    };
  },
});
