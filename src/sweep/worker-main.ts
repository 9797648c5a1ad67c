// The entry of a sweep worker process: loads the built-in workloads once, then runs one job at a time with
// runSpec (the code path of `faultline run`) and posts back the run's record. Nothing a run leaves behind
// is read by the next: each run builds its own world, cluster and trace writer from the spec and seed.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { BadInputError } from '../core/errors.js';
import type { RunResult } from '../run/result.js';
import { runSpec } from '../run/run-spec.js';
import { loadSpecFile } from '../spec/load.js';
import type { TestSpec } from '../spec/types.js';
import { TraceWriter } from '../trace/writer.js';
import { displayPath, pluginRegistry, pluginRequests } from '../workload/plugin-loader.js';
import type { AnyWorkload, Registry } from '../workload/registry.js';
import { jobReproduce, type RunJob, type WorkerReply, type WorkerSetup } from './job.js';
import { runExitCode, runFailure, type SweepRecord, sometimesOf, verdictOf } from './record.js';

/** The record of a finished run. */
function recordOf(
  job: RunJob,
  sha256: string,
  r: RunResult,
  spent: { readonly wallSeconds: number; readonly cpuSeconds: number },
): SweepRecord {
  const failure = runFailure(r);
  return {
    index: job.index,
    spec: job.specPath,
    specSha256: sha256,
    title: r.title,
    seed: job.seed,
    buggify: r.buggify,
    expectFailure: job.expectFailure,
    outcome: r.outcome,
    verdict: verdictOf(r.outcome, job.expectFailure),
    exitCode: runExitCode(r.outcome),
    ...(failure ?? {}),
    unseed: r.unseed,
    traceHash: r.traceHash,
    simSeconds: r.simTime,
    wallSeconds: spent.wallSeconds,
    cpuSeconds: spent.cpuSeconds,
    peakMemoryMb: Math.round(getHeapStatistics().total_heap_size / 1e5) / 10,
    ...(r.tracePath !== undefined ? { tracePath: r.tracePath } : {}),
    reproduce: r.reproduce,
    sometimes: sometimesOf(r),
  };
}

/** A spec's registry (built-ins, its plugins and the `--plugin` flags' workloads) and plugin records. */
interface SpecWorkloads {
  readonly registry: Registry;
  readonly plugins: readonly { readonly file: string; readonly sha256: string }[];
}

/**
 * The workloads of a job's spec, loaded once per spec and plugin list for the worker's life: plugin
 * modules are loaded, not run, so a run never sees what an earlier run did with them (each run creates
 * its workload instances afresh).
 */
async function specWorkloads(
  job: RunJob,
  spec: TestSpec,
  builtins: readonly AnyWorkload[],
  cache: Map<string, SpecWorkloads>,
): Promise<SpecWorkloads> {
  const key = JSON.stringify([job.specPath, job.plugins]);
  const hit = cache.get(key);
  if (hit) return hit;
  const { registry, plugins } = await pluginRegistry(builtins, pluginRequests(job.plugins, spec));
  const loaded = { registry, plugins: plugins.map((p) => ({ file: displayPath(p.file), sha256: p.sha256 })) };
  cache.set(key, loaded);
  return loaded;
}

async function runJob(
  job: RunJob,
  builtins: readonly AnyWorkload[],
  cache: Map<string, SpecWorkloads>,
): Promise<SweepRecord> {
  const start = performance.now();
  const cpuBefore = process.cpuUsage();
  const loaded = loadSpecFile(job.specPath);
  const { registry, plugins } = await specWorkloads(job, loaded.spec, builtins, cache);
  const result = await runSpec({
    plugins,
    pluginFlags: job.plugins,
    spec: loaded.spec,
    specPath: job.specPath,
    specSha256: loaded.sha256,
    seed: job.seed,
    ...(job.buggifyFlag ? { buggify: job.buggify } : {}),
    knobOverrides: job.knobs.map((k) => {
      const eq = k.indexOf('=');
      return { name: k.slice(0, eq).trim(), value: k.slice(eq + 1).trim(), file: '<command line>' };
    }),
    traceSink: new TraceWriter(job.tracePath !== undefined ? { path: job.tracePath } : { memory: false }),
    registry,
    version: job.version,
    reproduce: jobReproduce(job),
    ...(job.maxSimSeconds !== undefined ? { maxSimSeconds: job.maxSimSeconds, maxSimSecondsFlag: true } : {}),
    ...(job.noOracle ? { noOracle: true } : {}),
    // As `faultline run`: a run that outgrows 80% of this worker's heap limit (--max-memory, else V8's)
    // ends as did-not-finish, saying what held the memory, before V8 aborts the worker.
    maxHeapBytes: Math.floor(getHeapStatistics().heap_size_limit * 0.8),
  });
  const cpu = process.cpuUsage(cpuBefore);
  return recordOf(job, loaded.sha256, result, {
    wallSeconds: (performance.now() - start) / 1000,
    cpuSeconds: Math.round((cpu.user + cpu.system) / 1e3) / 1e3,
  });
}

/** Sends a reply to the sweep; a worker whose sweep is gone has nobody to answer and ends. */
function reply(m: WorkerReply): void {
  if (process.send === undefined || !process.connected) process.exit(0);
  process.send(m);
}

async function start(): Promise<void> {
  if (process.send === undefined) throw new Error('worker-main runs only as a sweep worker process');
  const setup = JSON.parse(process.argv[2] ?? '{}') as WorkerSetup;
  // The sweep going away (its IPC channel closing) ends the worker, a run in flight included. Ctrl-C
  // reaches the whole process group: the sweep ends its workers itself, after recording what finished,
  // so a worker does not die of it first (its run would look like a crash).
  process.on('disconnect', () => process.exit(0));
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => {});
  const mod = (await import(pathToFileURL(setup.builtinsFile).href)) as {
    builtinWorkloads?: readonly AnyWorkload[];
  };
  const builtins = mod.builtinWorkloads ?? [];
  const cache = new Map<string, SpecWorkloads>();
  process.on('message', (job: RunJob) => {
    runJob(job, builtins, cache).then(
      (record) => reply({ kind: 'result', record }),
      (e: unknown) => {
        const message =
          e instanceof BadInputError ? e.format() : e instanceof Error ? (e.stack ?? e.message) : String(e);
        reply({ kind: 'error', index: job.index, message, badInput: e instanceof BadInputError });
      },
    );
  });
  reply({ kind: 'ready' });
}

await start();
