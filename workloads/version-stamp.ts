// VersionStamp: client 0 commits, at Poisson intervals, transactions that write one versionstamped value
// (under `<prefix>V_`) and one versionstamped key (under `<prefix>K_`, after clearing that index's older
// stamped keys), and records each commit's version and versionstamp. A commit_unknown_result is resolved
// by reading the value back: a stamp whose version was never recorded means the attempt committed. The
// check reads both ranges at one read version: every stored stamp must be one that was recorded (the
// latest one for its key when `failIfDataLost`), no newer than the read version, and nothing recorded may
// be missing. FoundationDB's VersionStamp workload, with its option names and defaults.
import {
  type Bytes,
  bytes,
  concatBytes,
  defineWorkload,
  equalBytes,
  opt,
  printable,
  str,
  strinc,
  type Transaction,
} from '../src/index.js';

/** Length of the versionstamped key after the prefix: 4 fill bytes, 16 hex digits, 16 fill bytes (with the stamp). */
const VS_KEY_BODY = 36;
/** Offset of the 10-byte stamp inside the key body (FoundationDB's fixed offset 24). */
const VS_KEY_STAMP_AT = 24;
/** Most failure events one check emits (the first already fails the run). */
const MAX_REPORTED = 20;

/** One recorded commit: its version and its 10-byte versionstamp. */
interface Stamp {
  readonly version: number;
  readonly stamp: Bytes;
}

