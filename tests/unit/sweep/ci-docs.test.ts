// The CI files docs/ci.md ships must work as copied: parsed with a YAML library, the GitHub Actions
// workflow's matrix matches its --shard count, the merge job depends on the shards and runs even when
// they fail, the nightly schedule sweeps its own range; the Kubernetes Indexed Job's completions match
// --shard and the merge's wait; and every faultline command and flag they use exists in the CLI.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import type { CliIo } from '../../../src/cli/io.js';
import { main } from '../../../src/cli/main.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (f: string) => readFileSync(`${ROOT}${f}`, 'utf8');

type Node = Record<string, unknown>;
/** A GitHub Actions expression as written in a workflow: `${{ e }}`. */
const gh = (e: string) => `\${{ ${e} }}`;
const obj = (v: unknown) => v as Node;

/** Every string value in parsed YAML. */
function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (typeof v === 'object' && v !== null) return Object.values(v).flatMap(strings);
  return [];
}

/** Every `faultline ...` command in parsed YAML's strings (up to the end of its shell command). */
function faultlineCommands(docs: readonly unknown[]): string[][] {
  return strings(docs).flatMap((s) =>
    [...s.matchAll(/npx faultline ([^;\n]*)/g)].map((m) => m[1]!.trim().split(/\s+/)),
  );
}

/** The flags `faultline <command> --help` lists. */
async function helpFlags(command: string): Promise<Set<string>> {
  let out = '';
  const io: CliIo = {
    stdout: (t) => {
      out += t;
    },
    stderr: () => {},
    env: {},
    isTTY: false,
    clock: () => 0,
    randomSeed: () => 1,
    builtins: [],
  };
  expect(await main(['node', 'faultline', command, '--help'], io)).toBe(0);
  return new Set([...out.matchAll(/--[a-z-]+/g)].map((m) => m[0]));
}

async function expectKnownToCli(commands: readonly string[][]): Promise<void> {
  expect(commands.length).toBeGreaterThan(0);
  for (const words of commands) {
    const [command, ...rest] = words;
    expect(['sweep', 'merge']).toContain(command);
    const known = await helpFlags(command!);
    for (const w of rest.filter((x) => x.startsWith('--'))) expect(known, `${command} ${w}`).toContain(w);
  }
}

describe('docs/ci/github-actions.yml', () => {
  const text = read('docs/ci/github-actions.yml');
  const wf = parse(text) as Node;
  const jobs = obj(wf.jobs);

  it('runs one shard per matrix entry, and the shard count in --shard matches the matrix', () => {
    const sweep = obj(jobs.sweep);
    const shards = obj(obj(sweep.strategy).matrix).shard as number[];
    expect(shards.length).toBeGreaterThan(1);
    expect(shards).toEqual(shards.map((_, i) => i + 1));
    const run = (sweep.steps as Node[]).map((s) => s.run).find((r) => String(r).includes('faultline sweep'));
    expect(String(run)).toContain(`--shard ${gh('matrix.shard')}/${shards.length}`);
    expect(String(run)).toContain(`--results results/shard-${gh('matrix.shard')}.jsonl`);
    expect(obj(sweep.strategy)['fail-fast']).toBe(false);
  });

  it('merges after every shard, even failed ones, and uploads what the shards wrote', () => {
    const merge = obj(jobs.merge);
    expect(merge.needs).toContain('sweep');
    expect(merge.if).toBe('always()');
    const sweepUpload = (obj(jobs.sweep).steps as Node[]).find((s) =>
      String(s.uses).startsWith('actions/upload-artifact'),
    );
    expect(sweepUpload?.if).toBe('always()');
    expect(String(obj(sweepUpload?.with).path)).toContain('results/');
    const download = (merge.steps as Node[]).find((s) =>
      String(s.uses).startsWith('actions/download-artifact'),
    );
    expect(obj(download?.with).pattern).toBe('sweep-shard-*');
    const run = (merge.steps as Node[])
      .map((s) => String(s.run ?? ''))
      .find((r) => r.includes('faultline merge'));
    expect(run).toContain('results/shard-*.jsonl');
  });

  it('sweeps a fresh seed range each night, decided once for every shard', () => {
    expect((obj(wf.on).schedule as Node[]).length).toBe(1);
    expect(obj(jobs.sweep).needs).toBe('plan');
    const plan = String(((obj(jobs.plan).steps as Node[])[0] as Node).run);
    expect(plan).toContain('schedule');
    expect(plan).toMatch(/night \* 2000/);
    expect(String((obj(jobs.sweep).steps as Node[]).map((s) => s.run).join(' '))).toContain(
      `--seed-range ${gh('needs.plan.outputs.seeds')}`,
    );
  });

  it('uses only commands and flags the CLI has', async () => {
    await expectKnownToCli(faultlineCommands([wf]));
  });
});

describe('docs/ci/kubernetes-job.yaml', () => {
  const text = read('docs/ci/kubernetes-job.yaml');
  const docs = parseAllDocuments(text).map((d) => d.toJS() as Node);
  const job = (name: string) => docs.find((d) => d.kind === 'Job' && obj(d.metadata).name === name)!;
  const container = (j: Node) => (obj(obj(obj(j.spec).template).spec).containers as Node[])[0]!;
  const volumes = (j: Node) => obj(obj(obj(j.spec).template).spec).volumes as Node[];

  it('is an Indexed Job whose completions match --shard, the shard taken from JOB_COMPLETION_INDEX', () => {
    const sweep = job('faultline-sweep');
    const spec = obj(sweep.spec);
    expect(spec.completionMode).toBe('Indexed');
    const n = spec.completions as number;
    expect(n).toBeGreaterThan(1);
    expect(spec.parallelism as number).toBeLessThanOrEqual(n);
    const args = (container(sweep).args as string[]).join(' ');
    expect(args).toContain('shard=$((JOB_COMPLETION_INDEX + 1))');
    expect(args).toContain(`--shard "$shard"/${n}`);
    // The merge waits for exactly that many finished shards.
    expect((container(job('faultline-merge')).args as string[]).join(' ')).toContain(`-ge ${n} ]`);
  });

  it('writes results to one shared volume the merge reads', () => {
    const claim = docs.find((d) => d.kind === 'PersistentVolumeClaim');
    expect(obj(claim?.spec).accessModes).toContain('ReadWriteMany');
    for (const name of ['faultline-sweep', 'faultline-merge']) {
      const j = job(name);
      expect(obj(obj(volumes(j)[0]).persistentVolumeClaim).claimName).toBe(obj(claim?.metadata).name);
      expect((container(j).volumeMounts as Node[])[0]).toMatchObject({
        name: 'results',
        mountPath: '/results',
      });
    }
    expect((container(job('faultline-sweep')).args as string[]).join(' ')).toContain(
      '--results /results/shard-"$shard".jsonl',
    );
    expect((container(job('faultline-merge')).args as string[]).join(' ')).toContain(
      'faultline merge /results/shard-*.jsonl',
    );
  });

  it('uses only commands and flags the CLI has', async () => {
    await expectKnownToCli(faultlineCommands(docs));
  });
});
