// The entry of a sweep worker thread: loads the built-in workloads once, then runs one job at a time with
// runSpec (the code path of `faultline run`) and posts back the run's record. Nothing a run leaves behind
// is read by the next: each run builds its own world, cluster and trace writer from the spec and seed.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
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
function recordOf(job: RunJob, sha256: string, r: RunResult, wallSeconds: number): SweepRecord {
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
    wallSeconds,
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
  });
  return recordOf(job, loaded.sha256, result, (performance.now() - start) / 1000);
}

async function start(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('worker-main runs only as a worker thread');
  const setup = workerData as WorkerSetup;
  const mod = (await import(pathToFileURL(setup.builtinsFile).href)) as {
    builtinWorkloads?: readonly AnyWorkload[];
  };
  const builtins = mod.builtinWorkloads ?? [];
  const cache = new Map<string, SpecWorkloads>();
  port.on('message', (job: RunJob) => {
    runJob(job, builtins, cache).then(
      (record) => port.postMessage({ kind: 'result', record } satisfies WorkerReply),
      (e: unknown) => {
        const message =
          e instanceof BadInputError ? e.format() : e instanceof Error ? (e.stack ?? e.message) : String(e);
        port.postMessage({
          kind: 'error',
          index: job.index,
          message,
          badInput: e instanceof BadInputError,
        } satisfies WorkerReply);
      },
    );
  });
  port.postMessage({ kind: 'ready' } satisfies WorkerReply);
}

await start();