export default defineWorkload({
  name: 'VersionStamp',
  description:
    'Client 0 writes versionstamped keys and values and records each commit; every stored stamp must be a ' +
    'recorded one, no newer than the read version, and (failIfDataLost) the latest one for its key.',
  kind: 'application',
  options: {
    testDuration: opt.number({ default: 60, min: 0, unit: 's', doc: 'How long client 0 commits.' }),
    transactionsPerSecond: opt.number({
      default: 5000,
      min: 0,
      unit: 'tps',
      doc: 'Target commit rate of client 0 (Poisson arrivals; each commit is awaited before the next).',
    }),
    nodeCount: opt.int({
      default: 10_000,
      min: 1,
      unit: 'keys',
      doc: 'Number of distinct keys of each kind.',
    }),
    keyBytes: opt.int({
      default: 16,
      min: 4,
      max: 10_000, // FoundationDB's key size limit (key_too_large above it)
      unit: 'bytes',
      doc: 'Length of value keys after the prefix (at least the 16 hex digits of the index).',
    }),
    failIfDataLost: opt.bool({
      default: true,
      doc: 'Require every recorded key to be present with its latest stamp (false: only stored stamps are checked).',
    }),
    prefix: opt.string({
      default: 'VS_',
      unit: 'key',
      doc: 'Key prefix; value keys get `V_`, stamped keys `K_` after it.',
    }),
    validateExtraDB: opt.bool({
      default: false,
      doc: 'FoundationDB checks a second cluster; faultline simulates one cluster, so this has no effect.',
    }),
    soleOwnerOfMetadataVersionKey: opt.bool({
      default: false,
      doc: 'FoundationDB also stamps \\xff/metadataVersion; faultline has no system keys, so this has no effect.',
    }),
  },
  create(ctx) {
    const o = ctx.options;
    const vsKeyPrefix = bytes(`${o.prefix}K_`);
    const vsValuePrefix = bytes(`${o.prefix}V_`);
    /** Recorded commits per value key (without prefix, binary-safe since keys are ASCII). */
    const keyCommit = new Map<string, Stamp[]>();
    /** Recorded commits per stamped-key index (the 16 hex digits). */
    const versionStampKeyCommit = new Map<string, Stamp[]>();
    let transactions = 0;
    let retries = 0;

    function indexHex(index: number): string {
      return doubleBitsHex(index / o.nodeCount);
    }

    /** The value key body: the index's 16 hex digits padded with '.' to keyBytes. */
    function valueKeyBody(index: number): string {
      return indexHex(index).padEnd(o.keyBytes, '.');
    }

    /**
     * The stamped key as the API takes it: prefix + `VVVV` + 16 hex digits + 16 `V`s (the stamp goes over
     * bytes 24..33 of that body) + the 4-byte little-endian position of the stamp in the whole key.
     */
    function versionStampKey(index: number): { key: Bytes; clearBegin: Bytes } {
      const body = `VVVV${indexHex(index)}${'V'.repeat(VS_KEY_BODY - 20)}`;
      const pos = new Uint8Array(4);
      new DataView(pos.buffer).setUint32(0, vsKeyPrefix.length + VS_KEY_STAMP_AT, true);
      const clearBegin = concatBytes(vsKeyPrefix, bytes(body.slice(0, 20)));
      return { key: concatBytes(vsKeyPrefix, bytes(body), pos), clearBegin };
    }

    function record(map: Map<string, Stamp[]>, k: string, s: Stamp): void {
      const list = map.get(k);
      if (list) list.push(s);
      else map.set(k, [s]);
    }

    async function oneTransaction(): Promise<void> {
      const valueIndex = ctx.random.int(0, o.nodeCount);
      const body = valueKeyBody(valueIndex);
      const key = concatBytes(vsValuePrefix, bytes(body));
      const value = bytes('x'.repeat(ctx.random.int(10, 100)));
      // The stamp replaces the first 10 bytes of the value (position 0, appended as 4 LE bytes).
      const stampedValue = concatBytes(value, new Uint8Array(4));
      const vsIndex = ctx.random.int(0, o.nodeCount);
      const vs = versionStampKey(vsIndex);
      let lastTr: Transaction | undefined;
      const found = await ctx.db.run(async (tr, info): Promise<Stamp | undefined> => {
        if (info.attempt > 0) retries++;
        if (info.maybeCommitted) {
          // An earlier attempt may have committed: a stored stamp with an unrecorded version is its stamp.
          const stored = await tr.get(key);
          if (stored !== undefined && stored.length >= 10) {
            const version = stampVersion(stored, 0);
            if (!(keyCommit.get(body) ?? []).some((s) => s.version === version)) {
              return { version, stamp: stored.slice(0, 10) };
            }
          }
        }
        tr.setVersionstampedValue(key, stampedValue);
        tr.clearRange(vs.clearBegin, strinc(vs.clearBegin));
        tr.setVersionstampedKey(vs.key, value);
        lastTr = tr;
        return undefined;
      });
      let committed: Stamp;
      if (found !== undefined) {
        committed = found;
      } else {
        // Asked after the commit, which both FoundationDB-style futures and faultline's client answer.
        const stamp = await lastTr!.getVersionstamp();
        committed = { version: lastTr!.getCommittedVersion(), stamp };
        // Bytes 8-9 are the transaction's order in its commit batch: above 0, it shared the batch.
        ctx.sometimes('a commit shared its batch', stamp[8]! > 0 || stamp[9]! > 0);
      }
      record(keyCommit, body, committed);
      record(versionStampKeyCommit, indexHex(vsIndex), committed);
      transactions++;
    }

    return {
      async start() {
        if (ctx.clientId !== 0) return;
        const startTime = ctx.now();
        const meanDelay = o.transactionsPerSecond > 0 ? 1 / o.transactionsPerSecond : Infinity;
        let lastTime = ctx.now();
        for (;;) {
          lastTime += ctx.random.exponential(meanDelay);
          if (lastTime - startTime > o.testDuration) break;
          await ctx.delay(Math.max(0, lastTime - ctx.now()));
          await oneTransaction();
          if (ctx.now() - startTime > o.testDuration) break;
        }
      },

      async check() {
        if (ctx.clientId !== 0) return true;
        const { readVersion, values, keys } = await ctx.db.run(async (tr) => {
          // The smallest read version we can get, kept for both reads: the strictest bound on the stamps.
          const rv = await tr.getReadVersion();
          const limit = o.nodeCount + 1;
          const v = await tr.getRange(vsValuePrefix, strinc(vsValuePrefix), { limit });
          const k = await tr.getRange(vsKeyPrefix, strinc(vsKeyPrefix), { limit });
          return { readVersion: rv, values: v, keys: k };
        });
        let ok = true;
        let reported = 0;
        const failOnce = (reason: string, details: Record<string, string | number | boolean>): void => {
          ok = false;
          if (reported++ < MAX_REPORTED) ctx.fail(reason, { ...details, ReadVersion: readVersion });
        };

        const checkRange = (
          what: string,
          rows: readonly { key: Bytes; value: Bytes }[],
          history: Map<string, Stamp[]>,
          parse: (key: Bytes, value: Bytes) => { id: string; version: number; stamp: Bytes } | undefined,
        ): void => {
          if (rows.length > o.nodeCount) failOnce(`More ${what} than nodeCount`, { Count: rows.length });
          if (o.failIfDataLost && rows.length !== history.size) {
            failOnce(`The number of ${what} differs from the number committed`, {
              Found: rows.length,
              Committed: history.size,
            });
          }
          const seen = new Set<string>();
          for (const kv of rows) {
            const parsed = parse(kv.key, kv.value);
            if (parsed === undefined) {
              failOnce(`Malformed ${what} entry`, { Key: printable(kv.key), Value: printable(kv.value) });
              continue;
            }
            seen.add(parsed.id);
            const details = { Key: printable(kv.key), ParsedVersion: parsed.version };
            const all = history.get(parsed.id);
            if (all === undefined) {
              failOnce(`Reading ${what} we didn't commit`, details);
              continue;
            }
            const at = all.findIndex((s) => s.version === parsed.version);
            if (at < 0) {
              failOnce(`The ${what} exists, but we never wrote the timestamp`, details);
              continue;
            }
            if (o.failIfDataLost && at !== all.length - 1) {
              failOnce(`The ${what} holds an older stamp than its last commit`, {
                ...details,
                LastVersion: all[all.length - 1]!.version,
              });
            }
            if (parsed.version > readVersion)
              failOnce(`A ${what} stamp is newer than the read version`, details);
            if (!equalBytes(all[at]!.stamp, parsed.stamp)) {
              failOnce(`A ${what} stamp differs from the committed versionstamp`, {
                ...details,
                Stored: printable(parsed.stamp),
                Committed: printable(all[at]!.stamp),
              });
            }
          }
          if (o.failIfDataLost) {
            for (const id of [...history.keys()].sort()) {
              if (!seen.has(id)) failOnce(`A committed ${what} entry is missing`, { Id: id });
            }
          } else {
            ctx.sometimes('VersionStamp: not all data is lost', rows.length > 0 || history.size === 0);
          }
        };

        checkRange('value keys', values, keyCommit, (k, v) => {
          if (v.length < 10) return undefined;
          return {
            id: str(k.subarray(vsValuePrefix.length)),
            version: stampVersion(v, 0),
            stamp: v.slice(0, 10),
          };
        });
        checkRange('versionstamped keys', keys, versionStampKeyCommit, (k) => {
          const body = k.subarray(vsKeyPrefix.length);
          if (body.length !== VS_KEY_BODY) return undefined;
          return {
            id: str(body.subarray(4, 20)),
            version: stampVersion(body, VS_KEY_STAMP_AT),
            stamp: body.slice(VS_KEY_STAMP_AT, VS_KEY_STAMP_AT + 10),
          };
        });
        ctx.trace('VST_CheckEnd', { Transactions: transactions, Retries: retries });
        return ok;
      },
    };
  },
});

/** The commit version in a versionstamp: its first 8 bytes, big-endian. */
function stampVersion(b: Bytes, at: number): number {
  return Number(new DataView(b.buffer, b.byteOffset + at, 8).getBigUint64(0, false));
}

/** 16 lowercase hex digits of a double's IEEE-754 bit pattern (FoundationDB's emplaceIndex of the index). */
function doubleBitsHex(d: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, d);
  return view.getBigUint64(0).toString(16).padStart(16, '0');
}
