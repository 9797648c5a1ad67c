// SidebandSingle (FoundationDB's workload of that name): Sideband's causal-consistency check inside one
// client. Client 0's mutator commits a fresh key and passes the key and its commit version to client 0's
// own checker, outside the database; the checker reads the key at once in a new transaction and must see
// it. A client that has had a commit acknowledged and then reads at an older version breaks this
// (`CausalConsistencyError`).
//
// Where faultline differs: FoundationDB's transactions here set USE_GRV_CACHE (read versions from the
// client's cache); faultline's client has no read-version cache and always asks a GRV proxy, so the check
// covers the proxies' read versions, not a cache. The mutator stops at testDuration (FoundationDB's runs
// on until the workload is destroyed) and the check waits until every message sent was checked.
import { type Bytes, bytes, defineWorkload, type Metric, printable, type Version } from '../src/index.js';
import { SIDEBAND_VALUE, sidebandOptions } from './sideband.js';

interface Message {
  readonly key: Bytes;
  readonly commitVersion: Version;
}

/** An in-process message queue: the sideband from client 0 to itself. */
class Mailbox {
  private readonly queue: (Message | 'done')[] = [];
  private waiter: (() => void) | undefined;

  send(m: Message | 'done'): void {
    this.queue.push(m);
    this.waiter?.();
    this.waiter = undefined;
  }

  async receive(): Promise<Message | 'done'> {
    while (this.queue.length === 0) await new Promise<void>((resolve) => (this.waiter = resolve));
    return this.queue.shift()!;
  }
}

export default defineWorkload({
  name: 'SidebandSingle',
  description:
    'Client 0 commits keys and passes each commit to its own checker outside the database; the checker must ' +
    'read it (USE_GRV_CACHE is not modelled: read versions come from the GRV proxies).',
  kind: 'application',
  options: sidebandOptions,
  create(ctx) {
    const o = ctx.options;
    const mailbox = new Mailbox();
    const clientErrors: string[] = [];
    let messages = 0;
    let consistencyErrors = 0;
    let keysUnexpectedlyPresent = 0;
    let checkerDone: Promise<void> = Promise.resolve();

    /** FoundationDB's "Sideband/Message/%llx" of a random 64-bit key. */
    const messageKey = (): Bytes => {
      let hex = '';
      for (let i = 0; i < 4; i++) hex += ctx.random.int(0, 0x10000).toString(16).padStart(4, '0');
      return bytes(`Sideband/Message/${hex.replace(/^0+(?=.)/, '')}`);
    };

    /** Commits one fresh key; its commit version (or, when it was already there, the read version). */
    const commitKey = async (key: Bytes): Promise<Version> => {
      const tr = ctx.db.createTransaction();
      for (;;) {
        try {
          if ((await tr.get(key)) !== undefined) {
            // A retry of a commit that did happen (commit_unknown_result): FoundationDB counts it and sends
            // the read version, at which the key is visible.
            keysUnexpectedlyPresent++;
            return tr.getReadVersion();
          }
          tr.set(key, SIDEBAND_VALUE);
          await tr.commit();
          return tr.getCommittedVersion();
        } catch (e) {
          await tr.onError(e);
        }
      }
    };

    const mutator = async (end: number): Promise<void> => {
      let lastTime = ctx.now();
      for (;;) {
        lastTime += ctx.random.exponential(1 / o.operationsPerSecond);
        if (lastTime > ctx.now()) await ctx.delay(lastTime - ctx.now());
        if (ctx.now() >= end) return;
        const key = messageKey();
        const commitVersion = await commitKey(key);
        messages++;
        mailbox.send({ key, commitVersion });
      }
    };

    /** Reads each key it hears of in a new transaction: the key must be there. */
    const checker = async (): Promise<void> => {
      for (;;) {
        const m = await mailbox.receive();
        if (m === 'done') return;
        const tr = ctx.db.createTransaction();
        for (;;) {
          try {
            if ((await tr.get(m.key)) === undefined) {
              consistencyErrors++;
              ctx.fail(
                'A key this client committed, and passed to itself, was not there',
                {
                  MessageKey: printable(m.key),
                  RemoteCommitVersion: m.commitVersion,
                  LocalReadVersion: await tr.getReadVersion(),
                },
                'CausalConsistencyError',
              );
            }
            break;
          } catch (e) {
            await tr.onError(e);
          }
        }
      }
    };

    const noteError = (e: unknown): void => {
      clientErrors.push(e instanceof Error ? e.message : String(e));
    };

    return {
      async start() {
        if (ctx.clientId !== 0) return;
        checkerDone = checker().catch(noteError);
        await mutator(ctx.now() + o.testDuration).catch(noteError);
        mailbox.send('done');
      },

      async check() {
        if (ctx.clientId !== 0) return true;
        await checkerDone;
        let ok = true;
        if (clientErrors.length > 0) {
          ctx.fail('There were client errors.', { Errors: clientErrors.slice(0, 5).join('; ') });
          ok = false;
        }
        if (consistencyErrors > 0) {
          ctx.fail('There were causal consistency errors.', { Errors: consistencyErrors });
          ok = false;
        }
        return ok;
      },

      metrics(): Metric[] {
        if (ctx.clientId !== 0) return [];
        return [
          { name: 'Messages', value: messages },
          { name: 'Causal Consistency Errors', value: consistencyErrors },
          { name: 'KeysUnexpectedlyPresent', value: keysUnexpectedlyPresent },
        ];
      },
    };
  },
});
