// Scratch: runs generated swarm specs one after another, prints one line each and the failures in full.
import { mkdirSync, writeFileSync } from 'node:fs';
import { generateSwarmSpec } from '../src/swarm/index.js';
import { Registry } from '../src/workload/registry.js';
import { builtinWorkloads } from '../workloads/index.js';
import { explain, runChaosSpec } from '../tests/unit/chaos/chaos-run.js';

const registry = new Registry(builtinWorkloads);
const from = Number(process.argv[2] ?? 1);
const to = Number(process.argv[3] ?? 20);
mkdirSync('/tmp/swarm', { recursive: true });
let pass = 0;
const bad: string[] = [];
for (let seed = from; seed <= to; seed++) {
  const g = generateSwarmSpec(seed, registry);
  const file = `/tmp/swarm/swarm-${seed}.toml`;
  writeFileSync(file, g.toml);
  const t0 = Date.now();
  let line: string;
  try {
    const { result } = await runChaosSpec(g.toml, seed, file);
    line = `${seed} ${result.outcome} sim=${result.simTime.toFixed(0)} real=${((Date.now() - t0) / 1000).toFixed(1)}s`;
    if (result.outcome === 'passed') pass++;
    else {
      bad.push(seed.toString());
      line += `\n${explain(result)}`;
    }
  } catch (e) {
    bad.push(seed.toString());
    line = `${seed} THREW ${e instanceof Error ? e.stack : String(e)}`;
  }
  console.log(line);
}
console.log(`passed ${pass}/${to - from + 1}; not passed: ${bad.join(' ')}`);
